import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Built into web/dist, served by the bingfa server itself (no CDN):
// hashed files under /assets/ are cached for a year, index.html never.
export default defineConfig({
  plugins: [vue()],
  // vue-i18n compiles messages to functions with `new Function` unless told
  // to interpret them: the page's Content-Security-Policy allows no eval.
  define: {
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
})
