// Role codes of an opportunity's playbook as names.
import { i18n } from '../i18n.js'

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
