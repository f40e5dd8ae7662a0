// 撞单 while a form is filled in: the API is asked (GET /duplicates/…) after a
// pause in typing and when a field is left, and the form shows what it
// answers (DuplicateAlert); after a save, the warnings of the answer are told
// once more (notifyDuplicates).
//
//   const dup = useDuplicates((q) => api.duplicates.accounts(q), { onError })
//   dup.later(params)   // typing: asks after a pause; params null clears
//   dup.now(params)     // on blur
//   dup.warnings        // [{code, text, matches: [{why, name, owner, visible, id?}]}]
import { h, ref } from 'vue'
import { ElNotification } from 'element-plus'
import { i18n } from '../i18n.js'

export function useDuplicates(ask, { delay = 500, onError } = {}) {
  const warnings = ref([])
  let timer = null
  let seq = 0
  let last = null

  // Asks for params (null: nothing to ask); the same question twice is asked once.
  async function now(params) {
    clearTimeout(timer)
    timer = null
    const key = params ? JSON.stringify(params) : ''
    if (key === last) return
    last = key
    const n = ++seq
    if (!params) {
      warnings.value = []
      if (onError) onError(null)
      return
    }
    try {
      const d = await ask(params)
      if (n !== seq) return
      warnings.value = (d && d.warnings) || []
      if (onError) onError(null)
    } catch (e) {
      if (n !== seq) return
      warnings.value = []
      if (onError) onError(e)
    }
  }

  function later(params) {
    clearTimeout(timer)
    timer = setTimeout(() => now(params), delay)
  }

  function reset() {
    clearTimeout(timer)
    timer = null
    seq++
    last = null
    warnings.value = []
  }

  return { warnings, now, later, reset }
}

// "同名" / "Same name" for a match's why.
export function whyText(why) {
  const t = i18n.global.t
  return ['name', 'credit_code', 'deal_name'].includes(why) ? t('duplicates.why.' + why) : why
}

// The warnings of a create's or an update's answer, told in a notification:
// each match's name and owner, nothing else.
export function notifyDuplicates(warnings) {
  if (!warnings || !warnings.length) return
  const t = i18n.global.t
  const lines = []
  for (const w of warnings)
    for (const m of w.matches || [])
      lines.push(t('duplicates.line', { why: whyText(m.why), name: m.name, owner: m.owner || t('duplicates.nobody') }))
  ElNotification({
    type: 'warning',
    title: t('duplicates.saved'),
    message: h('div', { 'data-test': 'dup-notice' }, lines.map((l) => h('div', l))),
    duration: 10000,
  })
}
