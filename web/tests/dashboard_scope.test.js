// The manager's dashboard answers the team, owner and period chosen above
// it (DashScope), on the demo data: the KPI cards, the stage table, the
// chosen quarter's target and forecast, the stalled deals, the 3E card and
// the forecast chart show what the API answers for that choice (asked here
// with the parameters the choice means, as the page's user); the choice is
// kept in the URL, so that a reload shows the same. Chinese and English at
// 1366 and 375 px, without a page that scrolls sideways; a manager is
// offered only the teams of their own tree.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, openAs, getAs, shot, must } from './server.js'

let server, chrome
const users = {}
const teams = {}

// Today's quarter in China time, as the dashboard counts it, and the next one.
const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10)
const QUARTER = `${today.slice(0, 4)}-Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`
const NEXT = (() => {
  const i = Number(QUARTER.slice(0, 4)) * 4 + Number(QUARTER.slice(6))
  return `${Math.floor(i / 4)}-Q${(i % 4) + 1}`
})()

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
  for (const u of (await must(await server.api('GET', '/users?limit=200'), 200)).items) users[u.name] = u
  for (const t of (await must(await server.api('GET', '/teams?limit=200'), 200)).items) teams[t.name] = t
  // Targets of the next quarter that differ by team and owner.
  await must(await server.api('PUT', '/targets', { team_id: teams['华南大区'].id, quarter: NEXT, amount: 3000000000 }), 204)
  await must(await server.api('PUT', '/targets', { user_id: users['王磊'].id, quarter: NEXT, amount: 900000000 }), 204)
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const demo = (name) => ({ name, password: server.demoPassword })

// A summary amount as util/money.js writes it: "1,200.0 万元" / "¥12.00M".
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

// The months and the 3E days of a period ("2027-Q1", "2026", "all").
function months(period) {
  let m = /^(\d{4})-Q([1-4])$/.exec(period)
  if (m) {
    const first = (Number(m[2]) - 1) * 3 + 1
    return [`${m[1]}-${String(first).padStart(2, '0')}`, `${m[1]}-${String(first + 2).padStart(2, '0')}`]
  }
  m = /^(\d{4})$/.exec(period)
  return m ? [`${m[1]}-01`, `${m[1]}-12`] : null
}
function days(period) {
  const m = months(period)
  if (!m) return null
  const [y, mo] = m[1].split('-').map(Number)
  const end = `${m[1]}-${String(new Date(Date.UTC(y, mo, 0)).getUTCDate()).padStart(2, '0')}`
  const from = `${m[0]}-01`
  return { from, to: from <= today && today < end ? today : end }
}

const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v)).toString()

async function settled(page) {
  await page.waitForLoadState('networkidle')
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-test="dash-manager"]')
    return el && !el.querySelector('.el-skeleton') && !el.querySelector('.el-loading-mask')
  })
}

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
  const right = await page.locator('[data-test="dash-scope"]').evaluate((e) => e.getBoundingClientRect().right)
  assert.ok(right <= (await page.evaluate(() => window.innerWidth)) + 1, `${what}: the scope's toolbar overflows`)
}

// Chooses the option with text in the select marked data-test=name.
async function choose(page, name, text) {
  await page.locator(`[data-test="${name}"]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// The scope of the page's URL.
function scopeOf(page) {
  const u = new URL(page.url())
  return { team: u.searchParams.get('team') || '', owner: u.searchParams.get('owner') || '', period: u.searchParams.get('period') || QUARTER }
}

// The figures the page shows equal the API's for scope, as the page's user.
async function checkFigures(page, lang, scope, home) {
  await settled(page)
  const get = (path) => getAs(page, server.base, path)
  const text = (sel) => page.locator(sel).first().innerText()
  const m = months(scope.period)
  const who = { team: scope.team, owner: scope.owner }
  const playbook = await page.evaluate(() => localStorage.getItem('bingfa.playbook')) || 'ruijie-6'
  const funnel = await get(`/reports/funnel?${qs({ playbook, ...who, from: m && m[0], to: m && m[1] })}`)
  const what = `${lang} ${JSON.stringify(scope)}`
  // the KPI cards and the stage table
  for (const [card, key] of [['funnel', 'funnel_totals'], ['pre', 'pre_funnel'], ['total', 'totals']]) {
    assert.equal(await text(`[data-test="kpi-${card}"] [data-test="kpi-amount"]`), money(funnel[key].amount, lang), `${what} ${card}`)
    assert.match(await text(`[data-test="kpi-${card}"] [data-test="kpi-count"]`), new RegExp(`^${funnel[key].count}\\b`), `${what} ${card}`)
  }
  if (funnel.totals.count) {
    for (const st of funnel.stages) {
      assert.equal(await text(`[data-test="stage-count-${st.id}"]`), String(st.count), `${what} ${st.id}`)
      assert.equal(await text(`[data-test="stage-amount-${st.id}"]`), money(st.amount, lang), `${what} ${st.id}`)
    }
    assert.equal(await text('[data-test="stage-count-all"]'), String(funnel.totals.count))
  } else {
    assert.equal(await page.locator('[data-test^="stage-count-"]').count(), 0, `${what}: no stage rows`)
  }
  // the chosen quarter's target and forecast, of the owner, else the team, else the home team
  const year = /^\d{4}/.test(scope.period) ? scope.period.slice(0, 4) : today.slice(0, 4)
  const subject = scope.owner ? { owner: scope.owner } : { team: scope.team || home }
  const fc = await get(`/reports/forecast?${qs({ period: 'quarter', group: 'none', from: `${year}-01`, to: `${year}-12`, currency: 'CNY', ...subject })}`)
  for (const row of fc.totals) {
    const tile = `[data-test="tf-${row.period}"]`
    assert.equal(await text(`${tile} [data-test="tf-closed"]`), money(row.closed, lang), `${what} ${row.period}`)
    assert.ok((await text(`${tile} [data-test="tf-forecast"]`)).includes(money(row.forecast_amount, lang)), `${what} ${row.period}`)
    const target = await text(`${tile} [data-test="tf-target"]`)
    if (row.target == null) assert.equal(target, lang === 'zh' ? '未设目标' : 'No target', what)
    else assert.ok(target.includes(money(row.target, lang)), `${what} ${row.period}: ${target}`)
    assert.equal(await page.locator(tile).getAttribute('aria-current'), row.period === scope.period ? 'true' : null)
  }
  // the stalled deals
  const stalled = await get(`/reports/stalled?${qs({ days: 30, ...who })}`)
  const shown = await page.locator('[data-test="stalled"] a[data-test^="stalled-"]').evaluateAll((as) => as.map((a) => a.dataset.test.slice(8)))
  assert.deepEqual(shown.sort(), stalled.items.map((d) => d.id).sort(), `${what} stalled`)
  // the 3E card: each person shown with the API's activities of the period's days
  const act = await get(`/reports/activity?${qs({ ...who, ...(days(scope.period) || {}) })}`)
  const people = new Map(act.people.map((p) => [p.owner_id, p]))
  const rows = await page.locator('[data-test="compliance-table"] .el-table__body tr').evaluateAll((trs) => trs.map((tr) => ({
    id: tr.querySelector('[data-test^="compliance-"]').dataset.test.slice(11),
    activities: tr.querySelectorAll('td')[1].innerText.trim(),
  })))
  assert.equal(rows.length, Math.min(6, act.people.length), `${what} 3E rows`)
  for (const r of rows) assert.equal(r.activities, String(people.get(r.id).activities), `${what} 3E ${r.id}`)
  // the forecast chart's total line
  const fm = m || [today.slice(0, 7), null]
  if (!m) {
    const [y, mo] = today.slice(0, 7).split('-').map(Number)
    const i = y * 12 + mo - 1 + 11
    fm[1] = `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`
  }
  const monthly = await get(`/reports/forecast?${qs({ period: 'month', group: 'none', from: fm[0], to: fm[1], currency: 'CNY', ...who })}`)
  const open = monthly.totals.reduce((a, r) => a + r.open_amount, 0)
  if (monthly.totals.some((r) => r.open_count || r.closed || r.omitted))
    assert.ok((await text('[data-test="forecast-total"]')).includes(money(open, lang)), `${what} forecast`)
}

test('a team, an owner and a quarter chosen: every figure is the API\'s, and a reload keeps them', async () => {
  const boss = users['赵强']
  for (const [lang, width] of [['zh', 1366], ['en', 375]]) {
    const { ctx, page, errors } = await openAs(chrome.browser, server.base, demo('赵强'), { width, lang })
    await page.locator('[data-test="dash-scope"]').waitFor()
    const label = await page.locator('[data-test="scope-period"]').innerText()
    assert.match(label, lang === 'zh' ? /本季度/ : /This quarter/)
    await checkFigures(page, lang, { team: '', owner: '', period: QUARTER }, boss.team_id)
    // a team: 华南大区, this quarter
    await choose(page, 'scope-team', '华南大区')
    await page.waitForURL((u) => u.searchParams.get('team') === teams['华南大区'].id)
    await checkFigures(page, lang, scopeOf(page))
    // the next quarter
    await choose(page, 'scope-period', lang === 'zh' ? '下季度' : 'Next quarter')
    await page.waitForURL((u) => u.searchParams.get('period') === NEXT)
    await checkFigures(page, lang, scopeOf(page))
    // an owner of the team
    await choose(page, 'scope-owner', '王磊')
    await page.waitForURL((u) => u.searchParams.get('owner') === users['王磊'].id)
    const scope = scopeOf(page)
    assert.deepEqual(scope, { team: teams['华南大区'].id, owner: users['王磊'].id, period: NEXT })
    await checkFigures(page, lang, scope)
    const target = await page.locator(`[data-test="tf-${NEXT}"] [data-test="tf-target"]`).innerText()
    assert.ok(target.includes(money(900000000, lang)), `the owner's target: ${target}`)
    await noSideScroll(page, `the dashboard at ${width} in ${lang}`)
    await shot(page, `dashboard-scope-${width}-${lang}`)
    // a reload keeps the choice
    await page.reload()
    await page.locator('[data-test="dash-scope"]').waitFor()
    assert.deepEqual(scopeOf(page), scope)
    await checkFigures(page, lang, scope)
    assert.match(await page.locator('[data-test="scope-team"]').innerText(), /华南大区/)
    assert.match(await page.locator('[data-test="scope-owner"]').innerText(), /王磊/)
    assert.match(await page.locator('[data-test="scope-period"]').innerText(), lang === 'zh' ? /下季度/ : /Next quarter/)
    assert.deepEqual(errors, [], `console errors at ${width} in ${lang}`)
    await ctx.close()
  }
})

test('a manager is offered the teams of their tree; a shared link opens its choice', async () => {
  const east = teams['华东大区'].id
  for (const [lang, width] of [['zh', 375], ['en', 1366]]) {
    const { ctx, page, errors } = await openAs(chrome.browser, server.base, demo('孙丽'), { width, lang })
    // a link with a team outside the tree: it is dropped, the rest is kept
    await page.goto(`${server.base}/?${qs({ team: teams['华南大区'].id, owner: users['张伟'].id, period: String(Number(today.slice(0, 4)) + 1) })}`)
    await page.locator('[data-test="dash-scope"]').waitFor()
    await page.waitForURL((u) => !u.searchParams.get('team'))
    const scope = scopeOf(page)
    assert.deepEqual(scope, { team: '', owner: users['张伟'].id, period: String(Number(today.slice(0, 4)) + 1) })
    await checkFigures(page, lang, scope, east)
    await page.locator('[data-test="scope-team"]').click()
    await page.locator('.el-select-dropdown__item:visible').first().waitFor()
    const offered = await page.locator('.el-select-dropdown__item:visible').allInnerTexts()
    assert.deepEqual(offered.map((s) => s.trim()), ['华东大区'])
    await page.keyboard.press('Escape')
    await noSideScroll(page, `孙丽's dashboard at ${width} in ${lang}`)
    await shot(page, `dashboard-scope-manager-${width}-${lang}`)
    assert.deepEqual(errors, [], `console errors at ${width} in ${lang}`)
    await ctx.close()
  }
})
