import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const { version } = JSON.parse(readFileSync(here('package.json'), 'utf8')) as { version: string };

/** The header lines of static/_headers: one source for static hosts and for `vite preview`. */
function staticHeaders(): Record<string, string> {
  const lines = readFileSync(here('static/_headers'), 'utf8').split('\n');
  return Object.fromEntries(
    lines
      .filter((l) => /^\s+[\w-]+:/.test(l))
      .map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
      }),
  );
}

export default defineConfig({
  // The client fixed the top level (no index.html there), so the page lives in src/.
  root: here('src'),
  // Static assets live in static/ (client layout), not Vite's default public/.
  publicDir: here('static'),
  plugins: [svelte({ configFile: false })],
  // Export provenance names the app version that made a file.
  define: { __APP_VERSION__: JSON.stringify(version) },
  server: { port: 5173, fs: { allow: [here('.')] } },
  // The production build is previewed under the same strict Content-Security-Policy as deployed.
  preview: { port: 4173, strictPort: true, headers: staticHeaders() },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    // The benchmark page (npm run bench) is built with the app, from the same modules.
    rollupOptions: {
      input: { main: here('src/index.html'), bench: here('src/bench/index.html') },
      // Name the chunk both pages share after what it mostly is, not after its first module.
      output: { manualChunks: (id: string) => (id.includes('node_modules/maplibre-gl/') ? 'maplibre-gl' : undefined) },
    },
  },
  test: {
    root: here('.'),
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    // Correctness, not speed (targets live in npm run bench): a property test or a CLI run may
    // take longer than vitest's 5 s default on two busy cores without being wrong.
    testTimeout: 30_000,
  },
});
