import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console's build. `base: './'`: the same files work under /console/ on the local server and at the root of the
 * CloudFront distribution. JSX is compiled by Vite's own transformer (oxc), so no React plugin is needed for a build.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Cloudscape's components make one ~650 kB entry chunk (about 180 kB gzip); that is the measured, accepted size.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // Cloudscape marks its modules 'use client' (for React Server Components); a client-only bundle has no use for it.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  logLevel: 'warn',
});
