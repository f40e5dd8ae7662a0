// The deal's shared facts (docs/playbook-schema.md, "Where a deal's facts
// live"): the budget, competitors, decision makers and expected close have
// one home, and every worksheet that shows them (MAN, MANT, 5W+2P) reads them
// from its answer's "facts" and writes only what the user changed, as its
// body's "facts". A save that changed them tells the other worksheets of the
// same deal to read them again.
import { reactive, ref } from 'vue'
import { fenToYuanInput, parseYuan } from '../util/money.js'

const stamps = new Map()

// A counter that grows whenever a worksheet of deal id wrote a shared fact.
export function factsStamp(id) {
  if (!stamps.has(id)) stamps.set(id, ref(0))
  return stamps.get(id)
}

export function useDealFacts(id) {
  const model = reactive({ budget: '', competitors: [], decision_makers: [], expected_close: null })
  let loaded = { budget: null, competitors: [], decision_makers: [], expected_close: null }

  function take(facts) {
    const f = facts || {}
    loaded = {
      budget: f.budget ?? null,
      competitors: [...(f.competitors || [])],
      decision_makers: [...(f.decision_makers || [])],
      expected_close: f.expected_close || null,
    }
    model.budget = fenToYuanInput(loaded.budget)
    model.competitors = [...loaded.competitors]
    model.decision_makers = [...loaded.decision_makers]
    model.expected_close = loaded.expected_close
  }

  const budgetBad = () => Number.isNaN(parseYuan(model.budget))

  // What the user changed, as a body's "facts" (null when nothing).
  function changed(fields) {
    const out = {}
    if (fields.includes('budget')) {
      const b = parseYuan(model.budget)
      if (b != null && !Number.isNaN(b) && b !== loaded.budget) out.budget = b
    }
    for (const k of ['competitors', 'decision_makers']) {
      if (fields.includes(k) && JSON.stringify(model[k]) !== JSON.stringify(loaded[k])) out[k] = [...model[k]]
    }
    if (fields.includes('expected_close') && model.expected_close && model.expected_close !== loaded.expected_close) {
      out.expected_close = model.expected_close
    }
    return Object.keys(out).length ? out : null
  }

  function announce() {
    factsStamp(id).value++
  }

  return { model, take, changed, budgetBad, announce, stamp: factsStamp(id) }
}
