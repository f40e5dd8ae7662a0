// The names of the accounts and deals a list's rows point at: read one
// record at a time for the ids not read yet (a few at once), kept for the
// session's user. names.accounts / names.opportunities: id → name ('' when
// it cannot be read).
import { reactive } from 'vue'
import * as api from '../endpoints.js'

export const names = reactive({ accounts: {}, opportunities: {} })
const readers = { accounts: (id) => api.accounts.get(id), opportunities: (id) => api.opportunities.get(id) }
let namesOf = null
const pending = { accounts: new Map(), opportunities: new Map() }

export function loadNames(kind, userId, ids) {
  if (namesOf !== userId) {
    for (const k of Object.keys(names)) {
      for (const id of Object.keys(names[k])) delete names[k][id]
      pending[k].clear()
    }
    namesOf = userId
  }
  const known = names[kind]
  const waiting = pending[kind]
  const waits = []
  const missing = []
  for (const id of new Set(ids)) {
    if (!id || id in known) continue
    if (waiting.has(id)) waits.push(waiting.get(id))
    else missing.push(id)
  }
  let next = 0
  const worker = async () => {
    while (next < missing.length) {
      const id = missing[next++]
      try {
        const r = await readers[kind](id)
        if (namesOf === userId) known[id] = r.name || ''
      } catch {
        if (namesOf === userId) known[id] = ''
      }
    }
  }
  const run = Promise.all(Array.from({ length: Math.min(6, missing.length) }, worker))
  for (const id of missing) waiting.set(id, run)
  run.finally(() => {
    for (const id of missing) if (waiting.get(id) === run) waiting.delete(id)
  })
  return Promise.all(waits.concat(run))
}
