// The incident schema: the TypeScript type and its runtime validator, the one source of truth
// for data/SCHEMA.md. Pure: no DOM, no MapLibre, so it runs in Node, a worker and the browser.

import type { Feature, Geometry } from 'geojson';
import { dayNumberOfIso, isoDateTimeWithOffset, parseIsoDateTime } from './time.ts';
import { geometryProblem, representativePoint, geometryBbox, type Bbox } from './geometry.ts';
import { safeUrl } from './url.ts';

export const CATEGORIES = [
  'airstrike',
  'drone strike',
  'missile strike',
  'rocket attack',
  'shootdown',
  'armed clash',
  'protest/riot',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const TIME_PRECISIONS = ['minute', 'hour', 'day'] as const;
export type TimePrecision = (typeof TIME_PRECISIONS)[number];

export const GEO_PRECISIONS = ['site', 'town', 'region'] as const;
export type GeoPrecision = (typeof GEO_PRECISIONS)[number];

export const STATUSES = ['confirmed', 'disputed'] as const;
export type Status = (typeof STATUSES)[number];

/** Category / status → its position in CATEGORIES / STATUSES: the index the store and the GPU layer use. */
export const CATEGORY_INDEX = Object.fromEntries(CATEGORIES.map((c, i) => [c, i])) as Record<Category, number>;
export const STATUS_INDEX = Object.fromEntries(STATUSES.map((s, i) => [s, i])) as Record<Status, number>;

export const RELATION_TYPES = ['retaliation for', 'followed by', 'same operation as', 'related to'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

/** A count the sources do not agree on: every reported figure lies in [min, max]. */
export interface Range {
  min: number;
  max: number;
}

export interface Source {
  title: string;
  publisher: string;
  /**
   * An http: or https: URL, or null for a source with no link (a print edition, or the source
   * names of an ACLED row). Any other scheme is invalid.
   */
  url: string | null;
  /** ISO date (YYYY-MM-DD) or null when the publication date is unknown. */
  published: string | null;
}

export interface Relation {
  type: RelationType;
  id: string;
}

export interface IncidentProperties {
  id: string;
  title: string;
  summary: string;
  category: Category;
  /** ISO 8601 with offset; the offset is the incident's local zone. */
  start: string;
  end: string;
  time_precision: TimePrecision;
  place: string;
  geo_precision: GeoPrecision;
  /** Radius in metres within which the incident happened. */
  uncertainty_m: number;
  killed: Range;
  wounded: Range;
  actors: string[];
  status: Status;
  sources: Source[];
  related: Relation[];
  /** Foreign properties of an imported file are kept as they came. */
  [extra: string]: unknown;
}

/** An incident after validation: times as numbers, position as numbers, never strings again. */
export interface Incident {
  id: string;
  /** Representative point (the point itself for Point geometries). */
  lon: number;
  lat: number;
  bbox: Bbox;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  /** Days since 1970-01-01 of the local calendar date in the ISO string's own offset. */
  startDay: number;
  endDay: number;
  category: Category;
  status: Status;
  geometry: Geometry;
  properties: IncidentProperties;
}

/** Where and why one input item was not accepted. */
export interface Issue {
  /**
   * Where, in the unit below: a feature's 0-based index in its collection, a CSV row number as a
   * spreadsheet shows it (the header is row 1), or a 1-based line of newline-delimited GeoJSON.
   * −1 for the file as a whole.
   */
  index: number;
  unit?: 'feature' | 'row' | 'line';
  field: string;
  reason: string;
}

export interface ValidationResult {
  incidents: Incident[];
  issues: Issue[];
}

/** The fields of IncidentProperties, in the order data/SCHEMA.md documents them. */
export const FIELDS = [
  'id',
  'title',
  'summary',
  'category',
  'start',
  'end',
  'time_precision',
  'place',
  'geo_precision',
  'uncertainty_m',
  'killed',
  'wounded',
  'actors',
  'status',
  'sources',
  'related',
] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function oneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}

function checkRange(v: unknown, field: string, issue: (field: string, reason: string) => void): void {
  if (!isObject(v)) return issue(field, 'must be an object {min, max}');
  const { min, max } = v;
  if (!Number.isInteger(min) || (min as number) < 0) issue(`${field}.min`, 'must be a whole number ≥ 0');
  if (!Number.isInteger(max) || (max as number) < 0) issue(`${field}.max`, 'must be a whole number ≥ 0');
  else if (Number.isInteger(min) && (max as number) < (min as number)) issue(`${field}.max`, `must be ≥ min (${String(min)})`);
}

const TEXT_FIELDS = ['id', 'title', 'summary', 'place'] as const;

/**
 * Validates one GeoJSON Feature against the incident schema. Never throws on user data:
 * returns the incident, or the list of everything wrong with it.
 */
export function validateFeature(feature: unknown, index: number): { incident?: Incident; issues: Issue[] } {
  const issues: Issue[] = [];
  const issue = (field: string, reason: string) => {
    issues.push({ index, field, reason });
  };

  if (!isObject(feature) || feature.type !== 'Feature') {
    issue('type', 'not a GeoJSON Feature');
    return { issues };
  }
  const geometry = feature.geometry;
  if (geometry === null || geometry === undefined) issue('geometry', 'no location (null geometry)');
  else {
    const problem = geometryProblem(geometry);
    if (problem) issue(`geometry${problem.path}`, problem.reason);
  }
  const p = feature.properties;
  if (!isObject(p)) {
    issue('properties', 'must be an object');
    return { issues };
  }

  for (const key of TEXT_FIELDS) {
    if (!isNonEmptyString(p[key])) issue(key, 'must be a non-empty string');
  }
  if (feature.id !== undefined && feature.id !== p.id) issue('id', `Feature.id (${String(feature.id)}) differs from properties.id`);
  if (!oneOf(CATEGORIES, p.category)) issue('category', `must be one of: ${CATEGORIES.join(', ')}`);
  if (!oneOf(TIME_PRECISIONS, p.time_precision)) issue('time_precision', `must be one of: ${TIME_PRECISIONS.join(', ')}`);
  if (!oneOf(GEO_PRECISIONS, p.geo_precision)) issue('geo_precision', `must be one of: ${GEO_PRECISIONS.join(', ')}`);
  if (!oneOf(STATUSES, p.status)) issue('status', `must be one of: ${STATUSES.join(', ')}`);
  if (typeof p.uncertainty_m !== 'number' || !Number.isFinite(p.uncertainty_m) || p.uncertainty_m < 0) {
    issue('uncertainty_m', 'must be a finite number of metres ≥ 0');
  }

  let start = NaN;
  let end = NaN;
  for (const key of ['start', 'end'] as const) {
    const v = p[key];
    // parseIsoDateTime is NaN for a malformed text too (and remembers recent texts): the
    // format is checked again only to say which is wrong.
    const ms = typeof v === 'string' ? parseIsoDateTime(v) : NaN;
    if (typeof v !== 'string' || (Number.isNaN(ms) && !isoDateTimeWithOffset.test(v))) {
      issue(key, 'must be an ISO 8601 date-time with offset, e.g. 2019-12-27T19:20:00+03:00');
      continue;
    }
    if (Number.isNaN(ms)) issue(key, `impossible date or time: ${v}`);
    else if (key === 'start') start = ms;
    else end = ms;
  }
  if (!Number.isNaN(start) && !Number.isNaN(end) && end < start) issue('end', 'is before start');

  checkRange(p.killed, 'killed', issue);
  checkRange(p.wounded, 'wounded', issue);

  if (!Array.isArray(p.actors) || !p.actors.every(isNonEmptyString)) issue('actors', 'must be a list of non-empty strings');

  if (!Array.isArray(p.sources) || p.sources.length === 0) issue('sources', 'must list at least one source');
  else
    p.sources.forEach((s: unknown, i: number) => {
      const field = `sources[${i}]`;
      if (!isObject(s)) return issue(field, 'must be an object {title, publisher, url, published}');
      if (!isNonEmptyString(s.title)) issue(`${field}.title`, 'must be a non-empty string');
      if (!isNonEmptyString(s.publisher)) issue(`${field}.publisher`, 'must be a non-empty string');
      if (s.url !== null && (typeof s.url !== 'string' || safeUrl(s.url) === null)) issue(`${field}.url`, 'must be an http: or https: URL (or null)');
      if (!(s.published === null || (typeof s.published === 'string' && !Number.isNaN(dayNumberOfIso(s.published))))) {
        issue(`${field}.published`, 'must be a date YYYY-MM-DD or null');
      }
    });

  if (!Array.isArray(p.related)) issue('related', 'must be a list (possibly empty) of {type, id}');
  else
    p.related.forEach((r: unknown, i: number) => {
      const field = `related[${i}]`;
      if (!isObject(r)) return issue(field, 'must be an object {type, id}');
      if (!oneOf(RELATION_TYPES, r.type)) issue(`${field}.type`, `must be one of: ${RELATION_TYPES.join(', ')}`);
      if (!isNonEmptyString(r.id)) issue(`${field}.id`, 'must be a non-empty incident id');
    });

  if (issues.length > 0) return { issues };
  const props = p as IncidentProperties;
  const geom = geometry as Geometry;
  const [lon, lat] = representativePoint(geom);
  return {
    issues,
    incident: {
      id: props.id,
      lon,
      lat,
      bbox: geometryBbox(geom),
      start,
      end,
      startDay: dayNumberOfIso(props.start),
      endDay: dayNumberOfIso(props.end),
      category: props.category,
      status: props.status,
      geometry: geom,
      properties: props,
    },
  };
}

/**
 * Validates a FeatureCollection. Checks across features too: duplicate ids and relations
 * that point at an id not in the collection. Valid features are returned even when others fail.
 */
export function validateCollection(input: unknown): ValidationResult {
  if (!isObject(input) || input.type !== 'FeatureCollection' || !Array.isArray(input.features)) {
    return { incidents: [], issues: [{ index: -1, field: 'type', reason: 'not a GeoJSON FeatureCollection' }] };
  }
  if (has(input, 'crs')) {
    return {
      incidents: [],
      issues: [{ index: -1, field: 'crs', reason: 'a "crs" member is not RFC 7946 GeoJSON: coordinates must be WGS 84 longitude, latitude' }],
    };
  }
  const incidents: Incident[] = [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  input.features.forEach((f: unknown, index: number) => {
    const result = validateFeature(f, index);
    issues.push(...result.issues);
    if (!result.incident) return;
    if (seen.has(result.incident.id)) {
      issues.push({ index, field: 'id', reason: `duplicate id "${result.incident.id}"` });
      return;
    }
    seen.add(result.incident.id);
    incidents.push(result.incident);
  });
  for (const [index, f] of (input.features as Feature[]).entries()) {
    const related = isObject(f) && isObject(f.properties) && Array.isArray(f.properties.related) ? f.properties.related : [];
    related.forEach((r: unknown, i: number) => {
      if (isObject(r) && isNonEmptyString(r.id) && !seen.has(r.id)) {
        issues.push({ index, field: `related[${i}].id`, reason: `no incident has id "${r.id}"` });
      }
    });
  }
  return { incidents, issues };
}

export function formatIssue(issue: Issue, file?: string): string {
  const where = issue.index < 0 ? '' : `${issue.unit ?? 'feature'} ${issue.index}, `;
  return `${file ? `${file}: ` : ''}${where}${issue.field}: ${issue.reason}`;
}
