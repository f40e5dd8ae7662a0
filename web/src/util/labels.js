// Codes in words, in the user's language (locales/labels.js): the system's
// own actor ("bingfa" → 系统 / System), a currency (CNY → 元), a playbook by
// its name, a playbook's source, an activity's plan.
import { i18n } from '../i18n.js'
import { findPlaybook, listName } from '../playbooks.js'

// The actor the server records for its own changes.
export const SYSTEM_ACTOR = 'bingfa'

function label(key, fallback) {
  const { t, te } = i18n.global
  return te(key) ? t(key) : fallback
}

// Who made a change: a person's name, or 系统 / System for the server itself.
export function actorName(name) {
  if (!name) return ''
  return name === SYSTEM_ACTOR ? i18n.global.t('labels.system') : name
}

// A currency by its name (CNY → 元), or its code when it has none.
export function currencyName(code) {
  const c = code || 'CNY'
  return label('labels.currency.' + c, c)
}

// A playbook by its name (ruijie-6 → 锐捷兵法·六阶段), once the playbooks are loaded.
export function playbookName(id) {
  return listName(findPlaybook(id)) || id || ''
}

// Where a playbook comes from, in the user's language.
export function playbookSource(doc) {
  if (!doc) return ''
  return label('labels.playbookSource.' + doc.id, doc.source || '')
}

// The plan an activity belongs to (its plan_ref) in words: a sales mode's
// planned visit (quick/2 → 快刀·第2次拜访) or the task after a win
// (reference-case → 标杆案例); the code itself when it is neither.
export function planRefName(ref) {
  if (!ref) return ''
  const m = /^([a-z_]+)\/(\d+)$/.exec(ref)
  if (m) return i18n.global.t('labels.planRef.visit', { mode: label('labels.modes.' + m[1], m[1]), n: m[2] })
  return label('labels.planRef.' + ref, ref)
}
