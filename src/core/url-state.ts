// URL state: ?from=YYYY-MM-DD&to=YYYY-MM-DD and #map=zoom/lat/lon. Parsing never throws:
// anything invalid falls back to the default, so a mangled link still opens the map.

import { dayOfIsoDate } from './time.ts';
import type { DayRange } from './time.ts';

export interface Camera {
  zoom: number;
  lat: number;
  lon: number;
}

export const MAX_ZOOM = 22;

/**
 * The day range asked for by the query string, clamped to the data's span; a date it does not
 * give (or a range it gives backwards) is `fallback`'s, by default the whole span.
 */
export function parseDayRange(search: string, span: DayRange, fallback: DayRange = span): DayRange {
  const params = new URLSearchParams(search.length > 10_000 ? '' : search);
  const clamp = (d: number) => Math.min(span.to, Math.max(span.from, d));
  const read = (key: string, missing: number) => {
    const day = dayOfIsoDate(params.get(key) ?? '');
    return Number.isNaN(day) ? missing : clamp(day);
  };
  const from = read('from', fallback.from);
  const to = read('to', fallback.to);
  return from <= to ? { from, to } : { from: fallback.from, to: fallback.to };
}

/** The camera in '#map=zoom/lat/lon', or null when absent or invalid. */
export function parseCamera(hash: string): Camera | null {
  if (hash.length > 200) return null;
  const m = /(?:^#|&)map=(-?[\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)(?:&|$)/.exec(hash);
  if (!m) return null;
  const [zoom, lat, lon] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![zoom, lat, lon].every(Number.isFinite)) return null;
  if (zoom < 0 || zoom > MAX_ZOOM || Math.abs(lat) > 85.06 || Math.abs(lon) > 180) return null;
  return { zoom, lat, lon };
}

/** Precision grows with zoom so a link restores the view to about a pixel. */
export function formatCamera(c: Camera): string {
  const digits = Math.max(0, Math.ceil((c.zoom * Math.LN2 + Math.log(256 / 360)) / Math.LN10));
  return `#map=${c.zoom.toFixed(2)}/${c.lat.toFixed(digits)}/${c.lon.toFixed(digits)}`;
}

/** Comma-separated values of a parameter that belong to a vocabulary; null when absent or none valid. */
export function parseSet<T extends string>(search: string, key: string, vocabulary: readonly T[]): Set<T> | null {
  const raw = new URLSearchParams(search.length > 10_000 ? '' : search).get(key);
  if (raw === null) return null;
  const values = raw.split(',').filter((v): v is T => (vocabulary as readonly string[]).includes(v));
  return values.length > 0 ? new Set(values) : null;
}

/** A single parameter restricted to a vocabulary, or the fallback. */
export function parseChoice<T extends string>(search: string, key: string, vocabulary: readonly T[], fallback: T): T {
  const raw = new URLSearchParams(search.length > 10_000 ? '' : search).get(key);
  return raw !== null && (vocabulary as readonly string[]).includes(raw) ? (raw as T) : fallback;
}

export function parseParam(search: string, key: string): string | null {
  const raw = new URLSearchParams(search.length > 10_000 ? '' : search).get(key);
  return raw !== null && raw.length <= 200 ? raw : null;
}

/**
 * Writes each entry into the query string: null deletes the parameter, a set is written as a
 * sorted comma list (so equal states give equal links). Unknown parameters are kept.
 */
export function withParams(search: string, entries: Record<string, string | ReadonlySet<string> | null>): string {
  const params = new URLSearchParams(search);
  for (const [key, value] of Object.entries(entries)) {
    if (value === null) params.delete(key);
    else params.set(key, typeof value === 'string' ? value : [...value].sort().join(','));
  }
  // Commas, semicolons and bars read as themselves (?area=44,33;45,33;…) and parse the same.
  const text = params.toString().replace(/%2C/g, ',').replace(/%3B/g, ';').replace(/%7C/g, '|');
  return text ? `?${text}` : '';
}

/**
 * The longest id ?sel= carries as itself. A longer one (an imported file may hold ids of a
 * megabyte) is written as "h:" and a 64-bit hash of it: a 1 MB ?sel= made a link no server
 * would open (431 Request Header Fields Too Large).
 */
export const MAX_URL_ID = 200;

/** FNV-1a over UTF-16 code units, from a given offset basis, as 8 hex digits. */
function fnv1a(id: string, basis: number): string {
  let h = basis;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** 64 bits of hash, in two FNV-1a runs from different bases: a long id's name in a link. */
export function idHash(id: string): string {
  return `h:${fnv1a(id, 0x811c9dc5)}${fnv1a(id, 0x050c5d1f)}`;
}

/** What ?sel= holds for a selected id: the id, or its hash when longer than MAX_URL_ID. */
export function selectionParam(id: string | null): string | null {
  if (id === null) return null;
  return id.length > MAX_URL_ID ? idHash(id) : id;
}

/**
 * The loaded id that ?sel= names, or null: the value itself when an incident has that id,
 * else the one long id whose hash it is (the ids are only listed then).
 */
export function resolveSelection(value: string | null, has: (id: string) => boolean, ids: () => Iterable<string>): string | null {
  if (value === null) return null;
  if (value.length <= MAX_URL_ID && has(value)) return value;
  if (!/^h:[0-9a-f]{16}$/.test(value)) return null;
  for (const id of ids()) if (id.length > MAX_URL_ID && idHash(id) === value) return id;
  return null;
}
