// Quotations (报价单) in the browser: the admin keeps the price list (价格表)
// and the quotation rules; a salesperson quotes a deal from the price list and
// a free line while the server computes the live totals (checked against
// figures computed by hand), saves, submits, marks it sent and makes it the
// deal's primary quotation with its amount; a second revision with a larger
// discount waits for the manager, who reads it in the inbox and approves it;
// the two revisions are compared. On a phone, in English, the tab opens and
// its editor works without the page scrolling sideways.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}
const MANAGER = { name: '钱经理', password: 'manager-password-1' }
const SALES = { name: '李销售', password: 'sales-password-1' }

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const team = await must(await server.api('POST', '/teams', { name: '华南销售部' }), 201)
  for (const [user, role] of [[MANAGER, 'manager'], [SALES, 'sales']]) {
    const u = await must(await server.api('POST', '/users', { name: user.name, role, team_id: team.id }), 201)
    ids[user.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: user.password }), 204)
  }
  const acc = await must(await server.api('POST', '/accounts', { name: '南海市财政局', owner_id: ids[SALES.name] }), 201)
  for (const name of ['财务系统一期', '预算系统']) {
    ids[name] = (await must(await server.api('POST', '/opportunities',
      { account_id: acc.id, name, amount: 100000000, playbook: 'uss-5', owner_id: ids[SALES.name] }), 201)).id
  }
  ids.old = (await must(await server.api('POST', '/products',
    { code: 'OLD-1', name: '旧版报表模块', kind: 'licence_module', unit: '套', list_price: 1000000 }), 201)).id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

async function choose(page, name, text, typed) {
  await page.click(`[data-test="${name}"]`)
  if (typed) await page.keyboard.type(typed)
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// The input of a quotation line's cell.
function cell(page, k, name) {
  return page.locator(`[data-test="line-${k}"]`).locator(`input[data-test="${name}"], [data-test="${name}"] input`).first()
}

async function seeText(page, selector, text) {
  await page.locator(selector, { hasText: text }).first().waitFor()
}

async function productNamed(code) {
  const list = (await server.api('GET', '/products?limit=200&sort=code')).json.items
  return list.find((p) => p.code === code)
}

test('the admin keeps the price list and the quotation rules', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/admin?tab=products')
  await page.locator('[data-test="product-OLD-1"]').waitFor()

  // A licence: the price is typed in yuan and sent in fen exactly.
  await page.click('[data-test="product-new"]')
  await field(page, 'product-code').fill('FIN-GL')
  await field(page, 'product-name').fill('总账模块')
  await field(page, 'product-name-en').fill('General ledger')
  await field(page, 'product-unit').fill('套')
  await field(page, 'product-unit-en').fill('set')
  await field(page, 'product-price').fill('120000')
  await field(page, 'product-cost').fill('30000.29')
  await page.click('[data-test="product-save"]')
  await seeText(page, '[data-test="price-FIN-GL"]', '120,000.00 元')
  const fin = await productNamed('FIN-GL')
  assert.deepEqual([fin.list_price, fin.cost, fin.tax_rate, fin.decimal_quantity, fin.kind],
    [12000000, 3000029, 13, false, 'licence_module'])

  // A service by person-day: decimals and 6 % VAT follow the kind.
  await page.click('[data-test="product-new"]')
  await field(page, 'product-code').fill('SVC-DAY')
  await field(page, 'product-name').fill('实施服务')
  await choose(page, 'product-kind', '人天服务')
  await field(page, 'product-unit').fill('人天')
  await field(page, 'product-price').fill('2,800')
  await field(page, 'product-cost').fill('1200')
  await page.click('[data-test="product-save"]')
  await seeText(page, '[data-test="price-SVC-DAY"]', '2,800.00 元')
  const day = await productNamed('SVC-DAY')
  assert.deepEqual([day.list_price, day.cost, day.tax_rate, day.decimal_quantity], [280000, 120000, 6, true])

  // A taken code is refused at the field; a price with three decimals is not sent.
  await page.click('[data-test="product-new"]')
  await field(page, 'product-code').fill('FIN-GL')
  await field(page, 'product-name').fill('重复')
  await field(page, 'product-price').fill('1.005')
  await page.click('[data-test="product-save"]')
  await seeText(page, '[data-test="product-form"] .el-form-item__error', '最多两位小数')
  await field(page, 'product-price').fill('1')
  await page.click('[data-test="product-save"]')
  await seeText(page, '[data-test="product-form"] .el-form-item__error', '已存在')
  // what was typed is not dropped without a question
  await page.keyboard.press('Escape')
  await page.locator('.bf-dirty-confirm').getByRole('button', { name: '放弃修改' }).click()
  await page.locator('[data-test="product-form"]').waitFor({ state: 'hidden' })

  // Edited with If-Match: the cost back to whole yuan.
  await page.click('[data-test="edit-FIN-GL"]')
  await field(page, 'product-cost').fill('30000')
  await page.click('[data-test="product-save"]')
  await until(async () => (await productNamed('FIN-GL')).cost === 3000000, 'the cost was not changed')
  assert.equal((await productNamed('FIN-GL')).version, 2)

  // Retired from the price list by its switch.
  await page.click('[data-test="active-OLD-1"]')
  await until(async () => (await productNamed('OLD-1')).active === false, 'the product was not retired')
  await shot(page, 'quote-price-list')

  // The rules: explained in one sentence; sales may see costs.
  await page.click('#tab-quote-rules')
  await seeText(page, '[data-test="rules-explain"]', '折扣超过 10% 需经理审批，超过 20% 需上级经理审批')
  await page.click('[data-test="rules-see-cost"]')
  await page.click('[data-test="rules-save"]')
  await until(async () => (await server.api('GET', '/settings/quotations')).json.sales_see_cost === true,
    'the quotation rules were not saved')
  await shot(page, 'quote-rules')
  await page.close()
})

test('a salesperson quotes the deal with live totals, sends it and makes it the primary one', async () => {
  const deal = ids['财务系统一期']
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, SALES)
  await page.goto(server.base + '/opportunities/' + deal)
  await page.click('#tab-commercial')
  await page.click('#tab-quotations')
  await page.locator('[data-test="quote-editor"]').waitFor()
  await field(page, 'quote-title').fill('财务系统一期报价')
  await field(page, 'quote-payment_terms').fill('合同签订后付 30%，验收后付 70%')

  // 2 套 总账模块 at ¥120,000.00, 10 % off, 13 % VAT: 240,000.00 list,
  // 216,000.00 net, 28,080.00 tax, 244,080.00 gross.
  await choose(page, 'quote-add-product', 'FIN-GL', 'FIN')
  await cell(page, 0, 'line-quantity').fill('2')
  await cell(page, 0, 'line-discount').fill('10')
  // A free line: 1 项 travel at ¥5,000.00, 6 % VAT: 300.00 tax, 5,300.00 gross.
  await page.click('[data-test="quote-add-free"]')
  await cell(page, 1, 'line-name').fill('差旅费')
  await cell(page, 1, 'line-unit').fill('项')
  await cell(page, 1, 'line-price').fill('5000')
  await cell(page, 1, 'line-tax-rate').fill('6')
  // Totals: 245,000.00 list, 24,000.00 off, 221,000.00 net, 28,380.00 tax,
  // 249,380.00 gross.
  await seeText(page, '[data-test="total-gross"]', '249,380.00 元')
  const text = async (sel) => (await page.textContent(sel)).trim()
  assert.equal(await text('[data-test="line-0"] [data-test="line-net"]'), '216,000.00 元')
  assert.equal(await text('[data-test="line-0"] [data-test="line-tax"]'), '28,080.00 元')
  assert.equal(await text('[data-test="line-0"] [data-test="line-gross"]'), '244,080.00 元')
  assert.equal(await text('[data-test="line-1"] [data-test="line-gross"]'), '5,300.00 元')
  assert.equal(await text('[data-test="total-list"]'), '245,000.00 元')
  assert.match(await text('[data-test="total-discount"]'), /^24,000\.00 元/)
  assert.equal(await text('[data-test="total-net"]'), '221,000.00 元')
  assert.equal(await text('[data-test="total-tax"]'), '28,380.00 元')
  assert.equal(await text('[data-test="total-words"]'), '人民币贰拾肆万玖仟叁佰捌拾元整')
  // Sales see costs by the rules: 2 x 30,000.00 on the licence; the free line has none.
  assert.match(await text('[data-test="total-margin"]'), /161,000\.00 元/)

  // A licence is sold in whole units: the server's refusal shows in the cell.
  await cell(page, 0, 'line-quantity').fill('1.5')
  await seeText(page, '[data-test="line-0"] [data-test="line-error"]', '该产品只能按整数数量报价')
  await cell(page, 0, 'line-quantity').fill('2')
  await page.locator('[data-test="line-error"]').waitFor({ state: 'detached' })
  await seeText(page, '[data-test="total-gross"]', '249,380.00 元')
  await shot(page, 'quote-editor')

  await page.click('[data-test="quote-save"]')
  await seeText(page, '[data-test="quote-heading"]', '第1版')
  const [q1] = (await server.api('GET', `/opportunities/${deal}/quotations`)).json.items
  assert.deepEqual([q1.status, q1.revision, q1.title, q1.totals.gross, q1.lines.length], ['draft', 1, '财务系统一期报价', 24938000, 2])
  assert.match(q1.number, /^BJ\d{8}-\d{3}$/)
  assert.equal(await text(`[data-test="quote-${q1.number}-1"] [data-test="quote-gross"]`), '249,380.00 元')

  // 10 % is within the rules: approved at once; then sent.
  await page.click('[data-test="quote-submit"]')
  await seeText(page, '[data-test="quote-editor"] [data-test="quote-status"]', '已批准')
  await page.click('[data-test="quote-to-sent"]')
  await seeText(page, '[data-test="quote-editor"] [data-test="quote-status"]', '已发送')
  assert.equal((await server.api('GET', `/quotations/${q1.id}`)).json.status, 'sent')
  assert.equal(await page.locator('[data-test="quote-title"]').count(), 0, 'a sent quotation is read-only')

  // The primary quotation, its gross total the deal's amount.
  await page.click('[data-test="quote-primary"]')
  assert.ok(await page.locator('[data-test="quote-update-amount"] input').isChecked())
  await page.click('[data-test="quote-primary-confirm"]')
  await seeText(page, `[data-test="quote-${q1.number}-1"] [data-test="quote-primary"]`, '主报价')
  const o = await until(async () => {
    const d = (await server.api('GET', `/opportunities/${deal}`)).json
    return d.amount === 24938000 && d
  }, "the deal's amount was not set")
  assert.equal(o.amount, 24938000)
  await seeText(page, '[data-test="opp-amount-view"]', '249,380.00')

  // Printed: the document opens in a tab of its own, read with the session's cookie.
  const [doc] = await Promise.all([page.waitForEvent('popup'), page.click('[data-test="quote-print"]')])
  await doc.waitForLoadState()
  assert.match(doc.url(), new RegExp(`/api/v1/quotations/${q1.id}/document`))
  assert.match(await doc.textContent('body'), /商务报价单[\s\S]*贰拾肆万玖仟叁佰捌拾元整/)
  await doc.close()
  // The Excel workbook: the link downloads it with the session's cookie.
  const href = await page.getAttribute('[data-test="quote-xlsx"]', 'href')
  assert.match(href, new RegExp(`/api/v1/quotations/${q1.id}/spreadsheet\\?lang=zh`))
  const xlsx = await page.request.get(server.base + href)
  assert.equal(xlsx.status(), 200)
  assert.match(xlsx.headers()['content-disposition'], /\.xlsx"/)
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK')

  // A second revision: 3 套 at 15 % off, the travel gone, 2.5 人天 of service.
  await page.click('[data-test="quote-revise"]')
  await seeText(page, '[data-test="quote-heading"]', '第2版')
  await cell(page, 0, 'line-quantity').fill('3')
  await cell(page, 0, 'line-discount').fill('15')
  await page.locator('[data-test="line-1"] [data-test="line-remove"]').click()
  await choose(page, 'quote-add-product', 'SVC-DAY', 'SVC')
  await cell(page, 1, 'line-quantity').fill('2.5')
  // 306,000.00 + 39,780.00 and 7,000.00 + 420.00: 353,200.00 gross.
  await seeText(page, '[data-test="total-gross"]', '353,200.00 元')
  assert.equal(await text('[data-test="line-1"] [data-test="line-gross"]'), '7,420.00 元')
  await seeText(page, '[data-test="quote-approval-hint"]', '提交后需 1 级经理审批')
  // Submitted unsaved: saved first, then waits for the manager.
  await page.click('[data-test="quote-submit"]')
  await seeText(page, '[data-test="quote-editor"] [data-test="quote-status"]', '审批中')
  const q2 = (await server.api('GET', `/opportunities/${deal}/quotations`)).json.items.find((q) => q.revision === 2)
  assert.deepEqual([q2.status, q2.totals.gross, q2.lines.map((l) => l.code)], ['submitted', 35320000, ['FIN-GL', 'SVC-DAY']])
  await page.locator('[data-test="approval-pending"]').waitFor()
  ids.q2 = q2

  // The two revisions compared.
  await page.click('[data-test="quote-compare"]')
  await page.locator('[data-test="compare-lines"]').waitFor()
  await seeText(page, '[data-test="cmp-changed"]', 'FIN-GL')
  await seeText(page, '[data-test="cmp-removed"]', '差旅费')
  await seeText(page, '[data-test="cmp-added"]', 'SVC-DAY')
  assert.equal(await page.locator('[data-test="cmp-changed"] td.hit').count(), 4, 'quantity and discount on both sides')
  assert.equal(await text('[data-test="cmp-total-gross"] [data-test="cmp-diff"]'), '+103,820.00 元')
  await shot(page, 'quote-compare')
  await page.keyboard.press('Escape')
  await page.close()
})

test('the manager reads the discount in the inbox and approves it', async () => {
  const q2 = ids.q2
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, MANAGER)
  await page.click('[data-test="nav-approvals"]')
  const card = page.locator(`[data-test="approval-${q2.approval_id}"]`)
  await card.waitFor()
  // Cost 3 x 30,000 + 2.5 x 1,200 = 93,000.00 of 313,000.00 net: 70.29 % margin.
  assert.match(await card.locator('[data-test="approval-asked"]').textContent(),
    new RegExp(`报价 ${q2.number} 第2版：最大折扣 15%，含税 353,200\\.00 元，毛利率 70\\.29%`))
  await shot(page, 'quote-approval')
  const link = await card.locator('[data-test="approval-quote"]').getAttribute('href')
  assert.equal(link, `/opportunities/${q2.opportunity_id}?tab=quotations`)
  await card.locator('[data-test="approval-approve"]').click()
  await until(async () => (await server.api('GET', `/quotations/${q2.id}`)).json.status === 'approved',
    'the approval did not approve the quotation')
  // The link opens the deal at its quotations, the revision approved.
  await page.goto(server.base + link)
  await seeText(page, `[data-test="quote-${q2.number}-2"] [data-test="quote-status"]`, '已批准')
  await page.close()
})

test('on a phone, in English: the quotations tab opens and its editor works', async () => {
  const deal = ids['预算系统']
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 812 } })
  const page = await ctx.newPage()
  await login(page, server.base, SALES)
  await page.goto(server.base + '/opportunities/' + deal)
  await page.click('[data-test="lang"]')
  await page.waitForFunction(() => document.body.innerText.includes('Quotations'))
  await page.click('#tab-commercial')
  await page.click('#tab-quotations')
  await seeText(page, '[data-test="quote-heading"]', 'New quotation')
  await choose(page, 'quote-add-product', 'SVC-DAY', 'SVC')
  await cell(page, 0, 'line-quantity').fill('0.5')
  // 0.5 x 2,800.00 = 1,400.00 net, 6 %: 84.00 tax, 1,484.00 gross.
  await seeText(page, '[data-test="total-gross"]', '¥1,484.00')
  await seeText(page, '[data-test="line-0"]', 'SVC-DAY')
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 375, `no sideways scrolling on a phone (page is ${wide} px wide)`)
  await page.click('[data-test="quote-save"]')
  await seeText(page, '[data-test="quote-heading"]', 'rev. 1')
  await seeText(page, '[data-test="quote-editor"] [data-test="quote-status"]', 'Draft')
  const [q] = (await server.api('GET', `/opportunities/${deal}/quotations`)).json.items
  assert.deepEqual([q.lines[0].quantity, q.totals.gross], [0.5, 148400])
  await shot(page, 'quote-phone-en')
  // A draft is deleted, after a confirmation.
  await page.click('[data-test="quote-remove"]')
  await page.locator('.el-message-box__btns .el-button--primary', { hasText: 'Delete the draft' }).click()
  await until(async () => (await server.api('GET', `/opportunities/${deal}/quotations`)).json.items.length === 0,
    'the draft was not deleted')
  await seeText(page, '[data-test="quote-list"]', 'No quotations for this deal yet')
  await page.click('[data-test="lang"]')
  await ctx.close()
})
