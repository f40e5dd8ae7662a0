// The live figures of a quotation being edited: 300 ms after the last change
// the draft's body goes to POST /quotation-preview, and the server's figures
// (lines, totals, amount in words) come back. What cannot be read locally
// ("abc" as a quantity) and the API's 422 are kept by field name.
import { onBeforeUnmount, ref } from 'vue'
import * as api from '../endpoints.js'

export function useQuotePreview(bodyOf, delay = 300) {
  const preview = ref(null)
  const error = ref(null) // the API's refusal of the last body
  const local = ref({}) // {field: message} of what could not be read
  const busy = ref(false)
  let timer = null
  let asked = 0

  async function run() {
    clearTimeout(timer)
    const { body, errors } = bodyOf()
    local.value = errors
    if (Object.keys(errors).length) {
      error.value = null
      return
    }
    const mine = ++asked
    busy.value = true
    try {
      const p = await api.quotations.preview(body)
      if (mine === asked) {
        preview.value = p
        error.value = null
      }
    } catch (e) {
      if (mine === asked) error.value = e
    } finally {
      if (mine === asked) busy.value = false
    }
  }

  function schedule() {
    clearTimeout(timer)
    timer = setTimeout(run, delay)
  }

  onBeforeUnmount(() => clearTimeout(timer))
  return { preview, error, local, busy, run, schedule }
}
