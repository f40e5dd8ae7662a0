// Exports of a list (导出): the address of the file the server writes for
// the list's filters, sort and columns (or the records named by ids), and
// its download. The address is a plain link: the session cookie reads it and
// the file's name is the server's (Content-Disposition), e.g. 商机-20261206.csv.
import * as api from '../endpoints.js'
import { i18n } from '../i18n.js'
import { listSearch, searchOf } from './util.js'

// format csv | xlsx; columns the export's names (none: the list's own);
// ids: those records, in that order, instead of the list's filters.
export function exportUrl(decl, { query, ids = null, format = 'csv', columns = [] }) {
  const own = { format, lang: i18n.global.locale.value === 'en' ? 'en' : 'zh' }
  if (columns.length) own.columns = columns.join(',')
  if (ids) own.ids = ids.join(',')
  const search = [searchOf(own), ids ? '' : listSearch(decl, query, { sort: true })].filter(Boolean).join('&')
  // the commas of columns, ids and tag as they are: the same to the server, and shorter
  return api.lists.exportUrl(decl.resource, search.replace(/%2C/gi, ','))
}

// Downloads the file at url (the browser keeps it under the server's name).
export function download(url) {
  const a = document.createElement('a')
  a.href = url
  a.download = ''
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
}
