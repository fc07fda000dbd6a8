import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The hub serves the shell on its own paths (/hub/home, /hub/admin/…) and the hashed files under /hub/static/ui/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/hub/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'static/ui',
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  logLevel: 'warn',
});
