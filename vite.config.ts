import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { build, type Plugin } from 'vite';
import { headersFor, parseHeadersFile } from './src/core/headers-file.ts';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const { version } = JSON.parse(readFileSync(here('package.json'), 'utf8')) as { version: string };

/**
 * static/_headers, path by path, for `vite preview`: one source for static hosts and for the
 * tests (the embed path has a policy of its own). Read per request, so an edit needs no restart.
 */
function staticHeaders(): Plugin {
  return {
    name: 'static-headers',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const rules = parseHeadersFile(readFileSync(here('static/_headers'), 'utf8'));
        const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
        for (const [name, value] of headersFor(rules, pathname)) res.setHeader(name, value);
        next();
      });
    },
  };
}

/**
 * The HTML export's viewer (src/viewer), built after the app into dist/viewer/: one script with
 * every module in it, its CSS, MapLibre's worker and the basemap, under fixed names that
 * state/viewer-export.ts fetches and packs into the file.
 */
function viewerBuild(): Plugin {
  return {
    name: 'viewer-build',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        root: here('src'),
        publicDir: false,
        logLevel: 'warn',
        plugins: [svelte({ configFile: false })],
        define: { __APP_VERSION__: JSON.stringify(version) },
        build: {
          outDir: here('dist/viewer'),
          emptyOutDir: true,
          target: 'es2022',
          chunkSizeWarningLimit: 2000,
          // Inline nothing as data: URLs: the file's policy would refuse them as scripts.
          assetsInlineLimit: 0,
          rollupOptions: {
            checks: { pluginTimings: false },
            input: here('src/viewer/main.ts'),
            output: { format: 'es', entryFileNames: 'viewer.js', assetFileNames: (a) => (a.names[0]?.endsWith('.css') ? 'viewer.css' : '[name][extname]'), codeSplitting: false },
          },
        },
      });
    },
  };
}

export default defineConfig({
  // The client fixed the top level (no index.html there), so the page lives in src/.
  root: here('src'),
  // Static assets live in static/ (client layout), not Vite's default public/.
  publicDir: here('static'),
  plugins: [svelte({ configFile: false }), staticHeaders(), viewerBuild()],
  // Export provenance names the app version that made a file.
  define: { __APP_VERSION__: JSON.stringify(version) },
  server: { port: 5173, fs: { allow: [here('.')] } },
  // The production build is previewed under the same strict Content-Security-Policy as deployed.
  preview: { port: 4173, strictPort: true },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    // The embeddable page and the benchmark page (npm run bench) are built with the app, from the same modules.
    rollupOptions: {
      // The viewer's build runs inside closeBundle, which rolldown would report as a slow plugin.
      checks: { pluginTimings: false },
      input: { main: here('src/index.html'), embed: here('src/embed/index.html'), bench: here('src/bench/index.html') },
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
