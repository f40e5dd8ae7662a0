// Money is integer fen in the API; people read and type yuan.

// 123456 → "1,234.56"; empty for null.
export function yuan(fen) {
  if (fen == null) return ''
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
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
  const t = String(s).replace(/[,，\s]/g, '')
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN
  return Math.round(Number(t) * 100)
}

// Fen as the text of a yuan input: "1234.5", "1234" (no ".00").
export function fenToYuanInput(fen) {
  if (fen == null) return ''
  return (fen / 100).toFixed(2).replace(/\.00$/, '')
}
