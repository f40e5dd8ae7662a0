// Helpers shared by the opportunity, account and activity screens: error
// texts next to fields, the stale (412) state, dates, role codes, escaping.
import { computed, nextTick, ref } from 'vue'
import { i18n } from '../i18n.js'

const zhCodes = {
  required: '必填',
  wrong_type: '类型不正确',
  too_long: '内容过长',
  negative: '不能为负数',
  out_of_range: '超出允许范围',
  invalid_value: '取值无效',
  invalid_date: '日期无效',
  invalid_datetime: '时间无效',
  invalid_month: '月份无效',
  invalid_utf8: '包含无效字符',
  unknown_reference: '引用的记录不存在或无权查看',
  unknown_field: '未知字段',
  unknown_parameter: '未知参数',
  read_only: '只读字段',
  unknown_playbook: '销售方法不存在',
  unknown_stage: '阶段不存在',
  weights_sum: '权重之和须为 100',
  out_of_order: '日期先后顺序不正确',
  not_measurable: '后果须可衡量（金额、日期或数量）',
  derived: '该项由系统计算，不能手动勾选',
  not_open: '商机已关闭',
  other_stage: '不属于当前阶段',
  closed: '商机已关闭，请先重新打开',
  forbidden: '无权执行此操作',
  csrf: '会话校验失败，请刷新页面',
  gate_unmet: '出口条件未满足',
  last_stage: '已是最后阶段，请以赢单关闭',
  version_mismatch: '记录已被他人修改',
  if_match_required: '缺少版本号',
  not_found: '记录不存在或无权查看',
  busy: '系统繁忙，请稍后重试',
  in_use: '仍被其他记录引用，不能删除',
  malformed_json: '请求格式错误',
}

// The API's message, in Chinese led by what its code means.
export function errorText(e) {
  if (!e) return ''
  const msg = e.message || String(e)
  if (i18n.global.locale.value === 'zh' && e.code && zhCodes[e.code]) return `${zhCodes[e.code]}：${msg}`
  return msg
}

// Errors of one form: the field's message next to the field, the rest above.
// known: field names shown in the form; a field "a.b[2].c" matches a known
// prefix "a.b" or "a".
export function useErrors(known = []) {
  const error = ref(null)
  const stale = ref(false)
  function matches(field, name) {
    if (!field) return false
    if (field === name) return true
    return field.startsWith(name + '.') || field.startsWith(name + '[')
  }
  function fieldError(name, exact = false) {
    const e = error.value
    if (!e || !e.field) return ''
    return (exact ? e.field === name : matches(e.field, name)) ? errorText(e) : ''
  }
  const general = computed(() => {
    const e = error.value
    if (!e) return ''
    const list = typeof known === 'function' ? known() : known
    if (e.field && list.some((k) => matches(e.field, k))) return ''
    return errorText(e)
  })
  function set(e) {
    if (e && e.status === 412) {
      stale.value = true
      error.value = null
    } else {
      error.value = e
      // bring the field with the message into view (a long form may hide it)
      if (e && e.field && typeof document !== 'undefined') {
        nextTick(() => {
          const el = document.querySelector('.el-form-item.is-error')
          if (el) el.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
        })
      }
    }
  }
  function clear() {
    error.value = null
    stale.value = false
  }
  return { error, stale, fieldError, general, set, clear }
}

export function pad(n) {
  return String(n).padStart(2, '0')
}

export function fmtDate(v) {
  if (!v) return ''
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v
  const d = new Date(v)
  if (isNaN(d)) return v
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function fmtTime(v) {
  if (!v) return ''
  const d = new Date(v)
  if (isNaN(d)) return v
  return `${fmtDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

// A local date (Date or string) as YYYY-MM-DD for the API's date fields.
export function toDateString(v) {
  if (!v) return null
  if (typeof v === 'string') return v.slice(0, 10)
  return fmtDate(v)
}

// Money typed in yuan: digits with at most two decimals.
export function parseYuan(s) {
  if (s === '' || s == null) return null
  const t = String(s).replace(/[,，\s]/g, '')
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN
  return Math.round(Number(t) * 100)
}

export function fenToYuanInput(fen) {
  if (fen == null) return ''
  return (fen / 100).toFixed(2).replace(/\.00$/, '')
}

export function escapeHtml(s) {
  return String(s == null ? '' : s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

// Only http(s) links become links: user text never becomes a javascript: URL.
export function safeUrl(s) {
  return typeof s === 'string' && /^https?:\/\//i.test(s.trim()) ? s.trim() : ''
}

const builtinRoles = {
  S: { zh: '销售', en: 'Sales' },
  C: { zh: '售前', en: 'Presales' },
  M: { zh: '经理', en: 'Manager' },
  channel: { zh: '渠道', en: 'Channel' },
}

// "S&C" → ["销售", "售前"], with the playbook's own role codes.
export function roleNames(expr, playbook) {
  if (!expr) return []
  const lang = i18n.global.locale.value
  const extra = (playbook && playbook.roles) || []
  return String(expr)
    .split('&')
    .map((code) => {
      const r = builtinRoles[code] || (extra.find((x) => x.code === code) || {}).name
      if (!r) return code
      return typeof r === 'string' ? r : r[lang] || r.zh || code
    })
}

export function isPhoneWidth() {
  return typeof window !== 'undefined' && window.matchMedia('(max-width: 600px)').matches
}
