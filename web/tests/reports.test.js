// The reports screen (报表) and the dashboards per role, on the demo data.
// The demo manager and a demo salesperson open every tab of the reports in
// Chinese and English at 1366 and 375 px without console errors or a page
// that scrolls sideways; the forecast table shows the API's totals; an
// export link downloads a CSV that starts with the UTF-8 BOM; a forecast
// cell and a bar open the deals behind them; a target the manager sets
// shows in the forecast and on the salesperson's dashboard; a deal's
// forecast category is changed with a reason on the deal page; and each
// role lands on its own dashboard (implementation on its handovers).
// The 3E tab's people table adds up to the API's activities; a day chosen
// as of sends as_of and tags the report; the manager's dashboard has the
// team's 3E card, worst first, linking to the tab.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startServer, startBrowser, login, field, shot, must, until, openAs, getAs } from './server.js'

let server, chrome
const users = {}
const TABS = {
  forecast: '[data-test="fc-table"] .el-table__body tr',
  stages: '[data-test="st-table"] .el-table__body tr',
  calibration: '[data-test="cal-table"] .el-table__body tr',
  winloss: '[data-test="wl-table-card"] .el-table',
  targets: '[data-test="rep-targets"] .el-table, [data-test="rep-targets"] .el-empty',
  activity: '[data-test="act-people"] .el-table__body tr',
}
const CATS = ['closed', 'commit', 'best_case', 'pipeline', 'omitted']

const now = new Date()
const QUARTER = `${now.getFullYear()}-Q${Math.floor(now.getMonth() / 3) + 1}`

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

async function settled(page, root) {
  await page.waitForFunction((r) => {
    const el = document.querySelector(r)
    return el && !el.querySelector('.el-skeleton') && !el.querySelector('.el-loading-mask')
  }, root)
}

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

// A summary amount: "1,200.0 万元" (zh, one decimal of 万元) or "¥12.00M"
// (en, two decimals of a million yuan), rounded half up.
function money(fen, lang) {
  const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const a = Math.abs(fen)
  if (lang === 'zh') {
    const n = Math.floor((a + 50000) / 100000)
    return `${fen < 0 && n ? '-' : ''}${group(Math.floor(n / 10))}.${n % 10} 万元`
  }
  const n = Math.floor((a + 500000) / 1000000)
  return `${fen < 0 && n ? '-' : ''}¥${group(Math.floor(n / 100))}.${String(n % 100).padStart(2, '0')}M`
}

test('every tab of the reports loads in zh and en at 1366 and 375 px, for the manager and a salesperson', async () => {
  for (const who of ['赵强', '张伟']) {
    for (const width of [1366, 375]) {
      for (const lang of ['zh', 'en']) {
        const { ctx, page, errors } = await open(demo(who), { width, lang })
        if (width === 1366) {
          await page.click('[data-test="nav-reports"]')
          await page.waitForURL(/\/reports/)
        }
        for (const [tab, ready] of Object.entries(TABS)) {
          await page.goto(`${server.base}/reports?tab=${tab}`)
          await page.locator(ready).first().waitFor()
          await settled(page, '[data-test="reports"] .el-tab-pane:not([style*="display: none"])')
          const title = await page.locator('[data-test="reports"] h2').innerText()
          assert.equal(title, lang === 'zh' ? '销售报表' : 'Sales reports')
          const active = await page.locator('.el-tabs__item.is-active').innerText()
          assert.ok(active.length > 0, 'a tab is active')
          if (tab !== 'targets') {
            const csv = page.locator(`[data-test="rep-${tab === 'winloss' ? 'winloss' : tab}"] a[data-test^="export-csv-"]`).first()
            assert.match(await csv.getAttribute('href'), /format=csv/)
            assert.match(await csv.innerText(), lang === 'zh' ? /导出 CSV/ : /Export CSV/)
          }
          await noSideScroll(page, `${who} ${tab} ${lang} ${width}`)
          if (who === '赵强') await shot(page, `reports-${tab}-${width}-${lang}`)
        }
        assert.deepEqual(errors, [], `console errors for ${who} at ${width} in ${lang}`)
        await ctx.close()
      }
    }
  }
})

test("the forecast table's totals are the API's; an export link downloads a CSV with a BOM", async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await page.goto(server.base + '/reports?tab=forecast')
  await page.locator(TABS.forecast).first().waitFor()
  await settled(page, '[data-test="rep-forecast"]')
  // the JSON of the query the export links carry
  const href = await page.locator('[data-test="export-csv-forecast"]').getAttribute('href')
  const url = new URL(href, server.base)
  for (const k of ['format', 'lang', 'table']) url.searchParams.delete(k)
  const report = await get(page, url.pathname.replace('/api/v1', '') + url.search)
  assert.equal(report.group, 'none')
  assert.ok(report.totals.length >= 4)
  const sums = Object.fromEntries(CATS.map((c) => [c, 0]))
  let forecastSum = 0
  for (const [i, row] of report.totals.entries()) {
    for (const c of CATS) {
      const cell = page.locator(`[data-test="fc-cell-t${i}-${c}"]`)
      assert.equal(Number(await cell.getAttribute('data-fen')), row[c], `${row.period} ${c}`)
      if (row[c]) assert.match(await cell.innerText(), new RegExp(money(row[c], 'zh').replace(/[.]/g, '\\.')))
      sums[c] += row[c]
    }
    assert.equal(Number(await page.locator(`[data-test="fc-forecast-t${i}"]`).getAttribute('data-fen')), row.forecast_amount)
    forecastSum += row.forecast_amount
  }
  for (const c of CATS) {
    assert.equal(Number(await page.locator(`[data-test="fc-cell-sum-${c}"]`).getAttribute('data-fen')), sums[c], `sum ${c}`)
  }
  assert.equal(Number(await page.locator('[data-test="fc-forecast-sum"]').getAttribute('data-fen')), forecastSum)
  assert.ok(sums.commit > 0 && sums.closed > 0, 'the demo has commit and won deals in the range')

  // the CSV: a download whose first bytes are the UTF-8 BOM
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-test="export-csv-forecast"]'),
  ])
  const bytes = readFileSync(await download.path())
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV starts with the BOM')
  const text = bytes.subarray(3).toString('utf-8')
  assert.match(text.split('\n')[0], /期间/)
  assert.match(download.suggestedFilename(), /\.csv$/)
  // the workbook link answers a zip (xlsx)
  const xlsx = await page.locator('[data-test="export-xlsx-forecast"]').getAttribute('href')
  const res = await page.context().request.get(new URL(xlsx, server.base).href)
  assert.equal(res.status(), 200)
  assert.equal((await res.body()).subarray(0, 2).toString(), 'PK')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a forecast cell and a bar open the deals behind them', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await page.goto(server.base + '/reports?tab=forecast')
  await page.locator(TABS.forecast).first().waitFor()
  await settled(page, '[data-test="rep-forecast"]')
  // the commit cell of a period: the deal in 承诺 (the contract stage)
  const cell = page.locator('button[data-test^="fc-cell-t"][data-test$="-commit"]').first()
  const count = Number(await cell.getAttribute('data-count'))
  const fen = Number(await cell.getAttribute('data-fen'))
  assert.ok(count > 0)
  await cell.click()
  const drawer = page.locator('[data-test="fc-deals"]')
  const summary = drawer.locator('[data-test="fc-deals-summary"]')
  await summary.waitFor()
  assert.equal(Number(await summary.getAttribute('data-count')), count)
  assert.equal(Number(await summary.getAttribute('data-fen')), fen)
  await drawer.locator('a', { hasText: '电子政务外网扩容及IPv6改造项目' }).waitFor()
  assert.equal(await drawer.locator('.el-alert--warning').count(), 0, 'the list agrees with the report')
  await shot(page, 'reports-forecast-deals-1366')
  await page.keyboard.press('Escape')
  await summary.waitFor({ state: 'hidden' })

  // a bar of the chart: the pointer finds one above the axis, a click opens its deals
  const chart = page.locator('[data-test="fc-chart"]')
  await chart.locator('canvas').waitFor()
  const box = await chart.boundingBox()
  const cursor = () => page.evaluate(() => {
    const el = document.querySelector('[data-test="fc-chart"] > div')
    return el ? getComputedStyle(el).cursor : ''
  })
  let hit = null
  for (const dy of [40, 60, 90, 130]) {
    for (let x = box.x + 40; x < box.x + box.width - 10 && !hit; x += 5) {
      await page.mouse.move(x, box.y + box.height - dy)
      if ((await cursor()) === 'pointer') hit = [x, box.y + box.height - dy]
    }
    if (hit) break
  }
  assert.ok(hit, 'a bar of the forecast chart is under the pointer somewhere')
  await page.mouse.click(hit[0], hit[1])
  await summary.waitFor()
  assert.ok(Number(await summary.getAttribute('data-count')) > 0, 'the bar has deals')
  assert.ok(await drawer.locator('[data-test^="fc-deal-"]').count() > 0)
  assert.equal(await drawer.locator('.el-alert--warning').count(), 0)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test("a target the manager sets shows in the forecast and on the salesperson's dashboard", async () => {
  const seller = users['陈静']
  const { ctx, page, errors } = await open(demo('赵强'))
  await page.goto(server.base + '/reports?tab=targets')
  const cell = page.locator(`[data-test="tg-cell-${seller.id}-${QUARTER}"]`)
  await cell.click()
  await field(page, 'tg-amount').fill('8000000')
  await page.locator('[data-test="tg-dialog"] [data-test="money-understood"]', { hasText: '= 8,000,000.00 元' }).waitFor()
  await page.click('[data-test="tg-save"]')
  await until(async () => (await cell.getAttribute('data-fen')) === '800000000', 'the grid shows the new target')
  await shot(page, 'reports-targets-1366')
  // the grid as a CSV, with the BOM
  const [grid] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="export-csv-targets"]')])
  const gridCsv = readFileSync(await grid.path())
  assert.deepEqual([...gridCsv.subarray(0, 3)], [0xef, 0xbb, 0xbf])
  assert.match(gridCsv.toString('utf-8'), /陈静,个人,.*8000000\.00/)
  const targets = await get(page, `/targets?from=${QUARTER}&to=${QUARTER}`)
  assert.ok(targets.items.some((x) => x.user_id === seller.id && x.amount === 800000000 && x.updated_by === '赵强'))

  // the forecast by owner: 陈静's row of this quarter has the target
  await page.click('[data-test="rep-tab-forecast"]')
  await page.locator(TABS.forecast).first().waitFor()
  await page.click('[data-test="fc-group"]')
  await page.locator('.el-select-dropdown__item:visible', { hasText: '按负责人' }).click()
  await page.locator('[data-test^="fc-group-usr"]').first().waitFor()
  await settled(page, '[data-test="rep-forecast"]')
  const y = new Date().getFullYear()
  const report = await get(page, `/reports/forecast?period=quarter&group=owner&from=${y}-01&to=${y + 1}-12&currency=CNY`)
  const i = report.rows.findIndex((r) => r.group === seller.id && r.period === QUARTER)
  assert.ok(i >= 0, "the API has 陈静's row of this quarter")
  assert.equal(report.rows[i].target, 800000000)
  const target = page.locator(`[data-test="fc-target-g${i}"]`)
  assert.equal(await target.getAttribute('data-fen'), '800000000')
  assert.equal(await target.innerText(), '800.0 万元')
  assert.equal(Number(await page.locator(`[data-test="fc-gap-g${i}"]`).getAttribute('data-fen')), 800000000 - report.rows[i].closed)
  await shot(page, 'reports-forecast-by-owner-1366')
  assert.deepEqual(errors, [])
  await ctx.close()

  const s = await open(demo('陈静'))
  await s.page.locator('[data-test="my-target-target"]').waitFor()
  await until(async () => (await s.page.locator('[data-test="my-target-target"]').getAttribute('data-fen')) === '800000000',
    "the salesperson's dashboard shows the target")
  assert.deepEqual(s.errors, [])
  await s.ctx.close()
})

test("the 3E tab: the people table adds up to the API's figures; idle and stalled days are sent", async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await page.goto(server.base + '/reports?tab=activity')
  await page.locator(TABS.activity).first().waitFor()
  await settled(page, '[data-test="rep-activity"]')
  assert.equal(await page.locator('.el-tabs__item.is-active').innerText(), '3E执行')
  // the query the export links carry, asked of the API as the same user
  const query = async () => {
    const href = await page.locator('[data-test="export-csv-activity-people"]').getAttribute('href')
    const url = new URL(href, server.base)
    assert.equal(url.searchParams.get('table'), 'people')
    for (const k of ['format', 'lang', 'table']) url.searchParams.delete(k)
    return url
  }
  let url = await query()
  assert.match(url.searchParams.get('from'), /^\d{4}-\d{2}-\d{2}$/)
  const report = await get(page, url.pathname.replace('/api/v1', '') + url.search)
  assert.equal(report.days, 28, 'the last four weeks by default')
  assert.ok(report.people.length >= 3, "the manager's tree has people")
  const sum = (k) => report.people.reduce((a, r) => a + r[k], 0)
  assert.ok(sum('activities') > 0, 'the demo has activities in the last four weeks')
  const foot = (k) => page.locator(`[data-test="act-people"] .el-table__footer td.c-${k} .cell`).innerText()
  assert.equal(Number(await foot('activities')), sum('activities'), "the total row is the API's sum")
  for (const k of ['visits', 'idle_deals', 'stalled_deals', 'age_0_30']) assert.equal(Number(await foot(k)), sum(k), k)
  assert.equal(Number(await page.locator('[data-test="act-kpi-activities"]').getAttribute('data-value')), sum('activities'))
  let rowsSum = 0
  for (const r of report.people) {
    const cell = page.locator(`[data-test="act-people-activities-${r.owner_id}"]`)
    assert.equal(Number(await cell.innerText()), r.activities, r.name)
    rowsSum += Number(await cell.innerText())
    // stalled and idle deals stand out when there are any
    const stalled = page.locator(`[data-test="act-people-stalled_deals-${r.owner_id}"]`)
    assert.equal(await stalled.evaluate((el) => el.classList.contains('bad')), r.stalled_deals > 0, `${r.name} stalled`)
    const idle = page.locator(`[data-test="act-people-idle_deals-${r.owner_id}"]`)
    assert.equal(await idle.evaluate((el) => el.classList.contains('warn')), r.idle_deals > 0, `${r.name} idle`)
  }
  assert.equal(rowsSum, sum('activities'))
  assert.ok(report.teams.length >= 1)
  await page.locator(`[data-test="act-teams"] [data-test="act-name-${report.teams[0].team_id}"]`).waitFor()
  await page.locator('[data-test="act-chart"] canvas').waitFor()
  // a column sorts: the most activities first
  await page.locator('[data-test="act-people"] th.c-activities .caret-wrapper .descending').click()
  const most = [...report.people].sort((a, b) => b.activities - a.activities)[0]
  assert.equal(Number(await page.locator('[data-test="act-people"] .el-table__body tr').first()
    .locator('td.c-activities').innerText()), most.activities)

  // stalled after 10 days: the request says so, the header and the API agree
  const answered = page.waitForResponse((r) => r.url().includes('/reports/activity?') && r.url().includes('stalled_days=10'))
  await field(page, 'act-stalled-days').fill('10')
  await field(page, 'act-stalled-days').press('Enter')
  await answered
  await settled(page, '[data-test="rep-activity"]')
  await page.locator('[data-test="act-people"] th.c-stalled_deals', { hasText: '≥10天' }).waitFor()
  url = await query()
  assert.equal(url.searchParams.get('stalled_days'), '10')
  const again = await get(page, url.pathname.replace('/api/v1', '') + url.search)
  assert.equal(again.stalled_days, 10)
  assert.equal(Number(await foot('stalled_deals')), again.people.reduce((a, r) => a + r.stalled_deals, 0))
  await shot(page, 'reports-activity-stalled10-1366')

  // the CSV of the people
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="export-csv-activity-people"]')])
  const text = readFileSync(await download.path()).subarray(3).toString('utf-8')
  assert.match(text.split('\n')[0], /活动数/)
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('a day chosen as of goes with the forecast, stages and win/loss requests, and tags the report', async () => {
  const { ctx, page, errors } = await open(demo('赵强'))
  await page.goto(server.base + '/reports?tab=forecast')
  await page.locator(TABS.forecast).first().waitFor()
  await settled(page, '[data-test="rep-forecast"]')
  assert.equal(await page.locator('[data-test="rep-as-of-tag"]').count(), 0, 'no tag without a day')
  const day = new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10)
  const answered = page.waitForResponse((r) => r.url().includes('/reports/forecast?') && r.url().includes('as_of=' + day))
  const input = field(page, 'rep-as-of')
  await input.click()
  await input.fill(day)
  await input.press('Enter')
  const res = await answered
  assert.equal(res.status(), 200)
  assert.equal((await res.json()).as_of, day)
  const tag = page.locator('[data-test="rep-forecast"] [data-test="rep-as-of-tag"]')
  await tag.waitFor()
  assert.equal(await tag.innerText(), `截至 ${day} 的数据`)
  await settled(page, '[data-test="rep-forecast"]')
  // the exports carry the same query
  assert.equal(new URL(await page.locator('[data-test="export-csv-forecast"]').getAttribute('href'), server.base)
    .searchParams.get('as_of'), day)
  await shot(page, 'reports-forecast-as-of-1366')

  // the day is shared: the win/loss tab asks as of it too
  const wl = page.waitForResponse((r) => r.url().includes('/reports/win-loss?') && r.url().includes('as_of=' + day))
  await page.click('[data-test="rep-tab-winloss"]')
  await wl
  await page.locator('[data-test="rep-winloss"] [data-test="rep-as-of-tag"]').waitFor()
  assert.equal(new URL(await page.locator('[data-test="export-csv-win-loss"]').getAttribute('href'), server.base)
    .searchParams.get('as_of'), day)
  const st = page.waitForResponse((r) => r.url().includes('/reports/stages?') && r.url().includes('as_of=' + day))
  await page.click('[data-test="rep-tab-stages"]')
  await st
  await page.locator('[data-test="rep-stages"] [data-test="rep-as-of-tag"]').waitFor()

  // closing the tag reads today's figures again
  const now = page.waitForResponse((r) => r.url().includes('/reports/stages?') && !r.url().includes('as_of='))
  await page.locator('[data-test="rep-stages"] [data-test="rep-as-of-tag"] .el-tag__close').click()
  assert.equal((await (await now).json()).as_of, null)
  await page.locator('[data-test="rep-as-of-tag"]').first().waitFor({ state: 'detached' })
  assert.equal(await field(page, 'rep-as-of').inputValue(), '')
  assert.deepEqual(errors, [])
  await ctx.close()

  // in English on a phone: the tag reads "As of"
  const m = await open(demo('赵强'), { width: 375, lang: 'en' })
  await m.page.goto(server.base + '/reports?tab=forecast')
  await m.page.locator(TABS.forecast).first().waitFor()
  const mAnswered = m.page.waitForResponse((r) => r.url().includes('as_of=' + day))
  await field(m.page, 'rep-as-of').click()
  await field(m.page, 'rep-as-of').fill(day)
  await field(m.page, 'rep-as-of').press('Enter')
  await mAnswered
  await m.page.locator('[data-test="rep-as-of-tag"]', { hasText: `As of ${day}` }).waitFor()
  await m.page.keyboard.press('Escape')
  await noSideScroll(m.page, 'the forecast as of a day at 375 px')
  await shot(m.page, 'reports-forecast-as-of-375-en')
  assert.deepEqual(m.errors, [])
  await m.ctx.close()
})

test("the manager's dashboard shows the team's 3E card, worst first, linking to the tab", async () => {
  for (const [width, lang] of [[1366, 'zh'], [375, 'en']]) {
    const { ctx, page, errors } = await open(demo('赵强'), { width, lang })
    const card = page.locator('[data-test="compliance"]')
    await card.locator('[data-test^="compliance-usr"]').first().waitFor()
    assert.match(await card.locator('.el-card__header').innerText(), lang === 'zh' ? /团队3E执行/ : /Team 3E compliance/)
    const report = await get(page, '/reports/activity')
    const trouble = (r) => r.idle_deals + r.stalled_deals
    const names = await card.locator('[data-test^="compliance-usr"]').allInnerTexts()
    assert.equal(names.length, Math.min(6, report.people.length))
    const byName = Object.fromEntries(report.people.map((r) => [r.name, r]))
    for (let i = 1; i < names.length; i++) {
      const a = byName[names[i - 1]]
      const b = byName[names[i]]
      assert.ok(trouble(a) > trouble(b) || (trouble(a) === trouble(b) && a.activities <= b.activities),
        `${a.name} before ${b.name}`)
    }
    const worst = report.people.reduce((w, r) => (trouble(r) > trouble(w) ? r : w))
    assert.equal(trouble(byName[names[0]]), trouble(worst))
    await settled(page, '[data-test="dashboard"]')
    await noSideScroll(page, `the 3E card at ${width}`)
    await shot(page, `dashboard-compliance-${width}-${lang}`)
    await card.locator('[data-test="compliance-all"]').click()
    await page.waitForURL(/\/reports\?tab=activity/)
    await page.locator(TABS.activity).first().waitFor()
    assert.equal(await page.locator('.el-tabs__item.is-active').innerText(), lang === 'zh' ? '3E执行' : '3E compliance')
    assert.deepEqual(errors, [])
    await ctx.close()
  }
})

test("a deal's forecast category is changed on its page, with a reason", async () => {
  const owner = users['张伟']
  const deals = await must(await server.api('GET', `/opportunities?owner_id=${owner.id}&status=open&limit=50`), 200)
  const deal = deals.items.find((o) => o.name === '新院区园区网建设项目')
  assert.equal(deal.forecast_category, 'best_case')
  assert.equal(deal.forecast_override, null)
  const { ctx, page, errors } = await open(demo('张伟'))
  await page.goto(server.base + '/opportunities/' + deal.id)
  const block = page.locator('[data-test="opp-forecast"]')
  await block.locator('[data-test="opp-forecast-category"]', { hasText: '最佳情况' }).waitFor()
  assert.match(await block.innerText(), /阶段默认/)
  await page.click('[data-test="opp-forecast-edit"]')
  const dialog = page.locator('[data-test="opp-forecast-dialog"]')
  await dialog.locator('[data-test="opp-fc-nominal"]', { hasText: '50%' }).waitFor()
  await dialog.locator('[data-test="opp-fc-choice-commit"]').click()
  // no reason: refused on the page, nothing sent
  await page.click('[data-test="opp-fc-save"]')
  await dialog.getByText('选择预测类别须填写理由').waitFor()
  await field(page, 'opp-fc-reason').fill('院方已确认本月完成比选，合同条款在法务审核')
  await shot(page, 'deal-forecast-dialog-1366')
  await page.click('[data-test="opp-fc-save"]')
  await dialog.waitFor({ state: 'hidden' })
  await block.locator('[data-test="opp-forecast-category"]', { hasText: '承诺' }).waitFor()
  await block.locator('[data-test="opp-forecast-override"]', { hasText: '负责人选择' }).waitFor()
  await block.locator('[data-test="opp-forecast-default"]', { hasText: '最佳情况' }).waitFor()
  await block.locator('[data-test="opp-forecast-reason"]', { hasText: '合同条款在法务审核' }).waitFor()
  await shot(page, 'deal-forecast-1366')
  let saved = await must(await server.api('GET', '/opportunities/' + deal.id), 200)
  assert.equal(saved.forecast_override, 'commit')
  assert.equal(saved.forecast_category, 'commit')
  assert.equal(saved.forecast_reason, '院方已确认本月完成比选，合同条款在法务审核')

  // back to the stage's default
  await page.click('[data-test="opp-forecast-edit"]')
  await dialog.locator('[data-test="opp-fc-choice-default"]').click()
  await page.click('[data-test="opp-fc-save"]')
  await dialog.waitFor({ state: 'hidden' })
  await block.locator('[data-test="opp-forecast-category"]', { hasText: '最佳情况' }).waitFor()
  saved = await must(await server.api('GET', '/opportunities/' + deal.id), 200)
  assert.equal(saved.forecast_override, null)
  assert.equal(saved.forecast_category, 'best_case')
  assert.deepEqual(errors, [])
  await ctx.close()

  // on a phone, in English: the block and its dialog fit
  const m = await open(demo('张伟'), { width: 375, lang: 'en' })
  await m.page.goto(server.base + '/opportunities/' + deal.id)
  await m.page.locator('[data-test="opp-forecast-category"]', { hasText: 'Best case' }).waitFor()
  await m.page.click('[data-test="opp-forecast-edit"]')
  await m.page.locator('[data-test="opp-fc-choice-commit"]').waitFor()
  await noSideScroll(m.page, 'the deal page at 375 px')
  await shot(m.page, 'deal-forecast-dialog-375-en')
  assert.deepEqual(m.errors, [])
  await m.ctx.close()
})

test('each role lands on its own dashboard', async () => {
  const roles = [
    ['赵强', 'manager', async (page) => {
      await page.locator('[data-test="funnel"] canvas').waitFor()
      await page.locator('[data-test="target-forecast"] canvas').waitFor()
      await page.locator('[data-test="dash-approvals"] [data-test^="dash-approval-"]').first().waitFor()
      await page.locator('[data-test="stalled"] [data-test^="stalled-"]').first().waitFor()
      await page.locator('[data-test="compliance"] [data-test^="compliance-usr"]').first().waitFor()
    }],
    ['张伟', 'sales', async (page) => {
      await page.locator('[data-test="my-target"] [data-test="my-target-closed"]').waitFor()
      await page.locator('[data-test="deals-mine"] [data-test^="deal-"]').first().waitFor()
      await page.locator('[data-test="next-actions"]').waitFor()
      assert.equal(await page.locator('[data-test^="kpi-"]').count(), 0)
      assert.equal(await page.locator('[data-test="compliance"]').count(), 0, "the 3E card is the manager's")
    }],
    ['周敏', 'consultant', async (page) => {
      await page.locator('[data-test="deals-support"] [data-test^="deal-"]').first().waitFor()
      assert.equal(await page.locator('[data-test="deals-support"] [data-test^="deal-"]').count(), 3)
      await page.locator('[data-test="presales-load"] canvas').waitFor()
      // the activities on the deals supported: the demo plans some in the weeks around now
      assert.match(await page.locator('[data-test="load-this-week"]').innerText(), /^\d+$/)
    }],
    ['吴刚', 'implementation', async (page) => {
      await page.locator('[data-test="handovers"] [data-test^="handover-"]').first().waitFor()
      assert.ok(await page.locator('[data-test="handovers"] [data-test^="handover-"]').count() >= 2)
      await page.locator('[data-test="deals-projects"] [data-test^="deal-"]').first().waitFor()
      assert.equal(await page.locator('[data-test^="kpi-"], [data-test="funnel"]').count(), 0, 'no funnel of zeros')
      assert.equal(await page.locator('[data-test="nav-reports"]').count(), 0)
    }],
    ['钱伟', 'partner', async (page) => {
      await page.locator('[data-test="deals-partner"] [data-test^="deal-"]').first().waitFor()
      assert.equal(await page.locator('[data-test="deals-partner"] [data-test^="deal-"]').count(), 2)
      assert.equal(await page.locator('[data-test="nav-reports"]').count(), 0)
    }],
  ]
  for (const [name, layout, check] of roles) {
    for (const [width, lang] of [[1366, 'zh'], [375, 'en']]) {
      const { ctx, page, errors } = await open(demo(name), { width, lang })
      await page.locator(`[data-test="dash-${layout}"]`).waitFor()
      assert.equal(await page.locator('[data-test="dashboard"]').getAttribute('data-role'), layout)
      await check(page)
      await settled(page, '[data-test="dashboard"]')
      await noSideScroll(page, `${name}'s dashboard at ${width}`)
      await shot(page, `dashboard-${layout}-${width}-${lang}`)
      if (layout === 'partner' || layout === 'implementation') {
        // no reports for them: the route leads home
        await page.goto(server.base + '/reports')
        await page.waitForURL((u) => u.pathname === '/')
        await page.locator(`[data-test="dash-${layout}"]`).waitFor()
      }
      assert.deepEqual(errors, [], `console errors on ${name}'s dashboard`)
      await ctx.close()
    }
  }
})
