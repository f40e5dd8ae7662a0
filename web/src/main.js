import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './styles/theme.css'
import './styles/scroll.css'
import App from './App.vue'
import { i18n } from './i18n.js'
import { router } from './router.js'
import { whenUnauthenticated } from './api.js'
import { session } from './session.js'
import { installDirtyGuard } from './composables/useDirtyGuard.js'

whenUnauthenticated(() => {
  session.user = null
  if (router.currentRoute.value.name !== 'login')
    router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath } })
})

installDirtyGuard(router)
createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app')
