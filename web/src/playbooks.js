// The loaded playbooks (GET /playbooks), shared by the dashboard, the
// pipeline, the playbook viewer and the admin import; names in the current language.
import { reactive } from 'vue'
import * as api from './endpoints.js'
import { i18n } from './i18n.js'

export const playbooks = reactive({ items: [], loaded: false, loading: false, error: null })
let pending = null

export function loadPlaybooks(force = false) {
  if (playbooks.loaded && !force) return Promise.resolve(playbooks.items)
  if (pending) return pending
  playbooks.loading = true
  pending = api.playbooks
    .list(i18n.global.locale.value)
    .then((d) => {
      playbooks.items = d.items || []
      playbooks.loaded = true
      playbooks.error = null
      return playbooks.items
    })
    .catch((e) => {
      playbooks.error = e
      throw e
    })
    .finally(() => {
      playbooks.loading = false
      pending = null
    })
  return pending
}

const en = () => i18n.global.locale.value === 'en'

// A playbook or a stage from the list: {name_zh, name_en}.
export function listName(x) {
  if (!x) return ''
  return (en() ? x.name_en : x.name_zh) || x.name || x.id
}

export function findPlaybook(id) {
  return playbooks.items.find((p) => p.id === id) || null
}

export function stageName(playbookId, stageId) {
  const p = findPlaybook(playbookId)
  const s = p && p.stages.find((x) => x.id === stageId)
  return s ? listName(s) : stageId
}

// The playbook last chosen on the dashboard or the pipeline.
const KEY = 'bingfa.playbook'
export function rememberedPlaybook() {
  const id = localStorage.getItem(KEY)
  if (id && findPlaybook(id)) return id
  return (findPlaybook('ruijie-6') || playbooks.items[0] || {}).id || ''
}
export function rememberPlaybook(id) {
  if (id) localStorage.setItem(KEY, id)
}

// The index of the stage whose gate wins a deal: the last stage, or the one before it when the
// last is certain (100%), which winning enters (the server's playbook_winning_stage).
export function winningIndex(stages) {
  const last = (stages || []).length - 1
  return last > 0 && stages[last].probability === 100 ? last - 1 : last
}
