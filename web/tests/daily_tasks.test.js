// The daily work of a salesperson (张伟 of the demo data, role sales),
// counted: a new deal created from the pipeline and taken past the Ruijie
// playbook's first stage — MANT, the compelling event, a consultant put on
// the deal team, the three deliverables met (they are the consultant's: the
// consultant 周敏 ticks them, counted apart), then the advance —, once for a
// customer we already know (its buying centre mapped) and once for a new
// customer typed into the dialog with one contact added there. Every click,
// every field typed in and every key pressed goes through a counter; the
// known customer's path must take at most 20 clicks, the salesperson's and
// the consultant's together. In
// Chinese and English, at 1366 px and at 375 px.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, openAs, shot, must, until } from './server.js'

const MAX_CLICKS = 20
let server, chrome, SALES, CONSULTANT
const ids = {}
const results = []

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
  SALES = { name: '张伟', password: server.demoPassword }
  CONSULTANT = { name: '周敏', password: server.demoPassword }
  const users = (await must(await server.api('GET', '/users?limit=200'), 200)).items
  for (const u of [SALES, CONSULTANT]) {
    const found = users.find((x) => x.name === u.name)
    assert.ok(found, u.name + ' is a demo user')
    ids[u.name] = found.id
  }
  assert.equal(users.find((x) => x.name === SALES.name).role, 'sales')
  assert.equal(users.find((x) => x.name === CONSULTANT.name).role, 'consultant')
})

after(async () => {
  if (results.length) {
    console.log('\ndaily tasks as a salesperson: clicks / typed fields / keys pressed (the consultant\'s part apart)')
    for (const r of results) {
      const c = r.consultant
      console.log(`  ${r.what.padEnd(44)} sales ${r.clicks} / ${r.fields} / ${r.keys}` +
        `   consultant ${c.clicks} / ${c.fields} / ${c.keys}   both ${r.clicks + c.clicks} / ${r.fields + c.fields} / ${r.keys + c.keys}`)
    }
  }
  await chrome?.close()
  await server?.stop()
})

// page.click, page.fill and page.keyboard.press counted; every step of the
// tests below goes through them.
function countOn(page) {
  const n = { clicks: 0, fields: 0, keys: 0 }
  const click = page.click.bind(page)
  const fill = page.fill.bind(page)
  const press = page.keyboard.press.bind(page.keyboard)
  page.click = (...a) => {
    n.clicks++
    return click(...a)
  }
  page.fill = (...a) => {
    n.fields++
    return fill(...a)
  }
  page.keyboard.press = (...a) => {
    n.keys++
    return press(...a)
  }
  return n
}

// The text field marked data-test=name, as one selector (for page.fill).
const input = (name) => {
  const t = `[data-test="${name}"]`
  return `input${t}, textarea${t}, ${t} input, ${t} textarea`
}

// A date typed into an el-date-picker, taken with Enter.
async function typeDate(page, name, value) {
  await page.fill(input(name), value)
  await page.keyboard.press('Enter')
}

// The deal's checklist item is done (the page shows it ticked).
async function seeDone(page, item) {
  await page.locator(`[data-test="item-${item}"].done`).waitFor()
}

// A customer we know: its buying centre mapped (an approver, a decision
// maker, an evaluator and a coach), set up through the API.
async function knownCustomer(name) {
  const a = await must(await server.api('POST', '/accounts', { name, owner_id: ids[SALES.name] }), 201)
  const people = [['周院长', 'approver'], ['吴处长', 'decision_maker'], ['郑工', 'evaluator'], ['冯主任', 'coach']]
  for (const [n, role] of people)
    await must(await server.api('POST', '/contacts', { account_id: a.id, name: n, buying_role: role, title: '信息科' }), 201)
  return a
}

// The deal's facts in the dialog open on page (the customer already chosen).
async function dealFacts(page, name) {
  await page.fill(input('qd-name'), name)
  await page.fill(input('qd-amount'), '860000')
  await typeDate(page, 'qd-close', '2027-06-30')
}

// Saves the dialog; the new deal's page opens. Its id.
async function saveDeal(page) {
  await page.click('[data-test="qd-save"]')
  await page.waitForURL(/\/opportunities\/opp_/)
  await page.locator('[data-test="checklist"] [data-test="item-mant-money"]').waitFor()
  return page.url().split('/').pop().split('?')[0]
}

// The salesperson's part of the first stage: MANT (money, need, time) and the
// compelling event, each in its form opened from its checklist item.
async function salesForms(page, lang) {
  await page.click('[data-test="fill-mant-money"]')
  await page.fill(input('mant-budget'), '800000')
  await page.fill(input('mant-source'), lang === 'en' ? 'own funds' : '自筹')
  await page.click('[data-test="mant-approved"]')
  await page.click('[data-test="mant-in-place"]')
  for (const [i, need] of ['无线全覆盖', '网络安全等保', '统一运维'].entries()) await page.fill(input('mant-need-' + i), need)
  await typeDate(page, 'mant-tender-month', '2027-03')
  await typeDate(page, 'mant-go-live', '2027-09-01')
  await page.click('[data-test="save-mant"]')
  await seeDone(page, 'mant-money')
  await seeDone(page, 'mant-time')
  await seeDone(page, 'mant-need')
  await gone(page, 'mant') // the item it was opened for met, the dialog gives way

  await page.click('[data-test="fill-ce-recorded"]')
  await page.fill(input('ce-what'), '等保测评整改期限')
  await typeDate(page, 'ce-by-when', '2027-04-30')
  await page.fill(input('ce-consequence'), '逾期未整改将被通报，影响三甲复审，损失约200万元')
  await page.click('[data-test="save-ce"]')
  await seeDone(page, 'ce-recorded')
  await gone(page, 'ce')
}

// The worksheet's dialog closed on its own.
async function gone(page, form) {
  await page.locator(`[data-test="form-dialog-${form}"]`).waitFor({ state: 'hidden' })
}

const DELIVERABLES = ['customer-inventory', 'first-visit-one-pager', 'needs-response-table']

// The deliverables are the consultant's: the salesperson cannot tick them,
// and puts the consultant on the deal team (项目团队) from the deal page.
async function staffConsultant(page, dealId) {
  for (const item of DELIVERABLES) assert.ok(await page.locator(`[data-test="tick-${item}"] input`).isDisabled(), item)
  await page.click('[data-test="team-add"]') // the list of colleagues opens with it
  await page.click(`[data-test="team-user-${CONSULTANT.name}"]:visible`)
  await page.click('[data-test="team-save"]')
  await page.locator(`[data-test="team-member-${ids[CONSULTANT.name]}"]`).waitFor()
  const team = (await must(await server.api('GET', `/opportunities/${dealId}/team`), 200)).members
  assert.deepEqual(team.map((m) => [m.name, m.role]), [[CONSULTANT.name, 'consultant']])
}

// The consultant, in a browser of their own, opens the deal from their deals
// list and ticks the three deliverables with their evidence. Their counts.
async function consultantDeliverables(dealId, { width, lang }) {
  const { ctx, page, errors } = await openAs(chrome.browser, server.base, CONSULTANT, { width, lang })
  await page.goto(server.base + '/deals')
  await page.locator(`[data-test="deal-link-${dealId}"]`).first().waitFor()
  const n = countOn(page)
  await page.click(`[data-test="deal-link-${dealId}"] >> nth=0`)
  await page.waitForURL(/\/opportunities\/opp_/)
  for (const item of DELIVERABLES) {
    await page.click(`[data-test="tick-${item}"]`)
    await page.fill(input('evidence-text-' + item), '已完成，见共享盘')
    await page.click(`[data-test="evidence-tick-${item}"]`)
    await seeDone(page, item)
  }
  await page.locator('[data-test="gate-complete"]').waitFor()
  assert.deepEqual(errors, [])
  await ctx.close()
  return { ...n }
}

// Back on the salesperson's page (the consultant's ticks made it stale: its
// 重新加载 first), the advance. The deal ends in the playbook's second stage.
async function advance(page, dealId) {
  await page.click('[data-test="advance"]')
  const stale = page.locator('[data-test="stale-reload"]')
  const moved = async () => (await server.api('GET', '/opportunities/' + dealId)).json.stage === 'launch'
  await until(async () => (await moved()) || (await stale.isVisible()), 'the advance answered nothing')
  if (!(await moved())) {
    await page.click('[data-test="stale-reload"]')
    await page.locator('[data-test="gate-complete"]').waitFor()
    await page.click('[data-test="advance"]')
  }
  await until(moved, 'the deal did not leave the first stage')
  await page.locator('[data-test="checklist"] [data-test="item-mant-money"]').waitFor({ state: 'detached' })
}

for (const lang of ['zh', 'en']) {
  for (const width of [1366, 375]) {
    const tag = `${lang}-${width}`

    test(`a deal for a known customer, past the first stage, in at most ${MAX_CLICKS} clicks (${tag})`, async () => {
      const customer = await knownCustomer(`江北区人民医院-${tag}`)
      const { ctx, page, errors } = await openAs(chrome.browser, server.base, SALES, { width, lang })
      await page.goto(server.base + '/pipeline')
      await page.locator('[data-test="pipeline-new-deal"]').waitFor()
      const n = countOn(page)

      await page.click('[data-test="pipeline-new-deal"]')
      await page.fill(input('qd-account'), `江北区人民医院-${tag}`)
      await page.click(`[data-test="qd-account-${customer.id}"]`)
      await dealFacts(page, '住院楼无线网络')
      const dealId = await saveDeal(page)
      if (width === 1366) await shot(page, `daily-deal-first-screen-${lang}`)
      await salesForms(page, lang)
      await staffConsultant(page, dealId)
      const consultant = await consultantDeliverables(dealId, { width, lang })
      await advance(page, dealId)

      results.push({ what: `known customer, past the first stage (${tag})`, ...n, consultant })
      const deal = (await server.api('GET', '/opportunities/' + dealId)).json
      assert.equal(deal.owner_id, ids[SALES.name], 'the salesperson owns the deal')
      assert.equal(deal.account_id, customer.id)
      assert.equal(deal.playbook, 'ruijie-6', 'the dialog proposes the Ruijie playbook')
      assert.equal(deal.amount, 86000000)
      assert.equal(deal.expected_close, '2027-06-30')
      assert.ok(n.clicks <= MAX_CLICKS, `${n.clicks} clicks, more than ${MAX_CLICKS}`)
      assert.ok(n.clicks + consultant.clicks <= MAX_CLICKS,
        `${n.clicks} + ${consultant.clicks} clicks of the salesperson and the consultant, more than ${MAX_CLICKS}`)
      assert.deepEqual(errors, [])
      await ctx.close()
    })

    test(`a deal for a new customer with a contact added in the dialog, past the first stage (${tag})`, async () => {
      const name = `江南新区管委会-${tag}`
      const { ctx, page, errors } = await openAs(chrome.browser, server.base, SALES, { width, lang })
      await page.goto(server.base + '/pipeline')
      await page.locator('[data-test="pipeline-new-deal"]').waitFor()
      const n = countOn(page)

      await page.click('[data-test="pipeline-new-deal"]')
      await page.fill(input('qd-account'), name)
      await page.locator('[data-test="qd-account-state"] .el-tag--warning').waitFor()
      await dealFacts(page, '园区智慧网络')
      await page.click('[data-test="qd-contact-add"]')
      await page.fill(input('qd-contact-name-0'), '钱主任')
      await page.fill(input('qd-contact-title-0'), '信息中心主任')
      await page.fill(input('qd-contact-phone-0'), '13800000000')
      await page.click('[data-test="qd-contact-role-0"]')
      await page.click('[data-test="qd-role-approver"]:visible')
      // the choice shows in the field before the dialog is saved
      await page.locator('[data-test="qd-contact-role-0"] .el-select__selected-item:not(.is-transparent)',
        { hasText: lang === 'zh' ? '拍板者' : /approver/i }).waitFor()
      await shot(page, `daily-quick-deal-${tag}`)
      const dealId = await saveDeal(page)

      const deal = (await server.api('GET', '/opportunities/' + dealId)).json
      const account = (await server.api('GET', '/accounts/' + deal.account_id)).json
      assert.equal(account.name, name)
      const contacts = (await server.api('GET', '/contacts?account_id=' + deal.account_id)).json.items
      assert.deepEqual(contacts.map((c) => [c.name, c.title, c.phone, c.buying_role]),
        [['钱主任', '信息中心主任', '13800000000', 'approver']])
      // the first screen shows the contact
      await page.locator('[data-test="opp-contacts"]', { hasText: '钱主任' }).waitFor()

      // MANT's authority wants the rest of the buying centre: from its item to
      // the customer's page, three contacts there, and back to the deal.
      await page.click('[data-test="fill-mant-authority"]')
      await page.waitForURL(/\/accounts\/acc_/)
      for (const [who, role] of [['孙处长', 'decision_maker'], ['李工', 'evaluator'], ['赵科长', 'coach']]) {
        await page.click('[data-test="contact-new"]')
        await page.fill(input('contact-name'), who)
        await page.click('[data-test="contact-role"]')
        await page.click(`[data-test="role-${role}"]:visible`)
        await page.click('[data-test="contact-save"]')
        await page.locator('[data-test="contact-list"]', { hasText: who }).waitFor()
      }
      await page.click(`[data-test="deal-list"] a[href="/opportunities/${dealId}"]`)
      await page.waitForURL(/\/opportunities\/opp_/)
      await seeDone(page, 'mant-authority')
      await salesForms(page, lang)
      await staffConsultant(page, dealId)
      const consultant = await consultantDeliverables(dealId, { width, lang })
      await advance(page, dealId)

      results.push({ what: `new customer + 1 contact, past the first stage (${tag})`, ...n, consultant })
      assert.equal(account.owner_id, ids[SALES.name], 'the salesperson owns the new customer')
      assert.deepEqual(errors, [])
      await ctx.close()
    })
  }
}

// 取消 with typed text asks first (useDirtyGuard): 放弃修改 answers it.
async function discardTyped(page) {
  const q = page.locator('.bf-dirty-confirm')
  await q.waitFor()
  await q.getByRole('button', { name: '放弃修改' }).click()
  await q.waitFor({ state: 'hidden' })
}

test('the top bar, the dashboard and a customer page open the same dialog', async () => {
  const customer = await knownCustomer('城东街道办事处')
  const { ctx, page, errors } = await openAs(chrome.browser, server.base, SALES, { width: 1366, lang: 'zh' })
  await page.click('[data-test="quick-deal-open"]')
  await page.locator('[data-test="qd-name"]').waitFor()
  await page.keyboard.press('Escape')
  await page.goto(server.base + '/')
  await page.click('[data-test="dash-new-deal"]')
  await page.locator('[data-test="qd-name"]').waitFor()
  await page.keyboard.press('Escape')
  await page.goto(server.base + '/accounts/' + customer.id)
  await page.click('[data-test="account-new-deal"]')
  // from a customer's page the deal is that customer's
  await page.locator('[data-test="qd-account-fixed"]', { hasText: '城东街道办事处' }).waitFor()
  await page.fill(input('qd-name'), '街道视频会议')
  // the sales mode may be chosen at once (else later, on the deal)
  await page.click('[data-test="qd-mode"]')
  await page.click('[data-test="qd-mode-consultative"]:visible')
  await page.click('[data-test="qd-save"]')
  await page.waitForURL(/\/opportunities\/opp_/)
  const deal = (await server.api('GET', '/opportunities/' + page.url().split('/').pop())).json
  assert.equal(deal.account_id, customer.id)
  assert.equal(deal.name, '街道视频会议')
  assert.equal(deal.sales_mode, 'consultative')
  // 撞单 while typing: the same deal again on this customer (from the customer's list of deals), and this
  // customer typed as a new one
  await page.goto(server.base + '/accounts/' + customer.id)
  await page.locator('[data-test="deal-list"]', { hasText: '街道视频会议' }).waitFor()
  await page.click('[data-test="opp-new"]')
  await page.locator('[data-test="qd-account-fixed"]', { hasText: '城东街道办事处' }).waitFor()
  await page.fill(input('qd-name'), '街道视频会议')
  await page.locator('[data-test="quick-deal"] [data-test="dup-alert"]', { hasText: '街道视频会议' }).waitFor()
  await page.click('[data-test="qd-cancel"]')
  await discardTyped(page) // typed text is not dropped without a question
  await page.locator('[data-test="qd-name"]').waitFor({ state: 'hidden' })
  await page.click('[data-test="quick-deal-open"]')
  await page.fill(input('qd-account'), '城东街道办事处')
  await page.locator('[data-test="quick-deal"] [data-test="dup-alert"]', { hasText: '城东街道办事处' }).waitFor()
  await page.click('[data-test="qd-cancel"]')
  await discardTyped(page)
  await page.locator('[data-test="qd-name"]').waitFor({ state: 'hidden' })
  // a deal without a customer is not sent
  await page.click('[data-test="quick-deal-open"]')
  await page.fill(input('qd-name'), '无客户的商机')
  await page.click('[data-test="qd-save"]')
  await page.locator('[data-test="quick-deal"] .el-form-item.is-error').first().waitFor()
  assert.equal((await server.api('GET', '/opportunities?q=' + encodeURIComponent('无客户的商机'))).json.items.length, 0)
  assert.deepEqual(errors, [])
  await ctx.close()
})
