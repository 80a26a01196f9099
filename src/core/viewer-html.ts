// The exported HTML viewer: one file that opens from disk with no network. The app's code, its
// style, MapLibre's worker and the basemap travel gzip-compressed and base64-encoded in script
// blocks of a type the browser does not run; a small inline boot script, allowed by its hash,
// turns them into blob: URLs and starts the app. The incidents travel as plain GeoJSON (the
// same text as Export GeoJSON, provenance included), readable in the file itself.

/** What the boot script unpacks, by block id. */
export const PACKED_BLOCKS = ['atlas-app', 'atlas-style', 'atlas-worker', 'atlas-basemap'] as const;
export type PackedBlock = (typeof PACKED_BLOCKS)[number];

/**
 * Runs first, as the only inline script. It unpacks every packed block (no request: the bytes
 * are in the page) into a blob: URL, or for the basemap into text (the policy allows no fetch,
 * of a blob the app did not make), links the style, and imports the app, which finds them on `atlasViewer`.
 */
export const BOOT_SCRIPT = `(() => {
  const urls = {};
  const types = { 'atlas-app': 'text/javascript', 'atlas-style': 'text/css', 'atlas-worker': 'text/javascript', 'atlas-basemap': 'application/json' };
  const unpack = async (id) => {
    const text = atob(document.getElementById(id).textContent.trim());
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const plain = new Blob([await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer()], { type: types[id] });
    urls[id] = id === 'atlas-basemap' ? await plain.text() : URL.createObjectURL(plain);
  };
  Promise.all(Object.keys(types).map(unpack)).then(() => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = urls['atlas-style'];
    document.head.append(link);
    window.atlasViewer = urls;
    return import(urls['atlas-app']);
  }).catch((e) => {
    document.body.textContent = 'This file could not be opened: ' + e;
  });
})();`;

/**
 * The policy, as strict as the site's: nothing is fetched but the blobs the page itself made,
 * scripts are only the boot script (by hash) and those blobs. A file opened from disk has an
 * opaque origin, where Chrome starts no module worker from a blob: URL; MapLibre then fetches
 * its worker's blob and starts it from a data: URL, hence connect-src blob: and worker-src
 * data:. Neither lets markup run anything: only script already running makes blobs or workers.
 * frame-ancestors is left out: a <meta> policy cannot carry it.
 */
export function viewerPolicy(bootHash: string): string {
  return [
    "default-src 'none'",
    `script-src 'sha256-${bootHash}' blob:`,
    'style-src blob:',
    'img-src data: blob:',
    'worker-src blob: data:',
    'connect-src blob:',
    "font-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Text inside a <script> block: no `<` at all, so nothing in it can close the block. JSON reads \u003c as `<`. */
export function scriptSafeJson(json: string): string {
  return json.replaceAll('<', '\\u003c');
}

function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export interface ViewerParts {
  title: string;
  /** SHA-256 of BOOT_SCRIPT, base64. */
  bootHash: string;
  /** Each packed block: gzip, base64 (only A–Z, a–z, 0–9, +, /, =). */
  packed: Record<PackedBlock, string>;
  /** The exported GeoJSON text, in chunks, and the view to open on (JSON). */
  data: string[];
  view: string;
}

/** The file's text in parts (the data stays in its chunks); the boot script comes last, when every block it reads is there. */
export function viewerHtmlParts(parts: ViewerParts): string[] {
  const block = (id: string, type: string, text: string) => `<script type="${type}" id="${id}">${text}</script>\n`;
  return [
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
    `<meta http-equiv="Content-Security-Policy" content="${viewerPolicy(parts.bootHash)}">\n`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="color-scheme" content="light dark">\n<link rel="icon" href="data:,">\n',
    `<title>${escapeText(parts.title)}</title>\n</head>\n<body>\n<div id="app"></div>\n`,
    block('atlas-view', 'application/json', scriptSafeJson(parts.view)),
    '<script type="application/geo+json" id="atlas-data">',
    ...parts.data.map(scriptSafeJson),
    '</script>\n',
    ...PACKED_BLOCKS.map((id) => block(id, 'application/gzip-base64', parts.packed[id])),
    `<script>${BOOT_SCRIPT}</script>\n</body>\n</html>\n`,
  ];
}
