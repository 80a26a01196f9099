// Export of the visible set: RFC 7946 GeoJSON with a provenance foreign member, and
// ACLED-compatible CSV. Pure: the browser and the CLI (src/cli) share it.

import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { rewind } from '@turf/turf';
import type { Category, Incident, IncidentProperties, Status } from './schema.ts';
import { isoDateOfDay } from './time.ts';
import type { DayRange } from './time.ts';
import type { Filter } from './filter.ts';
import type { View } from './geometry.ts';
import type { MultiPolygon, Polygon } from 'geojson';

export const GEOJSON_MEDIA_TYPE = 'application/geo+json';
export const CSV_MEDIA_TYPE = 'text/csv';

/** A file the incidents came from, named by its SHA-256 (hex). */
export interface Dataset {
  name: string;
  sha256: string;
}

/** Everything needed to reproduce an export: what was loaded, which filters, which view, when. */
export interface Provenance {
  app: { name: 'Incident Atlas'; version: string };
  exported_at: string;
  datasets: Dataset[];
  /** `search`: the words searched for, as typed; absent when none. */
  filters: { from: string; to: string; categories: Category[] | 'all'; statuses: Status[] | 'all'; search?: string; area?: Polygon | MultiPolygon };
  /** The map view [west, south, east, north]; west > east when it crosses the antimeridian. */
  view_bbox: View;
  feature_count: number;
}

/** The filters that made the visible set, and what else a citation needs. */
export interface ExportContext extends Filter {
  datasets: Dataset[];
  version: string;
  now: Date;
}

export type ExportedCollection = FeatureCollection<Geometry, IncidentProperties> & { provenance?: Provenance };

/** RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise. Points pass through. */
function rfc7946Geometry(g: Geometry): Geometry {
  return g.type === 'Polygon' || g.type === 'MultiPolygon' ? (rewind(g) as Geometry) : g;
}

export function provenance(featureCount: number, c: ExportContext): Provenance {
  return {
    app: { name: 'Incident Atlas', version: c.version },
    exported_at: c.now.toISOString(),
    datasets: c.datasets,
    filters: {
      from: isoDateOfDay(c.days.from),
      to: isoDateOfDay(c.days.to),
      categories: c.categories ? [...c.categories].sort() : 'all',
      statuses: c.statuses ? [...c.statuses].sort() : 'all',
      ...(c.search?.trim() ? { search: c.search } : {}),
      ...(c.area ? { area: c.area.geometry } : {}),
    },
    view_bbox: c.view,
    feature_count: featureCount,
  };
}

function toFeature(i: Incident): Feature<Geometry, IncidentProperties> {
  return { type: 'Feature', id: i.id, geometry: rfc7946Geometry(i.geometry), properties: i.properties };
}

export function toFeatureCollection(incidents: readonly Incident[], context?: ExportContext): ExportedCollection {
  const collection: ExportedCollection = { type: 'FeatureCollection', features: incidents.map(toFeature) };
  if (context) collection.provenance = provenance(incidents.length, context);
  return collection;
}

export function serializeGeoJson(incidents: readonly Incident[], context?: ExportContext): string {
  return [...geojsonChunks(incidents.length, (k) => incidents[k], context)].join('');
}

/** The incidents to export: `count` of them, the k-th built only when asked for. */
export type Incidents = { count: number; at: (k: number) => Incident };

/**
 * The GeoJSON export as pieces of at most `chunk` features, joined exactly as one
 * JSON.stringify of the collection would be. A million features are then never built at
 * once, nor held as one string (which V8 caps at about 512 MB).
 */
export function* geojsonChunks(count: number, at: (k: number) => Incident, context?: ExportContext, chunk = 2000): Generator<string> {
  yield GEOJSON_HEAD;
  for (let from = 0; from < count; from += chunk) {
    const batch: Incident[] = [];
    for (let k = from; k < Math.min(count, from + chunk); k++) batch.push(at(k));
    yield geojsonFeatures(batch, from === 0);
  }
  yield geojsonTail(count, context);
}

/** The pieces of geojsonChunks, for incidents that arrive in batches (the command line streams them from DuckDB). */
export const GEOJSON_HEAD = '{"type":"FeatureCollection","features":[';
export function geojsonFeatures(batch: readonly Incident[], first: boolean): string {
  return (first ? '' : ',') + batch.map(geojsonFeature).join(',');
}
/** One feature's text in the collection: geojsonFeatures joins them with commas. */
export function geojsonFeature(i: Incident): string {
  return JSON.stringify(toFeature(i));
}
export function geojsonTail(count: number, context?: ExportContext): string {
  return context ? `],"provenance":${JSON.stringify(provenance(count, context))}}` : ']}';
}

/** `_area` marks a file narrowed to an area, so it is not taken for the whole region's. */
export function exportFileName(days: DayRange, extension: 'geojson' | 'csv' | 'png' | 'html' | 'webm' = 'geojson', area = false): string {
  return `incidents_${isoDateOfDay(days.from)}_${isoDateOfDay(days.to)}${area ? '_area' : ''}.${extension}`;
}

// ACLED's own vocabulary for our categories, so the CSV opens in tools built for ACLED exports.
export const ACLED_TYPES: Record<Category, [eventType: string, subEventType: string]> = {
  airstrike: ['Explosions/Remote violence', 'Air/drone strike'],
  'drone strike': ['Explosions/Remote violence', 'Air/drone strike'],
  'missile strike': ['Explosions/Remote violence', 'Shelling/artillery/missile attack'],
  'rocket attack': ['Explosions/Remote violence', 'Shelling/artillery/missile attack'],
  shootdown: ['Explosions/Remote violence', 'Shelling/artillery/missile attack'],
  'armed clash': ['Battles', 'Armed clash'],
  'protest/riot': ['Riots', 'Violent demonstration'],
  other: ['Strategic developments', 'Other'],
};

const ACLED_GEO_PRECISION = { site: 1, town: 2, region: 3 } as const;

export const CSV_COLUMNS = [
  'event_id_cnty',
  'event_date',
  'time_precision',
  'event_type',
  'sub_event_type',
  'actor1',
  'actor2',
  'country',
  'admin1',
  'location',
  'latitude',
  'longitude',
  'geo_precision',
  'source',
  'notes',
  'fatalities',
  // Ours, after ACLED's: what its columns cannot hold.
  'title',
  'category',
  'start',
  'end',
  'killed_min',
  'killed_max',
  'wounded_min',
  'wounded_max',
  'status',
  'source_urls',
] as const;

const plainNumber = /^[+-]?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * One CSV cell (RFC 4180 quoting). A text cell that a spreadsheet would run as a formula
 * (starting with = + - @, tab or carriage return) gets a leading apostrophe; numbers such as a
 * negative longitude are left as they are.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !plainNumber.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function serializeCsv(incidents: readonly Incident[]): string {
  return [...csvChunks(incidents.length, (k) => incidents[k])].join('');
}

/** The CSV export as pieces of at most `chunk` rows (see geojsonChunks). */
export function* csvChunks(count: number, at: (k: number) => Incident, chunk = 2000): Generator<string> {
  yield CSV_HEAD;
  for (let from = 0; from < count; from += chunk) {
    const batch: Incident[] = [];
    for (let k = from; k < Math.min(count, from + chunk); k++) batch.push(at(k));
    yield csvRows(batch);
  }
}

/** The pieces of csvChunks, as for geojsonFeatures. */
export const CSV_HEAD = `${CSV_COLUMNS.join(',')}\r\n`;
export function csvRows(batch: readonly Incident[]): string {
  return batch.map(csvRow).join('');
}

/** One incident's CSV line (with its line break): csvRows joins them. */
export function csvRow(i: Incident): string {
  const p = i.properties;
  const [eventType, subEventType] = ACLED_TYPES[i.category];
  const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    event_id_cnty: i.id,
    event_date: isoDateOfDay(i.startDay),
    // ACLED: 1 = the exact day is known. Our minute/hour/day precisions all know the day.
    time_precision: 1,
    event_type: eventType,
    sub_event_type: subEventType,
    actor1: p.actors[0] ?? '',
    actor2: p.actors.slice(1).join('; '),
    country: text(p.country),
    admin1: text(p.admin1),
    location: p.place,
    latitude: i.lat,
    longitude: i.lon,
    geo_precision: ACLED_GEO_PRECISION[p.geo_precision],
    source: p.sources.map((s) => s.publisher).join('; '),
    notes: p.summary,
    // ACLED records one figure: the most conservative, the lower bound of our range.
    fatalities: p.killed.min,
    title: p.title,
    category: p.category,
    start: p.start,
    end: p.end,
    killed_min: p.killed.min,
    killed_max: p.killed.max,
    wounded_min: p.wounded.min,
    wounded_max: p.wounded.max,
    status: p.status,
    source_urls: p.sources.flatMap((s) => (s.url ? [s.url] : [])).join(' '),
  };
  return `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}

