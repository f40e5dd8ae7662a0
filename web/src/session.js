// Who is logged in: shared by every screen.
import { reactive } from 'vue'
import { setCsrf } from './api.js'
import * as api from './endpoints.js'

export const session = reactive({ user: null, checked: false })

export async function loadSession() {
  try {
    const s = await api.session.get()
    session.user = s.user
    if (s.csrf_token) setCsrf(s.csrf_token)
  } catch {
    session.user = null
  }
  session.checked = true
  return session.user
}

export async function login(name, password) {
  const s = await api.session.login(name, password)
  setCsrf(s.csrf_token)
  session.user = s.user
  return s.user
}

export async function logout() {
  try {
    await api.session.logout()
  } finally {
    setCsrf('')
    session.user = null
  }
}

export function isManager() {
  return session.user && ['manager', 'admin'].includes(session.user.role)
}

// Internal sales staff (not partners, not implementation): the reports are theirs.
export function isStaff() {
  return !!session.user && ['sales', 'consultant', 'manager', 'admin'].includes(session.user.role)
}

// Tags (标签) are the company's own: channel partners never see them.
export function seesTags() {
  return !!session.user && session.user.role !== 'partner'
}
