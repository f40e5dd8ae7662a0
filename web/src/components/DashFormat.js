// Money and dates for the dashboard and pipeline screens.
// Money is integer fen in the API: Chinese readers think in 万元, English
// readers get yuan with thousands separators.
import { i18n } from '../i18n.js'
import { yuan } from '../util/money.js'

const lang = () => i18n.global.locale.value
const num = (v, digits) =>
  v.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

// "9,500.00 万元" / "¥9,500,000"
export function money(fen) {
  if (fen == null) return '—'
  if (lang() === 'zh') return Math.abs(fen) >= 1000000 ? `${num(fen / 1000000, 2)} 万元` : `${yuan(fen)} 元`
  return '¥' + num(fen / 100, fen % 100 === 0 ? 0 : 2)
}

// The exact amount in yuan, for tooltips: "9,500,000.00 元" / "¥9,500,000.00"
export function exactMoney(fen) {
  if (fen == null) return '—'
  return lang() === 'zh' ? `${yuan(fen)} 元` : '¥' + yuan(fen)
}

// An exact amount for prices and quotations, in either language: "¥12,345.67", "-¥1.50".
export function yuanExact(fen) {
  if (fen == null) return '—'
  return (fen < 0 ? '-' : '') + '¥' + yuan(Math.abs(fen))
}

// A difference of two amounts: "+¥1,000.00", "-¥20.00", "¥0.00".
export function yuanDiff(fen) {
  if (fen == null) return '—'
  return (fen > 0 ? '+' : fen < 0 ? '-' : '') + '¥' + yuan(Math.abs(fen))
}

// A rate the API gives in percent (12.5): "12.5%".
export function pct(v) {
  return v == null ? '—' : `${v}%`
}

// Chart axes: values divided by `div`, labelled with `unit`.
export function chartUnit() {
  return lang() === 'zh' ? { div: 1000000, unit: '万元' } : { div: 100000, unit: 'k yuan' }
}

export function axisNumber(v) {
  return num(v, 0)
}

function localeTag() {
  return lang() === 'zh' ? 'zh-CN' : 'en-US'
}

// A date ("2027-03-02") or a time ("2026-11-22T08:00:00Z") as a local date.
export function fmtDate(s) {
  if (!s) return '—'
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  const d = m ? new Date(+m[1], +m[2] - 1, +m[3]) : new Date(s)
  if (isNaN(d)) return s
  return d.toLocaleDateString(localeTag(), { year: 'numeric', month: '2-digit', day: '2-digit' })
}

export function fmtDateTime(s) {
  if (!s) return '—'
  const d = new Date(s)
  if (isNaN(d)) return s
  return d.toLocaleString(localeTag(), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  })
}

// "2027-03" → "2027年3月" / "Mar 2027"
export function fmtMonth(s) {
  const m = /^(\d{4})-(\d{2})$/.exec(s || '')
  if (!m) return s || ''
  return new Date(+m[1], +m[2] - 1, 1).toLocaleDateString(localeTag(), { year: 'numeric', month: 'short' })
}

// Whole days from an ISO time until now.
export function daysSince(s) {
  const d = new Date(s)
  if (isNaN(d)) return null
  return Math.max(0, Math.floor((Date.now() - d.getTime()) / 86400000))
}
