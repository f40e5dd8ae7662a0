// User text in HTML (chart tooltips, links) stays text.

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
