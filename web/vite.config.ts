import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API runs separately in development; `npm run dev` proxies it.
const api = process.env.MONETA_API ?? 'http://127.0.0.1:8000';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export default defineConfig({
  plugins: [react()],
  // Relative to nothing on disk: the bundle never names the build machine.
  base: '/',
  build: {
    outDir: process.env.WEB_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Never inline assets as data: URLs or scripts into HTML (strict CSP).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/graphql/ws': { target: api.replace(/^http/, 'ws'), ws: true },
      '/graphql': { target: api },
    },
  },
  preview: {
    // The headers `moneta serve` sends, so a preview run meets the same CSP.
    headers: { 'content-security-policy': CSP },
    proxy: {
      '/graphql/ws': { target: api.replace(/^http/, 'ws'), ws: true },
      '/graphql': { target: api },
    },
  },
});
