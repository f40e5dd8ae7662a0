// A quotation as its editor holds it (numbers as typed), the body the API
// takes (money in fen, rates and quantities as numbers), and the comparison
// of two revisions' lines. No Vue here: plain data in, plain data out.
import { i18n } from '../i18n.js'
import { decimalInput, fenToYuanInput, parseDecimal, parseYuan } from '../util/money.js'

let seq = 0
const TERMS = ['title', 'valid_until', 'payment_terms', 'delivery_terms', 'notes']

// A line of a product of the price list: what it shows comes from the product.
export function productLine(p, quantity = '1', discount = '0') {
  return {
    key: ++seq, product_id: p.id || p.product_id, code: p.code, name: p.name, name_en: p.name_en, unit: p.unit,
    unit_en: p.unit_en, kind: p.kind, decimal_quantity: !!p.decimal_quantity, price: p.list_price ?? p.unit_price,
    ratio: p.ratio, tax_rate: p.tax_rate, quantity, discount,
  }
}

// A free line: name, unit, price and VAT typed in.
export function freeLine() {
  return { key: ++seq, product_id: null, kind: 'other', name: '', unit: '', unit_price: '', ratio: '', tax_rate: '13', quantity: '1', discount: '0' }
}

function lineOf(l) {
  if (l.product_id) return productLine(l, decimalInput(l.quantity), decimalInput(l.discount))
  return {
    key: ++seq, product_id: null, kind: l.kind || 'other', name: l.name || '', unit: l.unit || '',
    unit_price: fenToYuanInput(l.unit_price), ratio: decimalInput(l.ratio), tax_rate: decimalInput(l.tax_rate),
    quantity: decimalInput(l.quantity), discount: decimalInput(l.discount), description: l.description,
  }
}

// The editor's draft of a quotation (null: a new one).
export function draftOf(q) {
  const d = { discount: q ? decimalInput(q.discount) : '0', lines: q ? (q.lines || []).map(lineOf) : [] }
  for (const k of TERMS) d[k] = (q && q[k]) || ''
  return d
}

// The API body of a draft: {body, errors}; errors by the API's field names
// ("lines[2].quantity") for what cannot be read at all. What was left empty
// is left out, so the API names it when it is required.
export function bodyOf(d) {
  const t = i18n.global.t
  const errors = {}
  const body = {}
  for (const k of TERMS) if (String(d[k] || '').trim()) body[k] = String(d[k]).trim()
  const num = (v, path, yuan = false) => {
    const n = yuan ? parseYuan(v) : parseDecimal(v)
    if (Number.isNaN(n)) errors[path] = t(yuan ? 'forms.money.bad' : 'quotes.badNumber')
    return n
  }
  const set = (obj, key, v) => {
    if (v != null && !Number.isNaN(v)) obj[key] = v
  }
  set(body, 'discount', num(d.discount, 'discount'))
  body.lines = d.lines.map((l, k) => {
    const out = {}
    const at = (f) => `lines[${k}].${f}`
    if (l.product_id) out.product_id = l.product_id
    else {
      if (l.kind && l.kind !== 'other') out.kind = l.kind
      if (l.name.trim()) out.name = l.name.trim()
      if (l.unit.trim()) out.unit = l.unit.trim()
      if (l.kind === 'service_ratio') set(out, 'ratio', num(l.ratio, at('ratio')))
      else set(out, 'unit_price', num(l.unit_price, at('unit_price'), true))
      set(out, 'tax_rate', num(l.tax_rate, at('tax_rate')))
    }
    if (l.description) out.description = l.description
    set(out, 'quantity', num(l.quantity, at('quantity')))
    set(out, 'discount', num(l.discount, at('discount')))
    return out
  })
  return { body, errors }
}

// ---- comparing two revisions ------------------------------------------------

const COMPARED = ['quantity', 'unit_price', 'discount', 'tax_rate']

function keysOf(lines) {
  const seen = {}
  return lines.map((l) => {
    const base = l.product_id ? 'p:' + l.product_id : 'f:' + l.name + '|' + (l.unit || '')
    seen[base] = (seen[base] || 0) + 1
    return base + '#' + seen[base]
  })
}

// The lines of revisions a and b side by side: [{a, b, state, changed}],
// state added | removed | changed | same; changed: the fields that differ.
// In b's order; lines only in a follow, in a's order.
export function compareLines(a, b) {
  const ka = keysOf(a)
  const kb = keysOf(b)
  const byKey = new Map(ka.map((k, i) => [k, a[i]]))
  const rows = b.map((line, i) => {
    const old = byKey.get(kb[i])
    if (!old) return { a: null, b: line, state: 'added', changed: [] }
    const changed = COMPARED.filter((f) => old[f] !== line[f])
    return { a: old, b: line, state: changed.length ? 'changed' : 'same', changed }
  })
  const inB = new Set(kb)
  ka.forEach((k, i) => {
    if (!inB.has(k)) rows.push({ a: a[i], b: null, state: 'removed', changed: [] })
  })
  return rows
}

// The totals compared: [{key, a, b, diff}] in fen.
export function compareTotals(a, b) {
  return ['list_amount', 'discount_amount', 'net', 'tax', 'gross'].map((key) => ({
    key, a: a[key], b: b[key], diff: (b[key] || 0) - (a[key] || 0),
  }))
}
