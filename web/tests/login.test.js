// Logging in through the page: a wrong password is refused with the API's
// message; the right one opens the dashboard; the language switch works.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, ADMIN } from './server.js'

let server, chrome, page

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
  page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

test('an unknown route of the app is served index.html, and asks to log in', async () => {
  await page.goto(server.base + '/opportunities/whatever')
  await page.waitForURL(/\/login/)
  assert.match(await page.title(), /兵法/)
})

test('a wrong password is refused on the page', async () => {
  await page.goto(server.base + '/login')
  await field(page, 'login-name').fill(ADMIN.name)
  await field(page, 'login-password').fill('wrong-password')
  await page.click('[data-test="login-submit"]')
  await page.waitForSelector('[data-test="login-error"]')
  assert.match(await page.textContent('[data-test="login-error"]'), /用户名或密码错误/)
  await shot(page, 'login')
})

test('logging in opens the dashboard; English is one click away', async () => {
  await login(page, server.base, ADMIN)
  await page.waitForSelector('[data-test="who"]')
  assert.match(await page.textContent('[data-test="who"]'), /ui-admin/)
  assert.match(await page.textContent('body'), /仪表盘/)
  await page.click('[data-test="lang"]')
  await page.waitForFunction(() => document.body.innerText.includes('Dashboard'))
  assert.match(await page.textContent('body'), /Pipeline/)
  await page.click('[data-test="lang"]')
  await page.waitForFunction(() => document.body.innerText.includes('仪表盘'))
})

test('a demo manager logs in with the printed password', async () => {
  assert.ok(server.demoPassword, 'init --demo printed the password')
  const ctx = await chrome.browser.newContext({ viewport: { width: 1366, height: 768 } })
  const p = await ctx.newPage()
  await login(p, server.base, { name: '孙丽', password: server.demoPassword })
  assert.match(await p.textContent('[data-test="who"]'), /孙丽/)
  await ctx.close()
})
