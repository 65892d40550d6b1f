import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const GATEWAY = process.env.GATEWAY_URL ?? 'ws://127.0.0.1:8081';

/**
 * Builds the watchlist page into <repo>/dist/web, which the gateway serves at `/`.
 * `vite --config apps/gateway/web/vite.config.ts` serves it with hot reload instead, passing /ws and the
 * REST API (/api) on to a gateway on :8081 (or GATEWAY_URL), so the page always talks to the same host
 * it was loaded from.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    proxy: {
      '/ws': { target: GATEWAY, ws: true },
      '/api': { target: GATEWAY.replace(/^ws/, 'http') },
    },
  },
});
