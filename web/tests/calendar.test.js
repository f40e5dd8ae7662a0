// The calendar feed (日历订阅) from the user menu, in Chinese and English at
// 1366 and 375 px: a salesperson makes the feed, sees and copies its address
// (the clipboard holds it, and a calendar program reads it without a
// session), finds it on again without the address after reopening, resets
// it (the old address answers 404) and turns it off (so does the new one);
// no console errors, no sideways scrolling on a phone.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, shot, must, openAs } from './server.js'

let server, chrome
const SALES = { name: 'cal-sales', password: 'cal-sales-password-1' }

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const u = await must(await server.api('POST', '/users', { name: SALES.name, role: 'sales' }), 201)
  await must(await server.api('PUT', `/users/${u.id}/password`, { password: SALES.password }), 204)
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const FEED_URL = /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calendar\/feed\/bfc_[A-Za-z0-9_-]{43}\.ics$/

// The feed at url as a calendar program reads it: no cookie, no token.
async function readFeed(url) {
  const res = await fetch(url)
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
}

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

async function openDialog(page) {
  await page.click('[data-test="who"]')
  await page.click('[data-test="menu-calendar"]')
  await page.waitForSelector('[data-test="calendar-dialog"]', { state: 'visible' })
  await page.waitForSelector('[data-test="calendar-none"], [data-test="calendar-active"], [data-test="calendar-url"]')
}

async function closeDialog(page) {
  await page.click('[data-test="calendar-close"]')
  await page.waitForSelector('[data-test="calendar-dialog"]', { state: 'hidden' })
}

// Answers the confirmation box with its primary button.
async function confirm(page) {
  const ok = page.locator('.el-message-box__btns .el-button--primary')
  await ok.waitFor({ state: 'visible' })
  await ok.click()
}

async function shownUrl(page) {
  const input = page.locator('[data-test="calendar-url"] input, input[data-test="calendar-url"]').first()
  await input.waitFor({ state: 'visible' })
  return input.inputValue()
}

const titles = { zh: '日历订阅', en: 'Calendar feed' }

test('a salesperson makes, copies, resets and turns off the calendar feed in zh and en at 1366 and 375 px', async () => {
  for (const lang of ['zh', 'en']) {
    for (const width of [1366, 375]) {
      const what = `${lang} ${width}`
      const { ctx, page, errors } = await openAs(chrome.browser, server.base, SALES, { width, lang })
      await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base })
      await openDialog(page)
      const title = await page.textContent('[data-test="calendar-dialog"] .el-dialog__title')
      assert.equal(title.trim(), titles[lang], what)
      await page.waitForSelector('[data-test="calendar-none"]')

      // Made: the address is shown, copied, and read without a session.
      await page.click('[data-test="calendar-create"]')
      const url = await shownUrl(page)
      assert.match(url, FEED_URL, what)
      await page.click('[data-test="calendar-copy"]')
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url, `${what}: copied`)
      const feed = await readFeed(url)
      assert.equal(feed.status, 200, what)
      assert.equal(feed.type, 'text/calendar; charset=utf-8')
      assert.match(feed.text, /^BEGIN:VCALENDAR\r\n/)
      assert.match(feed.text, /\r\nX-WR-CALNAME:cal-sales · 兵法\r\n/)
      const webcal = await page.getAttribute('[data-test="calendar-webcal"]', 'href')
      assert.equal(webcal, url.replace(/^http:/, 'webcal:'))
      if (width === 375) await noSideScroll(page, `${what} with the address shown`)
      await shot(page, `calendar-${width}-${lang}`)

      // Reopened: on, and the address is not shown again.
      await closeDialog(page)
      await openDialog(page)
      await page.waitForSelector('[data-test="calendar-active"]')
      assert.equal(await page.locator('[data-test="calendar-url"]').count(), 0, what)

      // Reset: a new address; the old one answers 404.
      await page.click('[data-test="calendar-reset"]')
      await confirm(page)
      const fresh = await shownUrl(page)
      assert.match(fresh, FEED_URL)
      assert.notEqual(fresh, url)
      assert.equal((await readFeed(url)).status, 404, `${what}: the old address after a reset`)
      assert.equal((await readFeed(fresh)).status, 200)

      // Turned off: the new address answers 404 too.
      await page.click('[data-test="calendar-revoke"]')
      await confirm(page)
      await page.waitForSelector('[data-test="calendar-none"]')
      assert.equal((await readFeed(fresh)).status, 404, `${what}: after turning it off`)
      if (width === 375) await noSideScroll(page, what)
      await closeDialog(page)
      assert.deepEqual(errors, [], `console errors at ${what}`)
      await ctx.close()
    }
  }
})
