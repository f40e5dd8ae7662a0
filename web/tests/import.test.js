// 导入 (/import) in the browser through the real server: a salesperson finds
// it in the navigation, downloads the templates (XLSX and CSV), sees the
// columns; a CSV with an error and duplicates (撞单) dry-runs into a summary
// (rows, errors, duplicates, file format and encoding), an errors table (row, column,
// header, reason; filtered) and a duplicates table (the owner, whether the
// user sees it; no link to someone else's account); 确认导入 stays disabled
// while errors exist; the fixed file, one duplicate merged and one created
// anyway, imports, and the records are there through the API. In English at
// 375 px a GBK deals file does the same without sideways scrolling; the
// admin imports the price list.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, must, shot, openAs, getAs, until, field } from './server.js'

let server, chrome
const ids = {}
const ANN = { name: '导入甲', password: 'import-ann-password-1' }
const BOB = { name: '导入乙', password: 'import-bob-password-1' }

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const east = await must(await server.api('POST', '/teams', { name: '导入华东' }), 201)
  const west = await must(await server.api('POST', '/teams', { name: '导入华西' }), 201)
  for (const [user, team] of [[ANN, east], [BOB, west]]) {
    const u = await must(await server.api('POST', '/users', { name: user.name, role: 'sales', team_id: team.id }), 201)
    ids[user.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: user.password }), 204)
  }
  ids.bobAcc = (await must(await server.api('POST', '/accounts',
    { name: '撞单导入医院', owner_id: ids[BOB.name] }), 201)).id
  await must(await server.api('POST', '/accounts', { name: '导入乙的隐藏客户', owner_id: ids[BOB.name] }), 201)
  ids.annAcc = (await must(await server.api('POST', '/accounts',
    { name: '导入甲的公司（本部）', owner_id: ids[ANN.name] }), 201)).id
  ids.annDeal = (await must(await server.api('POST', '/opportunities',
    { account_id: ids.annAcc, name: '门诊楼无线网络', owner_id: ids[ANN.name] }), 201)).id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)
const get = (page, path) => getAs(page, server.base, path)

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

// The file chosen in the import screen's picker (a buffer, no file on disk).
async function choose(page, name, mimeType, text) {
  await page.locator('[data-test="import-file"] input[type=file]').setInputFiles({ name, mimeType, buffer: text })
  await page.locator('[data-test="import-chosen"]', { hasText: name }).waitFor()
}

async function dryRun(page) {
  await page.click('[data-test="import-dry-run"]')
  await page.locator('[data-test="import-summary"]').waitFor()
  await until(async () => !(await page.locator('[data-test="import-dry-run"]').evaluate((b) => b.classList.contains('is-loading'))),
    'the dry run finished')
}

const count = async (page, key) => Number(await page.locator(`[data-test="sum-${key}"]`).getAttribute('data-count'))

// Picks action (its label) in the select of a duplicate's row.
async function act(page, row, label) {
  await page.click(`[data-test="dup-action-${row}"]`)
  await page.locator(`.dup-pop-${row} .el-select-dropdown__item`, { hasText: new RegExp(`^\\s*${label}\\s*$`) }).click()
  // the choice shows in its select before the next one is made (a busy machine may lag)
  await until(async () => (await page.locator(`[data-test="dup-action-${row}"]`).innerText()).includes(label),
    `row ${row}: ${label} chosen`)
  await page.locator(`.el-popper.dup-pop-${row}`).waitFor({ state: 'hidden' })
}

test('templates, columns, a dry run with an error and duplicates, then the fixed file imported (zh, 1366 px)', async () => {
  const { ctx, page, errors } = await open(ANN)
  // 导入 is at the end of the navigation: under its … when the bar is full
  if (!(await page.locator('[data-test="nav-import"]').isVisible())) {
    await page.locator('.nav > .el-sub-menu').last().hover()
  }
  await page.locator('[data-test="nav-import"]:visible').click()
  await page.waitForURL(/\/import/)
  await page.locator('[data-test="import-kind-accounts"]').waitFor()
  // a salesperson imports no price list
  assert.equal(await page.locator('[data-test="import-kind-products"]').count(), 0)
  assert.equal(await page.locator('[data-test="import-kind-opportunities"]').count(), 1)
  // the columns, from GET /api/v1/imports
  await page.locator('[data-test="import-col-credit_code"]').waitFor()
  assert.match(await page.locator('[data-test="import-columns"]').innerText(), /统一社会信用代码[\s\S]*18位，校验位须正确/)

  // the templates download
  const href = await page.locator('[data-test="template-xlsx"]').getAttribute('href')
  assert.match(href, /\/api\/v1\/imports\/accounts\/template\?format=xlsx&lang=zh/)
  const res = await page.context().request.get(server.base + href)
  assert.equal(res.status(), 200)
  assert.match(res.headers()['content-type'], /spreadsheetml\.sheet/)
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="template-xlsx"]')])
  assert.match(download.suggestedFilename(), /\.xlsx$/)
  const csv = await page.context().request.get(server.base + await page.locator('[data-test="template-csv"]').getAttribute('href'))
  assert.equal(csv.status(), 200)
  assert.match(csv.headers()['content-type'], /text\/csv/)
  assert.match((await csv.text()).replace(/^\uFEFF/, ''), /^客户名称\*,统一社会信用代码/)

  // a header the sheet does not know, and its required column missing
  await choose(page, 'wrong.csv', 'text/csv', Buffer.from('名称,行业\r\n某客户,医疗\r\n'))
  await dryRun(page)
  const head = page.locator('[data-test="err-table"] .el-table__body tr')
  assert.deepEqual(await head.locator('[data-test="err-row"]').allInnerTexts(), ['表头', '表头'])
  assert.deepEqual(await head.locator('[data-test="err-col"]').allInnerTexts(), ['A', ''])
  assert.deepEqual(await head.locator('[data-test="err-reason"]').allInnerTexts(), ['未知的列：名称', '缺少必填列：客户名称'])
  assert.equal(await head.nth(1).locator('[data-test="err-header"]').innerText(), '客户名称')

  // a file with an error (row 4: 员工人数) and two duplicates
  const rows = [
    '客户名称,员工人数,行业',
    '撞单导入医院,100,医疗', // 2: Bob's, hidden from Ann
    '导入甲的公司 本部,50,制造', // 3: Ann's own
    '导入新客户一,很多,教育', // 4: not a number
    '导入新客户二,20,教育', // 5
  ]
  await choose(page, '客户.csv', 'text/csv', Buffer.from(rows.join('\r\n') + '\r\n'))
  assert.ok(await page.locator('[data-test="import-commit"]').isDisabled(), 'no import before a dry run')
  await dryRun(page)
  assert.equal(await count(page, 'rows'), 4)
  assert.equal(await count(page, 'errors'), 1)
  assert.equal(await count(page, 'duplicates'), 2)
  assert.equal(await page.locator('[data-test="sum-file"] .n').innerText(), 'CSV · UTF-8')
  const err = page.locator('[data-test="err-table"] .el-table__body tr').first()
  assert.equal(await err.locator('[data-test="err-row"]').innerText(), '4')
  assert.equal(await err.locator('[data-test="err-col"]').innerText(), 'B')
  assert.equal(await err.locator('[data-test="err-header"]').innerText(), '员工人数')
  // the server's reason, in the screen's language
  assert.equal(await err.locator('[data-test="err-reason"]').innerText(), '员工人数的格式不正确（应为整数）')
  // filtering the errors
  await field(page, 'err-filter-text').fill('行业')
  await until(async () => (await page.locator('[data-test="err-table"] [data-test="err-row"]').count()) === 0, 'the filter leaves no error')
  await field(page, 'err-filter-text').fill('整数')
  await until(async () => (await page.locator('[data-test="err-table"] [data-test="err-row"]').count()) === 1, 'the filter finds the error')
  // the duplicates: Bob's by name and owner only, Ann's own with a link
  const dups = page.locator('[data-test="dup-table"] .el-table__body tr')
  assert.equal(await dups.count(), 2)
  const hidden = dups.nth(0)
  assert.equal(await hidden.locator('[data-test="dup-row"]').innerText(), '2')
  assert.equal(await hidden.locator('[data-test="dup-name"]').innerText(), '撞单导入医院')
  assert.equal(await hidden.locator('[data-test="dup-owner"]').innerText(), BOB.name)
  assert.equal(await hidden.locator('[data-test="dup-visible"]').getAttribute('data-visible'), 'no')
  assert.equal(await hidden.locator('a').count(), 0, 'no link to an account Ann may not see')
  assert.ok(!(await page.content()).includes(ids.bobAcc), "the hidden account's id is nowhere on the page")
  const own = dups.nth(1)
  assert.equal(await own.locator('[data-test="dup-owner"]').innerText(), ANN.name)
  assert.equal(await own.locator('[data-test="dup-link"]').getAttribute('href'), '/accounts/' + ids.annAcc)
  // 合并 only where the account is Ann's to see
  await page.click('[data-test="dup-action-2"]')
  await page.locator('.dup-pop-2 .el-select-dropdown__item').first().waitFor()
  const offered = await page.locator('.dup-pop-2 .el-select-dropdown__item').allInnerTexts()
  assert.deepEqual(offered.map((s) => s.trim()), ['跳过', '新建'])
  await page.keyboard.press('Escape')
  assert.ok(await page.locator('[data-test="import-commit"]').isDisabled(), 'no import while errors exist')
  await shot(page, 'import-dry-run-1366-zh')

  // the fixed file: row 3 merged into Ann's account, row 2 created anyway
  rows[3] = '导入新客户一,30,教育'
  await choose(page, '客户（改）.csv', 'text/csv', Buffer.from(rows.join('\r\n') + '\r\n'))
  await dryRun(page)
  assert.equal(await count(page, 'errors'), 0)
  assert.equal(await page.locator('[data-test="import-errors"]').count(), 0)
  await act(page, 3, '合并')
  await act(page, 2, '新建')
  await page.locator('[data-test="dup-changed"]').waitFor()
  await page.click('[data-test="dup-again"]')
  await until(async () => (await count(page, 'merged')) === 1, 'the dry run with the choices merges one')
  assert.equal(await count(page, 'created'), 3)
  assert.equal(await count(page, 'skipped'), 0)
  assert.ok(!(await page.locator('[data-test="import-commit"]').isDisabled()))
  await page.click('[data-test="import-commit"]')
  await page.locator('[data-test="import-done"]').waitFor()
  assert.match(await page.locator('[data-test="import-done-counts"]').innerText(), /新建 3 条，合并 1 条，跳过 0 条/)

  // the records, through the API as Ann
  const mine = await get(page, '/accounts/' + ids.annAcc)
  assert.equal(mine.industry, '制造')
  assert.equal(mine.employees, 50)
  assert.equal(mine.name, '导入甲的公司（本部）')
  for (const name of ['导入新客户一', '导入新客户二']) {
    const found = await get(page, '/accounts?q=' + encodeURIComponent(name))
    assert.equal(found.items.length, 1, name)
    assert.equal(found.items[0].owner, ANN.name)
  }
  const all = await must(await server.api('GET', '/accounts?q=' + encodeURIComponent('撞单导入医院')), 200)
  assert.deepEqual(all.items.map((a) => a.owner).sort(), [ANN.name, BOB.name].sort())
  await page.click('[data-test="import-open"]')
  await page.waitForURL(/\/accounts$/)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a GBK deals file in English at 375 px: the error and the duplicate, then imported', async () => {
  const { ctx, page, errors } = await open(ANN, { width: 375, lang: 'en' })
  await page.goto(server.base + '/import?resource=opportunities')
  await page.locator('[data-test="import-kind-opportunities"].is-active').waitFor()
  // on a phone the columns are one tap away
  await page.locator('[data-test="import-col-expected_close"]').waitFor({ state: 'attached' })
  assert.equal(await page.locator('[data-test="import-col-expected_close"]').isVisible(), false)
  await page.click('[data-test="import-columns"] .el-collapse-item__header')
  await page.locator('[data-test="import-col-expected_close"]').waitFor()
  await noSideScroll(page, 'the import screen')
  // GBK: the bytes of the text as Excel in China writes a CSV
  const text = [
    '客户名称,商机名称,金额（元）',
    '导入甲的公司（本部）,门诊楼 无线网络,500000', // 2: the deal exists
    '导入乙的隐藏客户,看不见的商机,1', // 3: Bob's account: not found
    '导入甲的公司（本部）,数据中心,1200000.5', // 4
  ].join('\r\n') + '\r\n'
  const bytes = await page.evaluate((s) => {
    // the browser's TextDecoder knows GBK: each two-byte code's character, reversed
    const dec = new TextDecoder('gbk')
    const of = new Map()
    for (let hi = 0x81; hi <= 0xfe; hi++)
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        const ch = dec.decode(new Uint8Array([hi, lo]))
        if (!of.has(ch)) of.set(ch, [hi, lo])
      }
    const out = []
    for (const ch of s) {
      const cp = ch.codePointAt(0)
      if (cp < 0x80) out.push(cp)
      else if (of.has(ch)) out.push(...of.get(ch))
      else throw new Error('no GBK for ' + ch)
    }
    return out
  }, text)
  await choose(page, 'deals.csv', 'text/csv', Buffer.from(bytes))
  await dryRun(page)
  assert.equal(await page.locator('[data-test="sum-file"] .n').innerText(), 'CSV · GBK')
  assert.equal(await count(page, 'errors'), 1)
  const err = page.locator('[data-test="err-table"] .el-table__body tr').first()
  assert.equal(await err.locator('[data-test="err-row"]').innerText(), '3')
  assert.equal(await err.locator('[data-test="err-col"]').innerText(), 'A')
  assert.equal(await err.locator('[data-test="err-header"]').innerText(), 'Account name')
  assert.match(await err.locator('[data-test="err-reason"]').innerText(), /no account you can see/)
  const dup = page.locator('[data-test="dup-table"] .el-table__body tr').first()
  assert.equal(await dup.locator('[data-test="dup-row"]').innerText(), '2')
  assert.equal(await dup.locator('[data-test="dup-owner"]').innerText(), ANN.name)
  assert.equal(await dup.locator('[data-test="dup-link"]').getAttribute('href'), '/opportunities/' + ids.annDeal)
  assert.ok(await page.locator('[data-test="import-commit"]').isDisabled())
  assert.match(await page.locator('[data-test="import-why-not"]').innerText(), /has errors/)
  await noSideScroll(page, 'the dry run')
  await shot(page, 'import-dry-run-375-en')

  // without row 3, and row 2 skipped (the default)
  const fixed = text.split('\r\n').filter((l) => !l.startsWith('导入乙的隐藏客户')).join('\r\n')
  await choose(page, 'deals-fixed.csv', 'text/csv', Buffer.from(fixed)) // UTF-8 this time
  await dryRun(page)
  assert.equal(await page.locator('[data-test="sum-file"] .n').innerText(), 'CSV · UTF-8')
  assert.equal(await count(page, 'errors'), 0)
  assert.equal(await count(page, 'skipped'), 1)
  await page.click('[data-test="import-commit"]')
  await page.locator('[data-test="import-done"]').waitFor()
  assert.match(await page.locator('[data-test="import-done-counts"]').innerText(), /1 created, 0 merged, 1 skipped/)
  const deals = await get(page, '/opportunities?account_id=' + ids.annAcc)
  const dc = deals.items.find((d) => d.name === '数据中心')
  assert.ok(dc, 'the deal was imported')
  assert.equal(dc.amount, 120000050)
  assert.equal(deals.items.filter((d) => d.name.replace(/\s/g, '') === '门诊楼无线网络').length, 1, 'the duplicate was skipped')
  await noSideScroll(page, 'the result')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('the admin imports the price list, in English', async () => {
  const { ctx, page, errors } = await open({ name: 'ui-admin', password: 'ui-admin-password-1' }, { lang: 'en' })
  await page.goto(server.base + '/import?resource=products')
  await page.locator('[data-test="import-kind-products"].is-active').waitFor()
  await page.locator('[data-test="import-col-list_price"]').waitFor()
  assert.equal(await page.locator('[data-test="nav-import"]').innerText(), 'Import')
  await choose(page, 'prices.csv', 'text/csv', Buffer.from('Code,Name,Kind,Unit,List price (yuan)\nIMP-9,Switch,Hardware,set,1999.90\n'))
  await dryRun(page)
  assert.equal(await count(page, 'created'), 1)
  assert.equal(await page.locator('[data-test="import-on-duplicate"]').count(), 0, 'the price list has no duplicates to decide')
  await page.click('[data-test="import-commit"]')
  await page.locator('[data-test="import-done"]').waitFor()
  const products = await must(await server.api('GET', '/products?limit=200'), 200)
  assert.ok(products.items.some((p) => p.code === 'IMP-9' && p.list_price === 199990))
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a row skipped in the dry run and created on import fails there: the 422 report, nothing written (zh, 375 px)', async () => {
  const { ctx, page, errors } = await open(ANN, { width: 375 })
  await page.goto(server.base + '/import?resource=accounts')
  await page.locator('[data-test="import-kind-accounts"].is-active').waitFor()
  // the duplicate's credit code is wrong, which only its create finds
  const rows = ['客户名称,统一社会信用代码', '导入甲的公司（本部）,91350100M000100Y44', '导入不会写入的客户,']
  await choose(page, 'bad-code.csv', 'text/csv', Buffer.from(rows.join('\n') + '\n'))
  await dryRun(page)
  assert.equal(await count(page, 'errors'), 0)
  assert.equal(await count(page, 'skipped'), 1)
  await act(page, 2, '新建')
  await page.click('[data-test="import-commit"]')
  await page.locator('[data-test="import-verdict"]', { hasText: '导入未完成' }).waitFor()
  const err = page.locator('[data-test="err-table"] .el-table__body tr').first()
  assert.equal(await err.locator('[data-test="err-row"]').innerText(), '2')
  assert.equal(await err.locator('[data-test="err-col"]').innerText(), 'B')
  assert.match(await err.locator('[data-test="err-reason"]').innerText(), /统一社会信用代码无效/)
  assert.ok(await page.locator('[data-test="import-commit"]').isDisabled())
  const none = await get(page, '/accounts?q=' + encodeURIComponent('导入不会写入的客户'))
  assert.equal(none.items.length, 0, 'nothing was written')
  await noSideScroll(page, 'the refused import')
  await shot(page, 'import-refused-375-zh')
  // the console's only error is the refused import's 422
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), [])
  await ctx.close()
})
