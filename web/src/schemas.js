// Field limits and choices of the forms, read from the API's OpenAPI
// document: every request body is declared once on the server, and the
// maxlength, min/max and option lists here come from that declaration, so
// the form and the validation cannot drift apart. The document is read once,
// on first use; until it arrives a limit is undefined (no limit shown — the
// server still checks).
//
// name: a schema of the document's components ("MantForm", "Account");
// path: its property path, "money.source", "needs[]" for an array's items,
// "scores{}" for a map's values.
import { reactive } from 'vue'
import { meta } from './endpoints.js'

const state = reactive({ doc: null })
let loading = null

function load() {
  if (!loading) {
    loading = meta.openapi().then((doc) => { state.doc = doc }).catch(() => { loading = null })
  }
  return loading
}

function deref(node) {
  let n = node
  for (let i = 0; n && n.$ref && i < 10; i++) {
    n = state.doc.components.schemas[n.$ref.split('/').pop()]
  }
  return n
}

// The schema of path within the component name, or undefined.
export function schemaAt(name, path) {
  if (!state.doc) {
    load()
    return undefined
  }
  let node = deref(state.doc.components.schemas[name])
  for (const part of path ? path.split('.') : []) {
    const m = /^([^[{]*)((?:\[\]|\{\})*)$/.exec(part)
    if (!node || !m) return undefined
    if (m[1]) node = deref(node.properties && node.properties[m[1]])
    for (const suffix of m[2].match(/\[\]|\{\}/g) || []) {
      node = deref(suffix === '[]' ? node && node.items : node && node.additionalProperties)
    }
  }
  return node
}

// The most characters (strings) or items (arrays) the field takes.
export function maxLength(name, path) {
  const s = schemaAt(name, path)
  return s ? s.maxLength ?? s.maxItems : undefined
}

// The least and the most of a number field.
export function minOf(name, path) {
  const s = schemaAt(name, path)
  return s ? s.minimum : undefined
}

export function maxOf(name, path) {
  const s = schemaAt(name, path)
  return s ? s.maximum : undefined
}

// The values an enumerated field takes, in the declared order.
export function choices(name, path) {
  const s = schemaAt(name, path)
  return (s && s.enum) || []
}

// Reads the document now (e.g. before a form opens); resolves when read.
export function loadSchemas() {
  return load()
}
