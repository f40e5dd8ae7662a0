// The knowledge base (知识库) in the browser. Searching 医院 (two characters)
// finds the hospital case with the word marked; a word of three characters
// and more ranks the entry whose title has it first; the kind filter
// narrows the list; an entry opens with its detail. A salesperson writes an
// objection in the editor — a draft — and the admin publishes it; the deal
// in that stage suggests it with its model answer. At 375 px in English the
// knowledge screens do not scroll sideways.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}
const SALES = { name: '赵销售', password: 'sales-password-1' }

async function entry(body) {
  return (await must(await server.api('POST', '/knowledge', { lang: 'zh', status: 'published', ...body }), 201)).id
}

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const team = await must(await server.api('POST', '/teams', { name: '医疗行业部' }), 201)
  const u = await must(await server.api('POST', '/users', { name: SALES.name, role: 'sales', team_id: team.id }), 201)
  await must(await server.api('PUT', `/users/${u.id}/password`, { password: SALES.password }), 204)

  ids.case = await entry({
    kind: 'case', title: '江南市第一人民医院门诊楼无线网络', summary: '门诊楼与住院部的无线全覆盖，移动查房与输液监控上线。',
    industries: ['医疗'], products: ['无线网络'], tags: ['医院', '移动查房'], stages: ['uss-5:solution'],
    detail: {
      customer: '江南市第一人民医院', industry: '医疗', region: '江南市', amount: 98000000, role: 'decision_maker',
      background: '门诊楼改造，原有网络无法支撑移动查房。',
      pains: [{ pain: '查房时信号中断', cause: '病房墙体厚、AP 数量不足' }],
      capability: '如果病房信号无缝漫游，那么护士在床旁即可完成医嘱核对。',
      delivered: '600 台 AP、无线控制器、运维平台', results: '查房效率提升 30%，信号投诉降为零。',
      may_name: true, may_contact: false,
    },
  })
  // "wireless" in the title of one entry and only in the summary of a newer one
  ids.wirelessTitle = await entry({
    kind: 'selling_point', lang: 'en', title: 'Seamless wireless roaming for wards',
    summary: 'Nurses keep the connection from bed to bed.', industries: ['医疗'], products: ['无线网络'],
    detail: { description: 'Roaming under 50 ms between access points.', company_benefit: 'No interrupted rounds.',
      roles: [{ role: 'user', value: 'Rounds without dropouts', typical_need: 'Reliable tablets' }] },
  })
  ids.wirelessSummary = await entry({
    kind: 'solution', lang: 'en', title: 'Campus network for district hospitals',
    summary: 'Core, access and wireless for a hospital of 500 beds.', industries: ['医疗'], products: ['交换机'],
    detail: { industry: '医疗', problem: 'Ageing switches', architecture: 'Two-tier', modules: ['Core', 'Access'] },
  })
  ids.question = await entry({
    kind: 'question', title: '了解现有网络的难点', summary: '方案阶段确认痛点', stages: ['uss-5:solution'],
    detail: { question: '目前查房时最常遇到的网络问题是什么？', question_type: 'open', spin: 'problem', purpose: '引出痛点' },
  })
  const acc = await must(await server.api('POST', '/accounts', { name: '江北市第三人民医院', industry: '医疗' }), 201)
  ids.deal = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '医院无线网络改造', amount: 1200000, playbook: 'uss-5', stage: 'solution' }), 201)).id
  const pbs = await must(await server.api('GET', '/playbooks?lang=zh'), 200)
  const uss = pbs.items.find((p) => p.id === 'uss-5')
  ids.stageLabel = `${uss.name_zh} · ${uss.stages.find((s) => s.id === 'solution').name_zh}`
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

async function pickOption(page, select, text) {
  await page.click(`[data-test="${select}"]`)
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// the data-test of each result, in order
async function resultIds(page) {
  return page.locator('[data-test="kn-results"] > li').evaluateAll((els) => els.map((e) => e.dataset.test.replace('kn-item-', '')))
}

test('search marks what matched, ranks the title first, filters by kind; an entry opens', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.click('[data-test="nav-knowledge"]')
  await page.waitForURL(/\/knowledge$/)
  await page.locator(`[data-test="kn-item-${ids.question}"]`).waitFor()

  // two characters: the grams find the case; the word is marked in its title
  await field(page, 'kn-search').fill('医院')
  const item = page.locator(`[data-test="kn-item-${ids.case}"]`)
  await until(async () => {
    const got = await resultIds(page)
    return got.includes(ids.case) && !got.includes(ids.question)
  }, 'searching 医院 lists the case and not the question')
  const marks = await item.locator('mark').allTextContents()
  assert.ok(marks.includes('医院'), `医院 is marked: ${JSON.stringify(marks)}`)
  assert.equal(await item.locator('.title').innerText(), '江南市第一人民医院门诊楼无线网络')
  await page.waitForURL(/q=%E5%8C%BB%E9%99%A2/)
  await shot(page, 'knowledge-search-1366')

  // three characters and more: the title's match before the summary's
  await field(page, 'kn-search').fill('wireless')
  await field(page, 'kn-search').press('Enter')
  await until(async () => {
    const got = await resultIds(page)
    return got.length >= 2 && got.includes(ids.wirelessSummary) ? got : null
  }, 'wireless finds both entries')
  const got = await resultIds(page)
  assert.equal(got[0], ids.wirelessTitle, `the title match first: ${got}`)
  assert.ok(!got.includes(ids.case) || got.indexOf(ids.case) > 0)
  assert.ok((await page.locator(`[data-test="kn-item-${ids.wirelessTitle}"] mark`).allTextContents())
    .some((m) => m.toLowerCase() === 'wireless'))

  // the kind narrows
  await field(page, 'kn-search').fill('')
  await field(page, 'kn-search').press('Enter')
  await page.click('[data-test="kn-kind-question"]')
  await until(async () => {
    const g = await resultIds(page)
    return g.length === 1 && g[0] === ids.question
  }, 'the question kind lists only the question')
  await page.click('[data-test="kn-kind-all"]')
  await until(async () => (await resultIds(page)).length === 4, 'all kinds again')

  // the case opens with its detail
  await page.click(`[data-test="kn-title-${ids.case}"]`)
  await page.waitForURL(new RegExp('/knowledge/' + ids.case))
  await page.locator('[data-test="kn-status"]', { hasText: '已发布' }).waitFor()
  await page.locator('[data-test="kn-detail-capability"]', { hasText: '如果病房信号无缝漫游' }).waitFor()
  await page.locator('[data-test="kn-detail-pains"] td', { hasText: '查房时信号中断' }).waitFor()
  await page.locator('[data-test="kn-detail-role"]', { hasText: '决策者' }).waitFor()
  await page.locator('[data-test="kn-detail-amount"]', { hasText: '980,000.00' }).waitFor()
  await page.click('[data-test="kn-versions"]')
  await page.locator('[data-test="kn-versions-list"]').waitFor()
  await shot(page, 'knowledge-entry-1366')
  await page.close()
})

test('a salesperson drafts an objection, the admin publishes it, the deal suggests it', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, SALES)
  await page.goto(server.base + '/knowledge')
  await page.click('[data-test="kn-new"]')
  await page.click('[data-test="kn-field-kind-objection"]')
  // nothing typed: the server's message next to the title, in Chinese
  await page.click('[data-test="kn-save"]')
  await page.locator('.el-form-item.is-error', { has: page.locator('[data-test="kn-title"]') })
    .locator('.el-form-item__error', { hasText: '标题为必填项' }).waitFor()
  await field(page, 'kn-title').fill('价格比竞品高')
  await field(page, 'kn-summary').fill('客户说我们的报价比华为高两成')
  await field(page, 'kn-field-wording').fill('你们的价格比华为高 20%，凭什么？')
  await pickOption(page, 'kn-field-cause', '理性型')
  await pickOption(page, 'kn-field-method', '转化为购买理由')
  await field(page, 'kn-field-model_answer').fill('价格高在三年运维全包：算上运维，总成本反而低 15%。')
  await pickOption(page, 'kn-field-stages', ids.stageLabel)
  await page.keyboard.press('Escape')
  await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' })
  await pickOption(page, 'kn-field-activities', '确认需求范围')
  await page.keyboard.press('Escape')
  await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' })
  await shot(page, 'knowledge-editor-1366')
  await page.click('[data-test="kn-save"]')
  await page.waitForURL(/\/knowledge\/[^/]+$/)
  await page.locator('[data-test="kn-status"]', { hasText: '草稿' }).waitFor()
  await page.locator('[data-test="kn-detail-model_answer"]', { hasText: '三年运维全包' }).waitFor()
  await page.locator('[data-test="kn-detail-method"]', { hasText: '转化为购买理由' }).waitFor()
  assert.equal(await page.locator('[data-test="kn-publish"]').count(), 0, 'the author does not publish alone')
  ids.objection = page.url().split('/').pop()
  const draft = await must(await server.api('GET', '/knowledge/' + ids.objection), 200)
  assert.equal(draft.status, 'draft')
  assert.equal(draft.author, SALES.name)
  assert.equal(draft.kind, 'objection')
  assert.deepEqual(draft.stages, ['uss-5:solution'])
  assert.deepEqual(draft.activities, ['uss-5:confirm-scope'])
  assert.equal(draft.detail.cause, 'rational')
  await page.close()

  const admin = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(admin, server.base, ADMIN)
  await admin.goto(server.base + '/knowledge/' + ids.objection)
  await admin.click('[data-test="kn-publish"]')
  await admin.locator('.el-message-box__btns .el-button--primary').click()
  await admin.locator('[data-test="kn-status"]', { hasText: '已发布' }).waitFor()
  assert.equal((await must(await server.api('GET', '/knowledge/' + ids.objection), 200)).status, 'published')

  await admin.goto(server.base + '/opportunities/' + ids.deal)
  const objections = admin.locator('[data-test="kn-suggest-objection"]')
  await objections.locator(`[data-test="kn-suggest-item-${ids.objection}"]`, { hasText: '价格比竞品高' }).waitFor()
  await admin.click(`[data-test="kn-answer-toggle-${ids.objection}"]`)
  await admin.locator(`[data-test="kn-answer-${ids.objection}"]`, { hasText: '三年运维全包' }).waitFor()
  await admin.locator('[data-test="kn-suggest-question"]', { hasText: '目前查房时最常遇到的网络问题是什么？' }).waitFor()
  await shot(admin, 'knowledge-deal-1366')

  // A visit planned for the deal takes a question from the bank into its purpose.
  await admin.goto(server.base + '/activities')
  await admin.click('[data-test="act-new"]')
  await pickOption(admin, 'act-opportunity', '医院无线网络改造')
  await admin.click('[data-test="act-questions"]')
  await admin.locator(`[data-test="act-question-${ids.question}"] button`).click()
  const purpose = field(admin, 'act-purpose')
  await until(async () => (await purpose.inputValue()).includes('• 目前查房时最常遇到的网络问题是什么？'),
    'the question was not added to the purpose')
  await admin.close()
})

test('on a phone, in English, the knowledge screens fit the screen', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 375, height: 740 } })
  await login(page, server.base, ADMIN)
  await page.evaluate(() => localStorage.setItem('bingfa.lang', 'en'))
  await page.goto(server.base + '/knowledge?q=' + encodeURIComponent('医院'))
  await page.locator('[data-test="kn-kind-case"]', { hasText: 'Reference case' }).waitFor()
  await page.locator(`[data-test="kn-item-${ids.case}"] mark`).first().waitFor()
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
  assert.equal(wide, false, 'the knowledge screen scrolls sideways at 375 px')
  await shot(page, 'knowledge-375-en')
  await page.goto(server.base + '/knowledge/' + ids.case)
  await page.locator('[data-test="kn-status"]', { hasText: 'Published' }).waitFor()
  const wide2 = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
  assert.equal(wide2, false, 'the entry scrolls sideways at 375 px')
  await shot(page, 'knowledge-entry-375-en')
  await page.click('[data-test="kn-edit"]')
  await page.locator('[data-test="kn-field-pains"]').waitFor()
  const wide3 = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
  assert.equal(wide3, false, 'the editor scrolls sideways at 375 px')
  await shot(page, 'knowledge-editor-375-en')
  await page.close()
})
