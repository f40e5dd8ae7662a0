// Owning roles and compelling-event patterns in the browser: on a phone, in
// English, a salesperson sees the manager's item (立项审批) but cannot tick
// it, and is told who does; the manager ticks it at 1366 px; a key
// activity's sub-step owned by the manager is closed to the salesperson
// too; the CE form offers the playbook's patterns and saves the one chosen.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, must } from './server.js'

let server, chrome
const ids = {}
const MANAGER = { name: '王经理', password: 'manager-password-1' }
const SALES = { name: '赵销售', password: 'sales-password-1' }


before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const team = await must(await server.api('POST', '/teams', { name: '项目部' }), 201)
  for (const [user, role] of [[MANAGER, 'manager'], [SALES, 'sales']]) {
    const u = await must(await server.api('POST', '/users', { name: user.name, role, team_id: team.id }), 201)
    ids[user.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: user.password }), 204)
  }
  const acc = await must(await server.api('POST', '/accounts',
    { name: '滨江制造集团', owner_id: ids[SALES.name] }), 201)
  ids.yonyou = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: 'ERP 二期', playbook: 'yonyou-7', owner_id: ids[SALES.name] }), 201)).id
  ids.project = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '集团财务共享', playbook: 'project-8', owner_id: ids[SALES.name] }), 201)).id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

async function checklistItem(opp, id) {
  const c = (await server.api('GET', `/opportunities/${opp}/checklist`)).json
  return c.items.find((i) => i.id === id)
}

test("on a phone, in English, the salesperson cannot tick the manager's item", async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 740 } })
  const page = await ctx.newPage()
  await login(page, server.base, SALES)
  await page.goto(server.base + '/opportunities/' + ids.yonyou)
  await page.click('[data-test="lang"]')
  await page.waitForSelector('[data-test="item-ac-project-approved"]')
  const box = page.locator('[data-test="tick-ac-project-approved"]')
  assert.ok(await box.locator('input').isDisabled(), 'the manager\'s item is closed to sales')
  await box.hover()
  await page.locator('.el-popper:visible', { hasText: 'Ticked by its owner' }).waitFor()
  // The sub-steps of the approval activity are the manager's as well.
  await page.click('[data-test="steps-project-approval"]')
  const step = page.locator('[data-test="tick-step-project-approval-1"] input')
  await step.waitFor({ state: 'attached' })
  assert.ok(await step.isDisabled())
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 375, `no sideways scrolling on a phone (page is ${wide} px wide)`)
  await shot(page, 'owner-phone-en')
  assert.equal((await checklistItem(ids.yonyou, 'ac-project-approved')).done, false)
  await page.click('[data-test="lang"]')
  await ctx.close()
})

test('the manager ticks it at 1366 px', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
  await login(page, server.base, MANAGER)
  await page.goto(server.base + '/opportunities/' + ids.yonyou)
  await page.waitForSelector('[data-test="item-ac-project-approved"]')
  const box = page.locator('[data-test="tick-ac-project-approved"]')
  assert.equal(await box.locator('input').isDisabled(), false)
  await box.click()
  for (let i = 0; i < 50; i++) {
    const item = await checklistItem(ids.yonyou, 'ac-project-approved')
    if (item.done) {
      assert.equal(item.updated_by, MANAGER.name)
      break
    }
    assert.ok(i < 49, 'the tick reached the server')
    await new Promise((r) => setTimeout(r, 100))
  }
  await shot(page, 'owner-manager-ticked')
  await page.close()
})

test("the CE form offers the playbook's patterns and keeps the one chosen", async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
  await login(page, server.base, SALES)
  await page.goto(server.base + '/opportunities/' + ids.project)
  await page.click('#tab-ce')
  await page.click('[data-test="ce-pattern"]')
  const pb = (await server.api('GET', '/playbooks/project-8')).json
  const options = page.locator('.el-select-dropdown__item:visible')
  await options.first().waitFor()
  assert.equal(await options.count(), pb.ce_patterns.length)
  const chosen = pb.ce_patterns[2]
  const label = typeof chosen.name === 'string' ? chosen.name : chosen.name.zh
  await options.nth(2).scrollIntoViewIfNeeded()
  await options.nth(2).click()
  await page.locator('[data-test="ce-pattern"]', { hasText: label.slice(0, 8) }).waitFor()
  await field(page, 'ce-what').fill('集团要求明年 1 月起各子公司统一财务核算')
  await field(page, 'ce-consequence').fill('每延迟一个月，外包核算费用多付 20 万元')
  await page.click('[data-test="save-ce"]')
  for (let i = 0; i < 50; i++) {
    const f = (await server.api('GET', `/opportunities/${ids.project}/compelling-event`)).json
    if (f.data && f.data.pattern) {
      assert.equal(f.data.pattern, chosen.id)
      break
    }
    assert.ok(i < 49, 'the pattern reached the server')
    await new Promise((r) => setTimeout(r, 100))
  }
  await shot(page, 'ce-pattern')
  await page.close()
})
