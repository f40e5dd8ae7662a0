// The number of approvals waiting for the user, shown in the header: read
// at login, on every page change and each minute.
import { reactive } from 'vue'
import * as api from './endpoints.js'

export const approvalCount = reactive({ inbox: 0 })

export async function refreshApprovalCount() {
  try {
    const c = await api.approvals.count()
    approvalCount.inbox = c.inbox
  } catch {
    // a failed count leaves the badge as it was
  }
}
