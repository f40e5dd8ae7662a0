// One sales-tool form of an opportunity or account: the saved data, the
// result, the version for If-Match, errors and the stale state.
// form: { get() → the form, save(body, version) → the saved form }, the
// form's two calls of endpoints.js.
// init(data) fills the screen's model; it is not called again when a reload
// after a 412 must keep what the user typed. model: a getter of that model,
// whose unsaved changes are guarded (useDirtyGuard).
import { reactive } from 'vue'
import { ElMessage } from 'element-plus'
import { i18n } from '../i18n.js'
import { useSave } from './useSave.js'
import { useDirtyGuard } from './useDirtyGuard.js'

export function useToolForm(form, { init, known = [], onSaved, model = null } = {}) {
  const guard = model ? useDirtyGuard(model) : null
  const filled = () => guard && guard.markFilled()
  // a reload that fails needs no message of its own: load() shows its error
  // in place of the form
  const edit = useSave(known, { onReloadError: () => {} })
  const errs = edit.errs
  const st = reactive({
    loading: false,
    loaded: false,
    saving: edit.saving,
    version: edit.version,
    result: null,
    data: null,
    updatedAt: null,
    updatedBy: null,
    loadError: null,
    error: errs.error,
    stale: errs.stale,
    general: errs.general,
    fieldError: errs.fieldError,
    load,
    save,
    reload,
  })

  function take(d) {
    st.version = d.version
    st.result = d.result
    st.data = d.data
    st.updatedAt = d.updated_at
    st.updatedBy = d.updated_by
  }

  async function load(keep = false) {
    st.loading = true
    st.loadError = null
    try {
      const d = await form.get()
      take(d)
      if (!keep && init) init(d.data, d)
      if (!keep) filled()
      st.loaded = true
    } catch (e) {
      st.loadError = e
    } finally {
      st.loading = false
    }
  }

  function save(body) {
    return edit.save(async () => {
      const d = await form.save(body, st.version)
      take(d)
      ElMessage.success(i18n.global.t('opportunity.saved'))
      if (onSaved) onSaved(d)
      filled()
      return d
    })
  }

  function reload() {
    return edit.reload(async () => {
      await load(true)
      if (st.loadError) throw st.loadError
    })
  }

  return st
}
