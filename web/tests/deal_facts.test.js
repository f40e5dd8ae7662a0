// One home for each fact of a deal, in the browser: the budget edited in one
// worksheet is what the other worksheets and the deal's header show, without
// reloading the page — in Chinese at 1366 px (through MAN, the evaluation)
// and in English on a phone (through 5W+2P); the budget changed in the
// header reaches the worksheets' open tabs, and emptied in a worksheet it is
// cleared from the deal and every view shows it empty.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, openAs, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const acc = await must(await server.api('POST', '/accounts', { name: '温州市大数据发展管理局' }), 201)
  ids.zh = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '城市大脑二期', budget: 100000000 }), 201)).id
  ids.en = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '政务云扩容' }), 201)).id
  for (const lang of ['zh', 'en']) {
    ids['header-' + lang] = (await must(await server.api('POST', '/opportunities',
      { account_id: acc.id, name: '雪亮工程 ' + lang, budget: 100000000, expected_close: '2027-06-30' }), 201)).id
  }
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

// The budget input of a worksheet, its tab opened.
async function budgetIn(page, tab, name) {
  await page.click('#tab-' + tab)
  const input = page.locator(`[data-test="tool-${tab}"] input[data-test="${name}"]`)
  await input.waitFor()
  return input
}

test('the budget edited in MAN is what MANT, 5W+2P and the header show (zh, 1366 px)', async () => {
  const { ctx, page, errors } = await openAs(chrome.browser, server.base, ADMIN, { width: 1366, lang: 'zh' })
  await page.goto(server.base + '/opportunities/' + ids.zh)
  // The three worksheets first, each showing the deal's budget (1,000,000 yuan).
  for (const [tab, name] of [['mant', 'mant-budget'], ['5w2p', 'fact-budget'], ['evaluation', 'fact-budget']]) {
    const input = await budgetIn(page, tab, name)
    await until(async () => (await input.inputValue()) === '1000000', `${tab} did not show the deal's budget`)
  }
  await page.locator('[data-test="tool-evaluation"] [data-test="shared-hint"]', { hasText: '与商机共用' }).waitFor()
  // Edited in MAN …
  await (await budgetIn(page, 'evaluation', 'fact-budget')).fill('3200000')
  await page.click('[data-test="save-evaluation"]')
  await until(async () => (await server.api('GET', '/opportunities/' + ids.zh)).json.budget === 320000000,
    'the budget did not reach the deal')
  // … it is the deal's: the header and the other worksheets follow.
  await page.locator('.opp-header', { hasText: '3,200,000.00' }).waitFor()
  for (const [tab, name] of [['mant', 'mant-budget'], ['5w2p', 'fact-budget']]) {
    const input = await budgetIn(page, tab, name)
    await until(async () => (await input.inputValue()) === '3200000', `${tab} still shows the old budget`)
  }
  // 5W+2P's budget question is answered by it, and says how much.
  await page.locator('[data-test="tool-5w2p"] [data-test="w-q-budget"]:not(.missing)', { hasText: '3,200,000.00' }).waitFor()
  const mant = (await server.api('GET', `/opportunities/${ids.zh}/mant`)).json
  assert.equal(mant.data, null, 'MAN wrote no MANT form of its own')
  assert.ok(!mant.result.parts.money.missing.includes('budget'))
  await shot(page, 'deal-facts-mant')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('on a phone, in English: the budget edited in 5W+2P reaches MAN, MANT and the header', async () => {
  const { ctx, page, errors } = await openAs(chrome.browser, server.base, ADMIN, { width: 375, lang: 'en' })
  await page.goto(server.base + '/opportunities/' + ids.en)
  await page.waitForFunction(() => document.body.innerText.includes('Opportunity') || document.body.innerText.includes('Stage'))
  for (const [tab, name] of [['evaluation', 'fact-budget'], ['mant', 'mant-budget']]) {
    const input = await budgetIn(page, tab, name)
    assert.equal(await input.inputValue(), '')
  }
  const w5p2 = await budgetIn(page, '5w2p', 'fact-budget')
  await page.locator('[data-test="tool-5w2p"] [data-test="shared-hint"]', { hasText: 'Shared with the deal' }).waitFor()
  await w5p2.fill('850000.5')
  await page.click('[data-test="save-5w2p"]')
  await until(async () => (await server.api('GET', '/opportunities/' + ids.en)).json.budget === 85000050,
    'the budget did not reach the deal')
  await page.locator('.opp-header', { hasText: '850,000.50' }).waitFor()
  for (const [tab, name] of [['evaluation', 'fact-budget'], ['mant', 'mant-budget']]) {
    const input = await budgetIn(page, tab, name)
    await until(async () => (await input.inputValue()) === '850000.5', `${tab} still shows no budget`)
  }
  const w = (await server.api('GET', `/opportunities/${ids.en}/5w2p`)).json
  assert.equal(w.result.questions.find((q) => q.id === 'budget').fact, 85000050)
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 375, `no sideways scrolling on a phone (page is ${wide} px wide)`)
  await shot(page, 'deal-facts-phone-en')
  assert.deepEqual(errors, [])
  await ctx.close()
})

// The three worksheets' budget inputs, each tab opened once (they stay open).
const SHEETS = [['mant', 'mant-budget'], ['5w2p', 'fact-budget'], ['evaluation', 'fact-budget']]

for (const [lang, width] of [['zh', 1366], ['en', 375]]) {
  test(`${lang} ${width}px: the header's budget reaches the open worksheets; emptied in MANT it is empty everywhere`, async () => {
    const id = ids['header-' + lang]
    const { ctx, page, errors } = await openAs(chrome.browser, server.base, ADMIN, { width, lang })
    await page.goto(server.base + '/opportunities/' + id)
    for (const [tab, name] of SHEETS) {
      const input = await budgetIn(page, tab, name)
      await until(async () => (await input.inputValue()) === '1000000', `${tab} did not show the deal's budget`)
    }
    // Changed in the header's edit dialog …
    await page.click('[data-test="opp-edit"]')
    const budget = page.locator('.el-dialog input[data-test="edit-budget"]')
    await budget.fill('2500000')
    await page.click('[data-test="edit-save"]')
    await page.locator('[data-test="opp-edit-form"]').waitFor({ state: 'hidden' })
    const header = page.locator('[data-test="opp-budget-view"]')
    await until(async () => (await header.textContent()).includes('2,500,000.00'), 'the header shows the new budget')
    // … every open worksheet shows it, no reload, and 5W+2P's answer follows.
    for (const [tab, name] of SHEETS) {
      const input = await budgetIn(page, tab, name)
      await until(async () => (await input.inputValue()) === '2500000', `${tab} still shows the old budget`)
    }
    await page.click('#tab-5w2p')
    await page.locator('[data-test="tool-5w2p"] [data-test="w-q-budget"]:not(.missing)', { hasText: '2,500,000.00' }).waitFor()
    assert.equal(await page.locator('.bf-dirty-confirm').count(), 0, 'following the header is no unsaved change')

    // Emptied in MANT and saved: cleared from the deal, and empty everywhere.
    await (await budgetIn(page, 'mant', 'mant-budget')).fill('')
    await page.locator('[data-test="tool-mant"] input[data-test="mant-need-0"]').fill('视频汇聚')
    await page.click('[data-test="save-mant"]')
    await until(async () => (await server.api('GET', '/opportunities/' + id)).json.budget === null,
      'the budget was not cleared from the deal')
    await until(async () => (await header.textContent()).trim() === '—', 'the header still shows a budget')
    for (const [tab, name] of SHEETS.slice(1)) {
      const input = await budgetIn(page, tab, name)
      await until(async () => (await input.inputValue()) === '', `${tab} still shows the cleared budget`)
    }
    await page.click('#tab-5w2p')
    await page.locator('[data-test="tool-5w2p"] [data-test="w-q-budget"].missing').waitFor()
    const w = (await server.api('GET', `/opportunities/${id}/5w2p`)).json
    assert.equal(w.facts.budget, null)
    // a reload shows the same
    await page.reload()
    const again = await budgetIn(page, 'mant', 'mant-budget')
    await page.locator('[data-test="tool-mant"] [data-test="save-mant"]').waitFor()
    assert.equal(await again.inputValue(), '')
    assert.equal((await header.textContent()).trim(), '—')
    await shot(page, `deal-facts-header-${lang}-${width}`)
    assert.deepEqual(errors, [])
    await ctx.close()
  })
}
