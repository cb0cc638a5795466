import { createRouter, createWebHistory } from 'vue-router'
import { ElMessage } from 'element-plus'
import { i18n } from '@/i18n'
import { useAuthStore } from '@/stores/auth'
import AppLayout from '@/layout/AppLayout.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without logging in. */
    public?: boolean
    /** Permission the user needs (from /api/auth/me). */
    permission?: string
    /** i18n key of the page title. */
    title?: string
  }
}

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    {
      path: '/login',
      name: 'login',
      component: () => import('@/views/LoginView.vue'),
      meta: { public: true, title: 'login.submit' },
    },
    {
      path: '/',
      component: AppLayout,
      children: [
        { path: '', name: 'home', component: () => import('@/views/HomeView.vue'), meta: { title: 'nav.home' } },
        {
          path: 'catalog',
          name: 'catalog',
          component: () => import('@/views/CatalogListView.vue'),
          meta: { permission: 'catalog.read', title: 'nav.catalog' },
        },
        {
          path: 'catalog/new',
          name: 'asset-new',
          component: () => import('@/views/AssetCreateView.vue'),
          meta: { permission: 'catalog.write', title: 'nav.create' },
        },
        {
          path: 'catalog/import',
          name: 'asset-import',
          component: () => import('@/views/ImportView.vue'),
          meta: { permission: 'catalog.import', title: 'nav.import' },
        },
        {
          path: 'catalog/:id(\\d+)',
          name: 'asset',
          component: () => import('@/views/AssetCardView.vue'),
          props: (route) => ({ id: Number(route.params.id) }),
          meta: { permission: 'catalog.read', title: 'nav.catalog' },
        },
        {
          path: 'workflow',
          name: 'inbox',
          component: () => import('@/views/WorkflowInboxView.vue'),
          meta: { permission: 'workflow.read', title: 'nav.inbox' },
        },
        {
          path: 'workflow/:id(\\d+)',
          name: 'workflow-instance',
          component: () => import('@/views/WorkflowInstanceView.vue'),
          props: (route) => ({ id: Number(route.params.id) }),
          meta: { permission: 'workflow.read', title: 'nav.inbox' },
        },
        {
          path: 'discovery',
          name: 'discovery',
          component: () => import('@/views/DiscoverySourcesView.vue'),
          meta: { permission: 'discovery.read', title: 'nav.discovery' },
        },
        {
          path: 'discovery/scans/:id(\\d+)',
          name: 'discovery-scan',
          component: () => import('@/views/DiscoveryScanView.vue'),
          props: (route) => ({ id: Number(route.params.id) }),
          meta: { permission: 'discovery.read', title: 'nav.discovery' },
        },
        {
          path: 'discovery/tables/:id(\\d+)',
          name: 'discovery-table',
          component: () => import('@/views/DiscoveryTableView.vue'),
          props: (route) => ({ id: Number(route.params.id) }),
          meta: { permission: 'discovery.read', title: 'nav.discovery' },
        },
        {
          path: 'quality',
          name: 'quality',
          component: () => import('@/views/QualityOverviewView.vue'),
          meta: { permission: 'quality.read', title: 'nav.qualityOverview' },
        },
        {
          path: 'quality/rules',
          name: 'quality-rules',
          component: () => import('@/views/QualityRulesView.vue'),
          meta: { permission: 'quality.read', title: 'nav.qualityRules' },
        },
        {
          path: 'quality/rules/new',
          name: 'quality-rule-new',
          component: () => import('@/views/QualityRuleEditorView.vue'),
          meta: { permission: 'quality.manage', title: 'quality.editor.createTitle' },
        },
        {
          path: 'quality/rules/:id(\\d+)',
          name: 'quality-rule',
          component: () => import('@/views/QualityRuleEditorView.vue'),
          props: (route) => ({ id: Number(route.params.id) }),
          meta: { permission: 'quality.manage', title: 'nav.qualityRules' },
        },
        {
          path: 'quality/issues',
          name: 'quality-issues',
          component: () => import('@/views/QualityIssuesView.vue'),
          meta: { permission: 'quality.read', title: 'nav.qualityIssues' },
        },
        {
          path: 'quality/issues/:id(\\d+)',
          name: 'quality-issue',
          component: () => import('@/views/QualityIssueView.vue'),
          props: (route) => ({ id: Number(route.params.id) }),
          meta: { permission: 'quality.read', title: 'nav.qualityIssues' },
        },
        {
          path: 'quality/cards/:id(\\d+)',
          name: 'quality-card',
          component: () => import('@/views/QualityCardView.vue'),
          props: (route) => ({ id: Number(route.params.id) }),
          meta: { permission: 'quality.read', title: 'quality.card.title' },
        },
        {
          path: 'evidence',
          name: 'evidence',
          component: () => import('@/views/EvidenceView.vue'),
          meta: { title: 'nav.evidence' },
        },
        {
          path: ':pathMatch(.*)*',
          name: 'not-found',
          component: () => import('@/views/NotFoundView.vue'),
          meta: { title: 'errors.notFound' },
        },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  const user = await auth.ensureLoaded().catch(() => null)
  if (to.meta.public) return to.name === 'login' && user ? { name: 'home' } : true
  if (!user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  if (!auth.can(to.meta.permission)) {
    ElMessage.error(i18n.global.t('errors.forbidden'))
    return { name: 'home' }
  }
  return true
})

router.afterEach((to) => {
  const t = i18n.global.t
  document.title = to.meta.title ? `${t(to.meta.title)} · ${t('app.title')}` : t('app.title')
})
