// Dates and times as the forms and lists show them: "2026-03-02", "2026-03-02 09:30".

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
