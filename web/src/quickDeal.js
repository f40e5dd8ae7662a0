// The one new-deal dialog (QuickDealDialog, mounted in App.vue), opened from
// the top bar's "+", the pipeline, the dashboard and a customer's page.
import { reactive } from 'vue'
import { session } from './session.js'

export const quickDeal = reactive({ open: false, account: null })

// Who may create deals and customers: sales, consultants, managers, admins.
export function mayCreateDeal() {
  const u = session.user
  return !!u && ['sales', 'consultant', 'manager', 'admin'].includes(u.role)
}

// account: {id, name} of the customer the deal is for, or none to pick one.
export function openQuickDeal(account = null) {
  quickDeal.account = account && account.id ? { id: account.id, name: account.name } : null
  quickDeal.open = true
}
