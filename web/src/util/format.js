// Dates and times as the whole app shows them, in China time (UTC+8, no
// daylight saving) whatever the browser's zone:
//   a date "2026-12-07"; where the day matters (activities, the calendar,
//   due dates) with its weekday "2026-12-07 周一" / "2026-12-07 Mon";
//   a time "2026-12-07 09:30".
// Dates of the API ("2026-12-07") are days, shown as they are; times
// ("2026-12-07T01:30:00Z") are instants, shown in China time.
// The language is the app's: setFormatLanguage(() => the current language)
// (read at each call, so a screen shows the new language when it changes);
// every function also takes it as an argument.

let langOf = () => 'zh'
export const currentLang = () => (langOf() === 'en' ? 'en' : 'zh')

export function setFormatLanguage(source) {
  langOf = source
}

const CHINA_MS = 8 * 3600 * 1000
const WEEKDAYS = {
  zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
}

export function pad(n) {
  return String(n).padStart(2, '0')
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

// A value (a day "2026-12-07", an instant's text or a Date) as the fields of
// its day and time in China; null when it is none.
function china(v) {
  if (v == null || v === '') return null
  if (typeof v === 'string') {
    const m = DAY.exec(v)
    if (m) return { y: +m[1], mo: +m[2], d: +m[3], h: null, mi: null }
  }
  const t = v instanceof Date ? v.getTime() : new Date(v).getTime()
  if (Number.isNaN(t)) return null
  const c = new Date(t + CHINA_MS)
  return { y: c.getUTCFullYear(), mo: c.getUTCMonth() + 1, d: c.getUTCDate(), h: c.getUTCHours(), mi: c.getUTCMinutes() }
}

const ymd = (c) => `${c.y}-${pad(c.mo)}-${pad(c.d)}`

// "2026-12-07"; empty for nothing, the text itself when it is not a date.
export function fmtDate(v) {
  const c = china(v)
  return c ? ymd(c) : v ? String(v) : ''
}

// "2026-12-07 09:30" (a day alone stays "2026-12-07").
export function fmtTime(v) {
  const c = china(v)
  if (!c) return v ? String(v) : ''
  return c.h == null ? ymd(c) : `${ymd(c)} ${pad(c.h)}:${pad(c.mi)}`
}

// "周一" / "Mon" of a day or an instant (in China).
export function weekday(v, lang = currentLang()) {
  const c = china(v)
  if (!c) return ''
  return WEEKDAYS[lang === 'en' ? 'en' : 'zh'][new Date(Date.UTC(c.y, c.mo - 1, c.d)).getUTCDay()]
}

// "2026-12-07 周一" / "2026-12-07 Mon".
export function fmtDay(v, lang = currentLang()) {
  const c = china(v)
  return c ? `${ymd(c)} ${weekday(v, lang)}` : v ? String(v) : ''
}

// "2026-12-07 周一 09:30" / "2026-12-07 Mon 09:30": a time where the day matters.
export function fmtDayTime(v, lang = currentLang()) {
  const c = china(v)
  if (!c) return v ? String(v) : ''
  return c.h == null ? fmtDay(v, lang) : `${fmtDay(v, lang)} ${pad(c.h)}:${pad(c.mi)}`
}

// "09:30" of an instant in China; empty for a day.
export function fmtClock(v) {
  const c = china(v)
  return c && c.h != null ? `${pad(c.h)}:${pad(c.mi)}` : ''
}

// Today in China: "2026-12-07".
export function todayChina(now = Date.now()) {
  return fmtDate(new Date(now))
}

// "2027-03": months stay as they are, in both languages.
export function fmtMonth(s) {
  return s || ''
}
