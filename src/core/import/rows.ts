// A table row → an incident Feature → the schema's validator. Tabular input is hostile: cells
// are read through a Map, never as object keys, so a header named __proto__ is a plain column.

import GeoJSONjs from 'geojson/geojson.js';
import type { Feature, Point } from 'geojson';
import { CATEGORIES, FIELDS, GEO_PRECISIONS, STATUSES, TIME_PRECISIONS, validateFeature, type Category, type Incident, type Issue, type Source } from '../schema.ts';
import { safeUrl } from '../url.ts';
import { parseDate } from './dates.ts';
import { memo } from '../memo.ts';
import type { Mapping } from './columns.ts';

/** ACLED sub-event types (and a few event types) → our categories; anything else is "other". */
const ACLED_CATEGORY: Record<string, Category> = {
  'air/drone strike': 'airstrike',
  'shelling/artillery/missile attack': 'missile strike',
  'remote explosive/landmine/ied': 'other',
  'armed clash': 'armed clash',
  'government regains territory': 'armed clash',
  'non-state actor overtakes territory': 'armed clash',
  'violent demonstration': 'protest/riot',
  'mob violence': 'protest/riot',
  'peaceful protest': 'protest/riot',
  'protest with intervention': 'protest/riot',
  'excessive force against protesters': 'protest/riot',
  protests: 'protest/riot',
  riots: 'protest/riot',
  battles: 'armed clash',
};

/** Uncertainty radius for each precision when a file gives none (ACLED: 1 = site, 2 = town, 3 = region). */
export const DEFAULT_UNCERTAINTY_M = { site: 1_000, town: 10_000, region: 50_000 } as const;

/** '33,3' (decimal comma), ' 44.5 ', '1e999' → number (possibly non-finite: the validator reports it). */
export function parseNumber(text: string | undefined): number {
  if (text === undefined) return NaN;
  const t = text.trim();
  if (t === '') return NaN;
  return Number(/^[+-]?\d+,\d+$/.test(t) ? t.replace(',', '.') : t);
}

function int(text: string | undefined): number | null {
  const n = parseNumber(text);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function oneOf<T extends string>(values: readonly T[], v: string | undefined): T | null {
  const t = v?.trim().toLowerCase();
  return t !== undefined && (values as readonly string[]).includes(t) ? (t as T) : null;
}

const KNOWN = new Set<string>(FIELDS);

/**
 * Normalised column name → index, computed once per header row (not once per row): a Map, so
 * a column named "__proto__" is an ordinary key. The first of two same-named columns wins.
 */
const indexCache = new WeakMap<readonly string[], Map<string, number>>();
function columnIndex(headers: readonly string[]): Map<string, number> {
  let index = indexCache.get(headers);
  if (!index) {
    index = new Map();
    headers.forEach((h, i) => {
      const key = h.trim().toLowerCase().replace(/[\s-]+/g, '_');
      if (!index!.has(key)) index!.set(key, i);
    });
    indexCache.set(headers, index);
  }
  return index;
}

/** The columns that are not schema fields, kept on each incident as they came: found once per header row. */
const extraCache = new WeakMap<readonly string[], [string, number][]>();
function extraColumns(headers: readonly string[]): [string, number][] {
  let extra = extraCache.get(headers);
  if (!extra) {
    extra = [...columnIndex(headers)].filter(([key]) => !KNOWN.has(key));
    extraCache.set(headers, extra);
  }
  return extra;
}

/**
 * The source_urls and source cells, as one key `${urls.length}:${urls}${source}`, → the
 * sources. An export names the same few sources on most rows, so the list is parsed once
 * and shared, frozen, by the rows that name it.
 */
const sourcesOf = memo((key: string): readonly Source[] => {
  const colon = key.indexOf(':');
  const end = colon + 1 + Number(key.slice(0, colon));
  const [urlCell, sourceCell] = [key.slice(colon + 1, end), key.slice(end)];
  const urls = urlCell.split(/\s+/).filter((u) => u !== '' && safeUrl(u) !== null);
  const publishers = sourceCell.split(';').map((s) => s.trim()).filter(Boolean);
  const sources: Source[] = urls.length
    ? urls.map((url, i) => ({ title: publishers[i] ?? new URL(url).hostname, publisher: publishers[i] ?? new URL(url).hostname, url, published: null }))
    : publishers.map((p) => ({ title: p, publisher: p, url: null, published: null }));
  if (sources.length === 0) sources.push({ title: 'Imported file', publisher: 'unknown', url: null, published: null });
  return Object.freeze(sources.map((source) => Object.freeze(source)));
});

export interface RowContext {
  headers: readonly string[];
  mapping: Mapping;
  /** The spreadsheet row number (header = row 1), or the feature index / line for GeoJSON. */
  row: number;
  unit?: 'row' | 'feature' | 'line';
  /** A GeoJSON feature's own geometry, used instead of the latitude/longitude columns. */
  geometry?: unknown;
}

/**
 * One row into an incident, or the issues that stop it. Our own CSV export's columns (title,
 * category, start, end, killed_min…) are read when present, so export → import keeps them.
 */
export function rowToIncident(cells: readonly string[], ctx: RowContext): { incident?: Incident; issues: Issue[]; assumedUtc: boolean } {
  const columns = columnIndex(ctx.headers);
  const at = (i: number) => (i >= 0 ? cells[i] : undefined);
  const get = (name: string) => {
    const i = columns.get(name);
    const v = i === undefined ? undefined : cells[i];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const unit = ctx.unit ?? 'row';
  const fail = (field: string, reason: string) => ({ issues: [{ index: ctx.row, unit, field, reason }], assumedUtc: false });

  const latText = at(ctx.mapping.lat);
  const lonText = at(ctx.mapping.lon);
  if (ctx.geometry === undefined && (latText ?? '').trim() === '' && (lonText ?? '').trim() === '') {
    return fail('geometry', 'no location (latitude and longitude are empty)');
  }

  const start = parseDate(get('start') ?? at(ctx.mapping.date));
  if ('error' in start) return fail('date', start.error);
  const end = get('end') ? parseDate(get('end')) : start;
  if ('error' in end) return fail('end', end.error);

  // GeoJSON.js turns the row's numbers into a Point ([lon, lat] order); our parser reads
  // decimal commas and reports non-finite values, so it gets numbers, never raw cells.
  const geometry =
    ctx.geometry !== undefined ? ctx.geometry : (GeoJSONjs.parse({ lat: parseNumber(latText), lon: parseNumber(lonText) }, { Point: ['lat', 'lon'] }) as Feature<Point>).geometry;

  const eventType = get('event_type')?.toLowerCase();
  const subEventType = get('sub_event_type')?.toLowerCase();
  const category =
    oneOf(CATEGORIES, get('category')) ?? (subEventType && ACLED_CATEGORY[subEventType]) ?? (eventType && ACLED_CATEGORY[eventType]) ?? 'other';
  const acledPrecision = int(get('geo_precision'));
  const geoPrecision = oneOf(GEO_PRECISIONS, get('geo_precision')) ?? (acledPrecision !== null ? GEO_PRECISIONS[Math.min(2, Math.max(0, acledPrecision - 1))] : 'site');
  const fatalities = int(get('fatalities'));
  const killedMin = int(get('killed_min')) ?? fatalities ?? 0;
  const killedMax = int(get('killed_max')) ?? fatalities ?? killedMin;
  const woundedMin = int(get('wounded_min')) ?? 0;
  const woundedMax = int(get('wounded_max')) ?? woundedMin;
  const id = at(ctx.mapping.id)?.trim() || `row-${ctx.row}`;
  const place = [get('location'), get('admin1'), get('country')].filter(Boolean).join(', ') || get('place') || (latText !== undefined ? `${latText}, ${lonText}` : 'unnamed place');
  const title = at(ctx.mapping.title)?.trim() || get('title') || [get('sub_event_type') ?? get('event_type') ?? 'Incident', get('location')].filter(Boolean).join(' in ');

  const urlCell = get('source_urls') ?? '';
  const sources = sourcesOf(`${urlCell.length}:${urlCell}${get('source') ?? ''}`);

  const properties = {
    // Every other column is kept as a plain field; defineProperty below keeps "__proto__" a field.
    id,
    title,
    summary: get('summary') ?? get('notes') ?? title,
    category,
    start: start.start,
    end: end === start ? start.end : end.end,
    time_precision: oneOf(TIME_PRECISIONS, get('time_precision')) ?? start.precision,
    place,
    geo_precision: geoPrecision,
    uncertainty_m: parseNumber(get('uncertainty_m')) >= 0 ? parseNumber(get('uncertainty_m')) : DEFAULT_UNCERTAINTY_M[geoPrecision],
    killed: { min: killedMin, max: Math.max(killedMin, killedMax) },
    wounded: { min: woundedMin, max: Math.max(woundedMin, woundedMax) },
    actors: [get('actor1'), get('actor2'), ...(get('actors')?.split(';') ?? [])].filter((a): a is string => !!a && a.trim() !== '').map((a) => a.trim()),
    status: oneOf(STATUSES, get('status')) ?? 'confirmed',
    sources,
    related: [],
  };
  for (const [key, i] of extraColumns(ctx.headers)) {
    const value = cells[i];
    if (value === undefined || value === '' || Object.prototype.hasOwnProperty.call(properties, key)) continue;
    // Plain assignment keeps objects fast; only "__proto__" would hit the prototype setter.
    if (key === '__proto__') Object.defineProperty(properties, key, { value, enumerable: true, writable: true, configurable: true });
    else (properties as Record<string, unknown>)[key] = value;
  }
  const feature = { type: 'Feature', id, geometry, properties };
  const { incident, issues } = validateFeature(feature, ctx.row);
  return { incident, issues: issues.map((i) => ({ ...i, unit })), assumedUtc: start.assumedUtc };
}
