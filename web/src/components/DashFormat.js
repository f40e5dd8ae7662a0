// Numbers of the dashboard and report screens that are not money or dates
// (those are util/money.js and util/format.js, for the whole app).
import { i18n } from '../i18n.js'

const lang = () => i18n.global.locale.value

// A rate the API gives in percent (12.5): "12.5%".
export function pct(v) {
  return v == null ? '—' : `${v}%`
}

// A chart axis' value, already divided into the unit of summaryUnit().
export function axisNumber(v) {
  return v.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 2 })
}

// Whole days from an ISO time until now.
export function daysSince(s) {
  const d = new Date(s)
  if (isNaN(d)) return null
  return Math.max(0, Math.floor((Date.now() - d.getTime()) / 86400000))
}
