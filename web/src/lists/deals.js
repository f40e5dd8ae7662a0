// The deals list (商机, /deals): GET /opportunities. The amount is typed in
// 万元 and kept so in the URL (min_wan / max_wan), sent in fen (amount_min /
// amount_max); a new playbook drops the stage (stage ids are the playbook's).
import * as api from '../endpoints.js'
import { hundredths } from '../util/money.js'
import { queryText } from './util.js'

export const STATUSES = ['open', 'won', 'lost', 'abandoned']
export const STALLED_DEFAULT = 30

// "12.5" 万元 → 125000000 fen; null for nothing typed, NaN for anything else.
export function wanToFen(s) {
  if (s === '' || s == null) return null
  const h = hundredths(s)
  return Number.isNaN(h) ? NaN : h * 10000
}

// 125000000 fen → "12.5" (万元, to the hundredth).
export function fenToWan(fen) {
  const h = Math.round(Number(fen) / 10000)
  if (!Number.isFinite(h) || h < 0) return ''
  const frac = String(h % 100).padStart(2, '0').replace(/0+$/, '')
  return String(Math.floor(h / 100)) + (frac ? '.' + frac : '')
}

export function stalledOf(query) {
  const n = Number(queryText(query, 'stalled_days'))
  return Number.isInteger(n) && n >= 1 && n <= 3650 ? n : null
}

export default {
  key: 'deals',
  resource: 'opportunities',
  route: 'deals',
  i18n: 'deals',
  rowTest: 'deal',
  list: (q) => api.opportunities.list(q),
  // The filters the screen offers, and the rest of the list's parameters
  // (a view saved through the API may use them: shown as tags).
  passKeys: [
    'q', 'status', 'playbook', 'stage', 'team', 'owner_id', 'account_id', 'sales_mode', 'forecast_category',
    'currency', 'expected_close_from', 'expected_close_to', 'closed_at_from', 'closed_at_to', 'tag',
    'owner', 'won_by', 'turnaround', 'amount', 'expected_close', 'closed_at',
  ],
  tagKeys: ['currency', 'owner', 'won_by', 'turnaround', 'amount', 'expected_close', 'closed_at'],
  extraKeys: ['min_wan', 'max_wan', 'stalled_days'],
  toApi(query, out) {
    const min = wanToFen(queryText(query, 'min_wan'))
    const max = wanToFen(queryText(query, 'max_wan'))
    if (min != null && !Number.isNaN(min)) out.amount_min = min
    if (max != null && !Number.isNaN(max)) out.amount_max = max
    const stalled = stalledOf(query)
    if (stalled) out.stalled_days = stalled
  },
  fromApi(params, out) {
    if (params.amount_min) out.min_wan = fenToWan(params.amount_min)
    if (params.amount_max) out.max_wan = fenToWan(params.amount_max)
    if (params.stalled_days) out.stalled_days = params.stalled_days
  },
  onPatch(out, query, patch) {
    if ('playbook' in patch && queryText(patch, 'playbook') !== queryText(query, 'playbook')) delete out.stage
  },
  sorts: ['created_at', 'name', 'amount', 'expected_close', 'stage', 'probability', 'owner'],
  defaultSort: '-created_at',
  columns: [
    { key: 'name', sort: true, minWidth: 170, phone: true },
    { key: 'account', field: 'account_id', minWidth: 140 },
    { key: 'amount', sort: true, width: 120, align: 'right', phone: true },
    { key: 'stage', sort: true, minWidth: 140, phone: true },
    { key: 'probability', sort: true, width: 85, align: 'right' },
    { key: 'status', width: 105 },
    { key: 'category', field: 'forecast_category', width: 115 },
    { key: 'expected_close', sort: true, width: 120 },
    { key: 'owner', sort: true, width: 95 },
    { key: 'tags', minWidth: 150 },
    { key: 'closed_at', width: 105 },
    { key: 'created_at', sort: true, width: 105 },
    { key: 'playbook', minWidth: 150, hide: true },
    { key: 'sales_mode', width: 110, hide: true },
  ],
  link: (o) => '/opportunities/' + o.id,
  title: (o) => o.name,
  // the names of the rows' accounts, when that column is shown
  names: (rows, shown) => (shown.account ? { accounts: rows.map((o) => o.account_id) } : {}),
}
