// The import screen's words for what the server reports: a file's format and
// encoding, a sheet's column in the current language, and an error's reason
// (the server's message, and a column's choices beside it).
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

// {text, detail}: the reason as the server words it, in the language the
// report was asked in; detail, for a value that is not one of a column's
// choices, lists the choices.
export function errorReason(sheet, err) {
  const col = errorColumn(sheet, err)
  const text = err.message || err.code || ''
  const choices = err.code === 'invalid_value' && err.field !== 'credit_code' && col && col.choices && col.choices.length
  const detail = choices ? t('import.col.choices') + (en() ? ': ' : '：') + choiceLabels(col).join(en() ? ', ' : '、') : ''
  return { text, detail }
}
