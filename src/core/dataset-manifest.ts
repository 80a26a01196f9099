// The manifest of a prepared dataset (npm run build-dataset): what a reader needs before it
// fetches a byte of Parquet — the partitions, each with its rows, days and bbox — and the rule
// that tells which partitions and row groups a filter can skip. A manifest comes from a URL or
// a folder the user picked, so it is validated as hostile input, paths included.

import { CATEGORIES, STATUSES } from './schema.ts';
import { bboxIntersectsView, type Bbox, type View } from './geometry.ts';
import { dayOfIsoDate, type DayRange } from './time.ts';

export const MANIFEST_FORMAT = 'incident-atlas-dataset';
/** Bumped when a reader of an older version could misread the files. */
export const MANIFEST_VERSION = 1;

/** Days as written in the manifest: 'YYYY-MM-DD', inclusive. */
export interface IsoDays {
  from: string;
  to: string;
}

export interface SourceFile {
  /** The name given on the command line, without its folders. */
  file: string;
  sha256: string;
  bytes: number;
  /** Items read (rows, features or lines) and how many of them were rejected. */
  rows: number;
  rejected: number;
}

export interface Partition {
  /** Relative to the manifest: 'month=2020-01/part-0.parquet'. */
  path: string;
  rows: number;
  rowGroups: number;
  days: IsoDays;
  bbox: Bbox;
  bytes: number;
}

export interface Overview {
  /** Cells are the Web Mercator tiles of this zoom. */
  zoom: number;
  path: string;
  rows: number;
  bytes: number;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  name: string;
  created: string;
  sources: SourceFile[];
  rows: number;
  days: IsoDays;
  bbox: Bbox;
  /** Incidents per category and per status. */
  vocabularies: { category: Record<string, number>; status: Record<string, number> };
  partitions: Partition[];
  overviews: Overview[];
}

/** What a reader knows of a piece of the data (a partition, a row group) from its statistics. */
export interface PieceStats {
  /** Smallest start day and largest end day of its incidents. */
  days: DayRange;
  /** Union of its incidents' extents. */
  bbox: Bbox;
}

/**
 * Whether a piece may hold an incident the filter shows: its days overlap the selected days
 * and its bbox touches the view — the days and view of core/filter.ts, so skipping a piece
 * never hides an incident. A piece with no rows (empty days) is always skipped.
 */
export function pieceMayMatch(piece: PieceStats, days: DayRange, view: View): boolean {
  if (!(piece.days.from <= piece.days.to)) return false;
  return piece.days.to >= days.from && piece.days.from <= days.to && bboxIntersectsView(piece.bbox, view);
}

/**
 * Whether every incident a piece may hold is shown by these days and view: its days lie inside
 * the selected days and its bbox inside the view. Such a piece's rows need no test of their
 * days or extents, only of their category and status: an exact count reads those alone.
 */
export function pieceInside(piece: PieceStats, days: DayRange, view: View): boolean {
  const b = piece.bbox;
  if (!(piece.days.from >= days.from && piece.days.to <= days.to && b[0] <= b[2] && b[1] >= view[1] && b[3] <= view[3])) return false;
  // A view across the antimeridian is [w, 180] and [−180, e]: the bbox must lie in one of them.
  return view[0] <= view[2] ? b[0] >= view[0] && b[2] <= view[2] : b[0] >= view[0] || b[2] <= view[2];
}

/** The indices of the pieces a reader must fetch for these days and view. */
export function piecesToRead(pieces: readonly PieceStats[], days: DayRange, view: View): number[] {
  const out: number[] = [];
  pieces.forEach((p, i) => {
    if (pieceMayMatch(p, days, view)) out.push(i);
  });
  return out;
}

export function partitionStats(p: Partition): PieceStats {
  return { days: { from: dayOfIsoDate(p.days.from), to: dayOfIsoDate(p.days.to) }, bbox: p.bbox };
}

/** A relative path inside the dataset folder: no scheme, no root, no '..', no backslash. */
export function safeDatasetPath(path: string): boolean {
  if (path === '' || path.length > 512 || /[\\?#%]/.test(path) || path.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(path)) return false;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) < 0x20) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

export type ManifestCheck = { manifest: Manifest; error?: undefined } | { manifest?: undefined; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function daysProblem(v: unknown): string | null {
  if (!isObject(v) || typeof v.from !== 'string' || typeof v.to !== 'string') return 'must be {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}';
  const from = dayOfIsoDate(v.from);
  const to = dayOfIsoDate(v.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return `holds an invalid date (${JSON.stringify(v.from).slice(0, 40)}, ${JSON.stringify(v.to).slice(0, 40)})`;
  return from > to ? '"from" is after "to"' : null;
}

function bboxProblem(v: unknown): string | null {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) return 'must be four numbers [west, south, east, north]';
  const [w, s, e, n] = v as number[];
  if (w < -180 || e > 180 || s < -90 || n > 90 || w > e || s > n) return `[${v.join(', ')}] is not a bbox in degrees`;
  return null;
}

function counts(v: unknown, vocabulary: readonly string[]): boolean {
  return isObject(v) && Object.entries(v).every(([k, n]) => vocabulary.includes(k) && isCount(n));
}

/**
 * The manifest, or the first thing wrong with it, said so that whoever made the folder can
 * fix it. Every field a reader relies on is checked; unknown fields are allowed (a later
 * minor addition), a later version is not.
 */
export function validateManifest(json: unknown): ManifestCheck {
  const fail = (error: string): ManifestCheck => ({ error: `manifest.json: ${error}` });
  if (!isObject(json)) return fail('is not a JSON object');
  if (json.format !== MANIFEST_FORMAT) return fail(`"format" is ${JSON.stringify(json.format)?.slice(0, 60)}, not "${MANIFEST_FORMAT}": is this a prepared dataset?`);
  if (!isCount(json.version) || json.version < 1) return fail('"version" must be a positive integer');
  if (json.version > MANIFEST_VERSION) return fail(`version ${json.version} is newer than this app reads (${MANIFEST_VERSION}); update the app or rebuild the dataset`);
  if (typeof json.name !== 'string') return fail('"name" must be a string');
  if (typeof json.created !== 'string' || Number.isNaN(Date.parse(json.created))) return fail('"created" must be a date-time');
  if (!isCount(json.rows)) return fail('"rows" must be a count');
  const problem = daysProblem(json.days) ?? null;
  if (problem && json.rows > 0) return fail(`"days" ${problem}`);
  if (json.rows > 0 && bboxProblem(json.bbox)) return fail(`"bbox" ${bboxProblem(json.bbox)}`);
  if (!Array.isArray(json.sources) || !json.sources.every((s) => isObject(s) && typeof s.file === 'string' && typeof s.sha256 === 'string' && /^[0-9a-f]{64}$/.test(s.sha256) && isCount(s.rows) && isCount(s.rejected) && isCount(s.bytes))) {
    return fail('"sources" must list {file, sha256, bytes, rows, rejected}');
  }
  if (!isObject(json.vocabularies) || !counts(json.vocabularies.category, CATEGORIES) || !counts(json.vocabularies.status, STATUSES)) {
    return fail('"vocabularies" must count incidents per known category and status');
  }
  if (!Array.isArray(json.partitions)) return fail('"partitions" must be an array');
  let rows = 0;
  for (const [i, p] of json.partitions.entries()) {
    const at = `partition ${i}`;
    if (!isObject(p)) return fail(`${at} is not an object`);
    if (typeof p.path !== 'string' || !safeDatasetPath(p.path)) return fail(`${at}: "path" ${JSON.stringify(p.path)?.slice(0, 80)} must be a relative path inside the dataset`);
    if (!isCount(p.rows) || p.rows === 0 || !isCount(p.rowGroups) || !isCount(p.bytes)) return fail(`${at} (${p.path}): "rows", "rowGroups" and "bytes" must be counts, rows above 0`);
    const d = daysProblem(p.days);
    if (d) return fail(`${at} (${p.path}): "days" ${d}`);
    const b = bboxProblem(p.bbox);
    if (b) return fail(`${at} (${p.path}): "bbox" ${b}`);
    rows += p.rows;
  }
  if (rows !== json.rows) return fail(`the partitions hold ${rows} rows, not the ${json.rows} of "rows"`);
  if (!Array.isArray(json.overviews) || !json.overviews.every((o) => isObject(o) && isCount(o.zoom) && o.zoom <= 24 && typeof o.path === 'string' && safeDatasetPath(o.path) && isCount(o.rows) && isCount(o.bytes))) {
    return fail('"overviews" must list {zoom, path, rows, bytes} with relative paths');
  }
  return { manifest: json as unknown as Manifest };
}

/** Incidents a dataset opened without dates shows at once: reading rows runs at ~20,000 a second in a browser. */
export const OPENING_ROWS = 100_000;

/**
 * The days a dataset opens on when the link names none: all of it when it holds at most
 * OPENING_ROWS incidents, else its latest partitions (by first day) while they hold at most
 * that many, the latest one at least, to the end of the span. A 1M-row dataset opened whole
 * read every row before its first frame, ~50 s; the slider and the histogram still span it all.
 */
export function openingDays(manifest: Pick<Manifest, 'rows' | 'partitions'>, span: DayRange): DayRange {
  if (manifest.rows <= OPENING_ROWS || manifest.partitions.length === 0) return span;
  const latest = [...manifest.partitions].sort((a, b) => dayOfIsoDate(b.days.from) - dayOfIsoDate(a.days.from));
  let from = dayOfIsoDate(latest[0].days.from);
  let rows = latest[0].rows;
  for (const p of latest.slice(1)) {
    if (rows + p.rows > OPENING_ROWS) break;
    rows += p.rows;
    from = dayOfIsoDate(p.days.from);
  }
  return { from: Math.max(span.from, Math.min(from, span.to)), to: span.to };
}
