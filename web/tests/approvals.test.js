// Approvals (审批) in the browser: a salesperson gives up a deal before its
// winning stage and the close becomes a request; the regional manager sees
// the count in the header, opens the inbox and approves it; the deal is
// closed. On a phone, in English: a gate override is asked from the deal's
// panel and the manager rejects it there with a comment. The admin sets the
// approval levels.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}
const MANAGER = { name: '孙经理', password: 'manager-password-1' }
const SALES = { name: '张三', password: 'sales-password-1' }



before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const hq = await must(await server.api('POST', '/teams', { name: '销售总部' }), 201)
  const east = await must(await server.api('POST', '/teams', { name: '华东大区', parent_id: hq.id }), 201)
  for (const [user, role] of [[MANAGER, 'manager'], [SALES, 'sales']]) {
    const u = await must(await server.api('POST', '/users', { name: user.name, role, team_id: east.id }), 201)
    ids[user.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: user.password }), 204)
  }
  const acc = await must(await server.api('POST', '/accounts', { name: '江南市第二人民医院', owner_id: ids[SALES.name] }), 201)
  for (const name of ['门诊楼无线网络', '数据中心改造']) {
    ids[name] = (await must(await server.api('POST', '/opportunities',
      { account_id: acc.id, name, amount: 80000000, playbook: 'uss-5', owner_id: ids[SALES.name],
        competitors: ['友商甲'] }), 201)).id
  }
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

async function choose(page, name, text) {
  await page.click(`[data-test="${name}"]`)
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

test('a salesperson closing early asks for approval; the manager approves from the inbox', async () => {
  const deal = ids['门诊楼无线网络']
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, SALES)
  await page.goto(server.base + '/opportunities/' + deal)
  await page.click('[data-test="close-lost"]')
  await choose(page, 'close-won-by', '友商甲')
  await field(page, 'close-reason').fill('客户选择了友商甲的整体方案')
  await page.click('[data-test="close-confirm"]')
  await page.locator('[data-test="approval-pending"]').waitFor()
  const asked = (await server.api('GET', `/opportunities/${deal}/approvals`)).json.items
  assert.equal(asked.length, 1)
  assert.deepEqual([asked[0].kind, asked[0].state, asked[0].status, asked[0].won_by, asked[0].requested_by],
    ['close', 'pending', 'lost', '友商甲', SALES.name])
  assert.equal((await server.api('GET', `/opportunities/${deal}`)).json.status, 'open', 'nothing happens before approval')
  assert.match(await page.textContent('[data-test="deal-approvals"]'), /提前关闭/)
  await shot(page, 'approval-asked')
  await page.close()

  const mgr = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(mgr, server.base, MANAGER)
  await mgr.locator('[data-test="approval-badge"] .el-badge__content', { hasText: '1' }).waitFor()
  await mgr.click('[data-test="nav-approvals"]')
  await mgr.waitForURL(/\/approvals$/)
  const card = mgr.locator(`[data-test="approval-${asked[0].id}"]`)
  await card.waitFor()
  assert.match(await card.textContent(), /门诊楼无线网络/)
  assert.match(await card.textContent(), /客户选择了友商甲的整体方案/)
  await card.locator('input[data-test="approval-comment"], [data-test="approval-comment"] input').fill('同意，转入竞争分析')
  await card.locator('[data-test="approval-approve"]').click()
  const closed = await until(async () => {
    const o = (await server.api('GET', `/opportunities/${deal}`)).json
    return o.status === 'lost' && o
  }, 'the deal was not closed on approval')
  assert.equal(closed.won_by, '友商甲')
  const done = (await server.api('GET', `/approvals/${asked[0].id}`)).json
  assert.deepEqual([done.state, done.decisions[0].by, done.decisions[0].comment], ['approved', MANAGER.name, '同意，转入竞争分析'])
  await mgr.locator('[data-test="approvals-empty"]').waitFor()
  await until(async () => (await mgr.locator('[data-test="approval-badge"] .el-badge__content:visible').count()) === 0,
    'the header still counts the decided approval')
  await shot(mgr, 'approval-inbox-done')
  await mgr.close()
})

test('on a phone, in English: an override asked on the deal and rejected there', async () => {
  const deal = ids['数据中心改造']
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 812 } })
  const page = await ctx.newPage()
  await login(page, server.base, SALES)
  await page.goto(server.base + '/opportunities/' + deal)
  await page.click('[data-test="lang"]')
  await page.waitForFunction(() => document.body.innerText.includes('Ask for approval'))
  await page.click('[data-test="approval-request"]')
  await field(page, 'approval-reason').fill('The customer confirmed the budget orally; papers follow next week')
  await field(page, 'approval-evidence').fill('Meeting notes of 2 December')
  await page.click('[data-test="approval-submit"]')
  await page.locator('[data-test="approval-pending"]').waitFor()
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 375, `no sideways scrolling on a phone (page is ${wide} px wide)`)
  await shot(page, 'approval-phone-en')
  const asked = (await server.api('GET', `/opportunities/${deal}/approvals`)).json.items[0]
  assert.deepEqual([asked.kind, asked.state, asked.evidence], ['override', 'pending', 'Meeting notes of 2 December'])
  await page.click('[data-test="lang"]')
  await ctx.close()

  const mctx = await chrome.browser.newContext({ viewport: { width: 375, height: 812 } })
  const mgr = await mctx.newPage()
  await login(mgr, server.base, MANAGER)
  await mgr.goto(server.base + '/opportunities/' + deal)
  await mgr.click('[data-test="lang"]')
  const card = mgr.locator(`[data-test="approval-${asked.id}"]`)
  await card.waitFor()
  // A rejection needs its reason.
  await card.locator('[data-test="approval-reject"]').click()
  await mgr.locator('.el-message', { hasText: 'Say why it is rejected' }).waitFor()
  await card.locator('input[data-test="approval-comment"], [data-test="approval-comment"] input').fill('Get the written budget approval first')
  await card.locator('[data-test="approval-reject"]').click()
  await card.locator('[data-test="approval-state"]', { hasText: 'Rejected' }).waitFor()
  const o = (await server.api('GET', `/opportunities/${deal}`)).json
  assert.equal(o.stage, 'potential', 'a rejected override moves nothing')
  await shot(mgr, 'approval-rejected-phone-en')
  await mgr.click('[data-test="lang"]')
  await mctx.close()
})

test('the admin sets the approval levels', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/admin')
  await page.click('#tab-approvals')
  await page.click('[data-test="level-add"]')
  await field(page, 'level-2').fill('1000000')
  await page.click('[data-test="levels-save"]')
  await until(async () => {
    const r = (await server.api('GET', '/settings/approvals')).json
    return r.levels_from.length === 2 && r.levels_from[1] === 100000000
  }, 'the levels were not saved')
  await page.close()
})
