// Shared by the reports screen (报表) and the dashboards that read the same
// reports: periods and their months, forecast categories, ratios, and the
// forecast chart (stacked categories per period, the target as a line).
import { i18n } from '../i18n.js'
import { axisNumber } from './DashFormat.js'
import { fmtMoney, summaryUnit } from '../util/money.js'
import { fmtMonth, pad } from '../util/format.js'

const t = (k, a) => i18n.global.t(k, a)
const lang = () => i18n.global.locale.value

// The forecast categories, bottom of the stack first; omitted is outside the forecast.
export const CATEGORIES = ['closed', 'commit', 'best_case', 'pipeline', 'omitted']
export const OPEN_CATEGORIES = ['commit', 'best_case', 'pipeline', 'omitted']
export const CATEGORY_COLORS = {
  closed: '#2f8f4e', commit: '#1f5fbf', best_case: '#5b9bf0', pipeline: '#b3d4fb', omitted: '#c0c4cc',
}
export const CATEGORY_TAGS = { closed: 'success', commit: 'primary', best_case: '', pipeline: 'info', omitted: 'info' }

// The category a deal counts in, as the forecast counts it: won deals are
// closed, open deals outside the funnel are omitted, else their category.
export function dealCategory(o) {
  if (o.status === 'won') return 'closed'
  if (o.in_funnel === false) return 'omitted'
  return o.forecast_category || 'pipeline'
}

// "YYYY-MM" of today, and n months on.
export function monthOf(d = new Date()) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`
}
export function addMonths(month, n) {
  const [y, m] = month.split('-').map(Number)
  const i = y * 12 + (m - 1) + n
  return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`
}
// "2026-Q4" of today
export function quarterOf(d = new Date()) {
  return `${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`
}
// The first and last month of a quarter key.
export function quarterMonths(q) {
  const m = /^(\d{4})-Q([1-4])$/.exec(q || '')
  if (!m) return null
  const first = (Number(m[2]) - 1) * 3 + 1
  return [`${m[1]}-${pad(first)}`, `${m[1]}-${pad(first + 2)}`]
}

// The first and last month of a period key (2026-12, 2026-Q4, 2026),
// within the months from..to the report was asked for.
export function periodMonths(key, from, to) {
  let range
  if (/^\d{4}-\d{2}$/.test(key)) range = [key, key]
  else if (/^\d{4}-Q[1-4]$/.test(key)) range = quarterMonths(key)
  else if (/^\d{4}$/.test(key)) range = [`${key}-01`, `${key}-12`]
  else return null
  if (from && range[0] < from) range[0] = from
  if (to && range[1] > to) range[1] = to
  return range
}

// The dates of the first day of a month and the last day of another.
export function monthStart(month) {
  return `${month}-01`
}
export function monthEnd(month) {
  const [y, m] = month.split('-').map(Number)
  return `${month}-${pad(new Date(y, m, 0).getDate())}`
}

// A period key in words: "2026年12月" / "Dec 2026", "2026年第4季度" / "Q4 2026",
// "2026年" / "2026"; short for chart axes ("2026 Q4").
export function fmtPeriod(key, short = false) {
  if (!key) return t('reports.undated')
  let m = /^(\d{4})-Q([1-4])$/.exec(key)
  if (m) {
    if (short) return lang() === 'zh' ? `${m[1]}年Q${m[2]}` : `Q${m[2]} ${m[1]}`
    return lang() === 'zh' ? `${m[1]}年第${m[2]}季度` : `Q${m[2]} ${m[1]}`
  }
  if (/^\d{4}-\d{2}$/.test(key)) return fmtMonth(key)
  if (/^\d{4}$/.test(key)) return lang() === 'zh' ? `${key}年` : key
  return key
}

// A ratio of the API (0.125) as a percent: "12.5%"; "—" for null.
export function ratio(r, digits = 1) {
  if (r == null || Number.isNaN(r)) return '—'
  return `${(r * 100).toFixed(digits)}%`
}

export function days(v) {
  if (v == null) return '—'
  return t('reports.days', { n: Math.round(v * 10) / 10 })
}

// A stage's name from a report row ({name, name_en}).
export function stageLabel(s) {
  return (lang() === 'en' ? s.name_en : s.name) || s.name || s.stage
}

// ECharts tooltips are HTML: names typed by people go in escaped.
export function esc(s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
}

// The forecast chart of rows (one per period): the categories stacked, the
// target as a line where any is set. Series ids are the categories, so a
// click tells which category of which period (dataIndex) was meant.
// rows by month ("YYYY-MM") with the months between — and from `from` to `to`
// when given — that have none filled in as empty ones: an axis of months
// drops none. Rows of other periods come back as they are.
export function fillMonths(rows, from = null, to = null) {
  const monthly = (p) => typeof p === 'string' && /^\d{4}-\d{2}$/.test(p)
  if (!rows.every((r) => monthly(r.period)) || (!rows.length && !(from && to))) return rows
  const have = new Map(rows.map((r) => [r.period, r]))
  const periods = rows.map((r) => r.period).sort()
  const first = from && (!periods.length || from < periods[0]) ? from : periods[0]
  const last = to && (!periods.length || to > periods[periods.length - 1]) ? to : periods[periods.length - 1]
  const out = []
  for (let m = first; m <= last && out.length < 240; m = addMonths(m, 1)) {
    out.push(have.get(m) || {
      period: m, counts: {}, open_count: 0, open_amount: 0, weighted_amount: 0, forecast_amount: 0,
      target: null, attainment: null, ...Object.fromEntries(CATEGORIES.map((c) => [c, 0])),
    })
  }
  return out
}

export function forecastOption(rows, { omitted = false, target = true, from = null, to = null } = {}) {
  rows = fillMonths(rows, from, to)
  const { div, unit } = summaryUnit()
  const v = (fen) => Math.round((fen / div) * 100) / 100
  const hasTarget = target && rows.some((r) => r.target != null)
  const series = CATEGORIES.map((c) => ({
    id: c, name: t('reports.cat.' + c), type: 'bar', stack: 'f', color: CATEGORY_COLORS[c], barMaxWidth: 40,
    cursor: 'pointer', emphasis: { focus: 'series' },
    data: rows.map((r) => v(r[c])),
  }))
  if (hasTarget) {
    series.push({
      id: 'target', name: t('reports.target'), type: 'line', color: '#d4380d', symbol: 'diamond', symbolSize: 9,
      lineStyle: { width: 2, type: 'dashed' }, connectNulls: false, z: 5,
      data: rows.map((r) => (r.target == null ? null : v(r.target))),
    })
  }
  const selected = { [t('reports.cat.omitted')]: omitted }
  return {
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
      formatter: (ps) => {
        const r = rows[ps[0].dataIndex]
        const colon = t('dashboard.colon')
        let s = `<b>${esc(fmtPeriod(r.period))}</b>`
        for (const c of CATEGORIES) {
          s += `<br>${dot(CATEGORY_COLORS[c])}${t('reports.cat.' + c)}${colon}${fmtMoney(r[c])}` +
            ` <span style="color:#909399">(${t('reports.nDeals', { n: (r.counts || {})[c] || 0 })})</span>`
        }
        s += `<br>${t('reports.forecastAmount')}${colon}${fmtMoney(r.forecast_amount)}`
        if (r.target != null) {
          s += `<br>${dot('#d4380d')}${t('reports.target')}${colon}${fmtMoney(r.target)} · ` +
            `${t('reports.attainment')} ${ratio(r.attainment)}`
        }
        return s
      },
    },
    legend: { top: 0, type: 'scroll', selected },
    grid: { left: 8, right: 12, top: 52, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => fmtPeriod(r.period, true)), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', name: unit, nameTextStyle: { align: 'left' }, axisLabel: { formatter: axisNumber } },
    series,
  }
}

function dot(color) {
  return `<span style="display:inline-block;width:8px;height:8px;border-radius:4px;margin-right:4px;background:${color}"></span>`
}

// The query of the reports of one playbook's stages (stages, calibration).
export function stageQuery(filters) {
  return {
    playbook: filters.stagePlaybook, from: filters.from, to: filters.to,
    owner: filters.owner, team: filters.team, as_of: filters.asOf,
  }
}

// "YYYY-MM-DD" of today in China time (UTC+8), the day the 3E report counts
// in, and a day n days on.
export function chinaToday(now = Date.now()) {
  return new Date(now + 8 * 3600000).toISOString().slice(0, 10)
}
export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}
// The days the 3E report reads by default: the last four weeks to today.
export function activityDays() {
  const to = chinaToday()
  return { dayFrom: addDays(to, -27), dayTo: to }
}
// "YYYY-MM-DD" of a date picker's local day.
export function dayOf(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}
