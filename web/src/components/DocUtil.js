// Templates by kind, and a template's syntax error ("line L, column C: …") as
// a place in its text.

// The kinds in the order the pickers show them (the API's template_kinds).
export const KINDS = ['letter', 'proposal', 'quotation', 'contract', 'research_plan', 'needs_report', 'handover',
  'case', 'other']

const rank = (kind) => (KINDS.includes(kind) ? KINDS.indexOf(kind) : KINDS.length - 1)

// [{kind, items}] in KINDS order; an unknown kind goes with "other".
export function byKind(items) {
  const groups = new Map()
  for (const it of items) {
    const kind = KINDS.includes(it.kind) ? it.kind : 'other'
    if (!groups.has(kind)) groups.set(kind, [])
    groups.get(kind).push(it)
  }
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0])).map(([kind, list]) => ({ kind, items: list }))
}

// Kind, then key, then Chinese before English.
export function sortTemplates(items) {
  return [...items].sort((a, b) => rank(a.kind) - rank(b.kind) || a.key.localeCompare(b.key) ||
    (a.lang === b.lang ? 0 : a.lang === 'zh' ? -1 : 1))
}

// The API's template_syntax message: {line, column, message}, or null.
export function syntaxAt(e) {
  if (!e || e.code !== 'template_syntax') return null
  const m = /^line (\d+), column (\d+): ([\s\S]*)$/.exec(e.message || '')
  if (m) return { line: Number(m[1]), column: Number(m[2]), message: m[3] }
  // the server's message in Chinese: 模板语法错误（第 N 行第 M 列）：why
  const zh = /第\s*(\d+)\s*行第\s*(\d+)\s*列）?(?:：([\s\S]*))?$/.exec(e.message || '')
  return zh ? { line: Number(zh[1]), column: Number(zh[2]), message: zh[3] || '' } : { line: 0, column: 0, message: e.message }
}

// Where line and column (from 1; the column counts characters, as the
// server does) start and the line ends, as offsets into text (UTF-16).
export function lineRange(text, line, column) {
  const lines = text.split('\n')
  const k = Math.min(Math.max(line, 1), lines.length) - 1
  let start = 0
  for (let i = 0; i < k; i++) start += lines[i].length + 1
  const chars = Array.from(lines[k])
  const at = start + chars.slice(0, Math.max(column - 1, 0)).join('').length
  return { start, at, end: start + lines[k].length, text: lines[k] }
}
