import { defineConfig } from 'vite';

/** Built by `npm run build` (from the repository root) into dist/console, served by Nest at /console. */
export default defineConfig({
  root: 'console',
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    // Everything from files: no inline script or style, so the strict CSP holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // Source maps would hand the console's sources to anyone; a development build asks for them.
    sourcemap: process.env.CONSOLE_SOURCEMAP === 'true',
  },
  logLevel: 'warn',
});
