// The deal's shared facts (docs/playbook-schema.md, "Where a deal's facts
// live"): the budget, competitors, decision makers and expected close have
// one home on the server and one reactive source in the browser,
// dealFacts(id), which every view of a fact reads: the deal's header, the
// competitors' tab, the worksheets that show them (MAN, MANT, 5W+2P).
// Whatever the server answers about them goes there: a deal record
// (publishDeal: the header's edit, the competitors' tab, any reload of the
// deal) and a worksheet's answer ("facts"). A worksheet edits a copy of
// them (useDealFacts), which follows the source for every fact the user has
// not changed in it, and writes only what the user changed, as its body's
// "facts" (null clears a budget or an expected close; [] a list).
import { reactive, watch } from 'vue'
import * as api from '../endpoints.js'
import { fenToYuanInput, parseYuan } from '../util/money.js'

const FIELDS = ['budget', 'competitors', 'decision_makers', 'expected_close']
const homes = new Map()

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

function clean(k, v) {
  if (k === 'competitors' || k === 'decision_makers') return Array.isArray(v) ? [...v] : []
  if (k === 'expected_close') return v || null
  return v ?? null
}

// The facts of deal id as the server last told them.
export function dealFacts(id) {
  if (!homes.has(id)) homes.set(id, reactive({ budget: null, competitors: [], decision_makers: [], expected_close: null }))
  return homes.get(id)
}

// What the server answered about deal id's facts: the members given.
export function publishFacts(id, facts) {
  if (!id || !facts) return
  const home = dealFacts(id)
  for (const k of FIELDS) {
    if (!(k in facts)) continue
    const v = clean(k, facts[k])
    if (!same(v, home[k])) home[k] = v
  }
}

// A deal record as the server answered it (its decision makers are the
// account's contacts: a worksheet's answer tells them).
export function publishDeal(opp) {
  if (!opp || !opp.id) return
  publishFacts(opp.id, { budget: opp.budget, competitors: opp.competitors, expected_close: opp.expected_close })
}

// A worksheet's copy of deal id's facts. When the source changed through
// another view (the header, another worksheet), the worksheet form (its kind,
// e.g. 'mant') is read again and onResult given its verdict, which may follow.
export function useDealFacts(id, { form = null, onResult = null } = {}) {
  const home = dealFacts(id)
  const model = reactive({ budget: '', competitors: [], decision_makers: [], expected_close: null })
  // the source's values the model was filled with
  const loaded = { budget: null, competitors: [], decision_makers: [], expected_close: null }

  const input = (k, v) => (k === 'budget' ? fenToYuanInput(v) : clean(k, v))
  function edited(k) {
    if (k === 'budget') {
      const b = parseYuan(model.budget)
      return Number.isNaN(b) || b !== loaded.budget
    }
    return !same(clean(k, model[k]), loaded[k])
  }

  // The model follows the source: every fact (force), or those the user did
  // not change.
  function follow(force) {
    for (const k of FIELDS) {
      if (force || !edited(k)) model[k] = input(k, home[k])
      loaded[k] = clean(k, home[k])
    }
  }
  let seen = JSON.stringify(home)
  watch(() => JSON.stringify(home), (now) => {
    if (now === seen) return
    seen = now
    follow(false)
    if (form) reread()
  })

  async function reread() {
    try {
      const d = await api.forms.get(id, form)
      refresh(d.facts)
      if (onResult) onResult(d.result)
    } catch {
      // the verdict stays as it was; the next save or reload answers again
    }
  }

  // The worksheet's answer: the source takes its facts, the model all of them.
  function take(facts) {
    publishFacts(id, facts)
    seen = JSON.stringify(home)
    follow(true)
  }

  // An answer read again for the verdict: the model keeps what the user changed.
  function refresh(facts) {
    publishFacts(id, facts)
    seen = JSON.stringify(home)
    follow(false)
  }

  const budgetBad = () => Number.isNaN(parseYuan(model.budget))

  // The facts the user changed (and not saved), for the unsaved-changes guard.
  const edits = () => FIELDS.filter(edited).map((k) => [k, model[k]])

  // What the user changed among fields, as a body's "facts" (null when
  // nothing): a budget or a date emptied is null, which clears it.
  function changed(fields) {
    const out = {}
    for (const k of fields) {
      if (!edited(k)) continue
      if (k === 'budget') {
        const b = parseYuan(model.budget)
        if (!Number.isNaN(b)) out.budget = b
      } else out[k] = clean(k, model[k])
    }
    return Object.keys(out).length ? out : null
  }

  return { model, home, take, refresh, changed, edits, budgetBad }
}
