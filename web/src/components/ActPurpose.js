// Activities saved before the API kept their checklists apart
// (GET/POST /activities/{id}/checklist) wrote them into the purpose text;
// this reads them, so that the editor moves them to the activity's
// checklist on its next save and lists show the purpose without them:
//
//   拜访目的……
//
//   【访前准备】
//   [x] 约定时间
//   [ ] 准备一页纸
//   【访中要点】
//   …
//   【访后跟进】
//   …
export const PHASES = ['before', 'during', 'after']
const HEAD = { before: '【访前准备】', during: '【访中要点】', after: '【访后跟进】' }
const HEAD_TO_PHASE = Object.fromEntries(Object.entries(HEAD).map(([k, v]) => [v, k]))

export function parsePurpose(text) {
  const out = { purpose: '', lists: { before: [], during: [], after: [] } }
  if (!text) return out
  const lines = String(text).split('\n')
  const first = lines.findIndex((l) => HEAD_TO_PHASE[l.trim()])
  if (first < 0) {
    out.purpose = text
    return out
  }
  out.purpose = lines.slice(0, first).join('\n').trim()
  let phase = null
  for (const raw of lines.slice(first)) {
    const l = raw.trim()
    if (HEAD_TO_PHASE[l]) {
      phase = HEAD_TO_PHASE[l]
      continue
    }
    if (!phase || !l) continue
    const m = /^\[( |x|X)\]\s?(.*)$/.exec(l)
    if (m) out.lists[phase].push({ text: m[2], done: m[1] !== ' ' })
    else out.lists[phase].push({ text: l.replace(/^[-*]\s*/, ''), done: false })
  }
  return out
}

export function checklistProgress(text) {
  const { lists } = parsePurpose(text)
  const all = PHASES.flatMap((p) => lists[p])
  return { done: all.filter((i) => i.done).length, total: all.length }
}
