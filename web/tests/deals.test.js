// The deals list (商机, /deals), on the demo data. The demo manager and a
// demo salesperson open it in Chinese and English at 1366 and 375 px
// without console errors or a page that scrolls sideways (at 375 px through
// the collapsed navigation, the table with a phone's few columns), and see the
// API's first page; status=won shows
// only won deals; a click on the amount header sorts by amount descending;
// 加载更多 appends the next page; a filter in the URL survives a reload and
// the back button undoes it; the amount range is typed in 万元 and sent in
// fen; team and stalled_days reach the API; the column chooser hides a
// column for good; a salesperson sees only what the API gives them.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, must, until, openAs, getAs } from './server.js'

let server, chrome
const users = {}

const demo = (name) => ({ name, password: server.demoPassword })

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
  const list = await must(await server.api('GET', '/users?limit=200'), 200)
  for (const u of list.items) users[u.name] = u
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

// A fresh browser context logged in as user (server.js openAs).
const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)

// The API as the page's user (the context's session cookie).
const get = (page, path) => getAs(page, server.base, path)

// The deals list's first page as the page's user, for a query.
async function apiPage(page, query) {
  const q = new URLSearchParams({ sort: '-created_at', limit: '50', ...query })
  return get(page, '/opportunities?' + q)
}

// The list settled: no skeleton, no loading mask, rows or the empty state.
async function settled(page) {
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-test="deals"]')
    if (!el || el.querySelector('.el-skeleton') || el.querySelector('.el-loading-mask:not([style*="display: none"])')) return false
    return el.querySelector('[data-test="deals-count"], [data-test="deals-empty"], [data-test="deals-error"]')
  })
}

// The ids of the rows shown, in order.
async function shownIds(page) {
  return page.locator('[data-test="deals-table"] .el-table__body [data-test^="deal-link-"]')
    .evaluateAll((els) => els.map((e) => e.dataset.test.replace('deal-link-', '')))
}

async function goto(page, search = '') {
  await page.goto(server.base + '/deals' + search)
  await settled(page)
}

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

test('the list opens for the manager and a salesperson in zh and en at 1366 and 375 px, showing the API\'s first page', async () => {
  for (const who of ['赵强', '张伟']) {
    for (const width of [1366, 375]) {
      for (const lang of ['zh', 'en']) {
        const { ctx, page, errors } = await open(demo(who), { width, lang })
        if (width === 1366) {
          await page.click('[data-test="nav-deals"]')
        } else {
          // the navigation collapsed into its … menu
          await page.locator('.nav > .el-sub-menu').last().hover()
          await page.locator('[data-test="nav-deals"]:visible').click()
        }
        await page.waitForURL(/\/deals$/)
        await settled(page)
        assert.equal(await page.locator('[data-test="deals"] h2').innerText(), lang === 'zh' ? '商机' : 'Deals')
        const api = await apiPage(page, {})
        assert.ok(api.items.length > 0, 'the demo has deals')
        assert.deepEqual(await shownIds(page), api.items.map((o) => o.id), `${who} ${width} ${lang}: the API's first page`)
        const count = page.locator('[data-test="deals-count"]')
        assert.equal(Number(await count.getAttribute('data-count')), api.items.length)
        assert.match(await count.innerText(), lang === 'zh' ? new RegExp(`已加载 ${api.items.length} 个商机`) : new RegExp(`${api.items.length} deals loaded`))
        if (width === 1366) {
          // the header of the default order: created, newest first
          assert.equal(await page.locator('[data-test="deals-table"] th.descending').count(), 1)
        } else {
          // a phone shows a few columns (the chooser adds more)
          const heads = await page.locator('[data-test="deals-table"] .el-table__header th').allInnerTexts()
          assert.deepEqual(heads.map((h) => h.trim()), lang === 'zh' ? ['商机名称', '金额', '阶段'] : ['Deal', 'Amount', 'Stage'])
        }
        // the first row's amount as the rest of the app writes money
        const first = api.items[0]
        const amount = page.locator('[data-test="deals-table"] [data-test="deal-amount"]').first()
        assert.equal(Number(await amount.getAttribute('data-fen')), first.amount)
        await noSideScroll(page, `${who} ${width} ${lang}`)
        if (width === 375) {
          // the filters are folded away on a phone; opened, they still fit
          assert.equal(await page.locator('[data-test="deals-filters"]').isVisible(), false)
          await page.click('[data-test="deals-filter-toggle"]')
          await page.locator('[data-test="deals-filters"]').waitFor()
          await noSideScroll(page, `${who} ${width} ${lang} with the filters open`)
        } else {
          assert.equal(await page.locator('[data-test="deals-filters"]').isVisible(), true)
        }
        // the account names came in (no row left waiting)
        await until(async () => (await page.locator('[data-test="deals-table"] .el-table__body').innerText()).indexOf('…') < 0,
          'the account names are shown')
        if (who === '赵强') await shot(page, `deals-${width}-${lang}`)
        assert.deepEqual(errors, [], `console errors for ${who} at ${width} in ${lang}`)
        await ctx.close()
      }
    }
  }
})

test('a salesperson sees only the deals the API gives them', async () => {
  const { ctx, page, errors } = await open(demo('张伟'))
  await goto(page)
  const mine = await apiPage(page, { limit: '200' })
  const all = await must(await server.api('GET', '/opportunities?limit=200'), 200)
  assert.ok(mine.items.length < all.items.length, 'the salesperson sees fewer deals than the admin')
  assert.deepEqual(new Set(await shownIds(page)), new Set(mine.items.map((o) => o.id)))
  for (const o of mine.items) assert.equal(o.owner, '张伟')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a partner and implementation open the list of what they see, without errors', async () => {
  for (const who of ['钱伟', '吴刚']) {
    const { ctx, page, errors } = await open(demo(who))
    await goto(page)
    const api = await apiPage(page, {})
    assert.deepEqual(await shownIds(page), api.items.map((o) => o.id), who)
    await until(async () => (await page.locator('[data-test="deals"]').innerText()).indexOf('…') < 0, 'account names')
    assert.deepEqual(errors, [], who)
    await ctx.close()
  }
})

test('status=won shows only the won deals; it survives a reload and the back button undoes it', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page)
  const before = await shownIds(page)
  await page.click('[data-test="deals-status-won"]')
  await page.waitForURL(/status=won/)
  await settled(page)
  const won = await apiPage(page, { status: 'won' })
  assert.ok(won.items.length > 0, 'the demo has won deals')
  assert.deepEqual(await shownIds(page), won.items.map((o) => o.id))
  const tags = await page.locator('[data-test="deals-table"] [data-test="deal-status"]').evaluateAll((els) => els.map((e) => e.dataset.status))
  assert.ok(tags.length === won.items.length && tags.every((s) => s === 'won'), JSON.stringify(tags))
  await shot(page, 'deals-won-1366')

  await page.reload()
  await settled(page)
  assert.deepEqual(await shownIds(page), won.items.map((o) => o.id), 'the filter survives a reload')
  assert.ok(await page.locator('[data-test="deals-status-won"].is-active').count(), 'the status button shows the filter')

  await page.goBack()
  await page.waitForURL((u) => !u.search.includes('status='))
  await settled(page)
  assert.deepEqual(await shownIds(page), before, 'back: the unfiltered list')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a click on the amount header sorts by amount, descending on the second', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page)
  const header = page.locator('[data-test="deals-table"] th', { hasText: '金额' })
  await header.click()
  await page.waitForURL(/sort=amount/)
  await settled(page)
  await header.click()
  await page.waitForURL(/sort=-amount/)
  await settled(page)
  const api = await apiPage(page, { sort: '-amount' })
  assert.deepEqual(await shownIds(page), api.items.map((o) => o.id))
  const fens = await page.locator('[data-test="deals-table"] [data-test="deal-amount"]').evaluateAll((els) => els.map((e) => Number(e.dataset.fen)))
  for (let i = 1; i < fens.length; i++) assert.ok(fens[i - 1] >= fens[i], `amounts descend: ${fens}`)
  assert.equal(await page.locator('[data-test="deals-table"] th.descending', { hasText: '金额' }).count(), 1)
  // the sort is kept in the URL: a reload keeps the order and its arrow
  await page.reload()
  await settled(page)
  assert.deepEqual(await shownIds(page), api.items.map((o) => o.id))
  assert.equal(await page.locator('[data-test="deals-table"] th.descending', { hasText: '金额' }).count(), 1)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('加载更多 appends the next page of the same order until every deal is loaded', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page, '?limit=5&sort=name')
  const all = await apiPage(page, { sort: 'name', limit: '200' })
  assert.ok(all.items.length > 10, 'the demo has more than two pages of 5')
  const want = all.items.map((o) => o.id)
  assert.deepEqual(await shownIds(page), want.slice(0, 5))
  await page.click('[data-test="deals-more"]')
  await until(async () => (await shownIds(page)).length === 10, 'the second page is appended')
  assert.deepEqual(await shownIds(page), want.slice(0, 10))
  assert.equal(await page.locator('[data-test="deals-count"]').getAttribute('data-count'), '10')
  while (await page.locator('[data-test="deals-more"]').count()) {
    const n = (await shownIds(page)).length
    await page.click('[data-test="deals-more"]')
    await until(async () => (await shownIds(page)).length > n, 'a page is appended')
  }
  assert.deepEqual(await shownIds(page), want, 'every deal, once, in order')
  assert.equal(await page.locator('[data-test="deals-count"]').getAttribute('data-more'), '0')
  assert.match(await page.locator('[data-test="deals-count"]').innerText(), /已全部加载/)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('the amount range is typed in 万元 and sent in fen; search, playbook and stage narrow the list', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page)
  await field(page, 'deals-amount-min').fill('500')
  await field(page, 'deals-amount-min').press('Enter')
  await page.waitForURL(/min_wan=500/)
  await settled(page)
  const big = await apiPage(page, { amount_min: '500000000' })
  assert.deepEqual(await shownIds(page), big.items.map((o) => o.id))
  for (const o of big.items) assert.ok(o.amount >= 500000000)
  // a bad amount is not applied
  await field(page, 'deals-amount-max').fill('12abc')
  await field(page, 'deals-amount-max').press('Enter')
  await page.locator('[data-test="deals-filters"]').getByText('最多两位小数').waitFor()
  assert.ok(!page.url().includes('max_wan'))
  await field(page, 'deals-amount-max').fill('')
  await field(page, 'deals-amount-max').press('Enter')

  // the playbook and one of its stages
  const deal = big.items.find((o) => o.playbook === 'ruijie-6') || big.items[0]
  await goto(page, `?playbook=${deal.playbook}&stage=${deal.stage}`)
  const byStage = await apiPage(page, { playbook: deal.playbook, stage: deal.stage })
  assert.deepEqual(await shownIds(page), byStage.items.map((o) => o.id))
  assert.ok(byStage.items.some((o) => o.id === deal.id))
  // the search box (after a pause) keeps the other filters
  const word = deal.name.slice(0, 4)
  await field(page, 'deals-search').fill(word)
  await page.waitForURL((u) => u.searchParams.get('q') === word)
  await settled(page)
  const found = await apiPage(page, { playbook: deal.playbook, stage: deal.stage, q: word })
  assert.deepEqual(await shownIds(page), found.items.map((o) => o.id))
  // a new playbook drops the stage
  await page.click('[data-test="deals-playbook"]')
  const other = page.locator('.el-select-dropdown__item:visible').filter({ hasNotText: '锐捷' }).first()
  await other.click()
  await page.waitForURL((u) => !u.searchParams.has('stage') && u.searchParams.get('playbook') !== deal.playbook)
  await settled(page)

  // nothing matches: the empty state, and its button clears every filter
  await goto(page, '?q=' + encodeURIComponent('没有这样的商机名称'))
  await page.locator('[data-test="deals-empty"]').waitFor()
  await page.locator('[data-test="deals-empty"] button').click()
  await page.waitForURL(/\/deals$/)
  await settled(page)
  assert.ok((await shownIds(page)).length > 0)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('team and stalled days reach the API', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  const teams = await must(await server.api('GET', '/teams?limit=200'), 200)
  const team = teams.items.find((x) => x.name === '华东大区') || teams.items[0]
  await goto(page, `?team=${team.id}`)
  const inTeam = await apiPage(page, { team: team.id })
  const all = await apiPage(page, { limit: '200' })
  assert.ok(inTeam.items.length > 0 && inTeam.items.length < all.items.length, 'the team has some of the deals')
  assert.deepEqual(await shownIds(page), inTeam.items.map((o) => o.id))

  await goto(page)
  await page.click('[data-test="deals-stalled-on"]')
  await page.waitForURL(/stalled_days=30/)
  await settled(page)
  const stalled = await apiPage(page, { stalled_days: '30' })
  assert.ok(stalled.items.length > 0, 'the demo has stalled deals')
  assert.deepEqual(await shownIds(page), stalled.items.map((o) => o.id))
  for (const o of stalled.items) assert.equal(o.status, 'open')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('the column chooser hides a column, and it stays hidden after a reload', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page)
  const th = page.locator('[data-test="deals-table"] th', { hasText: '创建时间' })
  assert.equal(await th.count(), 1)
  await page.click('[data-test="deals-columns"]')
  await page.locator('[data-test="deals-col-created_at"]').click()
  await until(async () => (await th.count()) === 0, 'the column is hidden')
  await page.keyboard.press('Escape')
  await page.reload()
  await settled(page)
  assert.equal(await th.count(), 0, 'still hidden after a reload')
  assert.ok(await page.locator('[data-test="deals-table"] th', { hasText: '金额' }).count())
  // shown again
  await page.click('[data-test="deals-columns"]')
  await page.locator('[data-test="deals-col-created_at"]').click()
  await until(async () => (await th.count()) === 1, 'the column is back')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a bad value in the URL shows the API\'s error, with a way back', async () => {
  const { ctx, page } = await open(demo('赵强'))
  await goto(page, '?expected_close_from=2026-13-45')
  const alert = page.locator('[data-test="deals-error"]')
  await alert.waitFor()
  assert.match(await alert.innerText(), /日期无效|expected_close_from/)
  await page.click('[data-test="deals-reset"]')
  await page.waitForURL(/\/deals$/)
  await settled(page)
  assert.ok((await shownIds(page)).length > 0)
  await ctx.close()
})
