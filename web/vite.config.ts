import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The console is served by the FastAPI app from src/dataasset/static (git-ignored build output).
export default defineConfig({
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000', changeOrigin: false },
    },
  },
  build: {
    outDir: '../src/dataasset/static',
    emptyOutDir: true,
    // Element Plus is used whole (registered globally); its chunk is large but cached across releases.
    chunkSizeWarningLimit: 1100,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@vueuse|async-validator|dayjs|lodash)/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'vue', test: /node_modules[\\/](@?vue|pinia|vue-router|vue-i18n|@intlify)/ },
          ],
        },
      },
    },
  },
})
