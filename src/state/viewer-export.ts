// Export HTML: the viewer (built by vite.config.ts into viewer/) packed with the incidents shown
// into one file that opens from disk with no network (core/viewer-html.ts).

import { BOOT_SCRIPT, PACKED_BLOCKS, viewerHtmlParts, type PackedBlock } from '../core/viewer-html.ts';
import type { Measure } from '../core/histogram.ts';
import type { DayRange } from '../core/time.ts';
import type { Camera } from '../core/url-state.ts';
import type { Lang } from './atlas.svelte.ts';

/** What the viewer opens on. */
export interface ViewerView {
  days: DayRange;
  camera: Camera | null;
  lang: Lang;
  measure: Measure;
}

/** The viewer build's files, beside the app (fixed names: the exporter finds them without a manifest). */
const VIEWER_FILES: Record<PackedBlock, string> = {
  'atlas-app': 'viewer/viewer.js',
  'atlas-style': 'viewer/viewer.css',
  'atlas-worker': 'viewer/maplibre-gl-worker.mjs',
  'atlas-basemap': 'viewer/countries-50m.json',
};

/** About what the packed app adds to the data: measured on the build, rounded up. */
export const VIEWER_OVERHEAD_BYTES = 1_100_000;

async function gzipBase64(bytes: ArrayBuffer): Promise<string> {
  const packed = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  // btoa takes a binary string; built a slice at a time, as one call's arguments are limited.
  let binary = '';
  for (let i = 0; i < packed.length; i += 0x8000) binary += String.fromCharCode(...packed.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

/** The viewer's files, fetched from our origin and packed; a missing build is said plainly. */
async function packViewer(base: string): Promise<Record<PackedBlock, string>> {
  const entries = await Promise.all(
    PACKED_BLOCKS.map(async (id) => {
      const url = `${base}${VIEWER_FILES[id]}?v=${__APP_VERSION__}`;
      const response = await fetch(url);
      // The dev server answers a missing file with its page (200, text/html): not a viewer file either.
      if (!response.ok || response.headers.get('content-type')?.startsWith('text/html')) throw new Error(`the viewer is not built (${VIEWER_FILES[id]}: ${response.status} ${response.headers.get('content-type') ?? ''}); run npm run build and use the built app`);
      return [id, await gzipBase64(await response.arrayBuffer())] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<PackedBlock, string>;
}

/** The HTML file: the packed viewer, the view, and the GeoJSON export's chunks as they are. */
export async function viewerHtml(title: string, view: ViewerView, data: Iterable<string>): Promise<Blob> {
  const [packed, bootHash] = await Promise.all([packViewer(import.meta.env.BASE_URL), sha256Base64(BOOT_SCRIPT)]);
  const parts = viewerHtmlParts({ title, bootHash, packed, data: [...data], view: JSON.stringify(view) });
  return new Blob(parts, { type: 'text/html;charset=utf-8' });
}
