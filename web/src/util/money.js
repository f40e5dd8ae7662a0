// Money is integer fen in the API; people read and type yuan. Typed amounts
// are parsed as text, never through floating point: "0.29" is 29 fen and
// "1.2亿" is 12,000,000,000 fen.
//
// How amounts are shown, in both languages:
//   a record or a form (one deal, one quotation line): the exact amount,
//     always with two decimals: "1,560,000.00 元" / "¥1,560,000.00";
//   a summary (dashboard, funnel, forecast, reports, pipeline totals):
//     "156.0 万元" / "¥1.56M".
// The language is the app's, the same as the dates' (util/format.js
// setFormatLanguage); every function also takes it as an argument.

import { currentLang } from './format.js'

function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

// 123456 → "1,234.56"; empty for null. Integer arithmetic: exact for any
// safe integer.
export function yuan(fen) {
  if (fen == null || Number.isNaN(fen)) return ''
  const a = Math.abs(Math.round(fen))
  const whole = group(String(Math.floor(a / 100)))
  return (fen < 0 ? '-' : '') + whole + '.' + String(a % 100).padStart(2, '0')
}

// The exact amount of a record: "1,560,000.00 元" / "¥1,560,000.00"; "—" for null.
export function fmtMoney(fen, lang = currentLang()) {
  if (fen == null || Number.isNaN(fen)) return '—'
  if (lang === 'en') return (fen < 0 ? '-' : '') + '¥' + yuan(Math.abs(fen))
  return `${yuan(fen)} 元`
}

// A difference of two amounts: "+1,000.00 元" / "+¥1,000.00"; zero unsigned.
export function fmtMoneyDiff(fen, lang = currentLang()) {
  if (fen == null || Number.isNaN(fen)) return '—'
  const sign = fen > 0 ? '+' : fen < 0 ? '-' : ''
  return sign + fmtMoney(Math.abs(fen), lang)
}

// fen rounded to a whole number of `unit` fen, as "int.frac" with `digits`
// decimals; integer arithmetic (half away from zero).
function scaled(fen, unit, digits) {
  const step = unit / 10 ** digits
  const a = Math.abs(Math.round(fen))
  const n = Math.floor((a + step / 2) / step)
  const whole = group(String(Math.floor(n / 10 ** digits)))
  const frac = digits ? '.' + String(n % 10 ** digits).padStart(digits, '0') : ''
  return (fen < 0 && n > 0 ? '-' : '') + whole + frac
}

// A summary amount: "156.0 万元" (one decimal of 万元) / "¥1.56M" (two
// decimals of a million yuan); "—" for null.
export function fmtWan(fen, lang = currentLang()) {
  if (fen == null || Number.isNaN(fen)) return '—'
  if (lang === 'en') {
    const s = scaled(fen, 100000000, 2)
    return s.startsWith('-') ? `-¥${s.slice(1)}M` : `¥${s}M`
  }
  return `${scaled(fen, 1000000, 1)} 万元`
}

// The unit of summary charts' axes: the value in fen is divided by div.
export function summaryUnit(lang = currentLang()) {
  return lang === 'en' ? { div: 100000000, unit: '¥M' } : { div: 1000000, unit: '万元' }
}

const UNITS = { '': 0, 元: 0, 块: 0, yuan: 0, rmb: 0, k: 3, 千: 3, 千元: 3, 万: 4, 万元: 4, w: 4, m: 6, 百万: 6, 百万元: 6, 亿: 8, 亿元: 8 }

// Money as people type it, to fen: "50万", "50 万元", "5,000,000",
// "5000000.5", "￥5,000", "1.2亿", "RMB 300", "¥2.5M". Returns
// { fen } or { error } with error one of 'empty', 'format', 'precision'
// (finer than a fen), 'range' (too large to be exact).
export function parseMoney(text) {
  let s = String(text ?? '')
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
  if (!s) return { error: 'empty' }
  s = s.replace(/^(?:¥|rmb|cny)/, '').replace(/(?:rmb|cny)$/, '')
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(.*)$/.exec(s)
  if (!m || (m[1] == null && m[2] == null)) return { error: 'format' }
  if (!(m[3] in UNITS)) return { error: 'format' }
  const places = 2 + UNITS[m[3]]
  const whole = (m[1] || '0').replace(/,/g, '')
  const frac = m[2] || ''
  if (/[1-9]/.test(frac.slice(places))) return { error: 'precision' }
  const digits = (whole + frac.slice(0, places).padEnd(places, '0')).replace(/^0+(?=\d)/, '')
  if (digits.length > 16) return { error: 'range' }
  const fen = Number(digits)
  return Number.isSafeInteger(fen) ? { fen } : { error: 'range' }
}

// Money typed in a form: fen, null for nothing typed, NaN for anything that
// is not an amount (parseMoney).
export function parseYuan(s) {
  if (s == null || String(s).trim() === '') return null
  const r = parseMoney(s)
  return r.error ? NaN : r.fen
}

// "1234.5" → 123450 (hundredths of the text's value); NaN when the text is
// not digits with at most two decimals or too large to be exact in a Number.
// For numbers that are not money (万元 filters, percents, quantities).
export function hundredths(s) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(s).replace(/[,，\s]/g, ''))
  if (!m) return NaN
  const whole = m[1].replace(/^0+(?=\d)/, '')
  const frac = ((m[2] || '') + '00').slice(0, 2)
  if (whole.length > 13) return NaN
  const n = Number(whole) * 100 + Number(frac)
  return Number.isSafeInteger(n) ? n : NaN
}

// Fen as the text of a money input: "1234.5", "1234" (no ".00").
export function fenToYuanInput(fen) {
  if (fen == null) return ''
  return yuan(fen).replace(/,/g, '').replace(/\.00$/, '').replace(/(\.\d)0$/, '$1')
}

// A percent or quantity typed with at most two decimals, as the JSON number
// the API takes (12.5); null for nothing typed, NaN for anything else.
export function parseDecimal(s) {
  if (s === '' || s == null) return null
  const h = hundredths(s)
  return Number.isNaN(h) ? NaN : h / 100
}

// A number of the API (percent, quantity) as the text of an input.
export function decimalInput(v) {
  return v == null ? '' : String(v)
}
