// A table row → an incident Feature → the schema's validator. Tabular input is hostile: cells
// are read through a Map, never as object keys, so a header named __proto__ is a plain column.

import GeoJSONjs from 'geojson/geojson.js';
import type { FeatureCollection, Point } from 'geojson';
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

/** The named columns rowToIncident reads. */
const NAMED = [
  'start', 'end', 'event_type', 'sub_event_type', 'category', 'geo_precision', 'fatalities', 'killed_min', 'killed_max',
  'wounded_min', 'wounded_max', 'location', 'admin1', 'country', 'place', 'title', 'source_urls', 'source', 'summary',
  'notes', 'time_precision', 'uncertainty_m', 'actor1', 'actor2', 'actors', 'status',
] as const;

/**
 * What a header row tells rowToIncident, worked out once per header row (not once per row):
 * the index of each named column (−1: absent), and the columns that are not schema fields,
 * kept on each incident as they came. Names are normalised through a Map, so a column named
 * "__proto__" is an ordinary key; the first of two same-named columns wins.
 */
interface HeaderPlan {
  named: Record<(typeof NAMED)[number], number>;
  extra: [string, number][];
}
const plans = new WeakMap<readonly string[], HeaderPlan>();
function headerPlan(headers: readonly string[]): HeaderPlan {
  let plan = plans.get(headers);
  if (!plan) {
    const index = new Map<string, number>();
    headers.forEach((h, i) => {
      const key = h.trim().toLowerCase().replace(/[\s-]+/g, '_');
      if (!index.has(key)) index.set(key, i);
    });
    plan = {
      named: Object.fromEntries(NAMED.map((name) => [name, index.get(name) ?? -1])) as HeaderPlan['named'],
      extra: [...index].filter(([key]) => !KNOWN.has(key)),
    };
    plans.set(headers, plan);
  }
  return plan;
}

/**
 * The source_urls and source cells → the sources. An export names the same few sources on
 * most rows, so each pair is parsed once and its list shared, frozen, by the rows that name
 * it. Looked up by one cell and then the other: a key joined from both would be a new string
 * to build and hash on every row.
 */
const sourcesOf = (urlCell: string, sourceCell: string): readonly Source[] => sourcesByUrls(urlCell)(sourceCell);
const sourcesByUrls = memo((urlCell: string) => memo((sourceCell: string) => parseSources(urlCell, sourceCell), 1024), 256);

function parseSources(urlCell: string, sourceCell: string): readonly Source[] {
  const urls = urlCell.split(/\s+/).filter((u) => u !== '' && safeUrl(u) !== null);
  const publishers = sourceCell.split(';').map((s) => s.trim()).filter(Boolean);
  const sources: Source[] = urls.length
    ? urls.map((url, i) => ({ title: publishers[i] ?? new URL(url).hostname, publisher: publishers[i] ?? new URL(url).hostname, url, published: null }))
    : publishers.map((p) => ({ title: p, publisher: p, url: null, published: null }));
  if (sources.length === 0) sources.push({ title: 'Imported file', publisher: 'unknown', url: null, published: null });
  return Object.freeze(sources.map((source) => Object.freeze(source)));
}

/** The cell at column i (−1: the column is absent). */
const cellAt = (cells: readonly string[], i: number): string | undefined => (i >= 0 ? cells[i] : undefined);

/** The trimmed cell, or undefined when it is absent or blank. */
function trimmedCell(cells: readonly string[], i: number): string | undefined {
  const v = cellAt(cells, i);
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** The parts that are present, joined by sep: "Place, Anbar, Iraq" without an array per row. */
function joined(sep: string, a: string | undefined, b: string | undefined, c: string | undefined): string {
  let out = a ?? '';
  if (b) out = out ? out + sep + b : b;
  if (c) out = out ? out + sep + c : c;
  return out;
}

/**
 * The Points of rows [from, to), made by one GeoJSON.js call: called once per row, its setup
 * (reading its settings, which it rewrites) cost more than the point itself. GeoJSON.js gets
 * numbers, never raw cells: our parser reads decimal commas and keeps non-finite values,
 * which the validator reports.
 */
export function rowPoints(rows: readonly (readonly string[])[], from: number, to: number, mapping: Mapping): Point[] {
  const items: { lat: number; lon: number }[] = [];
  for (let r = from; r < to; r++) items.push({ lat: parseNumber(cellAt(rows[r], mapping.lat)), lon: parseNumber(cellAt(rows[r], mapping.lon)) });
  return (GeoJSONjs.parse(items, { Point: ['lat', 'lon'] }) as FeatureCollection<Point>).features.map((f) => f.geometry);
}

function failed(row: number, unit: 'row' | 'feature' | 'line', field: string, reason: string): { issues: Issue[]; assumedUtc: boolean } {
  return { issues: [{ index: row, unit, field, reason }], assumedUtc: false };
}

export interface RowContext {
  headers: readonly string[];
  mapping: Mapping;
  /** The spreadsheet row number (header = row 1), or the feature index / line for GeoJSON. */
  row: number;
  unit?: 'row' | 'feature' | 'line';
  /** A GeoJSON feature's own geometry, used instead of the latitude/longitude columns. */
  geometry?: unknown;
  /** The row's Point, when rowPoints made it with its neighbours'; else rowToIncident makes it alone. */
  point?: Point;
  /** false: leave out the columns that are not schema fields (see ImportOptions.extraColumns). */
  extraColumns?: boolean;
}

/**
 * One row into an incident, or the issues that stop it. Our own CSV export's columns (title,
 * category, start, end, killed_min…) are read when present, so export → import keeps them.
 * It runs for every row of a million-row file: each cell is read and trimmed once.
 */
export function rowToIncident(cells: readonly string[], ctx: RowContext): { incident?: Incident; issues: Issue[]; assumedUtc: boolean } {
  const { named: c, extra } = headerPlan(ctx.headers);
  const unit = ctx.unit ?? 'row';

  const latText = cellAt(cells, ctx.mapping.lat);
  const lonText = cellAt(cells, ctx.mapping.lon);
  if (ctx.geometry === undefined && (latText ?? '').trim() === '' && (lonText ?? '').trim() === '') {
    return failed(ctx.row, unit, 'geometry', 'no location (latitude and longitude are empty)');
  }

  const start = parseDate(trimmedCell(cells, c.start) ?? cellAt(cells, ctx.mapping.date));
  if ('error' in start) return failed(ctx.row, unit, 'date', start.error);
  const endText = trimmedCell(cells, c.end);
  const end = endText ? parseDate(endText) : start;
  if ('error' in end) return failed(ctx.row, unit, 'end', end.error);

  const geometry = ctx.geometry !== undefined ? ctx.geometry : (ctx.point ?? rowPoints([cells], 0, 1, ctx.mapping)[0]);

  const eventTypeCell = trimmedCell(cells, c.event_type);
  const subEventTypeCell = trimmedCell(cells, c.sub_event_type);
  const location = trimmedCell(cells, c.location);
  const eventType = eventTypeCell?.toLowerCase();
  const subEventType = subEventTypeCell?.toLowerCase();
  const category =
    oneOf(CATEGORIES, trimmedCell(cells, c.category)) ?? (subEventType && ACLED_CATEGORY[subEventType]) ?? (eventType && ACLED_CATEGORY[eventType]) ?? 'other';
  const geoPrecisionCell = trimmedCell(cells, c.geo_precision);
  const acledPrecision = int(geoPrecisionCell);
  const geoPrecision = oneOf(GEO_PRECISIONS, geoPrecisionCell) ?? (acledPrecision !== null ? GEO_PRECISIONS[Math.min(2, Math.max(0, acledPrecision - 1))] : 'site');
  const fatalities = int(trimmedCell(cells, c.fatalities));
  const killedMin = int(trimmedCell(cells, c.killed_min)) ?? fatalities ?? 0;
  const killedMax = int(trimmedCell(cells, c.killed_max)) ?? fatalities ?? killedMin;
  const woundedMin = int(trimmedCell(cells, c.wounded_min)) ?? 0;
  const woundedMax = int(trimmedCell(cells, c.wounded_max)) ?? woundedMin;
  const id = cellAt(cells, ctx.mapping.id)?.trim() || `row-${ctx.row}`;
  const place = joined(', ', location, trimmedCell(cells, c.admin1), trimmedCell(cells, c.country)) || trimmedCell(cells, c.place) || (latText !== undefined ? `${latText}, ${lonText}` : 'unnamed place');
  const what = subEventTypeCell ?? eventTypeCell ?? 'Incident';
  const title = cellAt(cells, ctx.mapping.title)?.trim() || trimmedCell(cells, c.title) || (location ? `${what} in ${location}` : what);
  const uncertainty = parseNumber(trimmedCell(cells, c.uncertainty_m));
  const actors: string[] = [];
  const actor1 = trimmedCell(cells, c.actor1);
  const actor2 = trimmedCell(cells, c.actor2);
  if (actor1) actors.push(actor1);
  if (actor2) actors.push(actor2);
  for (const actor of trimmedCell(cells, c.actors)?.split(';') ?? []) if (actor.trim() !== '') actors.push(actor.trim());

  const urlCell = trimmedCell(cells, c.source_urls) ?? '';
  const sources = sourcesOf(urlCell, trimmedCell(cells, c.source) ?? '');

  const properties = {
    // Every other column is kept as a plain field; defineProperty below keeps "__proto__" a field.
    id,
    title,
    summary: trimmedCell(cells, c.summary) ?? trimmedCell(cells, c.notes) ?? title,
    category,
    start: start.start,
    end: end === start ? start.end : end.end,
    time_precision: oneOf(TIME_PRECISIONS, trimmedCell(cells, c.time_precision)) ?? start.precision,
    place,
    geo_precision: geoPrecision,
    uncertainty_m: uncertainty >= 0 ? uncertainty : DEFAULT_UNCERTAINTY_M[geoPrecision],
    killed: { min: killedMin, max: Math.max(killedMin, killedMax) },
    wounded: { min: woundedMin, max: Math.max(woundedMin, woundedMax) },
    actors,
    status: oneOf(STATUSES, trimmedCell(cells, c.status)) ?? 'confirmed',
    sources,
    related: [],
  };
  for (const [key, i] of ctx.extraColumns === false ? [] : extra) {
    const value = cells[i];
    if (value === undefined || value === '' || Object.prototype.hasOwnProperty.call(properties, key)) continue;
    setProperty(properties, key, value);
  }
  const feature = { type: 'Feature', id, geometry, properties };
  const { incident, issues } = validateFeature(feature, ctx.row);
  return { incident, issues: issues.map((i) => ({ ...i, unit })), assumedUtc: start.assumedUtc };
}

/**
 * A key of hostile input set on a plain object: plain assignment keeps the object fast; only
 * "__proto__" would hit the prototype setter, so it is defined.
 */
export function setProperty(properties: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(properties, key, { value, enumerable: true, writable: true, configurable: true });
  else properties[key] = value;
}
