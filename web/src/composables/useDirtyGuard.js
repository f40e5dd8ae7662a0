// Unsaved changes are never lost without a word. A form (or a dialog's form)
// says what it edits; what it holds is compared with what it held when it
// was filled, and while they differ:
//   a dialog asks before it closes by Esc, its X, a click outside or 取消
//     (:before-close="guard.beforeClose", @click="guard.cancel");
//   leaving the page (another route), switching a tab (el-tabs
//     :before-leave="confirmLeave") and closing the browser's tab ask too.
// When nothing changed, nothing asks. A dialog may count the forms of the
// components inside it too (inner: true; a worksheet in a dialog, an
// activity's checklist in its editor): a guard with nothing of its own,
// useDirtyGuard(null, { open, close }), makes a dialog ask for what its
// forms hold.
//
//   const guard = useDirtyGuard(() => draft, { open: () => props.modelValue,
//     close: () => emit('update:modelValue', false) })
//   guard.markFilled() after filling the form from the server,
//   guard.markClean() after saving it.
import { getCurrentInstance, isRef, nextTick, onBeforeUnmount, ref, toValue, watch } from 'vue'
import { ElMessageBox } from 'element-plus'
import { i18n } from '../i18n.js'

const guards = new Set()

// Any form on the screen with unsaved changes.
export function anyDirty() {
  for (const g of guards) if (g.isDirty()) return true
  return false
}

// When the user last typed or clicked, and where: what changes in a form
// after it was filled, before the user did anything in it, is the form
// settling (a field that sets its default when it appears), not an unsaved
// change.
let userAt = 0
if (typeof document !== 'undefined') {
  for (const type of ['keydown', 'pointerdown', 'input', 'paste', 'drop']) {
    document.addEventListener(type, () => { userAt = performance.now() }, true)
  }
}
const SETTLE_MS = 300

let asking = null

// 放弃未保存的修改？ — true when the user discards them. One question at a
// time: several callers at once share it.
export function confirmDiscard() {
  if (asking) return asking
  const t = i18n.global.t
  asking = ElMessageBox.confirm(t('forms.dirty.ask'), t('forms.dirty.title'), {
    confirmButtonText: t('forms.dirty.discard'),
    cancelButtonText: t('forms.dirty.keep'),
    type: 'warning',
    customClass: 'bf-dirty-confirm',
    appendTo: 'body',
  })
    .then(() => true, () => false)
    .finally(() => {
      asking = null
    })
  return asking
}

// Leaving what is on the screen (a route, a tab): true when nothing is
// unsaved or the user discards it (then every form counts as clean).
export async function confirmLeave() {
  if (!anyDirty()) return true
  if (!(await confirmDiscard())) return false
  for (const g of guards) if (g.isDirty()) g.markClean()
  return true
}

// Once for the app: the router asks before leaving a route with unsaved
// changes, the browser before closing or reloading the page.
export function installDirtyGuard(router) {
  router.beforeEach((to, from) => {
    if (to.path === from.path) return true
    return confirmLeave()
  })
  window.addEventListener('beforeunload', (e) => {
    if (!anyDirty()) return
    e.preventDefault()
    e.returnValue = ''
  })
}

// Whether the component inner is inside outer.
function inside(inner, outer) {
  for (let p = inner && inner.parent; p; p = p.parent) if (p === outer) return true
  return false
}

function snapshot(v) {
  return JSON.stringify(toValue(v) ?? null, (k, x) => (x === undefined ? null : x))
}

// source: a getter (or ref, or reactive object) of what the form edits.
// open: for a dialog, a getter or ref of whether it is open (the form
//   counts only while open; it is taken as filled when it opens).
// close: how 取消 closes the dialog (default: open.value = false).
// inner: the forms of the components inside this one count as its own
//   (default: when source is null).
export function useDirtyGuard(source, { open = null, close = null, inner = source == null } = {}) {
  const base = ref(snapshot(source))
  const instance = getCurrentInstance()
  const isOpen = () => (open == null ? true : !!toValue(open))
  // A form on the page (not a dialog, which is all the user works in while
  // open) has unsaved changes only once the user did something inside it:
  // what changes before is the form settling after it was filled.
  const touched = { at: 0, filled: 0 }
  const scope = () => {
    const el = instance && instance.proxy && instance.proxy.$el
    if (!el) return null
    return el.nodeType === 1 ? el : el.parentElement
  }
  if (open == null && instance && typeof document !== 'undefined') {
    const mine = (e) => {
      const el = scope()
      if (el && el.contains(e.target)) touched.at = performance.now()
    }
    const types = ['keydown', 'pointerdown', 'input', 'paste', 'drop']
    for (const type of types) document.addEventListener(type, mine, true)
    onBeforeUnmount(() => {
      for (const type of types) document.removeEventListener(type, mine, true)
    })
  }
  const own = () => (open != null || touched.at > touched.filled) && snapshot(source) !== base.value
  // the guards of the forms inside this one's component
  const nested = () => (inner && instance ? [...guards].filter((o) => o !== g && inside(o.instance, instance)) : [])
  const isDirty = () => isOpen() && (own() || nested().some((o) => o.isDirty()))
  function markClean() {
    base.value = snapshot(source)
    for (const o of nested()) o.markClean()
  }
  // Filled now: clean after this render, and again once its fields have
  // settled unless the user has started on it by then.
  function markFilled() {
    const at = performance.now()
    touched.filled = at
    nextTick(markClean)
    setTimeout(() => {
      if ((open == null ? touched.at : userAt) < at) markClean()
    }, SETTLE_MS)
  }
  const g = { isDirty, markClean, instance }
  guards.add(g)
  if (instance) onBeforeUnmount(() => guards.delete(g))

  // A dialog is filled by its opener before or as it opens: its state then
  // is the clean one.
  if (open != null) {
    watch(() => !!toValue(open), (now) => {
      if (now) markFilled()
    }, { immediate: true, flush: 'post' })
  }

  function doClose() {
    if (close) close()
    else if (isRef(open)) open.value = false
  }

  // el-dialog / el-drawer :before-close: Esc, the X, a click outside.
  async function beforeClose(done) {
    if (isDirty() && !(await confirmDiscard())) return
    markClean()
    done()
  }

  // The dialog's 取消 button.
  async function cancel() {
    if (isDirty() && !(await confirmDiscard())) return
    markClean()
    doClose()
  }

  return { isDirty, markClean, markFilled, beforeClose, cancel }
}
