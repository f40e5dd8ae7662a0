// What a report card or dashboard card reads: the answer, whether it is
// being read, the error of the last read, and load() to read again. The read
// runs when the card mounts and again when a watched source changes; only the
// answer of the newest read is kept (an older one that comes back later is
// dropped, as are its error and its end of loading).
//
//   const { data, loading, error, load } = useReport(() => api.reports.stages(query.value), query,
//     { skip: () => !props.filters.stagePlaybook })
import { computed, onMounted, ref, watch } from 'vue'

// fetch(): a promise of the answer. sources: what watch() takes (a ref, a
// getter or a list of them), or null for none. skip(): true where there is
// nothing to read yet (load does nothing). onData(d, current): after the
// answer is kept; current() tells whether this read is still the newest.
export function useReport(fetch, sources = null, { skip, onData } = {}) {
  const data = ref(null)
  const loading = ref(false)
  const error = ref(null)
  // an answer has come at least once
  const loaded = computed(() => data.value != null)
  let seq = 0

  async function load() {
    if (skip && skip()) return
    const n = ++seq
    const current = () => n === seq
    loading.value = true
    error.value = null
    try {
      const d = await fetch()
      if (!current()) return
      data.value = d
      if (onData) onData(d, current)
    } catch (e) {
      if (current()) error.value = e
    } finally {
      if (current()) loading.value = false
    }
  }

  onMounted(load)
  if (sources) watch(sources, load)
  return { data, loading, error, loaded, load }
}
