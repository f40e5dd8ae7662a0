// Saved views (保存的视图) on the list screens, on the demo data: a
// salesperson saves the 商机 list's filters, sort and columns under a name,
// finds it again after a reload, goes back to 全部商机 and chooses it again
// (its query in the URL, its columns in the table); changes it and updates
// it, saves another as new, renames and deletes it. A manager shares an
// accounts view with their team (the team picker offers their tree only);
// a salesperson of that team sees it marked with who shared it and uses it,
// but may not change or delete it; a salesperson of another team does not
// see it; a refusal of the server is shown in the dialog. The contacts and
// activities lists keep views too, in English on a phone; a partner saves
// none. A view's tag groups (tag=a,b&tag=c) each reach the URL and the API.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, field, shot, must, until, openAs, getAs } from './server.js'
import { settled, shownIds, pick, options, noSideScroll } from './listpage.js'

let server, chrome
const teams = {}

const demo = (name) => ({ name, password: server.demoPassword })

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
  for (const t of (await must(await server.api('GET', '/teams?limit=200'), 200)).items) teams[t.name] = t
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)
const get = (page, path) => getAs(page, server.base, path)

async function viewsOf(page, resource) {
  return (await get(page, `/views?resource=${resource}&limit=200`)).items
}

const dialog = (page) => page.locator('.el-dialog:visible')

// The view's name shown in the list's view select.
async function chosen(page, key) {
  return (await page.locator(`[data-test="${key}-view-select"] .el-select__selected-item:not(.el-select__input-wrapper)`).innerText()).trim()
}

async function saveView(page, key, name, { mode = null, team = null } = {}) {
  await page.click(`[data-test="${key}-view-save"]`)
  await dialog(page).waitFor()
  if (mode) await page.click(`[data-test="view-save-${mode}"]`)
  if (name != null) await field(page, 'view-name').fill(name)
  if (team) await pick(page, 'view-team', team)
  await page.click('[data-test="view-submit"]')
}

test('a salesperson saves a deals view, reopens it after a reload, updates it, saves another, renames and deletes it', async () => {
  const { ctx, page, errors } = await open(demo('张伟'))
  await page.goto(server.base + '/deals?status=won&sort=-amount')
  await settled(page, 'deals')
  const won = (await get(page, '/opportunities?status=won&sort=-amount&limit=50')).items.map((o) => o.id)
  assert.deepEqual(await shownIds(page, 'deals', 'deal'), won)
  assert.equal(await chosen(page, 'deals'), '全部商机')
  // the created column hidden
  await page.click('[data-test="deals-columns"]')
  await page.locator('[data-test="deals-col-created_at"]').click()
  await page.keyboard.press('Escape')

  // saved: a salesperson shares with nobody
  await page.click('[data-test="deals-view-save"]')
  await dialog(page).waitFor()
  assert.equal(await page.locator('[data-test="view-team"]').count(), 0, 'no team to share with')
  await field(page, 'view-name').fill('我的赢单')
  await page.click('[data-test="view-submit"]')
  await page.waitForURL(/view=/)
  let view = (await viewsOf(page, 'opportunities')).find((v) => v.name === '我的赢单')
  assert.ok(view, 'the view is saved')
  assert.equal(view.query, 'sort=-amount&status=won')
  assert.ok(view.columns.includes('amount') && !view.columns.includes('created_at'), JSON.stringify(view.columns))
  assert.equal(new URL(page.url()).searchParams.get('view'), view.id)
  await shot(page, 'views-deals-saved')

  // after a reload: the view is the one shown, its rows
  await page.reload()
  await settled(page, 'deals')
  await until(async () => (await chosen(page, 'deals')) === '我的赢单', 'the view is chosen after a reload')
  assert.deepEqual(await shownIds(page, 'deals', 'deal'), won)
  assert.equal(await page.locator('[data-test="deals-view-modified"]').count(), 0)

  // 全部商机: every deal, the URL without a filter
  await pick(page, 'deals-view-select', '全部商机')
  await page.waitForURL((u) => u.pathname === '/deals' && !u.search)
  await settled(page, 'deals')
  const all = (await get(page, '/opportunities?sort=-created_at&limit=50')).items.map((o) => o.id)
  assert.deepEqual(await shownIds(page, 'deals', 'deal'), all)
  // the column shown again, then the view chosen: its query and its columns
  await page.click('[data-test="deals-columns"]')
  await page.locator('[data-test="deals-col-created_at"]').click()
  await page.keyboard.press('Escape')
  const created = page.locator('[data-test="deals-table"] th', { hasText: '创建时间' })
  await until(async () => (await created.count()) === 1, 'the created column is back')
  await pick(page, 'deals-view-select', '我的赢单')
  await page.waitForURL((u) => u.searchParams.get('status') === 'won' && u.searchParams.get('sort') === '-amount' &&
    u.searchParams.get('view') === view.id)
  await settled(page, 'deals')
  assert.deepEqual(await shownIds(page, 'deals', 'deal'), won)
  await until(async () => (await created.count()) === 0, 'the view\'s columns')

  // changed: marked so, and updated
  await page.click('[data-test="deals-status-lost"]')
  await page.waitForURL(/status=lost/)
  await settled(page, 'deals')
  await page.locator('[data-test="deals-view-modified"]').waitFor()
  await saveView(page, 'deals', null)
  await until(async () => (await viewsOf(page, 'opportunities')).find((v) => v.id === view.id).query === 'sort=-amount&status=lost',
    'the view is updated')
  await until(async () => (await page.locator('[data-test="deals-view-modified"]').count()) === 0, 'no longer changed')

  // another, saved as new
  await page.click('[data-test="deals-status-open"]')
  await page.waitForURL(/status=open/)
  await saveView(page, 'deals', '进行中大单', { mode: 'new' })
  await until(async () => (await viewsOf(page, 'opportunities')).length === 2, 'two views')
  const second = (await viewsOf(page, 'opportunities')).find((v) => v.name === '进行中大单')
  assert.equal(second.query, 'sort=-amount&status=open')
  await page.waitForURL((u) => u.searchParams.get('view') === second.id)
  assert.equal((await viewsOf(page, 'opportunities')).find((v) => v.id === view.id).query, 'sort=-amount&status=lost',
    'the first is kept as it was')

  // renamed, then deleted
  await page.click('[data-test="deals-view-manage"]')
  await page.locator('[data-test="view-rename"]:visible').click()
  await dialog(page).waitFor()
  await field(page, 'view-name').fill('进行中的商机')
  await page.click('[data-test="view-submit"]')
  await until(async () => (await viewsOf(page, 'opportunities')).some((v) => v.name === '进行中的商机'), 'renamed')
  await until(async () => (await chosen(page, 'deals')) === '进行中的商机', 'the new name is shown')
  await page.click('[data-test="deals-view-manage"]')
  await page.locator('[data-test="view-delete"]:visible').click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await page.waitForURL((u) => !u.searchParams.has('view') && u.searchParams.get('status') === 'open')
  assert.deepEqual((await viewsOf(page, 'opportunities')).map((v) => v.id), [view.id])
  assert.equal(await chosen(page, 'deals'), '全部商机')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a manager shares an accounts view with their team; a salesperson of it uses it but cannot delete it', async () => {
  const east = teams['华东大区']
  // the manager of 华东大区 shares with their own tree (which has no team below)
  const boss = await open(demo('孙丽'))
  await boss.page.goto(server.base + '/accounts?ownership=private')
  await settled(boss.page, 'accounts')
  await boss.page.click('[data-test="accounts-view-save"]')
  await dialog(boss.page).waitFor()
  assert.deepEqual(await options(boss.page, 'view-team'), ['不共享（仅自己可见）', '华东大区'])
  await field(boss.page, 'view-name').fill('华东民企')
  await pick(boss.page, 'view-team', '华东大区')
  await boss.page.click('[data-test="view-submit"]')
  await boss.page.waitForURL(/view=/)
  const view = (await viewsOf(boss.page, 'accounts')).find((v) => v.name === '华东民企')
  assert.equal(view.shared_team_id, east.id)
  await boss.page.locator('[data-test="accounts-view-shared-with"]', { hasText: '华东大区' }).waitFor()
  assert.deepEqual(boss.errors, [])

  // the head office's manager may share with the whole tree
  const top = await open(demo('赵强'))
  await top.page.goto(server.base + '/accounts')
  await settled(top.page, 'accounts')
  await top.page.click('[data-test="accounts-view-save"]')
  await dialog(top.page).waitFor()
  assert.deepEqual(new Set(await options(top.page, 'view-team')),
    new Set(['不共享（仅自己可见）', '销售总部', '华东大区', '华南大区', '售前中心']))
  await top.ctx.close()

  // a salesperson of 华东大区, in English on a phone
  const sales = await open(demo('张伟'), { width: 375, lang: 'en' })
  await sales.page.goto(server.base + '/accounts')
  await settled(sales.page, 'accounts')
  const offered = await options(sales.page, 'accounts-view-select')
  assert.ok(offered.some((o) => o.includes('华东民企') && o.includes('shared by 孙丽')), JSON.stringify(offered))
  await pick(sales.page, 'accounts-view-select', '华东民企')
  await sales.page.waitForURL((u) => u.searchParams.get('ownership') === 'private' && u.searchParams.get('view') === view.id)
  await settled(sales.page, 'accounts')
  const rows = (await get(sales.page, '/accounts?ownership=private&sort=name&limit=50')).items.map((a) => a.id)
  assert.deepEqual(await shownIds(sales.page, 'accounts', 'account'), rows)
  assert.match(await sales.page.locator('[data-test="accounts-view-shared-by"]').innerText(), /shared by 孙丽/)
  assert.equal(await sales.page.locator('[data-test="accounts-view-manage"]').count(), 0, 'no rename, share or delete')
  await noSideScroll(sales.page, 'the shared view on a phone')
  await shot(sales.page, 'views-shared-375-en')
  assert.deepEqual(sales.errors, [])
  // nor through the API (the browser logs its 403)
  const status = await sales.page.evaluate(async ([id, v]) => (await fetch('/api/v1/views/' + id, {
    method: 'DELETE', headers: { 'X-CSRF-Token': sessionStorage.getItem('bingfa.csrf'), 'If-Match': `"${v}"` },
  })).status, [view.id, view.version])
  assert.equal(status, 403)
  // saving it again makes a view of their own (no update of the shared one)
  await sales.page.click('[data-test="accounts-view-save"]')
  await dialog(sales.page).waitFor()
  assert.equal(await sales.page.locator('[data-test="view-save-update"]').count(), 0)
  await sales.page.keyboard.press('Escape')
  await sales.ctx.close()

  // a salesperson of another team does not see it
  const other = await open(demo('王磊'))
  await other.page.goto(server.base + '/accounts')
  await settled(other.page, 'accounts')
  assert.ok(!(await viewsOf(other.page, 'accounts')).some((v) => v.id === view.id))
  assert.ok(!(await options(other.page, 'accounts-view-select')).some((o) => o.includes('华东民企')))
  await other.ctx.close()

  // the server's refusal is shown: the view was changed meanwhile
  await must(await server.api('PATCH', '/views/' + view.id, { name: '华东民营客户' }, { 'If-Match': `"${view.version}"` }), 200)
  await boss.page.click('[data-test="accounts-view-manage"]')
  await boss.page.locator('[data-test="view-rename"]:visible').click()
  await dialog(boss.page).waitFor()
  await field(boss.page, 'view-name').fill('华东私企')
  await boss.page.click('[data-test="view-submit"]')
  const error = boss.page.locator('[data-test="view-error"]')
  await error.waitFor()
  assert.match(await error.innerText(), /记录已被他人修改/)
  await boss.ctx.close()
})

test('the contacts and activities lists keep views too, in English at 375 px; a partner saves none', async () => {
  const { ctx, page, errors } = await open(demo('赵强'), { width: 375, lang: 'en' })
  for (const [key, path, query, name, allName] of [
    ['contacts', '/contacts', 'attitude=supporter', 'Supporters', 'All contacts'],
    ['activities', '/activities/list', 'type=visit', 'Visits', 'All activities'],
  ]) {
    await page.goto(`${server.base}${path}?${query}`)
    await settled(page, key)
    await saveView(page, key, name)
    await page.waitForURL(/view=/)
    const view = (await viewsOf(page, key)).find((v) => v.name === name)
    assert.equal(view.query, query)
    await page.reload()
    await settled(page, key)
    await until(async () => (await chosen(page, key)) === name, key + ': the view after a reload')
    await pick(page, key + '-view-select', allName)
    await page.waitForURL((u) => u.pathname === path && !u.search)
    await settled(page, key)
    await pick(page, key + '-view-select', name)
    await page.waitForURL((u) => u.search.includes(query) && u.searchParams.get('view') === view.id)
    await settled(page, key)
    const [k, v] = query.split('=')
    const rows = (await get(page, `/${key}?${query}&sort=${key === 'contacts' ? 'name' : '-planned_at'}&limit=50`)).items
    assert.ok(rows.length > 0)
    assert.deepEqual(await shownIds(page, key, key === 'contacts' ? 'contact' : 'activity'), rows.map((r) => r.id))
    for (const r of rows) assert.equal(r[k], v)
    await noSideScroll(page, key)
    await shot(page, `views-${key}-375-en`)
  }
  assert.deepEqual(errors, [])
  await ctx.close()

  const partner = await open(demo('钱伟'))
  await partner.page.goto(server.base + '/deals')
  await settled(partner.page, 'deals')
  await partner.page.locator('[data-test="deals-view-select"]').waitFor()
  assert.equal(await partner.page.locator('[data-test="deals-view-save"]').count(), 0)
  assert.deepEqual(partner.errors, [])
  await partner.ctx.close()
})

test('a view with tag groups (tag=a,b&tag=c, saved through the API) puts each group in the URL; one dropped and saved, the view keeps the other', async () => {
  // deals tagged: one 信创 and Q4, one 重点 and Q4, one Q4 only
  const deals = (await must(await server.api('GET', '/opportunities?sort=name&limit=3'), 200)).items
  const sets = [['信创', 'Q4'], ['重点', 'Q4'], ['Q4']]
  for (const [i, d] of deals.entries()) {
    await must(await server.api('PATCH', '/opportunities/' + d.id, { tags: sets[i] }, { 'If-Match': `"${d.version}"` }), 200)
  }
  const { ctx, page, errors } = await open(demo('赵强'))
  // saved through the API as the manager (the page's session and its CSRF token)
  const res = await page.context().request.post(server.base + '/api/v1/views', {
    data: { resource: 'opportunities', name: '信创或重点·Q4', query: 'tag=信创,重点&tag=Q4' },
    headers: { 'X-CSRF-Token': await page.evaluate(() => sessionStorage.getItem('bingfa.csrf')) },
  })
  assert.equal(res.status(), 201, await res.text())
  const view = await res.json()
  await page.goto(server.base + '/deals')
  await settled(page, 'deals')
  await page.click('[data-test="deals-view-select"]')
  await page.locator('.el-select-dropdown__item:visible', { hasText: view.name }).first().click()
  await page.waitForURL((u) => u.searchParams.getAll('tag').length === 2)
  await settled(page, 'deals')
  assert.deepEqual(new URL(page.url()).searchParams.getAll('tag'), ['信创,重点', 'Q4'])
  const api = await get(page, '/opportunities?sort=-created_at&limit=50&tag=' + encodeURIComponent('信创,重点') + '&tag=Q4')
  assert.deepEqual([...await shownIds(page, 'deals', 'deal')].sort(), deals.slice(0, 2).map((d) => d.id).sort())
  assert.deepEqual(await shownIds(page, 'deals', 'deal'), api.items.map((d) => d.id))
  // the first group in the filter, the second as a tag that drops it
  assert.match(await page.locator('[data-test="deals-tags-and"]').innerText(), /Q4/)
  assert.equal(await page.locator('[data-test="deals-view-modified"]').count(), 0, 'the view as it was')
  await page.locator('[data-test="deals-tags-and"] .el-tag__close').click()
  await page.waitForURL((u) => u.searchParams.getAll('tag').length === 1)
  await settled(page, 'deals')
  await page.locator('[data-test="deals-view-modified"]').waitFor()
  // saved over the view: its query keeps the group left
  await saveView(page, 'deals', null)
  await until(async () => (await page.locator('[data-test="deals-view-modified"]').count()) === 0, 'saved')
  const saved = await get(page, '/views/' + view.id)
  assert.deepEqual(new URLSearchParams(saved.query).getAll('tag'), ['信创,重点'])
  assert.deepEqual(errors, [])
  await ctx.close()
})
