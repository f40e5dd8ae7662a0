// The import screen's words for what the server reports: a file's format and
// encoding, a sheet's column in the current language, and an error's reason
// from its code and column (the server's own message where it says more).
import { i18n } from '../i18n.js'

const t = (key, args) => i18n.global.t(key, args)
const en = () => i18n.global.locale.value === 'en'

// "Excel (XLSX)", "CSV · GBK", "CSV · UTF-8".
export function fileLabel(report) {
  if (!report) return ''
  if (report.format === 'xlsx') return 'Excel (XLSX)'
  const enc = { 'utf-8': 'UTF-8', 'utf-8-bom': 'UTF-8 BOM', 'utf-16': 'UTF-16', gb18030: 'GBK' }[report.encoding]
  return `${String(report.format || '').toUpperCase()} · ${enc || report.encoding || '?'}`
}

export function sheetTitle(sheet) {
  return sheet ? (en() ? sheet.title_en : sheet.title) : ''
}

export function columnHeader(col) {
  return en() ? col.header_en : col.header
}

export function columnHelp(col) {
  return (en() ? col.help_en : col.help) || ''
}

export function choiceLabels(col) {
  return (col.choices || []).map((c) => (en() ? c.en : c.zh))
}

// The sheet's column an error is about: by its field, else by its header.
export function errorColumn(sheet, err) {
  if (!sheet) return null
  const cols = sheet.columns || []
  return (err.field && cols.find((c) => c.field === err.field)) ||
    (err.header && cols.find((c) => c.header === err.header || c.header_en === err.header)) || null
}

// {text, detail}: the reason in the current language by the error's code and
// column; detail is the server's message when the text is a general one (the
// message then says more, as the server words it). Lookups, headers and
// merges the server reports in the language asked: their message is the text.
export function errorReason(sheet, err) {
  const col = errorColumn(sheet, err)
  const msg = err.message || ''
  let text = ''
  let general = false
  switch (err.code) {
    case 'required':
      text = t('import.reasons.required')
      general = !col
      break
    case 'wrong_type':
      if (col && ['integer', 'money', 'decimal', 'boolean'].includes(col.kind)) text = t('import.reasons.' + col.kind)
      else [text, general] = [t('import.reasons.wrong_type'), true]
      break
    case 'invalid_value':
      if (err.field === 'credit_code') text = t('import.reasons.credit_code')
      else if (col && col.choices && col.choices.length)
        text = t('import.reasons.choice', { choices: choiceLabels(col).join(en() ? ', ' : '、') })
      else [text, general] = [t('import.reasons.invalid_value'), true]
      break
    case 'invalid_date':
    case 'invalid_datetime':
      text = t('import.reasons.' + err.code)
      break
    case 'too_long':
    case 'out_of_range':
    case 'negative':
      text = t('import.reasons.' + err.code)
      general = true
      break
    default:
      return { text: msg || err.code || '', detail: '' }
  }
  return { text, detail: general && msg && msg !== text ? msg : '' }
}
