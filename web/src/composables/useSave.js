// The save / 412 Precondition Failed / reload flow of an edit form.
//
// A form sends its changes with the version it was opened at (If-Match).
// When someone else saved the record meanwhile, the API answers 412: the form
// shows the stale notice (StaleAlert) and the user reloads the record; what
// they typed stays, and the fields they left alone take the newer values, so
// saving never undoes someone else's change (rebaseDraft).
//
//   const edit = useSave(fields)
//   const { errs, saving, reloading, version } = edit
//   const save = () => edit.save(async () => { … await api.x.update(id, body, version.value) … })
//   const reload = () => edit.reload(async () => { const r = await api.x.get(id); … version.value = r.version })
import { ref } from 'vue'
import { ElMessage } from 'element-plus'
import { i18n } from '../i18n.js'
import { useErrors } from './useErrors.js'

// Copies into draft the values of fresh for every field whose draft value
// is still the one of base (untouched); returns fresh, the new base.
export function rebaseDraft(draft, base, fresh) {
  for (const k of Object.keys(fresh)) {
    if (JSON.stringify(draft[k]) === JSON.stringify(base[k]))
      draft[k] = Array.isArray(fresh[k]) ? [...fresh[k]] : fresh[k]
  }
  return fresh
}

// known: the field names the form shows (errors of other fields go above
// the buttons). onReloadError(e): what a failed reload does; by default the
// form shows the error.
export function useSave(known = [], { onReloadError } = {}) {
  const errs = useErrors(known)
  const saving = ref(false)
  const reloading = ref(false)
  // the version of the record the form edits, for If-Match
  const version = ref(0)

  // write() sends the form and takes the answer; any error, a 412 included,
  // goes to errs. Returns what write returned, null on an error.
  async function save(write) {
    saving.value = true
    errs.clear()
    try {
      return await write()
    } catch (e) {
      errs.set(e)
      return null
    } finally {
      saving.value = false
    }
  }

  // After a 412: refresh() reads the newer record and makes it the base of
  // the draft (and sets version); then the stale notice goes and the user is
  // told that what they typed was kept.
  async function reload(refresh) {
    reloading.value = true
    try {
      await refresh()
      errs.clear()
      ElMessage.info(i18n.global.t('opportunity.reloadedKept'))
    } catch (e) {
      if (onReloadError) onReloadError(e)
      else errs.set(e)
    } finally {
      reloading.value = false
    }
  }

  return { errs, saving, reloading, version, save, reload }
}
