// What the manager's dashboard shows (its scope): a team (its whole tree),
// an owner and a period — a quarter ("2026-Q4", this quarter by default), a
// year ("2026") or every close date ("all") — kept in the URL query (team,
// owner, period) so that a reload or a shared link shows the same. Each
// card turns the scope into its report's query here.
import { i18n } from '../i18n.js'
import { session } from '../session.js'
import { chinaToday, fmtPeriod, quarterMonths, monthEnd, monthStart } from './RepUtil.js'
import { people, teamTree, teamsInOrder } from './RepPeople.js'

const t = (k, a) => i18n.global.t(k, a)

// The quarter of a day "YYYY-MM-DD" (China time by default), and n quarters on.
export function quarterOfDay(day = chinaToday()) {
  return `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`
}
export function addQuarters(q, n) {
  const [y, k] = [Number(q.slice(0, 4)), Number(q.slice(6))]
  const i = y * 4 + (k - 1) + n
  return `${Math.floor(i / 4)}-Q${(i % 4) + 1}`
}

export function isPeriod(v) {
  return v === 'all' || /^\d{4}-Q[1-4]$/.test(v || '') || /^\d{4}$/.test(v || '')
}

// The periods offered: last, this and next quarter, this year and every
// close date; a period of the URL that is none of them is offered too.
export function periodOptions(current) {
  const q = quarterOfDay()
  const year = q.slice(0, 4)
  const list = [
    { value: addQuarters(q, -1), label: t('dashboard.scope.lastQuarter', { q: fmtPeriod(addQuarters(q, -1)) }) },
    { value: q, label: t('dashboard.scope.thisQuarter', { q: fmtPeriod(q) }) },
    { value: addQuarters(q, 1), label: t('dashboard.scope.nextQuarter', { q: fmtPeriod(addQuarters(q, 1)) }) },
    { value: year, label: t('dashboard.scope.year', { y: year }) },
    { value: 'all', label: t('dashboard.scope.all') },
  ]
  if (isPeriod(current) && !list.some((o) => o.value === current))
    list.splice(3, 0, { value: current, label: optionLabel(current) })
  return list
}

// A period in words: "2026年第4季度", "2026年", "全部预计成交日期".
export function periodLabel(p) {
  return p === 'all' ? t('dashboard.scope.allShort') : fmtPeriod(p)
}

// A period as the select offers it: a year "2027年全年", else periodLabel's.
function optionLabel(p) {
  return /^\d{4}$/.test(p) ? t('dashboard.scope.year', { y: p }) : periodLabel(p)
}

// The months of a period [from, to] ("YYYY-MM"); null for every close date.
export function periodMonths(p) {
  if (/^\d{4}$/.test(p || '')) return [`${p}-01`, `${p}-12`]
  return quarterMonths(p)
}

// The days of a period the 3E report reads: from its first day to its last,
// or to today while it runs; null for every close date (the report's own
// last four weeks).
export function periodDays(p, today = chinaToday()) {
  const m = periodMonths(p)
  if (!m) return null
  const from = monthStart(m[0])
  const end = monthEnd(m[1])
  return { from, to: from <= today && today < end ? today : end }
}

// The year whose quarters the target card shows: the period's, or this one.
export function periodYear(p) {
  return /^\d{4}/.test(p || '') ? p.slice(0, 4) : chinaToday().slice(0, 4)
}

// The teams the user may choose: a manager their own tree, an admin every team.
export function scopeTeams() {
  if (!people.loaded) return []
  const u = session.user || {}
  if (u.role === 'manager') return u.team_id ? teamsInOrder(u.team_id) : []
  return teamsInOrder()
}

// The people the user may choose as owner: of the team chosen, else of the
// manager's tree (everyone for an admin); those who own deals.
export function scopeOwners(team) {
  if (!people.loaded) return []
  const u = session.user || {}
  const root = team || (u.role === 'manager' ? u.team_id : null)
  const tree = root ? teamTree(root) : null
  if (u.role === 'manager' && !root) return []
  return people.users.filter((p) => ['sales', 'consultant', 'manager'].includes(p.role) &&
    (!tree || (p.team_id && tree.has(p.team_id))))
}

// The team whose target the target card shows when no team is chosen: a
// manager's own (the tree they see), for an admin the top team when there
// is only one (the company's).
export function homeTeam() {
  const u = session.user || {}
  if (u.role === 'manager') return u.team_id || ''
  if (!people.loaded) return ''
  const roots = teamsInOrder().filter((x) => x.depth === 0)
  return roots.length === 1 ? roots[0].team.id : ''
}

// The scope's team and owner as report parameters (empty ones left out).
export function scopeQuery(scope) {
  const q = {}
  if (scope.team) q.team = scope.team
  if (scope.owner) q.owner = scope.owner
  return q
}
