// What the user may do to a record, as the server answers it with the record
// (allowed_actions: edit, delete, advance, win, lose, abandon, reopen,
// transfer, staff, add_activity, add_contact, add_deal). An action the
// answer does not list is not offered: its button is not shown.
import { unref } from 'vue'

export function allowed(record, action) {
  const r = unref(record)
  return !!r && Array.isArray(r.allowed_actions) && r.allowed_actions.includes(action)
}

// may('edit') for the record ref (or getter) given.
export function useAllowed(record) {
  return (action) => allowed(typeof record === 'function' ? record() : record, action)
}
