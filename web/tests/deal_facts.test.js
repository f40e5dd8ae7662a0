// One home for each fact of a deal, in the browser: the budget edited in one
// worksheet is what the other worksheets and the deal's header show, without
// reloading the page — in Chinese at 1366 px (through MAN, the evaluation)
// and in English on a phone (through 5W+2P).
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
