// Money is integer fen in the API; people read and type yuan. Typed decimals
// are parsed as text, never through floating point: "0.29" is 29 fen.

// "1234.5" → 123450 (hundredths of the text's value); NaN when the text is
// not digits with at most two decimals or too large to be exact in a Number.
export function hundredths(s) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(s).replace(/[,，\s]/g, ''))
  if (!m) return NaN
  const whole = m[1].replace(/^0+(?=\d)/, '')
  const frac = ((m[2] || '') + '00').slice(0, 2)
  if (whole.length > 13) return NaN
  const n = Number(whole) * 100 + Number(frac)
  return Number.isSafeInteger(n) ? n : NaN
}

// 123456 → "1,234.56"; empty for null. Integer arithmetic: exact for any
// safe integer.
export function yuan(fen) {
  if (fen == null) return ''
  const a = Math.abs(Math.round(fen))
  const whole = Math.floor(a / 100).toLocaleString('en-US')
  return (fen < 0 ? '-' : '') + whole + '.' + String(a % 100).padStart(2, '0')
}

// Money in fen as yuan with the sign and separators, "¥ 1,234.00"; empty for null.
export function yuanWithSign(fen) {
  if (fen == null) return ''
  return '¥ ' + yuan(fen)
}

// Money typed in yuan: digits with at most two decimals; fen, null for
// nothing typed, NaN for anything else.
export function parseYuan(s) {
  if (s === '' || s == null) return null
  return hundredths(s)
}

// Fen as the text of a yuan input: "1234.5", "1234" (no ".00").
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
