// Notifications (通知) in the browser: the bell in the header of every
// screen shows a manager the approvals that wait for them; the inbox lists
// them with the deal's name, marks one read and opens the approvals; a
// salesperson whose request was refused opens the deal from theirs; on a
// phone, in English, the inbox takes the whole screen and nothing scrolls
// sideways. The admin sets up a group robot pointed at a receiver on
// loopback, sends it a test, reads its deliveries, edits and deletes it,
// and saves the notifications' settings — in zh and en, at 1366 and 375 px.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startServer, startBrowser, field, shot, ADMIN, must, until, openAs, cli } from './server.js'

let server, chrome, receiver
const ids = {}
const posts = []
const MANAGER = { name: '钱经理', password: 'manager-password-1' }
const SALES = { name: '李四', password: 'sales-password-1' }

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const east = await must(await server.api('POST', '/teams', { name: '华南大区' }), 201)
  ids.team = east.id
  for (const [user, role] of [[MANAGER, 'manager'], [SALES, 'sales']]) {
    const u = await must(await server.api('POST', '/users', { name: user.name, role, team_id: east.id }), 201)
    ids[user.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: user.password }), 204)
  }
  const acc = await must(await server.api('POST', '/accounts', { name: '南方电网客户', owner_id: ids[SALES.name] }), 201)
  for (const name of ['变电站网络改造', '调度中心扩容']) {
    ids[name] = (await must(await server.api('POST', '/opportunities',
      { account_id: acc.id, name, amount: 80000000, playbook: 'uss-5', owner_id: ids[SALES.name] }), 201)).id
  }
  // The salesperson asks to pass two gates: both wait for the manager.
  for (const name of ['变电站网络改造', '调度中心扩容']) {
    const r = await fetch(`${server.base}/api/v1/opportunities/${ids[name]}/approvals`, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + tokenOf(SALES.name), 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'override', reason: '客户已口头确认' }),
    })
    const text = await r.text()
    assert.equal(r.status, 201, text)
    ids['approval ' + name] = JSON.parse(text).approval.id
  }
  // A robot on loopback that records what it is sent.
  receiver = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      posts.push({ url: req.url, body: JSON.parse(body) })
      res.setHeader('Content-Type', 'application/json')
      res.end('{"errcode":0,"errmsg":"ok"}')
    })
  })
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok))
})

after(async () => {
  await chrome?.close()
  await server?.stop()
  receiver?.close()
})

// An API token of a user (the command line makes it).
const tokens = {}
function tokenOf(name) {
  if (!tokens[name]) tokens[name] = cli(['token', 'create', '--db', server.db, '--user', name]).trim().split('\n').pop()
  return tokens[name]
}

const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

// The bell's badge as shown ('' when hidden).
async function badge(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-test="notify-badge"] .el-badge__content')
    return el && el.offsetParent !== null ? el.textContent.trim() : ''
  })
}

test('the bell shows a manager what waits; the inbox marks one read and opens the approvals', async () => {
  const { ctx, page, errors } = await open(MANAGER, { width: 1366, lang: 'zh' })
  await page.locator('[data-test="notify-badge"] .el-badge__content', { hasText: '2' }).waitFor()
  // On every screen.
  for (const path of ['/deals', '/accounts', '/reports']) {
    await page.goto(server.base + path)
    await page.locator('[data-test="notify-bell"]').waitFor()
  }
  await page.click('[data-test="notify-bell"]')
  const list = page.locator('[data-test="notify-list"]')
  await list.waitFor()
  const items = await list.locator('li').count()
  assert.equal(items, 2)
  const text = await list.textContent()
  assert.match(text, /变电站网络改造/)
  assert.match(text, /调度中心扩容/)
  assert.match(text, /李四 申请「越过关卡」，第 1\/1 级等您审批/)
  assert.match(text, /审批待处理/)
  const inbox = (await must(await fetchAs(MANAGER, '/notifications'), 200)).items
  const first = inbox[0]
  await page.click(`[data-test="notify-read-${first.id}"]`)
  await page.locator(`[data-test="notify-${first.id}"][data-read="1"]`).waitFor()
  await until(async () => (await badge(page)) === '1', 'the badge did not go down to 1')
  assert.equal((await must(await fetchAs(MANAGER, '/notifications/count'), 200)).unread, 1)
  await shot(page, 'notify-inbox-zh-1366')
  // Unread only, then open the other: it is read and the approvals open.
  await page.click('[data-test="notify-unread-only"]')
  await until(async () => (await list.locator('li').count()) === 1, 'unread only did not filter')
  const second = inbox[1]
  await page.click(`[data-test="notify-open-${second.id}"]`)
  await page.waitForURL(/\/approvals$/)
  await until(async () => (await badge(page)) === '', 'the badge did not go away')
  assert.equal((await must(await fetchAs(MANAGER, '/notifications/count'), 200)).unread, 0)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a refused request reaches the salesperson, who opens the deal from a phone in English', async () => {
  const r = await fetch(`${server.base}/api/v1/approvals/${ids['approval 调度中心扩容']}/reject`, {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + tokenOf(MANAGER.name), 'Content-Type': 'application/json' },
    body: JSON.stringify({ comment: '<b>材料不全</b>' }),
  })
  assert.equal(r.status, 200, await r.text())
  const { ctx, page, errors } = await open(SALES, { width: 375, lang: 'en' })
  await page.locator('[data-test="notify-badge"] .el-badge__content', { hasText: '1' }).waitFor()
  await noSideScroll(page, 'the header with its bell')
  await page.click('[data-test="notify-bell"]')
  const list = page.locator('[data-test="notify-list"]')
  await list.waitFor()
  const text = await list.textContent()
  assert.match(text, /Approval refused/)
  assert.match(text, /钱经理 refused the request for "Gate override"/)
  // What the manager typed is text, not markup.
  assert.match(text, /Comment: <b>材料不全<\/b>/)
  assert.equal(await list.locator('b').count(), 0)
  const box = await page.locator('.el-drawer').boundingBox()
  assert.ok(box.width >= 370, 'the inbox takes the whole phone screen: ' + box.width)
  await noSideScroll(page, 'the inbox')
  await shot(page, 'notify-inbox-en-375')
  const n = (await must(await fetchAs(SALES, '/notifications'), 200)).items[0]
  await page.click(`[data-test="notify-open-${n.id}"]`)
  await page.waitForURL(new RegExp('/opportunities/' + ids['调度中心扩容'] + '$'))
  assert.equal((await must(await fetchAs(SALES, '/notifications/count'), 200)).unread, 0)
  // Mark all read, with nothing left: the button is off.
  await page.click('[data-test="notify-bell"]')
  await page.locator('[data-test="notify-list"]').waitFor()
  assert.ok(await page.locator('[data-test="notify-read-all"]').isDisabled())
  assert.deepEqual(errors, [])
  await ctx.close()
})

// The API as a user, through their token.
async function fetchAs(user, path) {
  const res = await fetch(server.base + '/api/v1' + path, { headers: { Authorization: 'Bearer ' + tokenOf(user.name) } })
  return { status: res.status, json: await res.json() }
}

test('the admin sets up a robot, tests it, reads its deliveries, edits and deletes it (zh 1366, en 375)', async () => {
  const port = receiver.address().port
  for (const [width, lang] of [[1366, 'zh'], [375, 'en']]) {
    const { ctx, page, errors } = await open(ADMIN, { width, lang })
    await page.goto(server.base + '/admin?tab=webhooks')
    await page.locator('[data-test="admin-webhooks"]').waitFor()
    await noSideScroll(page, 'the robots tab')
    const name = `销售群 ${lang}`
    await page.click('[data-test="webhook-add"]')
    const dialog = page.locator('[data-test="webhook-dialog"]')
    await dialog.waitFor()
    await field(page, 'webhook-name').fill(name)
    await page.click('[data-test="webhook-kind-dingtalk"]')
    await field(page, 'webhook-url').fill(`http://127.0.0.1:${port}/robot/send?access_token=${lang}`)
    await field(page, 'webhook-secret').fill('SECui-secret')
    await page.click('[data-test="webhook-save"]')
    const hook = await until(async () => (await server.api('GET', '/webhooks')).json.items.find((h) => h.name === name),
      'the robot was not saved')
    assert.deepEqual([hook.kind, hook.secret_set, hook.enabled, hook.events.length], ['dingtalk', true, true, 6])
    const card = page.locator(`[data-test="webhook-${hook.id}"]`)
    await card.waitFor()
    assert.doesNotMatch(await card.textContent(), /SECui-secret/)
    // A test: the robot gets it, signed; the deliveries say so.
    await page.click(`[data-test="webhook-test-${hook.id}"]`)
    const got = await until(() => posts.find((p) => p.url.includes('access_token=' + lang)), 'no test message arrived')
    assert.match(got.url, /&timestamp=\d+&sign=/)
    assert.match(got.body.markdown.text, new RegExp(name))
    await until(async () => {
      const d = (await server.api('GET', `/webhooks/${hook.id}/deliveries`)).json.items
      return d.length && d[0].state === 'delivered'
    }, 'the test was not delivered')
    await page.click(`[data-test="webhook-deliveries-${hook.id}"]`)
    await page.locator('[data-test="webhook-deliveries"] [data-test="delivery-delivered"]').waitFor()
    await noSideScroll(page, 'the deliveries')
    await shot(page, `notify-robots-${lang}-${width}`)
    await page.keyboard.press('Escape')
    // Edit: renamed, only approvals, the secret kept.
    await page.click(`[data-test="webhook-edit-${hook.id}"]`)
    await dialog.waitFor({ state: 'visible' })
    await field(page, 'webhook-name').fill(name + ' 改')
    for (const k of ['gate_refused', 'deal_stalled', 'visit_tomorrow', 'tender_near', 'handover_received'])
      await page.click(`[data-test="webhook-event-${k}"]`)
    await page.click('[data-test="webhook-save"]')
    const edited = await until(async () => {
      const h = (await server.api('GET', `/webhooks/${hook.id}`)).json
      return h.name === name + ' 改' && h
    }, 'the edit was not saved')
    assert.deepEqual([edited.events, edited.secret_set], [['approval_waiting'], true])
    // Delete.
    await page.click(`[data-test="webhook-remove-${hook.id}"]`)
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await until(async () => (await server.api('GET', `/webhooks/${hook.id}`)).status === 404, 'not deleted')
    await card.waitFor({ state: 'detached' })
    assert.deepEqual(errors, [])
    await ctx.close()
  }
})

test('the admin saves the notifications\' settings; a wrong address is named', async () => {
  const { ctx, page, errors } = await open(ADMIN, { width: 1366, lang: 'zh' })
  await page.goto(server.base + '/admin?tab=webhooks')
  await page.locator('[data-test="notify-settings"][data-loaded="1"]').waitFor()
  await field(page, 'notify-public-url').fill('ftp://bingfa')
  await page.click('[data-test="notify-settings-save"]')
  await page.locator('[data-test="notify-settings"] .el-form-item__error').waitFor()
  await field(page, 'notify-public-url').fill('https://bingfa.example.com')
  await page.click('[data-test="notify-settings-save"]')
  const s = await until(async () => {
    const v = (await server.api('GET', '/settings/notifications')).json
    return v.public_url === 'https://bingfa.example.com' && v
  }, 'the settings were not saved')
  assert.deepEqual([s.stalled_days, s.tender_days], [30, 3])
  assert.deepEqual(errors.filter((e) => !/422/.test(e)), [])
  await ctx.close()
})
