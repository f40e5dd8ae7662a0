// zh-CN first, English as a switch. Each screen keeps its own texts in
// locales/<screen>.js ({ zh: {...}, en: {...} }); they are merged here under
// the screen's name, so t('login.title') reads locales/login.js.
import { createI18n } from 'vue-i18n'
import { setFormatLanguage } from './util/format.js'

const files = import.meta.glob('./locales/*.js', { eager: true })
const messages = { zh: {}, en: {} }
for (const [path, mod] of Object.entries(files)) {
  const name = path.replace('./locales/', '').replace('.js', '')
  messages.zh[name] = mod.default.zh
  messages.en[name] = mod.default.en
}

export const i18n = createI18n({
  legacy: false,
  locale: localStorage.getItem('bingfa.lang') || 'zh',
  fallbackLocale: 'zh',
  messages,
})
setFormatLanguage(() => i18n.global.locale.value)

export function setLanguage(lang) {
  i18n.global.locale.value = lang
  localStorage.setItem('bingfa.lang', lang)
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
}

// A playbook text {zh, en} in the current language.
export function pick(text) {
  if (text == null) return ''
  if (typeof text === 'string') return text
  return text[i18n.global.locale.value] || text.zh || text.en || ''
}
