// Every endpoint of the bingfa API the web app calls, by name: components
// call these and never build an /api/v1 URL themselves. api.js carries the
// requests (cookie, CSRF token, errors); here are the paths, the query
// parameters and the versions sent as If-Match.
//
// version: the record's version as the API gave it; sent as If-Match, so a
// record someone else saved meanwhile answers 412 Precondition Failed.
// query: an object of parameters; null, undefined and '' are left out.
import { api, request, upload } from './api.js'

const id = encodeURIComponent

function withQuery(path, query) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query || {})) {
    // a repeated parameter (tag=a&tag=b): each of its values
    if (Array.isArray(v)) for (const x of v) q.append(k, x)
    else if (v != null && v !== '') q.set(k, v)
  }
  const s = q.toString()
  return s ? `${path}?${s}` : path
}

// Every page of a list route ({items, next_cursor}); at most maxPages.
async function allPages(path, query, maxPages = 10) {
  const items = []
  let cursor = null
  for (let i = 0; i < maxPages; i++) {
    const page = await api.get(withQuery(path, { ...query, cursor }))
    items.push(...(page.items || []))
    cursor = page.next_cursor
    if (!cursor) break
  }
  return items
}

const ifMatch = (version) => (version != null ? { 'If-Match': `"${version}"` } : {})

// The list, read, create and update of one kind of record.
function records(path) {
  return {
    list: (query) => api.get(withQuery(path, query)),
    all: (query, maxPages) => allPages(path, query, maxPages),
    get: (recordId) => api.get(`${path}/${id(recordId)}`),
    create: (body) => api.post(path, body),
    update: (recordId, body, version) => api.patch(`${path}/${id(recordId)}`, body, version),
  }
}

// A new owner for a deal or an account; the reason goes to the history.
function transfer(path) {
  return (recordId, body, version) =>
    request('POST', `${path}/${id(recordId)}/transfer`, body, ifMatch(version)).then((r) => r.data)
}

export const session = {
  get: () => api.get('/session'),
  login: (name, password) => api.post('/session', { name, password }),
  logout: () => api.del('/session'),
}

export const opportunities = {
  ...records('/opportunities'),
  transfer: transfer('/opportunities'),
  // to the next stage; body {note} or {override, reason}; version optional
  advance: (oppId, body, version) =>
    request('POST', `/opportunities/${id(oppId)}/advance`, body, ifMatch(version)).then((r) => r.data),
  history: (oppId) => api.get(`/opportunities/${id(oppId)}/history`),
  // who works it: {owner_id, owner, members: [{id, name, display_name, role}], partners}
  team: (oppId) => api.get(`/opportunities/${id(oppId)}/team`),
  // body {role: sales|consultant|manager|implementation}; answers the team
  putMember: (oppId, userId, body) => api.put(`/opportunities/${id(oppId)}/team/${id(userId)}`, body),
  removeMember: (oppId, userId) => api.del(`/opportunities/${id(oppId)}/team/${id(userId)}`),
  health: (oppId) => api.get(`/opportunities/${id(oppId)}/health`),
  next: (oppId, lang) => api.get(withQuery(`/opportunities/${id(oppId)}/next`, { lang })),
  checklist: (oppId) => api.get(`/opportunities/${id(oppId)}/checklist`),
  setChecklistItem: (oppId, itemId, body) => api.put(`/opportunities/${id(oppId)}/checklist/${id(itemId)}`, body),
  setChecklistStep: (oppId, itemId, n, body) =>
    api.put(`/opportunities/${id(oppId)}/checklist/${id(itemId)}/steps/${Number(n)}`, body),
  decide: (oppId, decisionId, body) => api.post(`/opportunities/${id(oppId)}/decisions/${id(decisionId)}`, body),
  // the owner's forecast category: body {category: pipeline|best_case|commit|omitted, reason}
  // or {category: null} (back to the stage's default); answers the deal
  setForecast: (oppId, body) => api.put(`/opportunities/${id(oppId)}/forecast`, body),
}

// The sales-tool forms of an opportunity (evaluation, mant, 5w2p,
// compelling-event, selection-scoring, tender): {version, data, result, …}.
export const forms = {
  get: (oppId, name) => api.get(`/opportunities/${id(oppId)}/${name}`),
  save: (oppId, name, body, version) => api.put(`/opportunities/${id(oppId)}/${name}`, body, version),
}

export const accounts = {
  ...records('/accounts'),
  transfer: transfer('/accounts'),
  // the account's profile form, saved like the sales-tool forms
  profile: (accountId) => api.get(`/accounts/${id(accountId)}/profile`),
  saveProfile: (accountId, body, version) => api.put(`/accounts/${id(accountId)}/profile`, body, version),
}

export const contacts = {
  ...records('/contacts'),
  remove: (contactId, version) => api.del(`/contacts/${id(contactId)}`, version),
}

export const activities = {
  ...records('/activities'),
  // what to do before, during and after it, from the playbook: {source, name, items, done, total}
  checklist: (actId) => api.get(`/activities/${id(actId)}/checklist`),
  // body {done, note}
  tick: (actId, itemId, body) => api.put(`/activities/${id(actId)}/checklist/${id(itemId)}`, body),
  // an item of the team's own: {phase: before|during|after, text}; answers the checklist
  addItem: (actId, body) => api.post(`/activities/${id(actId)}/checklist`, body),
  removeItem: (actId, itemId) => api.del(`/activities/${id(actId)}/checklist/${id(itemId)}`),
  // how far each activity's checklist is ticked: {items: {id: {done, total}}}
  progress: (ids) => api.get(withQuery('/activity-checklists', { ids: ids.join(',') })),
}

export const users = {
  ...records('/users'),
  setPassword: (userId, password) => api.put(`/users/${id(userId)}/password`, { password }),
}

// The caller's calendar feed (日历订阅, docs/calendar.md): {active, created_at};
// create answers its path and url once (a new one ends the old), revoke ends it.
export const calendarFeed = {
  get: () => api.get('/calendar/feed'),
  create: () => api.post('/calendar/feed'),
  revoke: () => api.del('/calendar/feed'),
}

export const teams = records('/teams')

// What the four lists (deals, accounts, contacts, activities) share beside
// their records: tags in use, bulk actions and exports (docs/lists.md).
// resource: 'opportunities', 'accounts', 'contacts' or 'activities'.
export const lists = {
  // the tags in use among the records the caller sees: {items: [{tag, count}], complete}
  tags: (resource, q) => api.get(withQuery('/tags', { resource, q })),
  // {ids | query, action: transfer | add_tag | remove_tag, owner_id, reason, tags}: all or
  // nothing (422 bulk_refused: the error's body lists each refused record)
  bulk: (resource, body) => api.post(`/${id(resource)}/bulk`, body),
  // the file's address (a plain link: the session cookie reads it; the name
  // is the server's): search is the list's query string with format,
  // columns, lang, or ids
  exportUrl: (resource, search) => `/api/v1/${id(resource)}/export?${search}`,
}

// Saved views of the lists (保存的视图): one's own and those shared with one's team.
export const views = {
  ...records('/views'),
  remove: (viewId, version) => api.del(`/views/${id(viewId)}`, version),
}
export const partners = records('/partners')

export const playbooks = {
  list: (lang) => api.get(withQuery('/playbooks', { lang })),
  // query: {lang, version}
  get: (playbookId, query) => api.get(withQuery(`/playbooks/${id(playbookId)}`, query)),
  create: (doc) => api.post('/playbooks', doc),
}

// The manager's reports (docs/reports.md). Each takes the query of its
// filters: from, to (YYYY-MM), currency, playbook, owner (a user id), team
// (a team id: its whole tree) and its own (period, group, by); forecast,
// stages, calibration and win-loss also as_of (YYYY-MM-DD: as the report
// stood at the end of that day, UTC; the body echoes it).
export const reports = {
  // query {playbook, currency, owner, team, from, to}: the open deals expected to
  // close from..to (months; every open deal without them)
  funnel: (query) => api.get(withQuery('/reports/funnel', query)),
  // query {period: month|quarter|year, group: none|owner|team|playbook, …}
  forecast: (query) => api.get(withQuery('/reports/forecast', query)),
  stages: (query) => api.get(withQuery('/reports/stages', query)),
  calibration: (query) => api.get(withQuery('/reports/calibration', query)),
  // query {by: reason|won_by|stage|band|sales_mode|playbook|quarter|owner, …}
  winLoss: (query) => api.get(withQuery('/reports/win-loss', query)),
  // query {days, owner, team}
  stalled: (query) => api.get(withQuery('/reports/stalled', query)),
  // 3E activity compliance: query {from, to (YYYY-MM-DD; the last 28 days by
  // default), idle_days, stalled_days, owner, team}: {people, teams, weeks}
  activity: (query) => api.get(withQuery('/reports/activity', query)),
  // A report as a download (a plain link, the session cookie reads it):
  // name forecast | stages | calibration | win-loss | activity | stalled | funnel;
  // format csv | xlsx; table the key of the rows to export (CSV: the first).
  exportUrl: (name, query, format, lang, table) =>
    withQuery(`/api/v1/reports/${name}`, { ...query, format, lang, table }),
}

// Sales targets (销售目标) per user or team and quarter, in fen.
export const targets = {
  // query {from: YYYY-Qn, to: YYYY-Qn, currency}: {items}
  list: (query) => api.get(withQuery('/targets', query)),
  // body {user_id | team_id, quarter, amount}: 0 removes it (admin; a manager for their tree)
  set: (body) => api.put('/targets', body),
}

// The user's inbox of notifications (通知): pages newest first ({items,
// next_cursor, unread}), the unread count for the bell, one or all read.
export const notifications = {
  list: (query) => api.get(withQuery('/notifications', query)),
  count: () => api.get('/notifications/count'),
  read: (notificationId) => request('POST', `/notifications/${id(notificationId)}/read`).then((r) => r.data),
  readAll: () => request('POST', '/notifications/read').then((r) => r.data),
}

// The group robots' webhooks (企业微信, 钉钉), an admin's: the whole of one is
// sent on create and update (a secret left out stays); test queues a
// message, deliveries reads what came of the newest.
export const webhooks = {
  list: () => api.get('/webhooks'),
  get: (hookId) => api.get(`/webhooks/${id(hookId)}`),
  create: (body) => api.post('/webhooks', body),
  update: (hookId, body, version) => api.put(`/webhooks/${id(hookId)}`, body, version),
  remove: (hookId, version) => api.del(`/webhooks/${id(hookId)}`, version),
  test: (hookId) => request('POST', `/webhooks/${id(hookId)}/test`).then((r) => r.data),
  deliveries: (hookId) => api.get(`/webhooks/${id(hookId)}/deliveries`),
  settings: () => api.get('/settings/notifications'),
  saveSettings: (body) => api.put('/settings/notifications', body),
}

export const settings = {
  evaluation: () => api.get('/settings/evaluation'),
  // {sales_see_cost, discount_levels_above: [percent, …]} (admin writes)
  quotations: () => api.get('/settings/quotations'),
  saveQuotations: (body) => api.put('/settings/quotations', body),
}

// The price list (价格表): products the admin writes; money in fen, rates in
// percent; cost only in the answers of who sees costs.
export const products = {
  ...records('/products'),
  // every active product by code in one answer: {currency, items, cost_shown}
  priceList: () => api.get('/price-list'),
}

// A deal's quotations (报价单), docs/quotations.md. A quotation's version goes
// as If-Match wherever the route asks for it.
export const quotations = {
  // {items}: newest number first, its revisions newest first
  ofDeal: (oppId) => api.get(`/opportunities/${id(oppId)}/quotations`),
  create: (oppId, body) => api.post(`/opportunities/${id(oppId)}/quotations`, body),
  // the figures of a body, nothing written (the editor's live totals)
  preview: (body) => api.post('/quotation-preview', body),
  get: (quoteId) => api.get(`/quotations/${id(quoteId)}`),
  update: (quoteId, body, version) => api.put(`/quotations/${id(quoteId)}`, body, version),
  remove: (quoteId, version) => api.del(`/quotations/${id(quoteId)}`, version),
  revise: (quoteId) => api.post(`/quotations/${id(quoteId)}/revisions`),
  submit: (quoteId, version) =>
    request('POST', `/quotations/${id(quoteId)}/submit`, undefined, ifMatch(version)).then((r) => r.data),
  // status: sent | accepted | rejected | draft
  setStatus: (quoteId, status, version) =>
    request('POST', `/quotations/${id(quoteId)}/status`, { status }, ifMatch(version)).then((r) => r.data),
  makePrimary: (quoteId, updateAmount) =>
    api.post(`/quotations/${id(quoteId)}/primary`, { update_amount: !!updateAmount }),
  // the printable document, opened in a tab of its own (the session cookie reads it)
  documentUrl: (quoteId, lang) => withQuery(`/api/v1/quotations/${id(quoteId)}/document`, { lang }),
  // the quotation as an Excel workbook (报价单号.xlsx), downloaded
  spreadsheetUrl: (quoteId, lang) => withQuery(`/api/v1/quotations/${id(quoteId)}/spreadsheet`, { lang }),
}

// Document templates (文档模板), docs/templates.md: Markdown with Mustache
// tags; the built-in ones and the company's own versions (admin saves).
export const templates = {
  // {items: [{key, lang, kind, name: {zh, en}, version, builtin, created_at?}]}
  list: () => api.get('/templates'),
  // query {lang, version}: the text too, the names it reads and the unknown ones
  get: (key, query) => api.get(withQuery(`/templates/${id(key)}`, query)),
  // {key, lang, kind, name: {zh, en}, body}: the key's next version; a syntax
  // error is 422 template_syntax on body ("line L, column C: …")
  save: (body) => api.post('/templates', body),
  // {items: [every version of key in lang, newest first; the built-in one as version 0]}
  versions: (key, lang) => api.get(withQuery(`/templates/${id(key)}/versions`, { lang })),
}

// A deal's documents made from the templates.
export const documents = {
  // what a template reads about the deal, as the caller sees it
  data: (oppId) => api.get(`/opportunities/${id(oppId)}/document-data`),
  // body {template: key, lang} or {body: text, lang}: {markdown, html}, nothing written
  preview: (oppId, body) => api.post(`/opportunities/${id(oppId)}/document-preview`, body),
  // the download (Content-Disposition: attachment); format html | markdown; a
  // plain link, the session cookie reads it
  url: (oppId, key, lang, format) =>
    withQuery(`/api/v1/opportunities/${id(oppId)}/documents/${id(key)}`, { lang, format }),
}

// Files kept on a deal (docs/documents.md): uploaded, or made from a
// template and saved; each save of a name a new version.
export const files = {
  // {items: [document + earlier: [older versions]]}, newest first
  list: (oppId) => api.get(`/opportunities/${id(oppId)}/documents`),
  // file: a File; query {category, item_id, shared, note}
  upload: (oppId, file, query = {}) =>
    upload(withQuery(`/opportunities/${id(oppId)}/documents`, { name: file.name, ...query }), file),
  // a template's document saved on the deal: body {format, lang, category, item_id, shared}
  save: (oppId, key, body) => api.post(`/opportunities/${id(oppId)}/documents/${id(key)}`, body),
  // body {category, item_id, shared, note}: what it leaves out is cleared
  update: (docId, body) => api.put(`/documents/${id(docId)}`, body),
  remove: (docId) => api.del(`/documents/${id(docId)}`),
  // the download (attachment); a plain link, the session cookie reads it
  url: (docId) => `/api/v1/documents/${id(docId)}/content`,
}

// The handover of a won deal to implementation.
export const handover = {
  get: async (oppId) => {
    const r = await request('GET', `/opportunities/${id(oppId)}/handover`)
    return r.data
  },
  // body {commitments, project_lead_id}; version from the handover read
  put: (oppId, body, version) => api.put(`/opportunities/${id(oppId)}/handover`, body, version),
  acknowledge: (oppId, note) =>
    api.post(`/opportunities/${id(oppId)}/handover/acknowledge`, note ? { note } : {}),
  // {items: [{opportunity_id, deal_name, status, complete, missing, …}]}
  waiting: (limit) => api.get(withQuery('/handovers', { limit })),
}

export const tools = {
  bidSimulation: (scheme) => api.post('/tools/bid-simulation', scheme),
}

// Approvals (审批): the decisions a manager makes about a deal. A request
// answers {approval, opportunity}; so do approve, reject and withdraw.
export const approvals = {
  // box: inbox (waiting for the viewer) or mine; state filters mine
  list: (query) => api.get(withQuery('/approvals', query)),
  count: () => api.get('/approvals/count'),
  get: (approvalId) => api.get(`/approvals/${id(approvalId)}`),
  ofDeal: (oppId) => api.get(`/opportunities/${id(oppId)}/approvals`),
  // body {kind, reason, evidence, status, won_by, sales_mode}
  request: (oppId, body) => api.post(`/opportunities/${id(oppId)}/approvals`, body),
  approve: (approvalId, comment) => api.post(`/approvals/${id(approvalId)}/approve`, comment ? { comment } : {}),
  reject: (approvalId, comment) => api.post(`/approvals/${id(approvalId)}/reject`, { comment }),
  withdraw: (approvalId) => request('POST', `/approvals/${id(approvalId)}/withdraw`).then((r) => r.data),
  rules: () => api.get('/settings/approvals'),
  saveRules: (body) => api.put('/settings/approvals', body),
}

// The spreadsheet import (导入), docs/import.md: what the caller may import
// and each sheet's columns, the templates, and the import itself (the file as
// the body; a dry run writes nothing).
export const imports = {
  // {items: [{resource, title, title_en, allowed, columns: [{header, header_en,
  // field, kind, required, example, help, help_en, choices: [{zh, en}]}]}]}
  list: () => api.get('/imports'),
  // the template as a download (a plain link, the session cookie reads it); format xlsx | csv
  templateUrl: (resource, format, lang) => withQuery(`/api/v1/imports/${id(resource)}/template`, { format, lang }),
  // file: a File or Blob; query {dry_run, duplicates: skip|merge|create,
  // decisions: "3:merge,7:create", lang}: the report; a commit with errors
  // throws ApiError 422 import_invalid whose body carries the report
  run: (resource, file, query) => upload(withQuery(`/imports/${id(resource)}`, query), file),
}

// Duplicates (撞单) asked while a form is filled in: {warnings: [{code, text,
// matches: [{why, name, owner, visible, id (only when visible)}]}]}.
export const duplicates = {
  // query {name, credit_code, except}
  accounts: (query) => api.get(withQuery('/duplicates/accounts', query)),
  // query {account_id, name, except}
  opportunities: (query) => api.get(withQuery('/duplicates/opportunities', query)),
}

// The API's own description: the declared bodies the forms take their limits
// and choices from (see schemas.js).
export const meta = {
  openapi: () => api.get('/openapi.json'),
}

// The knowledge base (知识库), docs/knowledge.md: reference cases, selling
// points, objections, questions and solutions, as entries with a kind and a
// detail of their kind. A search answers {items: [entry + hits]}, best
// first; hits give the title and summary as segments [{text, hit}].
export const knowledge = {
  // query {q, kind, industry, product, tag, stage, status, lang, limit}
  search: (query) => api.get(withQuery('/knowledge', query)),
  // the entry; its version from the entry (or its ETag)
  get: async (entryId) => {
    const r = await request('GET', `/knowledge/${id(entryId)}`)
    const e = r.data
    if (e && e.version == null && r.etag) e.version = Number(String(r.etag).replace(/[^0-9]/g, '')) || null
    return e
  },
  // a draft of its author (an admin may give status)
  create: (body) => api.post('/knowledge', body),
  // the whole entry but its status, If-Match its version
  update: (entryId, body, version) => api.put(`/knowledge/${id(entryId)}`, body, version),
  publish: (entryId) => api.post(`/knowledge/${id(entryId)}/publish`),
  retire: (entryId) => api.post(`/knowledge/${id(entryId)}/retire`),
  // {items: [the entry as it was at each version, newest first]}
  versions: (entryId) => api.get(`/knowledge/${id(entryId)}/versions`),
  // the industries, products, tags and stages in use, with counts
  facets: () => api.get('/knowledge-facets'),
  // {cases, selling_points, objections, questions, solutions} for the deal,
  // entries written in lang (zh | en; without it the browser's Accept-Language decides)
  forDeal: (oppId, lang) => api.get(withQuery(`/opportunities/${id(oppId)}/knowledge`, { lang })),
}

// The global search (全局搜索), docs/search.md: accounts, contacts, deals,
// activities and knowledge entries by their words, of what the user may see.
// {q, groups: [{kind, items: [{id, kind, title, subtitle, hits, match,
// type, account_id, opportunity_id}]}]}; hits and match.hits are segments
// [{text, hit}] (plain text).
export const search = {
  find: (q, limit, lang) => api.get(withQuery('/search', { q, limit, lang })),
}
