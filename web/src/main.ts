import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import 'element-plus/dist/index.css'
import './styles.css'

import App from './App.vue'
import { setUnauthorizedHandler } from './api/client'
import { i18n } from './i18n'
import { router } from './router'
import { useAuthStore } from './stores/auth'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(ElementPlus).use(router)

// The session expired while the console was open: back to the login page, then back here.
setUnauthorizedHandler(() => {
  const auth = useAuthStore(pinia)
  if (!auth.user) return
  auth.forget()
  ElMessage.warning(i18n.global.t('errors.sessionExpired'))
  const current = router.currentRoute.value
  void router.push({ name: 'login', query: { redirect: current.fullPath } })
})

app.mount('#app')
