// 转移负责人 in the browser: a manager hands a deal from one salesperson of
// the team to another, at 1366 px and on a phone, in Chinese and English;
// the page of a salesperson offers no transfer; PATCH no longer moves owners.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot } from './server.js'

let server, chrome
const ids = {}
const MANAGER = { name: '华东经理', password: 'manager-password-1' }
const SALES = { name: '李四', password: 'sales-password-1' }

async function must(res, status) {
  assert.equal(res.status, status, JSON.stringify(res.json))
  return res.json
}

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const team = await must(await server.api('POST', '/teams', { name: '华东大区' }), 201)
  for (const [name, role] of [[MANAGER.name, 'manager'], ['张三', 'sales'], [SALES.name, 'sales']]) {
    const u = await must(await server.api('POST', '/users', { name, role, team_id: team.id }), 201)
    ids[name] = u.id
    const pw = name === MANAGER.name ? MANAGER.password : SALES.password
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: pw }), 204)
  }
  const acc = await must(await server.api('POST', '/accounts',
    { name: '江南市第一人民医院', owner_id: ids['张三'] }), 201)
  ids.account = acc.id
  const opp = await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '门诊楼无线网络', amount: 50000000, owner_id: ids['张三'] }), 201)
  ids.opp = opp.id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

async function choose(page, name, text) {
  await page.click(`[data-test="${name}"]`)
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

async function ownerIs(name) {
  for (let i = 0; i < 50; i++) {
    const o = (await server.api('GET', `/opportunities/${ids.opp}`)).json
    if (o.owner === name) return o
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`the owner did not become ${name}`)
}

test('a manager transfers a deal within the team; stage and history stay', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
  await login(page, server.base, MANAGER)
  await page.goto(server.base + '/opportunities/' + ids.opp)
  await page.waitForSelector('[data-test="opp-owner"]')
  assert.equal((await page.textContent('[data-test="opp-owner"]')).trim(), '张三')
  const before = (await server.api('GET', `/opportunities/${ids.opp}`)).json
  const history = (await server.api('GET', `/opportunities/${ids.opp}/history`)).json.items
  await page.click('[data-test="opp-transfer"]')
  await choose(page, 'transfer-owner', SALES.name)
  await field(page, 'transfer-reason').fill('张三调往华南，客户由李四跟进')
  await shot(page, 'transfer-dialog')
  await page.click('[data-test="transfer-save"]')
  const after = await ownerIs(SALES.name)
  await page.locator('[data-test="opp-owner"]', { hasText: SALES.name }).waitFor()
  assert.equal(after.owner_id, ids[SALES.name])
  assert.equal(after.stage, before.stage)
  assert.deepEqual((await server.api('GET', `/opportunities/${ids.opp}/history`)).json.items, history)
  const audit = (await server.api('GET', `/audit?record_id=${ids.opp}&action=transfer`)).json.items
  assert.equal(audit[0].actor, MANAGER.name)
  assert.equal(audit[0].new.reason, '张三调往华南，客户由李四跟进')
  await shot(page, 'transfer-done')
  await page.close()
})

test('the salesperson sees no transfer; PATCH of the owner is refused', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
  await login(page, server.base, SALES)
  await page.goto(server.base + '/opportunities/' + ids.opp)
  await page.waitForSelector('[data-test="opp-owner"]')
  assert.equal(await page.locator('[data-test="opp-transfer"]').count(), 0)
  const o = (await server.api('GET', `/opportunities/${ids.opp}`)).json
  const r = await server.api('PATCH', `/opportunities/${ids.opp}`, { owner: '张三' },
    { 'If-Match': `"${o.version}"` })
  assert.equal(r.status, 422)
  assert.equal(r.json.error.field, 'owner')
  await page.close()
})

test('on a phone, in English: the transfer back', async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 740 } })
  const page = await ctx.newPage()
  await login(page, server.base, MANAGER)
  await page.goto(server.base + '/opportunities/' + ids.opp)
  await page.click('[data-test="lang"]')
  await page.waitForFunction(() => document.body.innerText.includes('Transfer owner'))
  await page.click('[data-test="opp-transfer"]')
  await page.locator('.el-dialog', { hasText: 'Transfer to another owner' }).waitFor()
  await choose(page, 'transfer-owner', '张三')
  await field(page, 'transfer-reason').fill('Back to the east')
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 375, `no sideways scrolling on a phone (page is ${wide} px wide)`)
  await shot(page, 'transfer-phone-en')
  await page.click('[data-test="transfer-save"]')
  await ownerIs('张三')
  await page.click('[data-test="lang"]')
  await ctx.close()
})

test('an account is transferred from its page', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
  await login(page, server.base, MANAGER)
  await page.goto(server.base + '/accounts/' + ids.account)
  await page.click('[data-test="account-transfer"]')
  await choose(page, 'transfer-owner', SALES.name)
  await field(page, 'transfer-reason').fill('客户要求更换对接人')
  await page.click('[data-test="transfer-save"]')
  await page.locator('[data-test="account-owner"]', { hasText: SALES.name }).waitFor()
  assert.equal((await server.api('GET', `/accounts/${ids.account}`)).json.owner_id, ids[SALES.name])
  await page.close()
})
