// Errors of the admin forms: the API's message next to its field, anything
// else above the buttons. Teams as a tree for el-tree / el-tree-select.
import { computed, ref } from 'vue'

export function useFormError(fields) {
  const error = ref(null)
  const fe = (f) => (error.value && error.value.field === f ? error.value.message : '')
  const general = computed(() => (error.value && !fields.includes(error.value.field) ? error.value.message : ''))
  return { error, fe, general }
}

// [{value, label, team, children}] from teams with parent_id.
export function teamTree(teams) {
  const nodes = new Map(teams.map((t) => [t.id, { value: t.id, label: t.name, team: t, children: [] }]))
  const roots = []
  for (const n of nodes.values()) {
    const parent = n.team.parent_id && nodes.get(n.team.parent_id)
    if (parent) parent.children.push(n)
    else roots.push(n)
  }
  const sort = (list) => {
    list.sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'))
    list.forEach((n) => sort(n.children))
    return list
  }
  return sort(roots)
}

// Only the fields that were filled in: empty strings become absent.
export function compact(obj) {
  const out = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === '' || v == null) continue
    out[k] = typeof v === 'string' ? v.trim() : v
  }
  return out
}
