// The knowledge base's kinds and the detail fields of each (docs/knowledge.md),
// shared by the entry page, the editor, the search and the deal's panel.
// A field: {name, type, options?, columns?, prominent?, wide?, required?}; types:
// text, textarea, enum, money (fen), bool, list (texts), rows (objects).
import { i18n } from '../i18n.js'
import { fmtMoney } from '../util/money.js'
import { findPlaybook, listName, stageName } from '../playbooks.js'

export const KINDS = ['case', 'selling_point', 'objection', 'question', 'solution']
export const STATUSES = ['draft', 'published', 'retired']
export const BUYING_ROLES = ['decision_maker', 'approver', 'evaluator', 'user', 'initiator']

export const ENUMS = {
  role: BUYING_ROLES,
  cause: ['emotional', 'rational'],
  method: ['ignore', 'compensate', 'reason', 'counter_question'],
  question_type: ['open', 'guiding', 'closing'],
  spin: ['situation', 'problem', 'implication', 'need_payoff'],
}

const enumOf = (name) => ({ name, type: 'enum', options: ENUMS[name] })

export const DETAIL = {
  case: [
    { name: 'customer', type: 'text' },
    { name: 'industry', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'size', type: 'text' },
    { name: 'amount', type: 'money' },
    enumOf('role'),
    { name: 'background', type: 'textarea', wide: true },
    { name: 'pains', type: 'rows', columns: ['pain', 'cause'], wide: true },
    { name: 'capability', type: 'textarea', prominent: true, wide: true },
    { name: 'delivered', type: 'textarea', wide: true },
    { name: 'results', type: 'textarea', wide: true },
    { name: 'may_name', type: 'bool' },
    { name: 'may_contact', type: 'bool' },
    { name: 'competitors', type: 'list', wide: true },
  ],
  selling_point: [
    { name: 'description', type: 'textarea', wide: true },
    { name: 'company_benefit', type: 'textarea', prominent: true, wide: true },
    { name: 'roles', type: 'rows', columns: ['role', 'value', 'typical_need'], wide: true },
    { name: 'demo_guide', type: 'textarea', wide: true },
  ],
  objection: [
    { name: 'wording', type: 'textarea', wide: true, required: true },
    enumOf('cause'),
    enumOf('method'),
    { name: 'model_answer', type: 'textarea', prominent: true, wide: true },
    { name: 'when_to_answer', type: 'textarea', wide: true },
  ],
  question: [
    { name: 'question', type: 'textarea', prominent: true, wide: true, required: true },
    enumOf('question_type'),
    enumOf('spin'),
    { name: 'purpose', type: 'textarea', wide: true },
  ],
  solution: [
    { name: 'industry', type: 'text' },
    { name: 'problem', type: 'textarea', wide: true },
    { name: 'architecture', type: 'textarea', wide: true },
    { name: 'modules', type: 'list', wide: true },
    { name: 'attachments', type: 'rows', columns: ['name', 'url'], wide: true },
  ],
}

// The columns of rows that take one of a list (a role of selling_point.roles).
export const COLUMN_ENUMS = { role: BUYING_ROLES }

const t = (k) => i18n.global.t(k)

export function kindName(kind) {
  return kind ? t('knowledge.kinds.' + kind) : ''
}

export const KIND_TAG = { case: 'success', selling_point: 'primary', objection: 'danger', question: 'warning', solution: 'info' }
export const STATUS_TAG = { draft: 'warning', published: 'success', retired: 'info' }

// An enum's value in words (buying roles: the account screen's names).
export function enumLabel(name, value) {
  if (value == null || value === '') return ''
  if (name === 'role') return t('account.roles.' + value)
  const key = `knowledge.enum.${name}.${value}`
  return i18n.global.te(key) ? t(key) : String(value)
}

// A field's value as text (for the short ones: text, enum, money, bool).
export function fieldText(f, v) {
  if (v == null || v === '') return ''
  if (f.type === 'enum') return enumLabel(f.name, v)
  if (f.type === 'money') return fmtMoney(v)
  if (f.type === 'bool') return v ? t('knowledge.yes') : t('knowledge.no')
  if (Array.isArray(v)) return v.join('、')
  return String(v)
}

// Whether a field of a detail has anything to show.
export function hasValue(v) {
  if (v == null || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  return true
}

// The segments of an item's title or summary: its search hits, or the text
// as one unmarked segment. hits may be {title: [...], summary: [...]}.
export function segments(item, field) {
  const h = item && item.hits
  const s = h && (Array.isArray(h[field]) ? h[field] : null)
  if (s && s.length) return s
  const text = item ? item[field] : ''
  return text ? [{ text, hit: false }] : []
}

// A stage value "playbook:stage" as [playbook, stage].
export function splitStage(v) {
  const i = String(v).indexOf(':')
  return i < 0 ? [String(v), ''] : [v.slice(0, i), v.slice(i + 1)]
}

// "uss-5:solution" in words: "<playbook> · <stage>" (the value itself while
// the playbooks are not loaded or do not know it).
export function stageLabel(v) {
  const [pb, st] = splitStage(v)
  const p = findPlaybook(pb)
  if (!p) return String(v)
  return st ? `${listName(p)} · ${stageName(pb, st)}` : listName(p)
}
