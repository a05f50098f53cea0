import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/web and served by the Mainstay server at `/` with SPA fallback.
// `npm run dev:web` proxies the API to a running server (MAINSTAY_DEV_API, default :8080).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // The CSP forbids inline scripts; keep every asset a file, never a data: URL script.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': process.env.MAINSTAY_DEV_API ?? 'http://127.0.0.1:8080',
    },
  },
});
