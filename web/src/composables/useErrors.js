// The errors of one edit form: the API's message next to its field, the rest
// above the buttons, and the stale state a 412 (someone saved meanwhile) leaves.
import { computed, nextTick, ref } from 'vue'
import { errorText } from '../util/errors.js'

// Errors of one form: the field's message next to the field, the rest above.
// known: field names shown in the form; a field "a.b[2].c" matches a known
// prefix "a.b" or "a".
export function useErrors(known = []) {
  const error = ref(null)
  const stale = ref(false)
  function matches(field, name) {
    if (!field) return false
    if (field === name) return true
    return field.startsWith(name + '.') || field.startsWith(name + '[')
  }
  function fieldError(name, exact = false) {
    const e = error.value
    if (!e || !e.field) return ''
    return (exact ? e.field === name : matches(e.field, name)) ? errorText(e) : ''
  }
  const general = computed(() => {
    const e = error.value
    if (!e) return ''
    const list = typeof known === 'function' ? known() : known
    if (e.field && list.some((k) => matches(e.field, k))) return ''
    return errorText(e)
  })
  function set(e) {
    if (e && e.status === 412) {
      stale.value = true
      error.value = null
    } else {
      error.value = e
      // bring the field with the message into view (a long form may hide it)
      if (e && e.field && typeof document !== 'undefined') {
        nextTick(() => {
          const el = document.querySelector('.el-form-item.is-error')
          if (el) el.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
        })
      }
    }
  }
  function clear() {
    error.value = null
    stale.value = false
  }
  return { error, stale, fieldError, general, set, clear }
}
