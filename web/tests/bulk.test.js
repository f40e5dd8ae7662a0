// Tags, bulk actions and exports on the list screens (docs/lists.md), on the
// demo data: a manager chooses two deals of their team and transfers them to
// another salesperson (the owners change, each transfer is audited with the
// reason); a salesperson is offered no 转移负责人; a transfer that takes in
// a deal outside the manager's tree is refused whole — the dialog names the
// deal and why, and no owner or version changed; tags added to chosen
// accounts show as chips and the tag filter then finds only them (kept in
// the URL and in a saved view); 选择全部符合条件的 tags the whole filtered
// list through its query; 导出 and 导出所选 download CSV and Excel files
// named by the server. In Chinese and English, at 1366 and 375 px.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startServer, startBrowser, field, shot, must, until, openAs, getAs } from './server.js'
import { settled, shownIds, pick, noSideScroll } from './listpage.js'

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

const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)
const get = (page, path) => getAs(page, server.base, path)

async function goto(page, path, key) {
  await page.goto(server.base + path)
  await settled(page, key)
}

// Ticks the box of the row of record id (the phone's 选择 mode on first).
async function choose(page, key, rowTest, id) {
  const row = page.locator(`[data-test="${key}-table"] .el-table__body tr`, {
    has: page.locator(`[data-test="${rowTest}-link-${id}"]`),
  })
  await row.locator('.el-checkbox').first().click()
}

// The record as the admin reads it.
async function record(path) {
  return must(await server.api('GET', path), 200)
}

// Types a tag into the bulk dialog's tag input (Enter makes it one).
async function typeTag(page, tag) {
  await page.click('[data-test="bulk-tags-input"]')
  await page.keyboard.type(tag)
  await page.locator('.el-select-dropdown__item:visible', { hasText: tag }).first().waitFor()
  await page.keyboard.press('Enter')
  await until(async () => (await page.locator('[data-test="bulk-tags-input"] .el-tag').allInnerTexts()).some((s) => s.trim() === tag),
    'the tag is chosen: ' + tag)
  await page.keyboard.press('Escape')
}

// The console's errors but the refusal's own answer (422, shown in the dialog).
const unexpected = (errors) => errors.filter((e) => !/status of 422/.test(e))

async function message(page, kind = 'success') {
  const m = page.locator(`.el-message--${kind}`).last()
  await m.waitFor()
  return (await m.innerText()).trim()
}

test('a manager transfers two deals of their team to another salesperson: owners change, each audited', async () => {
  for (const [width, lang] of [[1366, 'zh'], [375, 'en']]) {
    const what = `${width} ${lang}`
    const { ctx, page, errors } = await open(demo('孙丽'), { width, lang })
    await goto(page, '/deals?status=open&owner_id=' + users['张伟'].id, 'deals')
    const ids = (await shownIds(page, 'deals', 'deal')).slice(0, 2)
    assert.equal(ids.length, 2, '张伟 has two open deals: ' + what)
    const before = await Promise.all(ids.map((id) => record('/opportunities/' + id)))
    if (width === 375) {
      // a phone shows the boxes in 选择 mode only
      assert.equal(await page.locator('[data-test="deals-table"] .el-table__body .el-checkbox').count(), 0)
      await page.click('[data-test="deals-select-mode"]')
    }
    for (const id of ids) await choose(page, 'deals', 'deal', id)
    const count = page.locator('[data-test="deals-bulk-count"]')
    assert.equal(await count.getAttribute('data-count'), '2')
    assert.equal((await count.innerText()).trim(), lang === 'zh' ? '已选 2 条' : '2 selected')
    if (width === 375) await noSideScroll(page, 'the bulk bar at ' + what)
    await shot(page, `bulk-deals-chosen-${width}-${lang}`)

    await page.click('[data-test="deals-bulk-transfer"]')
    await page.locator('[data-test="bulk-transfer-owner"]').waitFor()
    await pick(page, 'bulk-transfer-owner', '李娜')
    const reason = `张伟调往华南（${what}）`
    await field(page, 'bulk-transfer-reason').fill(reason)
    await shot(page, `bulk-transfer-dialog-${width}-${lang}`)
    await page.click('[data-test="bulk-submit"]')
    assert.match(await message(page), lang === 'zh' ? /已转移 2 条/ : /2 transferred/)
    // the rows read again: 张伟's list no longer holds them, nothing is chosen
    await settled(page, 'deals')
    await until(async () => (await page.locator('[data-test="deals-bulk"]').count()) === 0, 'the selection is cleared')
    const now = await shownIds(page, 'deals', 'deal')
    for (const id of ids) assert.ok(!now.includes(id), `${id} left 张伟's list: ${what}`)

    for (const [i, id] of ids.entries()) {
      const d = await record('/opportunities/' + id)
      assert.equal(d.owner_id, users['李娜'].id, 'the new owner: ' + what)
      assert.equal(d.stage, before[i].stage, 'the stage stays')
      assert.equal(d.version, before[i].version + 1)
      const audit = await must(await server.api('GET', `/audit?record_id=${id}&action=transfer`), 200)
      assert.equal(audit.items.length, 1, 'one audit entry for ' + id)
      assert.equal(audit.items[0].actor, '孙丽')
      assert.deepEqual(audit.items[0].new, { owner_id: users['李娜'].id, owner: '李娜', reason })
      assert.equal(audit.items[0].old.owner_id, users['张伟'].id)
    }
    assert.deepEqual(errors, [], 'console errors: ' + what)
    await ctx.close()
  }
})

test('a salesperson is offered tags and 导出所选 but no 转移负责人', async () => {
  for (const [width, lang] of [[1366, 'en'], [375, 'zh']]) {
    const { ctx, page, errors } = await open(demo('李娜'), { width, lang })
    for (const [path, key, row] of [['/deals', 'deals', 'deal'], ['/accounts', 'accounts', 'account']]) {
      await goto(page, path, key)
      if (width === 375) await page.click(`[data-test="${key}-select-mode"]`)
      const [id] = await shownIds(page, key, row)
      await choose(page, key, row, id)
      await page.locator(`[data-test="${key}-bulk"]`).waitFor()
      assert.equal(await page.locator(`[data-test="${key}-bulk-transfer"]`).count(), 0, `no transfer on ${key}`)
      assert.equal(await page.locator(`[data-test="${key}-bulk-add-tag"]`).count(), 1)
      assert.equal(await page.locator(`[data-test="${key}-bulk-export"]`).count(), 1)
    }
    assert.deepEqual(errors, [], `console errors: ${width} ${lang}`)
    await ctx.close()
  }
  // the manager's lists offer it
  const { ctx, page } = await open(demo('孙丽'))
  await goto(page, '/accounts', 'accounts')
  const [id] = await shownIds(page, 'accounts', 'account')
  await choose(page, 'accounts', 'account', id)
  await page.locator('[data-test="accounts-bulk-transfer"]').waitFor()
  // contacts have no owner to transfer
  await goto(page, '/contacts', 'contacts')
  const [c] = await shownIds(page, 'contacts', 'contact')
  await choose(page, 'contacts', 'contact', c)
  await page.locator('[data-test="contacts-bulk"]').waitFor()
  assert.equal(await page.locator('[data-test="contacts-bulk-transfer"]').count(), 0)
  await ctx.close()
})

test('a transfer taking in a deal outside the manager\'s tree is refused whole: the dialog says which and why', async () => {
  // 王磊 (华南) owns it; 孙丽 (华东) sees it from its deal team, but may not move it
  const south = (await must(await server.api('GET', `/opportunities?owner_id=${users['王磊'].id}&status=open&limit=1`), 200)).items[0]
  assert.ok(south, 'the demo has an open deal of 王磊')
  await must(await server.api('PUT', `/opportunities/${south.id}/team/${users['孙丽'].id}`, { role: 'consultant' }), 200)
  for (const [width, lang] of [[375, 'zh'], [1366, 'en']]) {
    const what = `${width} ${lang}`
    const { ctx, page, errors } = await open(demo('孙丽'), { width, lang })
    await goto(page, '/deals?status=open', 'deals')
    const shown = await shownIds(page, 'deals', 'deal')
    assert.ok(shown.includes(south.id), '孙丽 sees the deal of 王磊')
    const mine = (await get(page, `/opportunities?status=open&owner_id=${users['李娜'].id}&limit=1`)).items[0]
    assert.ok(mine && shown.includes(mine.id), 'and one of 李娜')
    const ids = [mine.id, south.id]
    const before = await Promise.all(ids.map((id) => record('/opportunities/' + id)))
    if (width === 375) await page.click('[data-test="deals-select-mode"]')
    for (const id of ids) await choose(page, 'deals', 'deal', id)
    await page.click('[data-test="deals-bulk-transfer"]')
    await pick(page, 'bulk-transfer-owner', '张伟')
    await field(page, 'bulk-transfer-reason').fill('区域调整')
    await page.click('[data-test="bulk-submit"]')

    const dialog = page.locator('[data-test="bulk-refused"]')
    await dialog.waitFor()
    const rows = page.locator('[data-test="bulk-refused-row"]')
    assert.equal(await rows.count(), 1, what)
    assert.equal(await rows.first().getAttribute('data-id'), south.id)
    const text = await rows.first().innerText()
    assert.ok(text.includes(south.name), 'the refused deal by its name: ' + text)
    if (lang === 'zh') assert.match(text, /无权执行此操作/)
    assert.match(await page.locator('[data-test="bulk-refused-summary"]').innerText(),
      lang === 'zh' ? /2 条中有 1 条不能修改，因此没有修改任何记录/ : /1 of the 2 records may not be changed, so none was changed/)
    if (width === 375) await noSideScroll(page, 'the refusal at ' + what)
    await shot(page, `bulk-refused-${width}-${lang}`)
    await page.click('[data-test="bulk-refused-close"]')

    // nothing changed, and the rows stay chosen
    for (const [i, id] of ids.entries()) {
      const d = await record('/opportunities/' + id)
      assert.equal(d.owner_id, before[i].owner_id, 'the owner stays: ' + what)
      assert.equal(d.version, before[i].version, 'the version stays: ' + what)
      const audit = await must(await server.api('GET', `/audit?record_id=${id}&action=transfer`), 200)
      assert.equal(audit.items.filter((e) => e.new && e.new.reason === '区域调整').length, 0)
    }
    assert.equal(await page.locator('[data-test="deals-bulk-count"]').getAttribute('data-count'), '2')
    assert.deepEqual(unexpected(errors), [], 'console errors: ' + what)
    await ctx.close()
  }
})

test('tags added to chosen accounts show as chips; the tag filter then finds only them, in the URL and a saved view', async () => {
  for (const [width, lang, tag] of [[375, 'zh', '重点客户'], [1366, 'en', 'Q4-key']]) {
    const what = `${width} ${lang}`
    const { ctx, page, errors } = await open(demo('孙丽'), { width, lang })
    await goto(page, '/accounts', 'accounts')
    const ids = (await shownIds(page, 'accounts', 'account')).slice(1, 3)
    assert.equal(ids.length, 2)
    if (width === 375) await page.click('[data-test="accounts-select-mode"]')
    for (const id of ids) await choose(page, 'accounts', 'account', id)
    await page.click('[data-test="accounts-bulk-add-tag"]')
    await typeTag(page, tag)
    await shot(page, `bulk-tags-dialog-${width}-${lang}`)
    await page.click('[data-test="bulk-submit"]')
    assert.match(await message(page), lang === 'zh' ? /已为 2 条加上标签/ : /Tags added to 2/)
    await settled(page, 'accounts')
    for (const id of ids) assert.ok((await record('/accounts/' + id)).tags.includes(tag), `${id} carries ${tag}`)

    if (width === 1366) {
      // the chips in the 标签 column
      const row = page.locator('[data-test="accounts-table"] .el-table__body tr', {
        has: page.locator(`[data-test="account-link-${ids[0]}"]`),
      })
      assert.ok((await row.locator('[data-test="row-tags"]').innerText()).includes(tag), 'the chip is shown')
    } else {
      await page.click('[data-test="accounts-filter-toggle"]')
    }
    // the filter offers it with its count
    await page.click('[data-test="accounts-tags"]')
    const option = page.locator('.el-select-dropdown__item:visible', { hasText: tag }).first()
    assert.match(await option.innerText(), /2/)
    await option.click()
    await page.keyboard.press('Escape')
    await page.waitForURL((u) => u.searchParams.get('tag') === tag)
    await settled(page, 'accounts')
    const api = await get(page, '/accounts?sort=name&limit=50&tag=' + encodeURIComponent(tag))
    assert.deepEqual([...await shownIds(page, 'accounts', 'account')].sort(), [...ids].sort(), 'only the tagged: ' + what)
    assert.deepEqual(api.items.map((a) => a.id).sort(), [...ids].sort())
    // kept in the address
    await page.reload()
    await settled(page, 'accounts')
    assert.deepEqual((await shownIds(page, 'accounts', 'account')).sort(), [...ids].sort(), 'after a reload')

    if (width === 1366) {
      // saved in a view like any filter
      await page.click('[data-test="accounts-view-save"]')
      await field(page, 'view-name').fill('重点客户视图')
      await page.click('[data-test="view-submit"]')
      await page.waitForURL(/view=/)
      const id = new URL(page.url()).searchParams.get('view')
      const view = await get(page, '/views/' + id)
      assert.equal(new URLSearchParams(view.query).get('tag'), tag, view.query)
    }
    assert.deepEqual(errors, [], 'console errors: ' + what)
    await ctx.close()
  }
})

test('选择全部符合条件的 chooses the whole filtered list, and the action goes by its query', async () => {
  const { ctx, page, errors } = await open(demo('赵强'), { width: 1366, lang: 'zh' })
  // two rows a page: the list has more than it shows
  await goto(page, '/activities/list?limit=2&type=visit', 'activities')
  const all = (await must(await server.api('GET', '/activities?type=visit&limit=200'), 200)).items
  assert.ok(all.length > 2 && all.length <= 500, 'the demo has a few visits: ' + all.length)
  await page.locator('[data-test="activities-table"] .el-table__header .el-checkbox').click()
  assert.equal(await page.locator('[data-test="activities-bulk-count"]').getAttribute('data-count'), '2')
  await page.click('[data-test="activities-bulk-all"]')
  const count = page.locator('[data-test="activities-bulk-count"]')
  await until(async () => (await count.getAttribute('data-all')) === '1', 'the whole list is chosen')
  assert.equal(Number(await count.getAttribute('data-count')), all.length)
  assert.equal((await count.innerText()).trim(), `已选全部符合条件的 ${all.length} 条`)
  // transfers are for deals and accounts
  assert.equal(await page.locator('[data-test="activities-bulk-transfer"]').count(), 0)

  const asked = page.waitForRequest((r) => r.url().endsWith('/api/v1/activities/bulk'))
  await page.click('[data-test="activities-bulk-add-tag"]')
  await typeTag(page, '拜访复盘')
  await page.click('[data-test="bulk-submit"]')
  const body = JSON.parse((await asked).postData())
  assert.deepEqual(body, { query: 'type=visit', action: 'add_tag', tags: ['拜访复盘'] })
  assert.match(await message(page), new RegExp(`已为 ${all.length} 条加上标签`))
  const tagged = await must(await server.api('GET', '/activities?tag=' + encodeURIComponent('拜访复盘') + '&limit=200'), 200)
  assert.deepEqual(tagged.items.map((a) => a.id).sort(), all.map((a) => a.id).sort())
  assert.deepEqual(errors, [], 'console errors')
  await ctx.close()
})

test('导出 downloads the filtered list as CSV and Excel; 导出所选 the rows chosen', async () => {
  for (const [width, lang] of [[1366, 'zh'], [375, 'en']]) {
    const what = `${width} ${lang}`
    const { ctx, page, errors } = await open(demo('赵强'), { width, lang })
    await goto(page, '/deals?status=won', 'deals')
    const won = await get(page, '/opportunities?status=won&sort=-created_at&limit=200')
    assert.ok(won.items.length > 0)

    const [csv] = await Promise.all([page.waitForEvent('download'), (async () => {
      await page.click('[data-test="deals-export"]')
      await page.click('[data-test="deals-export-csv"]')
    })()])
    assert.equal(await csv.failure(), null)
    assert.match(csv.suggestedFilename(), lang === 'zh' ? /^商机-\d{8}\.csv$/ : /^opportunities-\d{8}\.csv$/)
    assert.match(csv.url(), /\/api\/v1\/opportunities\/export\?/)
    const url = new URL(csv.url())
    assert.equal(url.searchParams.get('status'), 'won')
    assert.equal(url.searchParams.get('format'), 'csv')
    assert.equal(url.searchParams.get('lang'), lang)
    const text = readFileSync(await csv.path(), 'utf-8')
    assert.equal(text.charCodeAt(0), 0xfeff, 'a byte order mark')
    const lines = text.slice(1).split('\r\n').filter(Boolean)
    assert.match(lines[0], lang === 'zh' ? /^商机名称,客户,金额（元）/ : /^Deal,Account,Amount \(yuan\)/)
    assert.equal(lines.length, won.items.length + 1, 'a line per won deal: ' + what)
    // the same address through the session: 200, a CSV
    const res = await page.context().request.get(csv.url())
    assert.equal(res.status(), 200)
    assert.match(res.headers()['content-type'], /^text\/csv/)

    // 导出所选: two rows, as Excel
    const ids = (await shownIds(page, 'deals', 'deal')).slice(0, 2)
    if (width === 375) await page.click('[data-test="deals-select-mode"]')
    for (const id of ids) await choose(page, 'deals', 'deal', id)
    const [xlsx] = await Promise.all([page.waitForEvent('download'), (async () => {
      await page.click('[data-test="deals-bulk-export"]')
      await page.locator('[data-test="bulk-export-xlsx"]:visible').click()
    })()])
    assert.equal(await xlsx.failure(), null)
    assert.match(xlsx.suggestedFilename(), /\.xlsx$/)
    assert.equal(new URL(xlsx.url()).searchParams.get('ids'), ids.join(','))
    const bytes = readFileSync(await xlsx.path())
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX is a zip')
    assert.deepEqual(errors, [], 'console errors: ' + what)
    await ctx.close()
  }
})

test('partners see no tags: no column, no filter', async () => {
  const { ctx, page, errors } = await open(demo('钱伟'), { width: 1366, lang: 'zh' })
  await goto(page, '/deals', 'deals')
  assert.equal(await page.locator('[data-test="deals-tags"]').count(), 0)
  assert.equal(await page.locator('[data-test="deals-table"] th', { hasText: '标签' }).count(), 0)
  await page.click('[data-test="deals-columns"]')
  assert.equal(await page.locator('[data-test="deals-col-tags"]').count(), 0)
  assert.deepEqual(errors, [], 'console errors')
  await ctx.close()
})
