// What every list screen (商机, 客户, 联系人, 活动) shares: its address
// (the filters, the sort and the page size are the URL's query, so that a list
// can be bookmarked, shared and gone back to) turned into the query of its
// list route, a saved view's query string and back, and the columns a user
// chose to hide.
//
// A list is declared once (lists/deals.js, accounts.js, …):
//   key        the name of its texts' and stored choices' keys ('deals', …)
//   resource   the API's list (and a saved view's resource): 'opportunities', …
//   route      the route's name, whose URL the list follows
//   i18n       where its texts are: title, sub, search, all, loaded, empty,
//              noMatch, col.<column>, f.<filter>
//   passKeys   the list's parameters kept in the URL as the API names them
//   extraKeys  the URL's keys that are no parameter as such (deals: min_wan,
//              max_wan); toApi(query, out) puts their parameters in out and
//              fromApi(params, out) puts them back from a view's parameters
//   sorts, defaultSort    the sortable columns (as the API names them)
//   columns    [{key, sort, width, minWidth, align, phone, hide}] in order:
//              phone ones are shown on a phone by default, hide ones are
//              hidden until chosen; 'name' is always shown
//   link(row)  where a row leads; title(row) its name; rowTest: the rows'
//              data-test prefix
//   a column's field: what the export calls it when not its key (deals'
//              account: account_id; several comma-separated)
//
// tag= may be given more than once (tag=a,b&tag=c: any of a and b, and c):
// the URL's query, the list route's and a view's keep every group.
export const DEFAULT_LIMIT = 50
export const MULTI_KEYS = ['tag']

const one = (v) => (Array.isArray(v) ? v[0] : v)
export const queryText = (query, key) => {
  const v = one(query[key])
  return v == null ? '' : String(v)
}

// Every value of a key that may repeat (tag), trimmed, empty ones left out.
export function queryValues(query, key) {
  const v = query[key]
  const list = Array.isArray(v) ? v : v == null ? [] : [v]
  return list.map((x) => String(x == null ? '' : x).trim()).filter(Boolean)
}

// Every URL key of the list's filters (the search box included).
export const filterKeys = (decl) => decl.passKeys.concat(decl.extraKeys || [])

export function sortOf(decl, query) {
  const s = queryText(query, 'sort')
  return decl.sorts.includes(s.replace(/^-/, '')) ? s : decl.defaultSort
}

export function limitOf(query) {
  const n = Number(queryText(query, 'limit'))
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : DEFAULT_LIMIT
}

// The query of the list route for the URL's query (and a page's cursor).
export function apiQuery(decl, query, cursor = null) {
  const out = {}
  for (const k of decl.passKeys) {
    if (MULTI_KEYS.includes(k)) {
      const vs = queryValues(query, k)
      if (vs.length) out[k] = vs.length > 1 ? vs : vs[0]
      continue
    }
    const v = queryText(query, k).trim()
    if (v) out[k] = v
  }
  if (decl.toApi) decl.toApi(query, out)
  out.sort = sortOf(decl, query)
  out.limit = limitOf(query)
  if (cursor) out.cursor = cursor
  return out
}

// How many filters the URL sets (the search box not counted).
export function filterCount(decl, query) {
  return filterKeys(decl).filter((k) => k !== 'q' && queryText(query, k)).length
}

// The URL's query with patch applied: empty values dropped, and the default
// sort (the list's onPatch may drop more: a new playbook drops the stage).
export function patchQuery(decl, query, patch) {
  const out = { ...query, ...patch }
  if (decl.onPatch) decl.onPatch(out, query, patch)
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v)) {
      const vs = v.filter((x) => x != null && x !== '')
      out[k] = vs.length > 1 ? vs : vs[0]
    }
    if (out[k] == null || out[k] === '') delete out[k]
  }
  if (out.sort === decl.defaultSort) delete out.sort
  return out
}

// A saved view's query string for the URL's query: the list's parameters,
// in a fixed order, without the default sort and page size.
export function viewQuery(decl, query) {
  const q = apiQuery(decl, query)
  if (q.sort === decl.defaultSort) delete q.sort
  if (q.limit === DEFAULT_LIMIT) delete q.limit
  return searchOf(q)
}

// A query string of params (a repeated key's values an array).
export function searchOf(params) {
  const p = new URLSearchParams()
  for (const k of Object.keys(params).sort()) {
    for (const v of [].concat(params[k])) p.append(k, String(v))
  }
  return p.toString()
}

// The list's query string for a bulk action (its filters: the records, not
// their order) or an export (its sort too, the list's default one included:
// the route's own is another): no page size, no cursor.
export function listSearch(decl, query, { sort = false } = {}) {
  const q = apiQuery(decl, query)
  delete q.limit
  if (!sort) delete q.sort
  return searchOf(q)
}

// The same query string, its parameters in a fixed order (for comparing).
export function normalQuery(s) {
  const p = new URLSearchParams(s || '')
  const out = new URLSearchParams()
  for (const k of [...new Set(p.keys())].sort()) for (const v of p.getAll(k)) out.append(k, v)
  return out.toString()
}

// The URL's query for a saved view's query string.
export function urlOfView(decl, queryString) {
  const search = new URLSearchParams(queryString || '')
  const params = Object.fromEntries(search)
  const out = {}
  for (const k of decl.passKeys) {
    if (MULTI_KEYS.includes(k)) {
      const vs = search.getAll(k).filter(Boolean)
      if (vs.length) out[k] = vs.length > 1 ? vs : vs[0]
    } else if (params[k]) out[k] = params[k]
  }
  if (decl.fromApi) decl.fromApi(params, out)
  if (params.sort && sortOf(decl, params) === params.sort && params.sort !== decl.defaultSort) out.sort = params.sort
  if (params.limit && limitOf(params) !== DEFAULT_LIMIT) out.limit = String(limitOf(params))
  return out
}

// The columns: their keys in order, and those a user hid (their stored choice
// or the default), kept in this browser per user, the phone's apart.
export const columnKeys = (decl) => decl.columns.map((c) => c.key)

const columnsKey = (decl, userId, phone) =>
  `bingfa.${decl.key}.columns.${phone ? 'phone.' : ''}${userId || 'anon'}`

export function defaultHidden(decl, phone) {
  return decl.columns.filter((c) => c.key !== 'name' && (phone ? !c.phone : c.hide)).map((c) => c.key)
}

export function hiddenColumns(decl, userId, phone = false) {
  const keys = columnKeys(decl)
  try {
    const v = JSON.parse(localStorage.getItem(columnsKey(decl, userId, phone)) || 'null')
    if (Array.isArray(v)) return v.filter((c) => keys.includes(c) && c !== 'name')
  } catch {
    // a damaged entry: the default
  }
  return defaultHidden(decl, phone)
}

export function saveHiddenColumns(decl, userId, phone, hidden) {
  localStorage.setItem(columnsKey(decl, userId, phone), JSON.stringify(hidden))
}

// The columns shown for the hidden ones, in order; and back.
export const shownOf = (decl, hidden) => columnKeys(decl).filter((c) => !hidden.includes(c))
export const hiddenOf = (decl, shown) => columnKeys(decl).filter((c) => c !== 'name' && !shown.includes(c))
