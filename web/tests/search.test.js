// The global search (全局搜索): Ctrl-K opens it on every screen (and the top
// bar's button at 375 px); a Chinese query of two characters shows the
// results grouped by kind as the user types, the same the API gives them;
// ↓ and Enter open the chosen record's page; Esc closes; a salesperson does
// not find another team's deal. In Chinese and English, at 1366 and 375 px,
// without console errors or a page that scrolls sideways.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, field, shot, must, until, openAs, getAs } from './server.js'

let server, chrome
const ids = {}
const SALES = { name: '搜索销售', password: 'search-sales-password-1' }
const OTHER = { name: '外区销售', password: 'search-other-password-1' }

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const east = await must(await server.api('POST', '/teams', { name: '华东大区' }), 201)
  const west = await must(await server.api('POST', '/teams', { name: '西部大区' }), 201)
  for (const [who, team] of [[SALES, east], [OTHER, west]]) {
    const u = await must(await server.api('POST', '/users', { name: who.name, role: 'sales', team_id: team.id }), 201)
    ids[who.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: who.password }), 204)
  }
  const make = async (path, body) => (await must(await server.api('POST', path, body), 201)).id
  ids.account = await make('/accounts', { name: '江南市第一人民医院', industry: '医疗', owner_id: ids[SALES.name] })
  ids.contact = await make('/contacts', { account_id: ids.account, name: '王伟', title: '信息中心主任', phone: '13800138000' })
  ids.deal = await make('/opportunities', { account_id: ids.account, name: '门诊楼无线网络', owner_id: ids[SALES.name] })
  ids.activity = await make('/activities', { opportunity_id: ids.deal, type: 'visit', subject: '医院拜访', owner_id: ids[SALES.name] })
  ids.otherAccount = await make('/accounts', { name: '西部儿童医院', owner_id: ids[OTHER.name] })
  ids.hidden = await make('/opportunities', { account_id: ids.otherAccount, name: '医院数据中台', owner_id: ids[OTHER.name] })
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)

const dialog = (page) => page.locator('.global-search:visible')

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

// Types q into the open dialog and waits for the answer to q to be shown.
async function typeQuery(page, q) {
  await field(page, 'search-input').fill(q)
  await until(async () => (await page.locator('[data-test^="search-group-"], [data-test="search-empty"]').count()) > 0
    && (await field(page, 'search-input').inputValue()) === q, 'no answer to ' + q)
  await page.waitForTimeout(350) // past the debounce: the answer shown is q's
}

// The groups shown: {kind: [item ids]}.
async function shownGroups(page) {
  return page.locator('[data-test^="search-group-"]').evaluateAll((els) => Object.fromEntries(els.map((g) => [
    g.dataset.test.replace('search-group-', ''),
    [...g.querySelectorAll('[data-test^="search-item-"]')].map((i) => i.dataset.test.replace('search-item-', '')),
  ])))
}

test('Ctrl-K opens the search on every screen; a two-character query shows the API\'s groups; ↓ Enter opens the record; Esc closes', async () => {
  for (const lang of ['zh', 'en']) {
    const { ctx, page, errors } = await open(SALES, { width: 1366, lang })
    for (const path of ['/', '/deals', `/accounts/${ids.account}`, '/knowledge']) {
      await page.goto(server.base + path)
      await page.waitForLoadState('networkidle')
      await page.keyboard.press('Control+k')
      await dialog(page).waitFor()
      // the focus comes when the dialog has opened (its animation done)
      let focused = false
      for (let i = 0; i < 40 && !focused; i++) {
        focused = await field(page, 'search-input').evaluate((el) => el === document.activeElement)
        if (!focused) await page.waitForTimeout(50)
      }
      assert.ok(focused, 'the input has the focus on ' + path)
      await page.keyboard.press('Escape')
      await dialog(page).waitFor({ state: 'hidden' })
    }
    await page.goto(server.base + '/deals')
    await page.waitForLoadState('networkidle')
    await page.keyboard.press('Control+k')
    await dialog(page).waitFor()
    await typeQuery(page, '医院')
    const api = await getAs(page, server.base, '/search?q=' + encodeURIComponent('医院') + '&limit=5')
    const expected = Object.fromEntries(api.groups.filter((g) => g.items.length).map((g) => [g.kind, g.items.map((i) => i.id)]))
    assert.deepEqual(await shownGroups(page), expected)
    assert.deepEqual(expected.accounts, [ids.account])
    assert.deepEqual(expected.opportunities, [ids.deal])
    assert.deepEqual(expected.activities, [ids.activity])
    assert.ok(!JSON.stringify(expected).includes(ids.hidden), 'another team\'s deal is not found')
    const heading = await page.locator('[data-test="search-group-accounts"] .gs-heading').innerText()
    assert.equal(heading, lang === 'zh' ? '客户' : 'Accounts')
    assert.equal(await page.locator('[data-test="search-group-accounts"] mark').first().innerText(), '医院')
    await shot(page, `search-${lang}-1366`)
    // The first item is chosen; ↓ twice reaches the deal (accounts, contacts, deals).
    const order = [...(expected.accounts || []), ...(expected.contacts || []), ...(expected.opportunities || [])]
    const at = order.indexOf(ids.deal)
    for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown')
    assert.equal(await page.locator(`[data-test="search-item-${ids.deal}"]`).getAttribute('data-active'), 'true')
    await page.keyboard.press('Enter')
    await page.waitForURL(new RegExp(`/opportunities/${ids.deal}$`))
    await dialog(page).waitFor({ state: 'hidden' })
    // A contact opens its account; ↑ goes round to the last item.
    await page.keyboard.press('Control+k')
    await dialog(page).waitFor()
    await typeQuery(page, '王伟')
    assert.deepEqual(await shownGroups(page), { contacts: [ids.contact] })
    await page.keyboard.press('ArrowUp')
    await page.keyboard.press('Enter')
    await page.waitForURL(new RegExp(`/accounts/${ids.account}$`))
    // Nothing found says so, in the language chosen.
    await page.keyboard.press('Control+k')
    await dialog(page).waitFor()
    await typeQuery(page, '数据中台')
    const empty = await page.locator('[data-test="search-empty"]').innerText()
    assert.ok(empty.includes('数据中台') && empty.includes(lang === 'zh' ? '没有找到' : 'Nothing found'), empty)
    assert.deepEqual(errors, [])
    await ctx.close()
  }
})

test('at 375 px the top bar\'s button opens the search full screen, and the other team finds its own deal', async () => {
  for (const lang of ['zh', 'en']) {
    for (const [user, mine, theirs] of [[SALES, ids.deal, ids.hidden], [OTHER, ids.hidden, ids.deal]]) {
      const { ctx, page, errors } = await open(user, { width: 375, lang })
      await page.waitForLoadState('networkidle')
      await noSideScroll(page, 'the dashboard at 375 px')
      if (user === SALES) await shot(page, `search-${lang}-375-top-bar`)
      await page.click('[data-test="search-open"]')
      await dialog(page).waitFor()
      assert.ok(await page.locator('.global-search.is-fullscreen').isVisible(), 'full screen on a phone')
      await typeQuery(page, '医院')
      const shown = await shownGroups(page)
      assert.deepEqual(shown.opportunities, [mine])
      assert.ok(!JSON.stringify(shown).includes(theirs), 'the other team\'s deal is not shown')
      await noSideScroll(page, 'the search at 375 px')
      await shot(page, `search-${lang}-375-${user === SALES ? 'sales' : 'other'}`)
      await page.locator(`[data-test="search-item-${mine}"]`).click()
      await page.waitForURL(new RegExp(`/opportunities/${mine}$`))
      assert.deepEqual(errors, [])
      await ctx.close()
    }
  }
})
