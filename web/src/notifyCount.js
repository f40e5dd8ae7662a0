// The number of the user's unread notifications, shown on the bell in the
// header: read at login, on every page change and each minute, and set
// again by the inbox when it marks some read.
import { reactive } from 'vue'
import * as api from './endpoints.js'

export const notifyCount = reactive({ unread: 0 })

export async function refreshNotifyCount() {
  try {
    const c = await api.notifications.count()
    notifyCount.unread = c.unread
  } catch {
    // a failed count leaves the badge as it was
  }
}
