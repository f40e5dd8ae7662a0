// The lists of 客户 (/accounts), 联系人 (/contacts) and 活动
// (/activities/list), on the demo data: each opens from the navigation for
// the manager in Chinese and English at 1366 and 375 px (a phone's few
// columns, the filters folded away, nothing scrolling sideways, no console
// errors) and shows the API's first page in the list's order; filters change
// the rows and the URL (and back undoes them); a header sorts on the server;
// the column chooser hides a column for good; 加载更多 appends the next page;
// a row opens its record; a salesperson sees what the API gives them; a team
// narrows accounts and activities; tags show as chips (bulk.test.js: tags,
// bulk actions and exports).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, field, shot, must, until, openAs, getAs } from './server.js'
import { settled, shownIds, headers, pick, noSideScroll } from './listpage.js'

let server, chrome

const demo = (name) => ({ name, password: server.demoPassword })

const LISTS = [
  { key: 'accounts', row: 'account', path: '/accounts', nav: 'nav-accounts', api: '/accounts', sort: 'name',
    title: { zh: '客户', en: 'Accounts' }, phone: { zh: ['客户名称', '行业', '区域'], en: ['Account', 'Industry', 'Region'] } },
  { key: 'contacts', row: 'contact', path: '/contacts', nav: 'nav-contacts', api: '/contacts', sort: 'name',
    title: { zh: '联系人', en: 'Contacts' }, phone: { zh: ['姓名', '客户', '职务'], en: ['Name', 'Account', 'Title'] } },
  { key: 'activities', row: 'activity', path: '/activities/list', nav: 'nav-activities', api: '/activities',
    sort: '-planned_at', title: { zh: '活动', en: 'Activities' },
    phone: { zh: ['主题', '计划时间', '完成'], en: ['Subject', 'Planned', 'Done'] } },
]
const byKey = Object.fromEntries(LISTS.map((l) => [l.key, l]))

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)
const get = (page, path) => getAs(page, server.base, path)

// A list's first page as the page's user, for a query.
async function apiPage(page, list, query = {}) {
  const q = new URLSearchParams({ sort: list.sort, limit: '50', ...query })
  return get(page, list.api + '?' + q)
}

async function goto(page, list, search = '') {
  await page.goto(server.base + list.path + search)
  await settled(page, list.key)
}

const ids = (page, list) => shownIds(page, list.key, list.row)

test('each list opens from the navigation in zh and en at 1366 and 375 px with the API\'s first page', async () => {
  for (const list of LISTS) {
    for (const width of [1366, 375]) {
      for (const lang of ['zh', 'en']) {
        const what = `${list.key} ${width} ${lang}`
        const { ctx, page, errors } = await open(demo('赵强'), { width, lang })
        if (width === 1366) {
          await page.click(`[data-test="${list.nav}"]`)
        } else {
          await page.locator('.nav > .el-sub-menu').last().hover()
          await page.locator(`[data-test="${list.nav}"]:visible`).click()
          // the pointer leaves the menu, which folds away
          await page.mouse.move(5, 880)
          await until(async () => (await page.locator('.el-menu--popup:visible').count()) === 0, 'the menu folds away')
        }
        if (list.key === 'activities') {
          // the agenda first; the list beside it
          await page.waitForURL(/\/activities$/)
          await page.click('[data-test="act-mode-list"]')
        }
        await page.waitForURL((u) => u.pathname === list.path)
        await settled(page, list.key)
        assert.equal(await page.locator(`[data-test="${list.key}"] h2`).innerText(), list.title[lang], what)
        const api = await apiPage(page, list)
        assert.ok(api.items.length > 0, `the demo has ${list.key}`)
        assert.deepEqual(await ids(page, list), api.items.map((o) => o.id), what)
        assert.equal(Number(await page.locator(`[data-test="${list.key}-count"]`).getAttribute('data-count')), api.items.length)
        if (width === 375) {
          assert.deepEqual(await headers(page, list.key), list.phone[lang], what)
          assert.equal(await page.locator(`[data-test="${list.key}-filters"]`).isVisible(), false)
          await noSideScroll(page, what)
          await page.click(`[data-test="${list.key}-filter-toggle"]`)
          await page.locator(`[data-test="${list.key}-filters"]`).waitFor()
          await noSideScroll(page, what + ' with the filters open')
        } else {
          assert.ok((await headers(page, list.key)).length > 4, what)
          assert.equal(await page.locator(`[data-test="${list.key}-filters"]`).isVisible(), true)
          await noSideScroll(page, what)
        }
        // the names of the accounts and deals the rows point at came in
        await until(async () => (await page.locator(`[data-test="${list.key}-table"] .el-table__body`).innerText()).indexOf('…') < 0,
          what + ': the names are shown')
        await shot(page, `list-${list.key}-${width}-${lang}`)
        assert.deepEqual(errors, [], 'console errors: ' + what)
        await ctx.close()
      }
    }
  }
})

test('accounts: ownership, industry and owner narrow the rows and the URL; back undoes a filter', async () => {
  const list = byKey.accounts
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page, list)
  const all = await ids(page, list)
  await pick(page, 'accounts-ownership', '国有')
  await page.waitForURL(/ownership=state_owned/)
  await settled(page, list.key)
  const state = await apiPage(page, list, { ownership: 'state_owned' })
  assert.ok(state.items.length > 0 && state.items.length < all.length, 'some accounts are state owned')
  assert.deepEqual(await ids(page, list), state.items.map((a) => a.id))

  // an industry seen in the rows
  const industry = state.items[0].industry
  await pick(page, 'accounts-industry', industry)
  await page.waitForURL((u) => u.searchParams.get('industry') === industry)
  await settled(page, list.key)
  const both = await apiPage(page, list, { ownership: 'state_owned', industry })
  assert.deepEqual(await ids(page, list), both.items.map((a) => a.id))
  for (const a of both.items) assert.equal(a.industry, industry)

  await page.goBack()
  await page.waitForURL((u) => !u.searchParams.has('industry'))
  await settled(page, list.key)
  assert.deepEqual(await ids(page, list), state.items.map((a) => a.id), 'back: the industry goes')

  // the owner, from the people
  await page.click('[data-test="accounts-reset"]')
  await page.waitForURL((u) => !u.search)
  await settled(page, list.key)
  await pick(page, 'accounts-owner_id', '张伟')
  await page.waitForURL(/owner_id=/)
  await settled(page, list.key)
  const owner = new URL(page.url()).searchParams.get('owner_id')
  const his = await apiPage(page, list, { owner_id: owner })
  assert.ok(his.items.length > 0)
  assert.deepEqual(await ids(page, list), his.items.map((a) => a.id))
  for (const a of his.items) assert.equal(a.owner, '张伟')

  // nothing matches: the empty state clears every filter
  await goto(page, list, '?q=' + encodeURIComponent('没有这样的客户'))
  await page.locator('[data-test="accounts-empty"]').waitFor()
  await page.locator('[data-test="accounts-empty"] button').click()
  await page.waitForURL((u) => !u.search)
  await settled(page, list.key)
  assert.deepEqual(await ids(page, list), all)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('contacts: buying role and account narrow the rows; the account is named in its filter', async () => {
  const list = byKey.contacts
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page, list)
  await pick(page, 'contacts-buying_role', '拍板者')
  await page.waitForURL(/buying_role=approver/)
  await settled(page, list.key)
  const approvers = await apiPage(page, list, { buying_role: 'approver' })
  assert.ok(approvers.items.length > 0, 'the demo has approvers')
  assert.deepEqual(await ids(page, list), approvers.items.map((c) => c.id))
  for (const c of approvers.items) assert.equal(c.buying_role, 'approver')

  // an account searched by name in its filter
  const account = await get(page, '/accounts/' + approvers.items[0].account_id)
  await page.click('[data-test="contacts-reset"]')
  await page.waitForURL((u) => !u.search)
  await settled(page, list.key)
  await page.click('[data-test="contacts-account_id"]')
  await page.keyboard.type(account.name.slice(0, 4))
  await page.locator('.el-select-dropdown__item:visible', { hasText: account.name }).first().click()
  await page.waitForURL((u) => u.searchParams.get('account_id') === account.id)
  await settled(page, list.key)
  const of = await apiPage(page, list, { account_id: account.id })
  assert.deepEqual(await ids(page, list), of.items.map((c) => c.id))
  // after a reload the filter still names the account
  await page.reload()
  await settled(page, list.key)
  await until(async () => (await page.locator('[data-test="contacts-filters"]').innerText()).includes(account.name) ||
    (await page.locator('[data-test="contacts-account_id"] .el-select__selected-item').allInnerTexts()).join().includes(account.name),
  'the account filter shows its name')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('activities: type, planned days and a deal narrow the rows', async () => {
  const list = byKey.activities
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page, list)
  await pick(page, 'activities-type', '拜访')
  await page.waitForURL(/type=visit/)
  await settled(page, list.key)
  const visits = await apiPage(page, list, { type: 'visit' })
  assert.ok(visits.items.length > 0)
  assert.deepEqual(await ids(page, list), visits.items.map((a) => a.id))

  // planned between two days (as the URL keeps them)
  const all = await apiPage(page, list, { limit: '200' })
  const days = all.items.filter((a) => a.planned_at).map((a) => a.planned_at.slice(0, 10))
  const to = days[Math.min(3, days.length - 1)]
  const from = days[Math.min(15, days.length - 1)]
  await goto(page, list, `?planned_at_from=${from}&planned_at_to=${to}`)
  const between = await apiPage(page, list, { planned_at_from: from, planned_at_to: to })
  assert.ok(between.items.length > 0 && between.items.length < all.items.length)
  assert.deepEqual(await ids(page, list), between.items.map((a) => a.id))
  assert.equal(await page.locator('[data-test="activities-planned_at-from"] input').inputValue(), from)

  // a deal searched by name
  const deal = await get(page, '/opportunities/' + visits.items.find((a) => a.opportunity_id).opportunity_id)
  await page.click('[data-test="activities-opportunity_id"]')
  await page.keyboard.type(deal.name.slice(0, 4))
  await page.locator('.el-select-dropdown__item:visible', { hasText: deal.name }).first().click()
  await page.waitForURL((u) => u.searchParams.get('opportunity_id') === deal.id)
  await settled(page, list.key)
  const ofDeal = await apiPage(page, list, { planned_at_from: from, planned_at_to: to, opportunity_id: deal.id })
  assert.deepEqual(await ids(page, list), ofDeal.items.map((a) => a.id))
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('accounts and activities: a team narrows the rows to its tree\'s owners and the owners offered; tags as chips', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  const teams = await must(await server.api('GET', '/teams?limit=200'), 200)
  const south = teams.items.find((x) => x.name === '华南大区')
  // a tag on one account, shown as a chip in its row
  const tagged = (await must(await server.api('GET', '/accounts?sort=name&limit=1'), 200)).items[0]
  await must(await server.api('PATCH', '/accounts/' + tagged.id, { tags: ['华南重点', '信创'] },
    { 'If-Match': `"${tagged.version}"` }), 200)
  for (const list of [byKey.accounts, byKey.activities]) {
    await goto(page, list)
    const all = (await apiPage(page, list, { limit: '200' })).items
    await pick(page, `${list.key}-team`, '华南大区')
    await page.waitForURL((u) => u.searchParams.get('team') === south.id)
    await settled(page, list.key)
    const inTeam = await apiPage(page, list, { team: south.id })
    assert.ok(inTeam.items.length < all.length, `the team has some of the ${list.key}`)
    assert.deepEqual(await ids(page, list), inTeam.items.map((o) => o.id), list.key)
    // the owners offered are the team's
    await until(async () => (await page.locator('.el-select-dropdown:visible').count()) === 0, 'the team folds away')
    await page.click(`[data-test="${list.key}-owner_id"]`)
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').first().waitFor()
    const offered = (await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').allInnerTexts()).map((x) => x.trim())
    await page.keyboard.press('Escape')
    assert.ok(offered.includes('王磊') && !offered.includes('张伟'), `${list.key}: ${offered}`)
    // an owner outside the team is dropped when the team comes after it
    await goto(page, list, '?owner_id=' + (await must(await server.api('GET', '/users?limit=200'), 200)).items
      .find((u) => u.name === '张伟').id)
    await pick(page, `${list.key}-team`, '华南大区')
    await page.waitForURL((u) => u.searchParams.get('team') === south.id && !u.searchParams.has('owner_id'))
  }
  await goto(page, byKey.accounts)
  const row = page.locator('[data-test="accounts-table"] .el-table__body tr', {
    has: page.locator(`[data-test="account-link-${tagged.id}"]`),
  })
  assert.deepEqual((await row.locator('[data-test="row-tags"] .el-tag').allInnerTexts()).map((x) => x.trim()), ['华南重点', '信创'])
  assert.ok((await headers(page, 'accounts')).includes('标签'))
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a header sorts on the server, descending on the second click, kept after a reload', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  for (const [list, label, sort] of [[byKey.accounts, '员工人数', 'employees'], [byKey.activities, '负责人', 'owner'],
    [byKey.contacts, '影响力', 'influence']]) {
    await goto(page, list)
    const th = page.locator(`[data-test="${list.key}-table"] th`, { hasText: label })
    await th.click()
    await page.waitForURL((u) => u.searchParams.get('sort') === sort)
    await settled(page, list.key)
    assert.deepEqual(await ids(page, list), (await apiPage(page, list, { sort })).items.map((o) => o.id), list.key)
    await th.click()
    await page.waitForURL((u) => u.searchParams.get('sort') === '-' + sort)
    await settled(page, list.key)
    const desc = await apiPage(page, list, { sort: '-' + sort })
    assert.deepEqual(await ids(page, list), desc.items.map((o) => o.id), list.key + ' descending')
    await page.reload()
    await settled(page, list.key)
    assert.deepEqual(await ids(page, list), desc.items.map((o) => o.id))
    assert.equal(await page.locator(`[data-test="${list.key}-table"] th.descending`, { hasText: label }).count(), 1)
  }
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('the column chooser hides a column for good; a phone keeps its own choice', async () => {
  const list = byKey.contacts
  const { ctx, page, errors } = await open(demo('赵强'))
  await goto(page, list)
  const th = page.locator('[data-test="contacts-table"] th', { hasText: '部门' })
  assert.equal(await th.count(), 1)
  await page.click('[data-test="contacts-columns"]')
  await page.locator('[data-test="contacts-col-department"]').click()
  await until(async () => (await th.count()) === 0, 'the column is hidden')
  await page.keyboard.press('Escape')
  await page.reload()
  await settled(page, list.key)
  assert.equal(await th.count(), 0, 'still hidden after a reload')
  // a hidden-by-default column shown
  await page.click('[data-test="contacts-columns"]')
  await page.locator('[data-test="contacts-col-phone"]').click()
  await page.locator('[data-test="contacts-table"] th', { hasText: '电话' }).waitFor()
  await page.keyboard.press('Escape')
  // a phone: its few columns, and one more chosen there
  await page.setViewportSize({ width: 375, height: 800 })
  await goto(page, list)
  assert.deepEqual(await headers(page, list.key), ['姓名', '客户', '职务'])
  await page.click('[data-test="contacts-columns"]')
  await page.locator('[data-test="contacts-col-attitude"]').click()
  await until(async () => (await headers(page, list.key)).includes('态度'), 'the phone shows the attitude')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('加载更多 appends the next pages of the same order; a row opens its record', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  const list = byKey.contacts
  await goto(page, list, '?limit=5')
  const want = (await apiPage(page, list, { limit: '200' })).items.map((c) => c.id)
  assert.ok(want.length > 10, 'more than two pages of contacts')
  assert.deepEqual(await ids(page, list), want.slice(0, 5))
  while (await page.locator('[data-test="contacts-more"]').count()) {
    const n = (await ids(page, list)).length
    await page.click('[data-test="contacts-more"]')
    await until(async () => (await ids(page, list)).length > n, 'a page is appended')
  }
  assert.deepEqual(await ids(page, list), want)

  // a contact opens its account; a click elsewhere in an account's row opens it
  const contact = await get(page, '/contacts/' + want[0])
  await page.click(`[data-test="contact-link-${contact.id}"]`)
  await page.waitForURL((u) => u.pathname === '/accounts/' + contact.account_id)
  await page.locator('[data-test="account-title"]').waitFor()
  await goto(page, byKey.accounts)
  const first = (await ids(page, byKey.accounts))[0]
  await page.locator('[data-test="accounts-table"] .el-table__body tr').first().locator('td').nth(2).click()
  await page.waitForURL((u) => u.pathname === '/accounts/' + first)
  // an activity opens its deal, one without a deal its account
  const acts = (await apiPage(page, byKey.activities, { limit: '200' })).items
  const withDeal = acts.find((a) => a.opportunity_id)
  await goto(page, byKey.activities, `?opportunity_id=${withDeal.opportunity_id}&limit=200`)
  await page.click(`[data-test="activity-link-${withDeal.id}"]`)
  await page.waitForURL((u) => u.pathname === '/opportunities/' + withDeal.opportunity_id)
  const noDeal = acts.find((a) => !a.opportunity_id && a.account_id)
  if (noDeal) {
    await goto(page, byKey.activities, '?account_id=' + noDeal.account_id + '&limit=200')
    await page.click(`[data-test="activity-link-${noDeal.id}"]`)
    await page.waitForURL((u) => u.pathname === '/accounts/' + noDeal.account_id)
  }
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a salesperson sees the rows the API gives them; the search narrows them', async () => {
  const { ctx, page, errors } = await open(demo('张伟'))
  for (const list of LISTS) {
    await goto(page, list)
    const mine = await apiPage(page, list)
    const everyone = await must(await server.api('GET', `${list.api}?limit=200`), 200)
    assert.ok(mine.items.length <= everyone.items.length)
    assert.deepEqual(await ids(page, list), mine.items.map((o) => o.id), list.key)
  }
  const list = byKey.accounts
  await goto(page, list)
  const first = (await apiPage(page, list)).items[0]
  const word = first.name.slice(0, 3)
  await field(page, 'accounts-search').fill(word)
  await page.waitForURL((u) => u.searchParams.get('q') === word)
  await settled(page, list.key)
  assert.deepEqual(await ids(page, list), (await apiPage(page, list, { q: word })).items.map((a) => a.id))
  assert.deepEqual(errors, [])
  await ctx.close()
})
