// Names and units of products and quotation lines in the UI's language
// (name_en, unit_en where given), and a quotation's "number · revision".
import { i18n } from '../i18n.js'

const en = () => i18n.global.locale.value === 'en'

export function productName(p) {
  return (en() && p.name_en) || p.name || ''
}

export function productUnit(p) {
  return (en() && p.unit_en) || p.unit || ''
}

// "BJ20261205-001 · 第2版" / "BJ20261205-001 · rev. 2"
export function numberRev(q) {
  return i18n.global.t('quotes.numberRev', { number: q.number, n: q.revision })
}

// Element Plus tag types of the quotation states.
export const statusType = {
  draft: 'info', submitted: 'warning', approved: 'success', sent: 'primary',
  accepted: 'success', rejected: 'danger', expired: 'info',
}
