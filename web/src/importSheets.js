// What the logged-in user may import from a spreadsheet (GET /api/v1/imports),
// read once per user: the navigation shows 导入 when any sheet is allowed,
// and the import screen takes the sheets' columns from here.
import { reactive } from 'vue'
import * as api from './endpoints.js'
import { session } from './session.js'

export const importSheets = reactive({ items: null, userId: null, error: null })

let pending = null

// The sheets for user (session.user); read again when the user changes or
// when force is set.
export function loadImportSheets(user, force = false) {
  if (!user) {
    importSheets.items = null
    importSheets.userId = null
    return Promise.resolve(null)
  }
  if (!force && importSheets.userId === user.id && importSheets.items) return Promise.resolve(importSheets.items)
  if (pending && !force) return pending
  const asked = user.id
  pending = api.imports.list()
    .then((d) => {
      if (session.user && session.user.id === asked) {
        importSheets.items = d.items || []
        importSheets.userId = asked
        importSheets.error = null
      }
      return importSheets.items
    })
    .catch((e) => {
      importSheets.error = e
      return null
    })
    .finally(() => (pending = null))
  return pending
}

// Whether the user may import any sheet.
export function mayImport() {
  return !!importSheets.items && importSheets.items.some((s) => s.allowed)
}
