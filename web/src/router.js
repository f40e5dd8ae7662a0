// Client routes; the server answers index.html for each of them.
import { createRouter, createWebHistory } from 'vue-router'
import { session, loadSession, isStaff } from './session.js'

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/', name: 'dashboard', component: () => import('./views/DashboardView.vue') },
  { path: '/pipeline', name: 'pipeline', component: () => import('./views/PipelineView.vue') },
  { path: '/deals', name: 'deals', component: () => import('./views/DealsView.vue') },
  { path: '/opportunities/:id', name: 'opportunity', component: () => import('./views/OpportunityView.vue'), props: true },
  { path: '/accounts', name: 'accounts', component: () => import('./views/AccountsView.vue') },
  { path: '/accounts/:id', name: 'account', component: () => import('./views/AccountView.vue'), props: true },
  { path: '/contacts', name: 'contacts', component: () => import('./views/ContactsView.vue') },
  { path: '/activities', name: 'activities', component: () => import('./views/ActivitiesView.vue') },
  { path: '/activities/list', name: 'activity-list', component: () => import('./views/ActivityListView.vue') },
  { path: '/playbooks', name: 'playbooks', component: () => import('./views/PlaybooksView.vue') },
  { path: '/knowledge', name: 'knowledge', component: () => import('./views/KnowledgeView.vue') },
  { path: '/knowledge/:id', name: 'knowledge-entry', component: () => import('./components/KnowledgeEntry.vue'), props: true },
  // internal staff only: partners and implementation have no reports
  { path: '/reports', name: 'reports', component: () => import('./views/ReportsView.vue'), meta: { staff: true } },
  { path: '/import', name: 'import', component: () => import('./views/ImportView.vue') },
  { path: '/approvals', name: 'approvals', component: () => import('./views/ApprovalInbox.vue') },
  { path: '/admin', name: 'admin', component: () => import('./views/AdminView.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession()
  if (!to.meta.public && !session.user) return { name: 'login', query: { next: to.fullPath } }
  if (to.meta.staff && !isStaff()) return { name: 'dashboard' }
  return true
})
