import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `npm run dev` serves the app here with hot reload and sends /api to the API it starts beside it
const api = process.env.TASKLANE_API_URL ?? 'http://127.0.0.1:3000'

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // the budget is measured on what a first page loads: keep the board's drag and drop and the
    // dashboard in their own chunks (see the lazy routes in app.tsx)
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
})
