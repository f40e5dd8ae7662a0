// Contracts (合同) in the browser: from a quotation the customer accepted, the
// contract is made with its payment plan (30/60/10 % by default), signed,
// filed and its first payment recorded; the plan shows what is received and
// what is overdue, and the closing steps follow (first payment received,
// contract filed). On a phone, in English, the tab reads the same.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}

async function accepted(deal) {
  let q = await must(await server.api('POST', `/opportunities/${deal}/quotations`,
    { lines: [{ name: '软件许可', unit_price: 10000000, quantity: 1 }] }), 201)
  for (const [what, body] of [['submit'], ['status', { status: 'sent' }], ['status', { status: 'accepted' }]])
    q = await must(await server.api('POST', `/quotations/${q.id}/${what}`, body, { 'If-Match': `"${q.version}"` }), 200)
  return q
}

async function item(deal, stage, id) {
  const c = await must(await server.api('GET', `/opportunities/${deal}/checklist?stage=${stage}`), 200)
  return c.items.find((i) => i.id === id)
}

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const acc = await must(await server.api('POST', '/accounts', { name: '东湖市水务集团' }), 201)
  for (const name of ['水务 ERP', '水务网络']) {
    ids[name] = (await must(await server.api('POST', '/opportunities',
      { account_id: acc.id, name, playbook: 'uss-5' }), 201)).id
    ids[name + ':q'] = await accepted(ids[name])
  }
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

test('a contract from the accepted quotation, its first payment and the closing steps', async () => {
  const deal = ids['水务 ERP']
  assert.equal((await item(deal, 'closing', 'clo-payment-received')).done, false)
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/opportunities/' + deal)
  await page.click('#tab-commercial')
  await page.click('#tab-contracts')
  const q = ids['水务 ERP:q']
  await page.click(`[data-test="contract-make-${q.number}"]`)
  await field(page, 'contract-party-b').fill('华信软件有限公司')
  // 113,000.00 yuan (the quotation's gross) by default: 30 / 60 / 10 %.
  assert.equal(await field(page, 'contract-amount').inputValue(), '113000')
  await page.click('[data-test="contract-save"]')
  const made = await until(async () => (await server.api('GET', `/opportunities/${deal}/contracts`)).json.items[0],
    'the contract was not made')
  assert.deepEqual(made.plan.milestones.map((m) => m.planned), [3390000, 6780000, 1130000])
  await page.locator(`[data-test="contract-${made.number}"]`).waitFor()
  await page.locator('[data-test="first-payment"]', { hasText: '首期款未到账' }).waitFor()

  // Signed, filed and the first payment received: the closing steps follow.
  const today = new Date().toISOString().slice(0, 10)
  await page.click('[data-test="contract-edit"]')
  await field(page, 'contract-signed').fill(today)
  await page.keyboard.press('Enter')
  await field(page, 'contract-archived-on').fill(today)
  await page.keyboard.press('Enter')
  await field(page, 'milestone-received-0').fill(today)
  await page.keyboard.press('Enter')
  await page.click('[data-test="contract-save"]')
  await until(async () => (await server.api('GET', `/contracts/${made.id}`)).json.plan.first_payment_received,
    'the first payment was not recorded')
  await page.locator('[data-test="first-payment"]', { hasText: '首期款已到账' }).waitFor()
  await page.locator('[data-test="contract-archived"]').waitFor()
  await page.locator('[data-test="state-received"]').first().waitFor()
  const paid = await item(deal, 'closing', 'clo-payment-received')
  assert.equal(paid.done, true)
  assert.match(paid.evidence, new RegExp(made.number))
  assert.equal((await item(deal, 'negotiation', 'neg-contract-signed')).done, true)

  // A plan that does not add up is refused, naming the plan.
  await page.click('[data-test="contract-edit"]')
  await field(page, 'milestone-value-2').fill('5')
  await page.click('[data-test="contract-save"]')
  await page.locator('[data-test="plan-error"]').waitFor()
  await page.keyboard.press('Escape')
  await shot(page, 'contract-plan')
  await page.close()
})

test('on a phone in English: the plan flags an overdue milestone', async () => {
  const deal = ids['水务网络']
  const q = ids['水务网络:q']
  await must(await server.api('POST', `/quotations/${q.id}/contract`, {
    milestones: [{ name: 'First payment', percent: 40, due_on: '2026-01-05' }, { name: 'Final', percent: 60 }] }), 201)
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 740 } })
  const page = await ctx.newPage()
  await login(page, server.base, ADMIN)
  await page.click('[data-test="lang"]')
  await page.goto(server.base + '/opportunities/' + deal + '?tab=contracts')
  await page.locator('[data-test="overdue"]', { hasText: '1 milestone(s) overdue' }).waitFor()
  await page.locator('[data-test="state-overdue"]', { hasText: 'Overdue' }).waitFor()
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
  assert.equal(wide, false, 'the page scrolls sideways on a phone')
  await shot(page, 'contract-phone-en')
  await ctx.close()
})
