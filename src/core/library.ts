// The record of imported files kept in the browser (src/storage/opfs.ts writes it), and the
// datasets a permalink needs (?ds=). Pure: what is stored and what a link says are checked
// here, where a unit test can reach every case. Reading never throws: a manifest or link
// from another version, or hand-edited, loses its invalid entries, not the page.

import type { Mapping } from './import/columns.ts';
import type { DayRange } from './time.ts';

/** One imported file as the browser keeps it: its own bytes are in `file`. */
export interface StoredDataset {
  /** The name of the file holding its bytes, in the library's folder. */
  file: string;
  /** What the user's file was called. */
  name: string;
  size: number;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
  /** ISO 8601, UTC. */
  importedAt: string;
  accepted: number;
  rejected: number;
  mode: 'add' | 'replace';
  /** The import's own days, for the Datasets panel. */
  days: DayRange | null;
  /** Columns the user chose, so a reload does not ask again. */
  mapping?: Mapping;
}

export interface Manifest {
  version: 1;
  datasets: StoredDataset[];
}

export const EMPTY_MANIFEST: Manifest = { version: 1, datasets: [] };

/** The first 8 hex digits: enough to tell a handful of files apart in a link. */
export const SHORT_SHA = 8;

export function shortSha(sha256: string): string {
  return sha256.slice(0, SHORT_SHA);
}

const SHA = /^[0-9a-f]{64}$/;
// Names the library itself gave (see storageName): nothing else may be opened or deleted.
const STORAGE_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.data$/;

/** The name a new file's bytes get in the library's folder. */
export function storageName(uuid: string): string {
  return `${uuid}.data`;
}

export function isStorageName(name: string): boolean {
  return STORAGE_NAME.test(name);
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

const ROLES = ['lat', 'lon', 'date', 'id', 'title'] as const;

function readMapping(m: unknown): Mapping | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const r = m as Record<string, unknown>;
  const ok = ROLES.every((role) => typeof r[role] === 'number' && Number.isSafeInteger(r[role]) && (r[role] as number) >= -1);
  return ok ? (Object.fromEntries(ROLES.map((role) => [role, r[role]])) as Mapping) : undefined;
}

function readDays(d: unknown): DayRange | null {
  if (typeof d !== 'object' || d === null) return null;
  const { from, to } = d as Record<string, unknown>;
  return Number.isSafeInteger(from) && Number.isSafeInteger(to) && (from as number) <= (to as number) ? { from: from as number, to: to as number } : null;
}

/** One entry, or null when any field is missing or wrong. */
export function readStoredDataset(e: unknown): StoredDataset | null {
  if (typeof e !== 'object' || e === null) return null;
  const r = e as Record<string, unknown>;
  if (typeof r.file !== 'string' || !isStorageName(r.file)) return null;
  if (typeof r.name !== 'string' || r.name.length === 0 || r.name.length > 1000) return null;
  if (typeof r.sha256 !== 'string' || !SHA.test(r.sha256)) return null;
  if (typeof r.importedAt !== 'string' || Number.isNaN(Date.parse(r.importedAt))) return null;
  if (!isCount(r.size) || !isCount(r.accepted) || !isCount(r.rejected)) return null;
  if (r.mode !== 'add' && r.mode !== 'replace') return null;
  const entry: StoredDataset = { file: r.file, name: r.name, size: r.size, sha256: r.sha256, importedAt: r.importedAt, accepted: r.accepted, rejected: r.rejected, mode: r.mode, days: readDays(r.days) };
  const mapping = readMapping(r.mapping);
  if (mapping) entry.mapping = mapping;
  return entry;
}

/** The manifest in `text`; broken or foreign text reads as empty, a bad entry is dropped. */
export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return EMPTY_MANIFEST;
  }
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== 1) return EMPTY_MANIFEST;
  const list = (raw as { datasets?: unknown }).datasets;
  if (!Array.isArray(list)) return EMPTY_MANIFEST;
  const seen = new Set<string>();
  const datasets: StoredDataset[] = [];
  for (const e of list) {
    const entry = readStoredDataset(e);
    if (!entry || seen.has(entry.file)) continue;
    seen.add(entry.file);
    datasets.push(entry);
  }
  return { version: 1, datasets };
}

/**
 * The manifest once `entry` is committed. A replace makes the earlier files unreachable on a
 * reload (they were replaced on screen too), so they leave the manifest and their bytes go.
 */
export function withImport(m: Manifest, entry: StoredDataset): { manifest: Manifest; dropped: StoredDataset[] } {
  if (entry.mode === 'replace') return { manifest: { version: 1, datasets: [entry] }, dropped: m.datasets };
  return { manifest: { version: 1, datasets: [...m.datasets, entry] }, dropped: [] };
}

export function withoutFile(m: Manifest, file: string): Manifest {
  return { version: 1, datasets: m.datasets.filter((d) => d.file !== file) };
}

/** A dataset a link names: the short SHA-256, and the file's name so a missing one can be asked for. */
export interface LinkedDataset {
  sha: string;
  name: string;
}

const MAX_LINKED = 20;
const MAX_LINKED_NAME = 120;

/**
 * ?ds= for these datasets: `sha8:name` entries, comma-separated, a comma in a name
 * percent-encoded so it cannot split the list. Null when there is none.
 */
export function datasetsParam(datasets: readonly { name: string; sha256: string }[]): string | null {
  const known = datasets.filter((d) => SHA.test(d.sha256));
  if (known.length === 0) return null;
  // Only '%' and ',' are escaped: the query string encodes the rest once more anyway.
  const escape = (name: string) => name.slice(0, MAX_LINKED_NAME).replace(/%/g, '%25').replace(/,/g, '%2C');
  return known.map((d) => `${shortSha(d.sha256)}:${escape(d.name)}`).join(',');
}

/** The datasets ?ds= names; invalid entries are ignored, never thrown on. */
export function parseDatasetsParam(value: string | null): LinkedDataset[] {
  if (value === null || value.length > 4000) return [];
  const out: LinkedDataset[] = [];
  for (const part of value.split(',').slice(0, MAX_LINKED)) {
    const m = /^([0-9a-f]{8}):(.*)$/.exec(part);
    if (!m) continue;
    let name: string;
    try {
      name = decodeURIComponent(m[2]);
    } catch {
      continue;
    }
    if (!out.some((d) => d.sha === m[1])) out.push({ sha: m[1], name: name || '(unnamed file)' });
  }
  return out;
}

/** Those of `wanted` that no loaded dataset matches by SHA-256. */
export function missingDatasets(wanted: readonly LinkedDataset[], loaded: readonly { sha256: string }[]): LinkedDataset[] {
  return wanted.filter((w) => !loaded.some((d) => d.sha256.startsWith(w.sha)));
}
