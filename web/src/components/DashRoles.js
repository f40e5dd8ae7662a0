// Role expressions of a playbook ("S&C", "M&C&S", "S&channel") as names.
import { i18n, pick } from '../i18n.js'

const BUILT_IN = ['S', 'C', 'M', 'channel']

// [{code, name}] for an owner expression; `roles` is the playbook's extra roles.
export function roleParts(expr, roles = []) {
  if (!expr) return []
  const t = i18n.global.t
  return String(expr).split('&').map((code) => {
    if (BUILT_IN.includes(code)) return { code, name: t('playbooks.roles.' + code) }
    const r = roles.find((x) => x.code === code)
    return { code, name: r ? pick(r.name) : code }
  })
}
