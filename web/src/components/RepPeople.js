// The teams and people the report filters and the target grid offer, read
// once: teams as a tree (a parent team's reports include its sub-teams),
// people with their team.
import { reactive } from 'vue'
import * as api from '../endpoints.js'

export const people = reactive({ teams: [], users: [], loaded: false, error: null })
let pending = null

export function loadPeople(force = false) {
  if (people.loaded && !force) return Promise.resolve(people)
  if (pending) return pending
  pending = Promise.all([api.teams.all({ limit: 200 }, 20), api.users.all({ limit: 200, sort: 'name' }, 20)])
    .then(([teams, users]) => {
      people.teams = teams
      people.users = users.filter((u) => u.active !== false)
      people.loaded = true
      people.error = null
      return people
    })
    .catch((e) => {
      people.error = e
      throw e
    })
    .finally(() => {
      pending = null
    })
  return pending
}

// The ids of a team and every team below it.
export function teamTree(teamId) {
  const out = new Set()
  if (!teamId) return out
  const walk = (id) => {
    if (out.has(id)) return
    out.add(id)
    for (const t of people.teams) if (t.parent_id === id) walk(t.id)
  }
  walk(teamId)
  return out
}

// Teams in tree order with their depth: [{team, depth}], roots first.
export function teamsInOrder(rootId = null) {
  const out = []
  const known = new Set(people.teams.map((t) => t.id))
  const walk = (parent, depth) => {
    const kids = people.teams
      .filter((t) => (parent == null ? !t.parent_id || !known.has(t.parent_id) : t.parent_id === parent))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
    for (const t of kids) {
      out.push({ team: t, depth })
      walk(t.id, depth + 1)
    }
  }
  if (rootId) {
    const root = people.teams.find((t) => t.id === rootId)
    if (root) {
      out.push({ team: root, depth: 0 })
      walk(root.id, 1)
    }
  } else walk(null, 0)
  return out
}

// The ids of the people in a team's tree.
export function usersOfTeamTree(teamId) {
  const tree = teamTree(teamId)
  return new Set(people.users.filter((u) => u.team_id && tree.has(u.team_id)).map((u) => u.id))
}

// The people who own deals: sales and managers (and admins who own some).
export function owners() {
  return people.users.filter((u) => ['sales', 'manager'].includes(u.role))
}

export function userName(id) {
  const u = people.users.find((x) => x.id === id)
  return u ? u.display_name || u.name : ''
}

export function teamName(id) {
  const t = people.teams.find((x) => x.id === id)
  return t ? t.name : ''
}
