// One list screen's state (lists/util.js declares a list): the rows of its
// first page for the URL's query, then the next pages (加载更多, keyset); the
// search box; the filters as patches of the URL; the server's sort following
// the table's headers; the columns shown.
import { computed, onBeforeUnmount, ref, watch } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute, useRouter } from 'vue-router'
import { ElMessage } from 'element-plus'
import { session, seesTags } from '../session.js'
import { errorText } from '../util/errors.js'
import { isPhoneWidth } from '../util/screen.js'
import { loadNames } from '../lists/names.js'
import {
  apiQuery, sortOf, filterCount, filterKeys, patchQuery, queryText, hiddenColumns, saveHiddenColumns, shownOf,
  hiddenOf, columnKeys,
} from '../lists/util.js'

export function useList(decl) {
  const { t } = useI18n()
  const route = useRoute()
  const router = useRouter()
  const phone = isPhoneWidth()
  const items = ref([])
  const nextCursor = ref(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const loaded = ref(false)
  const error = ref(null)

  const query = computed(() => route.query)
  const nFilters = computed(() => filterCount(decl, route.query))
  const searching = computed(() => !!queryText(route.query, 'q'))
  const userId = () => (session.user ? session.user.id : '')

  // the URL's query changed by a patch: a new history entry (back undoes
  // it), or the current one replaced (typing)
  function patch(p, replace = false) {
    const q = patchQuery(decl, route.query, p)
    if (JSON.stringify(q) === JSON.stringify(route.query)) return
    router[replace ? 'replace' : 'push']({ query: q })
  }

  // every filter and the search cleared (the view chosen, if any, stays)
  function clearAll() {
    const p = {}
    for (const k of filterKeys(decl)) p[k] = ''
    patch(p)
  }

  // the search box: applied as typed (after a pause), or on Enter
  const q = ref(queryText(route.query, 'q'))
  let typing = null
  function applySearch() {
    clearTimeout(typing)
    patch({ q: q.value.trim() }, true)
  }
  watch(q, () => {
    clearTimeout(typing)
    typing = setTimeout(applySearch, 400)
  })
  watch(() => route.query.q, (v) => {
    if ((v || '') !== q.value.trim()) q.value = v || ''
  })
  onBeforeUnmount(() => clearTimeout(typing))

  // columns: this width's choice (a phone's apart); the full width's are the
  // ones a saved view keeps
  const hidden = ref(hiddenColumns(decl, userId(), phone))
  const shown = computed(() => Object.fromEntries(columnKeys(decl).map((c) => [c, !hidden.value.includes(c)])))
  // the columns this user may have (partners: no tags)
  const available = computed(() => decl.columns.filter((c) => c.key !== 'tags' || seesTags()))
  const columns = computed(() => available.value.filter((c) => shown.value[c.key]))
  function toggleColumn(c, on) {
    const next = hidden.value.filter((x) => x !== c)
    if (!on) next.push(c)
    hidden.value = columnKeys(decl).filter((x) => next.includes(x))
    saveHiddenColumns(decl, userId(), phone, hidden.value)
  }
  // the full width's columns shown, in order (what a view saves)
  const wideColumns = () => shownOf(decl, phone ? hiddenColumns(decl, userId(), false) : hidden.value)
  // the export's columns: the full width's choice, as the export names them
  // (a field no row shown has, one the viewer does not see, left out)
  function exportColumns() {
    const keys = wideColumns()
    const out = []
    for (const c of available.value) {
      if (!keys.includes(c.key)) continue
      for (const f of (c.field || c.key).split(',')) {
        if (!items.value.length || items.value.some((r) => f in r)) out.push(f)
      }
    }
    return out
  }
  // a view's columns become the full width's choice
  function setWideColumns(list) {
    const keys = columnKeys(decl)
    const cols = (list || []).filter((c) => keys.includes(c))
    if (!cols.length) return
    const h = hiddenOf(decl, cols)
    saveHiddenColumns(decl, userId(), false, h)
    if (!phone) hidden.value = h
  }

  // sort: the table's header arrows follow the URL (a new table when the URL
  // changed the sort other than by a header click)
  const sort = computed(() => sortOf(decl, route.query))
  const shownSort = ref(sort.value)
  const epoch = ref(0)
  watch(sort, (s) => {
    if (s !== shownSort.value) {
      shownSort.value = s
      epoch.value++
    }
  })
  const defaultSort = computed(() => ({
    prop: shownSort.value.replace(/^-/, ''),
    order: shownSort.value.startsWith('-') ? 'descending' : 'ascending',
  }))
  const tableKey = computed(() => `${epoch.value}:${hidden.value.join(',')}`)

  function onSortChange({ prop, order }) {
    if (!order || !prop) {
      // the third click: back to the default order, its arrow shown
      shownSort.value = ''
      if (sort.value === decl.defaultSort) {
        shownSort.value = decl.defaultSort
        epoch.value++
      }
      patch({ sort: decl.defaultSort })
      return
    }
    const s = (order === 'descending' ? '-' : '') + prop
    shownSort.value = s
    patch({ sort: s })
  }

  // the names of the accounts and deals the rows point at
  function names(rows) {
    if (!decl.names) return
    for (const [kind, ids] of Object.entries(decl.names(rows, shown.value))) loadNames(kind, userId(), ids).catch(() => {})
  }
  watch(shown, () => names(items.value))

  // the list: the first page on each change of the query, then next pages
  let seq = 0
  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const d = await decl.list(apiQuery(decl, route.query))
      if (mine !== seq) return
      items.value = d.items || []
      nextCursor.value = d.next_cursor || null
      loaded.value = true
      names(items.value)
    } catch (e) {
      if (mine !== seq) return
      error.value = e
      items.value = []
      nextCursor.value = null
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  async function loadMore() {
    const mine = seq
    loadingMore.value = true
    try {
      const d = await decl.list(apiQuery(decl, route.query, nextCursor.value))
      if (mine !== seq) return
      const have = new Set(items.value.map((o) => o.id))
      const more = (d.items || []).filter((o) => !have.has(o.id))
      items.value = items.value.concat(more)
      nextCursor.value = d.next_cursor || null
      names(more)
    } catch (e) {
      if (mine === seq) ElMessage.error(t('lists.moreFailed', { msg: errorText(e) }))
    } finally {
      loadingMore.value = false
    }
  }

  watch(() => (route.name === decl.route ? JSON.stringify(apiQuery(decl, route.query)) : null), (v) => {
    if (v) load()
  }, { immediate: true })

  // a row leads to its record (a click on a link or a button in it does
  // what that says)
  function openRow(row, event) {
    if (event && event.target && event.target.closest && event.target.closest('a, button, .el-tag, .el-checkbox')) return
    const to = decl.link(row)
    if (to) router.push(to)
  }

  return {
    route, router, phone, query, items, nextCursor, loading, loadingMore, loaded, error, nFilters, searching,
    patch, clearAll, q, applySearch, hidden, shown, available, columns, toggleColumn, wideColumns, setWideColumns,
    exportColumns, sort,
    defaultSort, tableKey, onSortChange, load, loadMore, openRow,
  }
}
