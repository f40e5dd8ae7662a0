// The accounts list (客户, /accounts): GET /accounts, its filters the
// list's parameters as they are (team, owner, industry, region, ownership,
// business type, parent account, tags).
import * as api from '../endpoints.js'

export const OWNERSHIPS = ['state_owned', 'restructured', 'private', 'foreign', 'joint_venture', 'government', 'other']
export const BUSINESS_TYPES = ['distribution', 'manufacture_sale', 'processing', 'service', 'other']

export default {
  key: 'accounts',
  resource: 'accounts',
  route: 'accounts',
  i18n: 'lists.accounts',
  rowTest: 'account',
  list: (q) => api.accounts.list(q),
  passKeys: ['q', 'team', 'owner_id', 'industry', 'region', 'ownership', 'business_type', 'parent_id', 'tag', 'owner'],
  tagKeys: ['owner'],
  filters: [
    { key: 'team', type: 'team' },
    { key: 'owner_id', type: 'user', roles: ['sales', 'consultant', 'manager', 'admin'] },
    { key: 'industry', type: 'text' },
    { key: 'region', type: 'text' },
    { key: 'ownership', type: 'enum', options: OWNERSHIPS, optionText: (t, v) => t('account.ownership.' + v) },
    { key: 'business_type', type: 'enum', options: BUSINESS_TYPES, optionText: (t, v) => t('account.businessType.' + v) },
    { key: 'parent_id', type: 'record', kind: 'accounts' },
    { key: 'tag', type: 'tags' },
  ],
  sorts: ['created_at', 'name', 'industry', 'region', 'employees', 'annual_revenue', 'owner'],
  defaultSort: 'name',
  columns: [
    { key: 'name', sort: true, minWidth: 220, phone: true, phoneWidth: 150 },
    { key: 'industry', sort: true, minWidth: 120, phone: true, phoneWidth: 90 },
    { key: 'region', sort: true, minWidth: 100, phone: true, phoneWidth: 80 },
    { key: 'ownership', width: 120 },
    { key: 'business_type', width: 120, hide: true },
    { key: 'employees', sort: true, width: 110, align: 'right' },
    { key: 'annual_revenue', sort: true, width: 180, align: 'right' },
    { key: 'owner', sort: true, width: 110 },
    { key: 'tags', minWidth: 150 },
    { key: 'created_at', sort: true, width: 110, hide: true },
  ],
  link: (a) => '/accounts/' + a.id,
  title: (a) => a.name,
}
