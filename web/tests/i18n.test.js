// Chinese throughout, English too. In Chinese a form the server refuses shows
// the server's message in Chinese (the field by its Chinese name, no English
// and no code before it); a deal page — checklist, MANT, history, details —
// and the knowledge and playbook pages show no raw code (buying roles, CNY,
// a playbook id, the system's own actor "bingfa", a role code before its
// name). In English the same screens read English.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, openAs, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}

// Codes that must not be read on a screen, as whole words: in Chinese none of
// them; in English those that are no English words.
const CODES = ['decision_makers', 'decision_maker', 'ruijie-6', 'uss-5', 'bingfa', 'selling_point']
const RAW = { zh: CODES.concat(['approvers', 'evaluators', 'coaches', 'CNY', 'channel']), en: CODES }

function rawCodesIn(text, lang) {
  return RAW[lang].filter((c) => new RegExp('(^|[^A-Za-z0-9_-])' + c.replace('-', '\\-') + '($|[^A-Za-z0-9_-])').test(text))
}

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const acc = await must(await server.api('POST', '/accounts', { name: '江南市人民医院' }), 201)
  ids.deal = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '门诊楼无线网络', amount: 50000000, playbook: 'ruijie-6', currency: 'CNY' }), 201)).id
  // a deal in a sales mode: its planned visits carry plan_ref quick/1 … quick/3
  ids.planned = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '财务软件升级', amount: 3000000, playbook: 'uss-5', sales_mode: 'quick' }), 201)).id
  // MANT with money and needs but nobody of the buying centre: its item lists the roles missing
  await must(await server.api('PUT', `/opportunities/${ids.deal}/mant`, {
    money: { budget: 60000000, source: '财政拨款', approved: true, in_place: true },
    needs: ['无线全覆盖', '等保三级', '移动查房'], time: { tender_month: '2027-01', go_live: '2027-06-30' },
  }), 200)
  ids.entry = (await must(await server.api('POST', '/knowledge', {
    lang: 'zh', status: 'published', kind: 'selling_point', title: '病房无缝漫游', summary: '护士床旁不断线',
    stages: ['ruijie-6:' + (await firstStage('ruijie-6'))], tags: ['医院'],
    detail: { description: '漫游切换小于 50 毫秒', company_benefit: '查房不中断' },
  }), 201)).id
})

async function firstStage(id) {
  const pbs = await must(await server.api('GET', '/playbooks?lang=zh'), 200)
  return pbs.items.find((p) => p.id === id).stages[0].id
}

after(async () => {
  if (chrome) await chrome.close()
  if (server) await server.stop()
})

// The text of the page once it has settled.
async function textOf(page) {
  await page.waitForLoadState('networkidle')
  return page.locator('.el-main').innerText() // the screen, not the brand in the header
}

async function dealScreens(page, lang) {
  const seen = []
  await page.goto(server.base + '/opportunities/' + ids.deal)
  await page.waitForSelector('.opp-tabs')
  seen.push(await textOf(page))
  for (const [group, tab] of [['qualify', 'mant'], ['records', 'history'], ['records', 'details']]) {
    await page.click('#tab-' + group)
    await page.click('#tab-' + tab)
    await page.waitForSelector(`#pane-${tab}`, { state: 'visible' })
    seen.push(await textOf(page))
  }
  await shot(page, 'i18n-deal-' + lang)
  return seen.join('\n')
}

test('in Chinese an invalid form shows the server\'s message in Chinese', async () => {
  const { ctx, page, errors } = await openAs(chrome.browser, server.base, ADMIN, { lang: 'zh' })
  await page.goto(server.base + '/accounts')
  await page.click('[data-test="account-new"]')
  await page.click('[data-test="account-save"]')
  const msg = await until(async () => {
    const el = page.locator('.el-form-item__error').first()
    return (await el.count()) ? (await el.innerText()).trim() : ''
  }, 'no error next to a field')
  assert.equal(msg, '客户名称为必填项')
  assert.doesNotMatch(msg, /[A-Za-z]/)
  await shot(page, 'i18n-form-zh')
  assert.deepEqual(errors.filter((e) => !/422/.test(e)), [])
  await ctx.close()
})

test('in English the same form shows the server\'s English message', async () => {
  const { ctx, page } = await openAs(chrome.browser, server.base, ADMIN, { lang: 'en' })
  await page.goto(server.base + '/accounts')
  await page.click('[data-test="account-new"]')
  await page.click('[data-test="account-save"]')
  const msg = await until(async () => {
    const el = page.locator('.el-form-item__error').first()
    return (await el.count()) ? (await el.innerText()).trim() : ''
  }, 'no error next to a field')
  assert.equal(msg, 'name must have at least 1 characters')
  await ctx.close()
})

for (const [lang, width] of [['zh', 1366], ['zh', 375], ['en', 1366]]) {
  test(`a deal, the knowledge and the playbooks show no raw codes (${lang}, ${width} px)`, async () => {
    const { ctx, page } = await openAs(chrome.browser, server.base, ADMIN, { lang, width })
    const deal = await dealScreens(page, lang + width)
    assert.deepEqual(rawCodesIn(deal, lang), [], deal)
    if (lang === 'zh') {
      assert.match(deal, /锐捷兵法·六阶段/)
      assert.match(deal, /缺：.*拍板者/)
      assert.match(deal, /系统/)
      assert.match(deal, /元/)
    } else {
      assert.match(deal, /Ruijie method: six stages/)
      assert.match(deal, /missing: .*approvers?/i)
      assert.match(deal, /System/)
      assert.doesNotMatch(deal, /缺：|系统/)
    }
    await page.goto(server.base + '/knowledge')
    await page.waitForSelector(`text=病房无缝漫游`)
    const knowledge = await textOf(page)
    assert.deepEqual(rawCodesIn(knowledge, lang), [], knowledge)
    await page.goto(server.base + '/knowledge/' + ids.entry)
    await page.waitForSelector(`text=病房无缝漫游`)
    const entry = await textOf(page)
    assert.deepEqual(rawCodesIn(entry, lang), [], entry)
    await page.goto(server.base + '/playbooks')
    await page.waitForLoadState('networkidle')
    const pb = await textOf(page)
    assert.deepEqual(rawCodesIn(pb, lang), [], pb)
    if (lang === 'zh') assert.match(pb, /锐捷售前课程（锐捷兵法）|华宇售前方法论|用友/)
    else assert.doesNotMatch(pb, /来源/)
    await shot(page, `i18n-playbooks-${lang}${width}`)
    await ctx.close()
  })
}

// A planned visit's plan reads as words (快刀·第1次拜访), on the deal and in
// the activity list, never as its code (quick/1); no message key shows.
for (const lang of ['zh', 'en']) {
  test(`planned visits name their plan in words (${lang})`, async () => {
    const { ctx, page } = await openAs(chrome.browser, server.base, ADMIN, { lang })
    await page.goto(server.base + '/opportunities/' + ids.planned)
    const words = lang === 'zh' ? '快刀·第1次拜访' : 'Quick · visit 1'
    await page.waitForSelector(`text=${words}`)
    const deal = await textOf(page)
    assert.doesNotMatch(deal, /quick\/\d/)
    assert.doesNotMatch(deal, /\b(opportunity|labels|activity)\.[a-z]+\.[A-Za-z_.]+/)
    await page.goto(server.base + '/activities/list?plan_ref=quick/2')
    const tag = page.locator('[data-test="activities-tag-plan_ref"]')
    await tag.waitFor()
    assert.match(await tag.innerText(), lang === 'zh' ? /快刀·第2次拜访/ : /Quick · visit 2/)
    await ctx.close()
  })
}
