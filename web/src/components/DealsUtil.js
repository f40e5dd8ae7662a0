// The deals list (商机): its address (the filters, the sort and the page size
// live in the URL's query) turned into the query of GET /opportunities, the
// columns a user chose to hide, and the names of the deals' accounts.
import { reactive } from 'vue'
import * as api from '../endpoints.js'
import { hundredths } from '../util/money.js'

// Kept in the URL as the API names them.
export const PASS_KEYS = [
  'q', 'status', 'playbook', 'stage', 'team', 'owner_id', 'account_id', 'sales_mode', 'forecast_category',
  'currency', 'expected_close_from', 'expected_close_to', 'closed_at_from', 'closed_at_to',
]
// And: min_wan / max_wan (万元, the API's amount_min / amount_max in fen),
// stalled_days, sort, limit.
export const FILTER_KEYS = PASS_KEYS.concat(['min_wan', 'max_wan', 'stalled_days'])
export const STATUSES = ['open', 'won', 'lost', 'abandoned']
export const SORTS = ['created_at', 'name', 'amount', 'expected_close', 'stage', 'probability', 'owner']
export const DEFAULT_SORT = '-created_at'
export const DEFAULT_LIMIT = 50
export const STALLED_DEFAULT = 30

const one = (v) => (Array.isArray(v) ? v[0] : v)
export const queryText = (query, key) => {
  const v = one(query[key])
  return v == null ? '' : String(v)
}

// "12.5" 万元 → 125000000 fen; null for nothing typed, NaN for anything else.
export function wanToFen(s) {
  if (s === '' || s == null) return null
  const h = hundredths(s)
  return Number.isNaN(h) ? NaN : h * 10000
}

export function sortOf(query) {
  const s = queryText(query, 'sort')
  return SORTS.includes(s.replace(/^-/, '')) ? s : DEFAULT_SORT
}

export function limitOf(query) {
  const n = Number(queryText(query, 'limit'))
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : DEFAULT_LIMIT
}

export function stalledOf(query) {
  const n = Number(queryText(query, 'stalled_days'))
  return Number.isInteger(n) && n >= 1 && n <= 3650 ? n : null
}

// The query of GET /opportunities for the URL's query (and a page's cursor).
export function apiQuery(query, cursor = null) {
  const out = {}
  for (const k of PASS_KEYS) {
    const v = queryText(query, k).trim()
    if (v) out[k] = v
  }
  const min = wanToFen(queryText(query, 'min_wan'))
  const max = wanToFen(queryText(query, 'max_wan'))
  if (min != null && !Number.isNaN(min)) out.amount_min = min
  if (max != null && !Number.isNaN(max)) out.amount_max = max
  const stalled = stalledOf(query)
  if (stalled) out.stalled_days = stalled
  out.sort = sortOf(query)
  out.limit = limitOf(query)
  if (cursor) out.cursor = cursor
  return out
}

// How many filters the URL sets (the search box not counted).
export function filterCount(query) {
  return FILTER_KEYS.filter((k) => k !== 'q' && queryText(query, k)).length
}

// The URL's query with patch applied: empty values dropped, a new playbook
// drops the stage (stage ids are the playbook's).
export function patchQuery(query, patch) {
  const out = { ...query, ...patch }
  if ('playbook' in patch && queryText(patch, 'playbook') !== queryText(query, 'playbook')) delete out.stage
  for (const [k, v] of Object.entries(out)) if (v == null || v === '') delete out[k]
  if (out.sort === DEFAULT_SORT) delete out.sort
  return out
}

// The columns of the table, in order; name is always shown.
export const COLUMNS = [
  'name', 'account', 'amount', 'stage', 'probability', 'status', 'category', 'expected_close', 'owner',
  'closed_at', 'created_at', 'playbook', 'sales_mode',
]
// Shown until the user says otherwise.
const HIDDEN_DEFAULT = ['playbook', 'sales_mode']

const columnsKey = (userId) => `bingfa.deals.columns.${userId || 'anon'}`

// The columns this user hid: their stored choice, or the default.
export function hiddenColumns(userId) {
  try {
    const v = JSON.parse(localStorage.getItem(columnsKey(userId)) || 'null')
    if (Array.isArray(v)) return v.filter((c) => COLUMNS.includes(c) && c !== 'name')
  } catch {
    // a damaged entry: the default
  }
  return HIDDEN_DEFAULT.slice()
}

export function saveHiddenColumns(userId, hidden) {
  localStorage.setItem(columnsKey(userId), JSON.stringify(hidden))
}

// The names of the accounts of the deals shown: read one account at a time
// for the ids not read yet (a few at once), kept for the session's user.
// id → name ('' when it cannot be read).
export const accountNames = reactive({})
let namesOf = null
const pending = new Map()

export function loadAccountNames(userId, ids) {
  if (namesOf !== userId) {
    for (const k of Object.keys(accountNames)) delete accountNames[k]
    pending.clear()
    namesOf = userId
  }
  const waits = []
  const missing = []
  for (const id of new Set(ids)) {
    if (!id || id in accountNames) continue
    if (pending.has(id)) waits.push(pending.get(id))
    else missing.push(id)
  }
  let next = 0
  const worker = async () => {
    while (next < missing.length) {
      const id = missing[next++]
      try {
        const a = await api.accounts.get(id)
        if (namesOf === userId) accountNames[id] = a.name || ''
      } catch {
        if (namesOf === userId) accountNames[id] = ''
      }
    }
  }
  const run = Promise.all(Array.from({ length: Math.min(6, missing.length) }, worker))
  for (const id of missing) pending.set(id, run)
  run.finally(() => {
    for (const id of missing) if (pending.get(id) === run) pending.delete(id)
  })
  return Promise.all(waits.concat(run))
}
