// The activities list (活动, /activities/list): GET /activities, filtered by
// type, team, owner, deal, account, planned and next-step days, tags; an
// activity leads to its deal, or else its account.
import * as api from '../endpoints.js'
import { parsePurpose } from '../components/ActPurpose.js'
import { i18n } from '../i18n.js'
import { planRefName } from '../util/labels.js'

export const TYPES = ['visit', 'call', 'meeting', 'demo', 'research', 'presentation', 'site_visit', 'bid_opening',
  'negotiation', 'other']

const firstLine = (s) => (s ? parsePurpose(s).purpose.split('\n')[0].slice(0, 80) : '')

export default {
  key: 'activities',
  resource: 'activities',
  route: 'activity-list',
  i18n: 'lists.activities',
  rowTest: 'activity',
  list: (q) => api.activities.list(q),
  passKeys: [
    'q', 'type', 'team', 'owner_id', 'opportunity_id', 'account_id', 'planned_at_from', 'planned_at_to', 'next_step_date_from',
    'next_step_date_to', 'tag', 'plan_ref', 'owner', 'planned_at', 'next_step_date',
  ],
  tagKeys: ['plan_ref', 'owner', 'planned_at', 'next_step_date'],
  tagText: { plan_ref: planRefName },
  filters: [
    { key: 'type', type: 'enum', options: TYPES, optionText: (t, v) => t('activity.types.' + v) },
    { key: 'team', type: 'team' },
    { key: 'owner_id', type: 'user' },
    { key: 'opportunity_id', type: 'record', kind: 'opportunities' },
    { key: 'account_id', type: 'record', kind: 'accounts' },
    { key: 'planned_at', type: 'dates' },
    { key: 'next_step_date', type: 'dates' },
    { key: 'tag', type: 'tags' },
  ],
  sorts: ['created_at', 'planned_at', 'done_at', 'owner'],
  defaultSort: '-planned_at',
  columns: [
    { key: 'name', field: 'subject', minWidth: 200, phone: true, phoneWidth: 140 },
    { key: 'type', width: 90 },
    { key: 'planned_at', sort: true, width: 140, phone: true, phoneWidth: 95 },
    { key: 'done_at', sort: true, width: 110, phone: true, phoneWidth: 80 },
    { key: 'target', field: 'opportunity_id,account_id', minWidth: 180 },
    { key: 'owner', sort: true, width: 100 },
    { key: 'tags', minWidth: 150 },
    { key: 'next_step', minWidth: 160, hide: true },
    { key: 'next_step_date', width: 110, hide: true },
    { key: 'plan_ref', width: 110, hide: true },
    { key: 'created_at', sort: true, width: 110, hide: true },
  ],
  link: (a) => (a.opportunity_id ? '/opportunities/' + a.opportunity_id : a.account_id ? '/accounts/' + a.account_id : ''),
  title: (a) => a.subject || firstLine(a.purpose) || i18n.global.t('activity.noSubject'),
  names: (rows, shown) => (shown.target ? {
    opportunities: rows.map((a) => a.opportunity_id),
    accounts: rows.filter((a) => !a.opportunity_id).map((a) => a.account_id),
  } : {}),
}
