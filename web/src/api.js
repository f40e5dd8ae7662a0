// The transport to the bingfa API (endpoints.js names every call): JSON in
// and out, the session cookie, the CSRF token on writes, and errors as
// ApiError with the API's code, message and field (so forms can show the
// message next to the field). Every call says the user's language
// (Accept-Language from the vue-i18n locale), so the API's messages come in it.
import { i18n } from './i18n.js'

// The Accept-Language of the user's language.
function language() {
  return i18n.global.locale.value === 'en' ? 'en' : 'zh-CN,zh;q=0.9'
}
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {}
    super(e.message || `HTTP ${status}`)
    this.status = status
    this.code = e.code || ''
    this.field = e.field || ''
    this.body = body
  }
}

let csrf = sessionStorage.getItem('bingfa.csrf') || ''
let onUnauthenticated = () => {}

export function setCsrf(token) {
  csrf = token || ''
  if (csrf) sessionStorage.setItem('bingfa.csrf', csrf)
  else sessionStorage.removeItem('bingfa.csrf')
}

export function whenUnauthenticated(fn) {
  onUnauthenticated = fn
}

export async function request(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', 'Accept-Language': language(), ...headers }
  if (body !== undefined) h['Content-Type'] = 'application/json'
  if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf
  const res = await fetch('/api/v1' + path, {
    method,
    headers: h,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (res.status === 401 && path !== '/session') onUnauthenticated()
  if (!res.ok) throw new ApiError(res.status, data)
  return { data, etag: res.headers.get('ETag'), status: res.status }
}

// Sends a file as the body (its own type), for the routes that keep files:
// the answer as request's.
export async function upload(path, file) {
  const h = { Accept: 'application/json', 'Accept-Language': language(), 'Content-Type': file.type || 'application/octet-stream' }
  if (csrf) h['X-CSRF-Token'] = csrf
  const res = await fetch('/api/v1' + path, { method: 'POST', headers: h, credentials: 'same-origin', body: file })
  let data = null
  try {
    data = JSON.parse(await res.text())
  } catch {
    data = null
  }
  if (res.status === 401) onUnauthenticated()
  if (!res.ok) throw new ApiError(res.status, data)
  return data
}

export const api = {
  get: async (path) => (await request('GET', path)).data,
  post: async (path, body) => (await request('POST', path, body)).data,
  put: async (path, body, version) =>
    (await request('PUT', path, body, version != null ? { 'If-Match': `"${version}"` } : {})).data,
  patch: async (path, body, version) =>
    (await request('PATCH', path, body, { 'If-Match': `"${version}"` })).data,
  del: async (path, version) =>
    (await request('DELETE', path, undefined, version != null ? { 'If-Match': `"${version}"` } : {})).data,
}
