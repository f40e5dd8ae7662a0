// The contacts list (联系人, /contacts): GET /contacts, filtered by account,
// department, buying role, attitude and tags; a contact leads to its account.
import * as api from '../endpoints.js'

export const BUYING_ROLES = ['approver', 'decision_maker', 'evaluator', 'initiator', 'coach', 'user', 'other']
export const ATTITUDES = ['supporter', 'neutral', 'opponent']

export default {
  key: 'contacts',
  resource: 'contacts',
  route: 'contacts',
  i18n: 'lists.contacts',
  rowTest: 'contact',
  list: (q) => api.contacts.list(q),
  passKeys: ['q', 'account_id', 'department', 'buying_role', 'attitude', 'tag', 'reports_to'],
  tagKeys: ['reports_to'],
  filters: [
    { key: 'account_id', type: 'record', kind: 'accounts' },
    { key: 'department', type: 'text' },
    { key: 'buying_role', type: 'enum', options: BUYING_ROLES, optionText: (t, v) => t('account.roles.' + v) },
    { key: 'attitude', type: 'enum', options: ATTITUDES, optionText: (t, v) => t('account.attitudes.' + v) },
    { key: 'tag', type: 'tags' },
  ],
  sorts: ['created_at', 'name', 'influence'],
  defaultSort: 'name',
  columns: [
    { key: 'name', sort: true, minWidth: 110, phone: true, phoneWidth: 90 },
    { key: 'account', field: 'account_id', minWidth: 180, phone: true, phoneWidth: 130 },
    { key: 'title', minWidth: 110, phone: true, phoneWidth: 90 },
    { key: 'department', minWidth: 100 },
    { key: 'buying_role', width: 110 },
    { key: 'attitude', width: 80 },
    { key: 'influence', sort: true, width: 90, align: 'right' },
    { key: 'phone', width: 130, hide: true },
    { key: 'email', minWidth: 160, hide: true },
    { key: 'tags', minWidth: 150 },
    { key: 'created_at', sort: true, width: 110, hide: true },
  ],
  link: (c) => (c.account_id ? '/accounts/' + c.account_id : ''),
  title: (c) => c.name,
  names: (rows, shown) => (shown.account ? { accounts: rows.map((c) => c.account_id) } : {}),
}
