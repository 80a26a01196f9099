// Import of incident files: sniff the format, parse, validate every item with the schema's
// validator. Never throws on user data: returns incidents plus issues, or a fatal message
// about the file as a whole. Pure, so it runs in the import worker and in Node tests alike.

import Papa from 'papaparse';
import { validateFeature, type Incident, type Issue } from '../schema.ts';
import { detectColumns, isAcled, type Mapping, type Role } from './columns.ts';
import { rowPoints, rowToIncident } from './rows.ts';
import { csvCell } from '../export.ts';
import { locateJsonError } from './json-error.ts';
import type { Rebuild } from '../table.ts';
import type { Point } from 'geojson';
import { IdSet } from '../id-set.ts';
import { TextDecoding, sniffEncoding, type TextEncoding } from './decode.ts';

export { sniffEncoding, TextDecoding, type TextEncoding };

export type Format = 'geojson' | 'ndjson' | 'csv';

export interface ImportResult {
  format: Format | null;
  incidents: Incident[];
  issues: Issue[];
  /** Items seen (features, rows or lines). */
  total: number;
  /** Set when the file as a whole cannot be read; nothing is imported then. */
  fatal?: string;
  /** Set when CSV columns for these roles need the user's choice. */
  needsMapping?: { headers: string[]; guess: Mapping; ambiguous: Role[] };
  notes: string[];
}

/** Above this the browser cannot hold the file and its incidents together. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

const empty = (format: Format | null, fatal: string): ImportResult => ({ format, incidents: [], issues: [], total: 0, fatal, notes: [] });

/**
 * The most fields a CSV header may have. A table of incidents has tens of columns; a header
 * of tens of thousands is not one, and each field costs the page an option in each column
 * picker (64,000 fields held the page 13 s). Refused in the worker, before the page sees it.
 */
export const MAX_HEADER_FIELDS = 2_000;
/** The longest first line read as a CSV header: 2,000 fields of ~500 bytes each. */
export const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * A refusal for a CSV file whose first line is longer than MAX_HEADER_BYTES, from its first
 * bytes (at least MAX_HEADER_BYTES + 1 of them, or the whole file), else null: found by a
 * scan for a line break, before any parsing. A 30 MB file without one was parsed as a single
 * row of a million fields and took the page down with it.
 */
export function csvHeadProblem(head: Uint8Array, fileSize: number): string | null {
  if (fileSize <= MAX_HEADER_BYTES) return null;
  const scanned = head.subarray(0, MAX_HEADER_BYTES);
  if (scanned.indexOf(0x0a) >= 0 || scanned.indexOf(0x0d) >= 0) return null;
  return `The first line has no line break in its first ${MAX_HEADER_BYTES.toLocaleString('en')} bytes: too long for a CSV header (at most ${MAX_HEADER_BYTES.toLocaleString('en')} bytes and ${MAX_HEADER_FIELDS.toLocaleString('en')} fields). Is this a CSV file?`;
}

/** Magic numbers of files that are often renamed by mistake. */
const BINARY = [
  { magic: [0x89, 0x50, 0x4e, 0x47], name: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], name: 'a JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], name: 'a GIF image' },
  { magic: [0x25, 0x50, 0x44, 0x46], name: 'a PDF document' },
  { magic: [0x50, 0x4b, 0x03, 0x04], name: 'a ZIP archive (or an .xlsx workbook)' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], name: 'an old Excel workbook (.xls) or other Office file' },
  { magic: [0x1f, 0x8b], name: 'a gzip archive' },
  { magic: [0x42, 0x5a, 0x68], name: 'a bzip2 archive' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'an xz archive' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], name: 'a 7-Zip archive' },
  { magic: [0x52, 0x61, 0x72, 0x21], name: 'a RAR archive' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'a Zstandard archive' },
  { magic: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0x20, 0x33, 0x00], name: 'an SQLite database (a GeoPackage?)' },
  { magic: [0x50, 0x41, 0x52, 0x31], name: 'a Parquet file' },
  { magic: [0x00, 0x00, 0x27, 0x0a], name: 'a shapefile (.shp)' },
];

/**
 * A clear refusal for binary formats, known by their magic numbers, else null. NUL bytes alone
 * do not refuse a file: a UTF-16 file is full of them, and a NUL in text rejects only its row
 * (see CsvImporter), wherever in the file it is.
 */
export function sniffBinary(head: Uint8Array): string | null {
  for (const { magic, name } of BINARY) if (magic.every((b, i) => head[i] === b)) return `This file is ${name}, not GeoJSON or CSV.`;
  return null;
}

/**
 * The format, from the extension and the content together: a .json or .geojson file is JSON
 * whatever it holds (never a one-column CSV), and its content tells GeoJSON from one Feature
 * per line; any other name is read by its content.
 */
export function sniffFormat(text: string, name = ''): Format {
  const lower = name.toLowerCase();
  if (/\.(ndjson|geojsonl|jsonl|geojsons)$/.test(lower)) return 'ndjson';
  const start = text.replace(/^\uFEFF/, '').trimStart();
  const json = /\.(geo)?json$/.test(lower);
  if (json || start.startsWith('{') || start.startsWith('[')) {
    const firstLine = start.slice(0, start.indexOf('\n') >>> 0);
    if (start.startsWith('{') && firstLine.trim().endsWith('}') && /\n\s*\{/.test(start)) return 'ndjson';
    return 'geojson';
  }
  return 'csv';
}

/** 'Unexpected "]" at line 5, column 3': our own wording, the same in every engine. */
function jsonErrorMessage(text: string, error: Error): string {
  const at = locateJsonError(text);
  return at ? `unexpected ${at.found} at line ${at.line}, column ${at.column}` : error.message.slice(0, 200);
}

const EXPECTED = 'expected a FeatureCollection, a Feature or an array of Features.';

/** What a JSON value is, in words: "a string", "an array of 3 items". */
function jsonKind(json: unknown): string {
  if (json === null) return 'null';
  if (Array.isArray(json)) return `an array of ${json.length.toLocaleString('en')} item${json.length === 1 ? '' : 's'}`;
  return typeof json === 'object' ? 'an object' : `a ${typeof json}`;
}

function features(json: unknown): unknown[] | string {
  if (Array.isArray(json)) {
    const isFeature = (item: unknown) => typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'Feature';
    if (json.length > 0 && !json.some(isFeature)) return `The JSON is ${jsonKind(json)}, none of them a GeoJSON Feature: ${EXPECTED}`;
    return json;
  }
  if (typeof json !== 'object' || json === null) return `The JSON is ${jsonKind(json)}, not GeoJSON: ${EXPECTED}`;
  const t = (json as { type?: unknown }).type;
  if (Object.prototype.hasOwnProperty.call(json, 'crs')) {
    return 'This GeoJSON has a "crs" member (2008 GeoJSON): its coordinates may be projected (e.g. metres). RFC 7946 GeoJSON uses WGS 84 longitude/latitude only; reproject it (e.g. ogr2ogr -t_srs EPSG:4326) and remove "crs".';
  }
  if (t === 'FeatureCollection') {
    const list = (json as { features?: unknown }).features;
    return Array.isArray(list) ? list : 'The FeatureCollection has no "features" array.';
  }
  if (t === 'Feature') return [json];
  return `The JSON is not GeoJSON (type ${JSON.stringify(t)?.slice(0, 100)}): ${EXPECTED}`;
}

/** Properties that mark a feature as written to our schema: its issues are then the schema's. */
const SCHEMA_MARKERS = ['killed', 'sources', 'time_precision', 'geo_precision'];

/**
 * A feature in our schema is validated as it is; any other feature (properties such as
 * name/date/fatalities) is read like a table row, with its own geometry.
 */
function featureToIncident(item: unknown, index: number, unit: 'feature' | 'line') {
  const props = typeof item === 'object' && item !== null ? (item as { properties?: unknown }).properties : undefined;
  const generic = typeof props === 'object' && props !== null && !Array.isArray(props) && !SCHEMA_MARKERS.some((k) => Object.prototype.hasOwnProperty.call(props, k));
  if (!generic || (item as { type?: unknown }).type !== 'Feature') return { ...validateFeature(item, index), assumedUtc: false, numericId: false };
  const entries = Object.entries(props as Record<string, unknown>);
  const headers = entries.map(([k]) => k);
  const cells = entries.map(([, v]) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)));
  const featureId = (item as { id?: unknown }).id;
  const mapping = detectColumns(headers).mapping;
  // RFC 7946 allows a number or a string: both become the string id, so 7 and "7" would be one.
  let numericId = mapping.id >= 0 && typeof entries[mapping.id][1] === 'number';
  if (mapping.id < 0 && (typeof featureId === 'string' || typeof featureId === 'number')) {
    headers.push('id');
    cells.push(String(featureId));
    mapping.id = headers.length - 1;
    numericId = typeof featureId === 'number';
  }
  return { ...rowToIncident(cells, { headers, mapping, row: index, unit, geometry: (item as { geometry?: unknown }).geometry ?? null }), numericId };
}

/**
 * Why an accepted id cannot be accepted again: a repeat, or the same text from a number and a
 * string (7 and "7"), which RFC 7946 tells apart and the atlas, keying incidents by text, cannot.
 */
function repeatedId(id: string, numeric: boolean, earlierNumeric: boolean): string {
  const show = (n: boolean) => (n ? id : JSON.stringify(id));
  if (numeric === earlierNumeric) return `duplicate id ${show(numeric)}`;
  const kind = (n: boolean) => (n ? 'a number' : 'a string');
  return `id ${show(numeric)} (${kind(numeric)}) collides with id ${show(earlierNumeric)} (${kind(earlierNumeric)}) already in this file`;
}

/** Told of every accepted item (a feature, or a CSV row's cells) with its number: the worker keeps them as rows. */
export type OnAccept = (item: unknown, index: number, incident: Incident) => void;

export interface ImportOptions {
  mapping?: Mapping;
  onAccept?: OnAccept;
  /**
   * false: accepted incidents are only handed to onAccept, not collected in the result. The
   * import worker's way: an incident then dies young, instead of living until its chunk is done.
   */
  retain?: boolean;
  /**
   * false (CSV): the incidents handed to onAccept lack the file's columns that are not schema
   * fields, which validation never reads. The import worker's way: its incidents only fill the
   * store, and the page rebuilds each one in full from its row. Copying a million rows' extra
   * columns into objects that die at once was a third of the time to build them.
   */
  extraColumns?: boolean;
  /** What decoding the file's bytes found (see ./decode.ts): noted in the report. */
  decoded?: Decoded;
}

/** What decoding found: bytes it replaced with U+FFFD, and whether the text holds NUL. */
export interface Decoded {
  encoding: TextEncoding;
  replaced: number;
  /** U+FFFD characters the file really holds: rows with one cannot be told from rows with invalid bytes. */
  genuine: number;
  nul: boolean;
}

const ENCODING_NAMES: Record<TextEncoding, string> = { 'utf-8': 'UTF-8', 'utf-16le': 'UTF-16LE', 'utf-16be': 'UTF-16BE' };

/** The note for a file whose bytes were not all text, when its rows cannot be counted. */
function replacedNote(decoded: Decoded | undefined): string[] {
  if (!decoded || decoded.replaced === 0) return [];
  const n = decoded.replaced;
  return [`The file held ${n.toLocaleString('en')} byte sequence${n === 1 ? '' : 's'} that ${n === 1 ? 'is' : 'are'} not valid ${ENCODING_NAMES[decoded.encoding]}, read as "\ufffd" (U+FFFD). Save it as UTF-8 to keep those characters.`];
}

/** The note for the rows whose text holds a U+FFFD decoded from invalid bytes. */
function replacedRowsNote(rows: number, encoding: TextEncoding, genuine: boolean): string[] {
  if (rows === 0) return [];
  return [`${genuine ? 'up to ' : ''}${rows.toLocaleString('en')} row${rows === 1 ? '' : 's'} held bytes that are not valid ${ENCODING_NAMES[encoding]}, read as "\ufffd" (U+FFFD). Save the file as UTF-8 to keep those characters.`];
}

/** The reason for a row that holds a NUL character: one rule, wherever the row is. */
const NUL_REASON = 'holds a NUL character (byte 0), which is not text: the row is not read (is the file binary, or UTF-16 without a byte-order mark?)';

/**
 * One issue for an item with several problems: the report counts items ("M rejected"), and
 * lists each once. Its field names every field at fault; its reason, each problem by field.
 */
export function oneIssue(issues: readonly Issue[], unit: 'feature' | 'row' | 'line'): Issue[] {
  if (issues.length === 0) return [];
  if (issues.length === 1) return [{ ...issues[0], unit }];
  const fields = [...new Set(issues.map((i) => i.field))];
  return [{ index: issues[0].index, unit, field: fields.join(', '), reason: issues.map((i) => `${i.field}: ${i.reason}`).join('; ') }];
}

/** Accepted ids, each with whether it came from a number (one per file: see validateAll). */
export type SeenIds = Map<string, boolean>;

export function validateAll(items: unknown[], unit: 'feature' | 'line', base: number, out: ImportResult, seen: SeenIds, options: ImportOptions): void {
  items.forEach((item, i) => {
    const index = base + i;
    out.total++;
    const { incident, issues, numericId } = featureToIncident(item, index, unit);
    out.issues.push(...oneIssue(issues, unit));
    if (!incident) return;
    const earlier = seen.get(incident.id);
    if (earlier !== undefined) {
      out.issues.push({ index, unit, field: 'id', reason: repeatedId(incident.id, numericId, earlier) });
      return;
    }
    seen.set(incident.id, numericId);
    if (options.retain !== false) out.incidents.push(incident);
    options.onAccept?.(item, index, incident);
  });
}

export function importGeoJson(text: string, options: ImportOptions = {}): ImportResult {
  let json: unknown;
  const body = text.replace(/^\uFEFF/, '');
  try {
    json = JSON.parse(body);
  } catch (e) {
    return empty('geojson', `The file is not valid JSON: ${jsonErrorMessage(body, e as Error)}. Nothing was imported.`);
  }
  const list = features(json);
  if (typeof list === 'string') return empty('geojson', list);
  const out: ImportResult = { format: 'geojson', incidents: [], issues: [], total: 0, notes: [] };
  validateAll(list, 'feature', 0, out, new Map(), options);
  out.notes.push(...replacedNote(options.decoded));
  return out;
}

export function importNdjson(text: string, options: ImportOptions = {}): ImportResult {
  const out: ImportResult = { format: 'ndjson', incidents: [], issues: [], total: 0, notes: [] };
  const seen: SeenIds = new Map();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (e) {
      out.total++;
      out.issues.push({ index: i + 1, unit: 'line', field: 'json', reason: `not valid JSON: ${jsonErrorMessage(line, e as Error).replace(/ at line 1,/, ' at')}` });
      return;
    }
    validateAll([item], 'line', i + 1, out, seen, options);
  });
  out.notes.push(...replacedNote(options.decoded));
  return out;
}

/** What rebuilds an accepted item into its incident on the page: see rebuilder. */
export type RebuildContext = { format: 'geojson' | 'ndjson' } | { format: 'csv'; headers: string[]; mapping: Mapping };

/**
 * The incident of an accepted item, by the same function that accepted it: the page keeps
 * imported items as rows (src/core/table.ts) and builds incidents from them on demand.
 */
export function rebuilder(context: RebuildContext): Rebuild {
  const built = (r: { incident?: Incident; issues: Issue[] }, index: number): Incident => {
    if (!r.incident) throw new Error(`item ${index} was accepted on import but no longer validates: ${r.issues[0]?.reason ?? 'unknown'}`);
    return r.incident;
  };
  if (context.format === 'csv') {
    const { headers, mapping } = context;
    return (cells, row) => built(rowToIncident(cells as string[], { headers, mapping, row }), row);
  }
  const unit = context.format === 'ndjson' ? 'line' : 'feature';
  return (item, index) => built(featureToIncident(item, index, unit), index);
}

/**
 * Blank rows are skipped by CsvImporter, not by papaparse: papaparse numbers its errors by
 * the rows before its skipping, so a quote error after a blank line would name the wrong row.
 */
export const CSV_PARSE_CONFIG: { header: false; skipEmptyLines: false; delimitersToGuess: string[] } = {
  header: false,
  skipEmptyLines: false,
  delimitersToGuess: [',', ';', '\t', '|'],
};

/** papaparse's "greedy" blank row: no cell holds more than white space. */
function blankRow(cells: readonly string[]): boolean {
  for (let i = 0; i < cells.length; i++) if (cells[i].trim() !== '') return false;
  return true;
}

/** What one CsvImporter saw, before the notes that sum over the whole file: see combineCsvParts. */
export interface CsvPartResult {
  issues: Issue[];
  /** Notes in the order they arose (at most 20). */
  notes: string[];
  total: number;
  /** Rows to the last line feed, blank ones and the header (when this part read it) included. */
  rows: number;
  /** Dates read as UTC for want of an offset. */
  assumedUtc: number;
  /** papaparse met the end of the input inside a quoted field. */
  unterminated: boolean;
  /** Rows read whose text holds a U+FFFD decoded from invalid bytes, and the encoding. */
  replacedRows: number;
  /** How the part was decoded (see Decoded). */
  text: Decoded;
}

export interface CsvPartOptions extends ImportOptions {
  /**
   * The header row, when this importer reads a later part of a file (see ./split.ts): its
   * first row is then data, numbered firstRow.
   */
  headers?: string[];
  firstRow?: number;
}

/** Rows whose Points GeoJSON.js makes in one call (see CsvImporter.push). */
const POINT_GROUP = 256;

/** At most this many notes about single rows: a report, not a second copy of the file. */
const MAX_NOTES = 20;

/**
 * Rows in, incidents out, chunk by chunk: the worker feeds it papaparse's chunks of a file
 * as they are read, the tests feed it a whole text. The first row is the header, unless
 * the headers are given.
 */
export class CsvImporter {
  private headers: string[] | null = null;
  private mapping: Mapping | null;
  private readonly seen = new IdSet();
  private assumedUtc = 0;
  /** Rows consumed so far, the header included. */
  private rows = 0;
  private unterminated = false;
  /** The last row was empty: after a final line feed, papaparse gives one that is not a row. */
  private endsWithEmpty = false;
  private readonly onAccept: OnAccept | undefined;
  private readonly retain: boolean;
  private readonly extraColumns: boolean;
  /** What decoding found so far; rows are checked for NUL and U+FFFD only when it found some. */
  private text: Decoded;
  private replacedRows = 0;
  /** Why the file cannot be read at all (its header), or null. */
  private fatal: string | null = null;
  readonly out: ImportResult = { format: 'csv', incidents: [], issues: [], total: 0, notes: [] };

  constructor(options: CsvPartOptions = {}) {
    this.mapping = options.mapping ?? null;
    this.onAccept = options.onAccept;
    this.retain = options.retain !== false;
    this.extraColumns = options.extraColumns !== false;
    this.text = options.decoded ?? { encoding: 'utf-8', replaced: 0, genuine: 0, nul: false };
    if (options.headers) {
      if (!options.mapping) throw new Error('CsvImporter: given headers need their mapping');
      this.headers = options.headers;
      this.rows = (options.firstRow ?? 2) - 1;
    }
  }

  /** Told what decoding found, before the rows it decoded are pushed (the worker decodes as it reads). */
  decoded(text: Decoded): void {
    this.text = { ...text };
  }

  /** How the page rebuilds this file's rows; null before the header (or without a mapping). */
  rebuildContext(): RebuildContext | null {
    return this.headers && this.mapping && this.fatal === null ? { format: 'csv', headers: this.headers, mapping: this.mapping } : null;
  }

  /** Whether a row with this id was accepted. */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  /**
   * Takes the next rows (and papaparse's errors for them, with row indexes relative to this
   * chunk). Returns false when the importer needs the user's column mapping and should stop.
   */
  push(rows: string[][], errors: readonly { row?: number; type: string; code?: string; message: string }[] = []): boolean {
    const rowErrors = new Map<number, string>();
    for (const e of errors) {
      if (e.row !== undefined && e.type === 'Quotes') rowErrors.set(e.row, e.message);
      if (e.code === 'MissingQuotes') this.unterminated = true;
    }
    // The rows' Points, made POINT_GROUP rows at a time (see rowPoints): a short-lived group,
    // not the whole chunk's, so they die young.
    let points: Point[] = [];
    let pointsFrom = 0;
    for (let r = 0; r < rows.length; r++) {
      // A blank row is numbered, as a spreadsheet shows it, but not read.
      const rowNumber = ++this.rows;
      this.endsWithEmpty = rows[r].length === 1 && rows[r][0] === '';
      if (blankRow(rows[r])) continue;
      if (this.headers === null) {
        if (this.text.nul && rows[r].some((h) => h.indexOf('\0') >= 0)) {
          this.fatal = `The header (row ${rowNumber}) holds a NUL character (byte 0), which is not text: is the file binary, or UTF-16 without a byte-order mark?`;
          this.headers = [];
          return false;
        }
        if (rows[r].length > MAX_HEADER_FIELDS) {
          this.fatal = `The header (row ${rowNumber}) has ${rows[r].length.toLocaleString('en')} fields; at most ${MAX_HEADER_FIELDS.toLocaleString('en')} are read. Is this a CSV file, and is its first line the header?`;
          this.headers = [];
          return false;
        }
        this.headers = rows[r].map((h) => h.trim());
        const detection = detectColumns(this.headers);
        if (this.mapping === null && detection.ambiguous.length > 0) {
          this.out.needsMapping = { headers: this.headers, guess: detection.mapping, ambiguous: detection.ambiguous };
          return false;
        }
        this.mapping ??= detection.mapping;
        if (isAcled(this.headers)) this.out.notes.push('Read as an ACLED export.');
        continue;
      }
      if (r >= pointsFrom + points.length) {
        pointsFrom = r;
        points = rowPoints(rows, r, Math.min(rows.length, r + POINT_GROUP), this.mapping!);
      }
      this.row(rows[r], rowNumber, rowErrors.get(r), points[r - pointsFrom]);
    }
    return true;
  }

  private row(cells: string[], rowNumber: number, parseError: string | undefined, point: Point): void {
    const out = this.out;
    const headers = this.headers!;
    out.total++;
    if (parseError) {
      out.issues.push({ index: rowNumber, unit: 'row', field: 'csv', reason: parseError });
      return;
    }
    const text = this.text;
    if (text.nul || text.replaced > 0) {
      for (let i = 0; text.nul && i < cells.length; i++) {
        if (cells[i].indexOf('\0') >= 0) {
          out.issues.push({ index: rowNumber, unit: 'row', field: headers[i] || `column ${i + 1}`, reason: NUL_REASON });
          return;
        }
      }
      if (text.replaced > 0 && cells.some((c) => c.indexOf('\ufffd') >= 0)) this.replacedRows++;
    }
    if (cells.length !== headers.length && out.notes.length < MAX_NOTES) {
      out.notes.push(
        `Row ${rowNumber} has ${cells.length} cells for ${headers.length} columns; ${cells.length < headers.length ? 'missing cells are read as empty' : 'extra cells are ignored'}.`,
      );
    }
    const { incident, issues, assumedUtc } = rowToIncident(cells, { headers, mapping: this.mapping!, row: rowNumber, extraColumns: this.extraColumns, point });
    out.issues.push(...oneIssue(issues, 'row'));
    if (assumedUtc) this.assumedUtc++;
    if (!incident) return;
    if (!this.seen.add(incident.id)) {
      out.issues.push({ index: rowNumber, unit: 'row', field: 'id', reason: `duplicate id "${incident.id}"` });
      return;
    }
    if (this.retain) out.incidents.push(incident);
    this.onAccept?.(cells, rowNumber, incident);
  }

  part(): CsvPartResult {
    const { issues, notes, total } = this.out;
    return {
      issues,
      notes,
      total,
      rows: this.rows - (this.endsWithEmpty ? 1 : 0),
      assumedUtc: this.assumedUtc,
      unterminated: this.unterminated,
      replacedRows: this.replacedRows,
      text: this.text,
    };
  }

  finish(): ImportResult {
    if (this.fatal !== null) return empty('csv', this.fatal);
    if (this.headers === null) return empty('csv', 'The file is empty.');
    if (this.out.needsMapping) return { ...this.out, incidents: [], issues: [] };
    this.out.notes.push(...utcNote(this.assumedUtc), ...replacedRowsNote(this.replacedRows, this.text.encoding, this.text.genuine > 0));
    return this.out;
  }
}

function utcNote(assumedUtc: number): string[] {
  return assumedUtc > 0 ? [`${assumedUtc} date${assumedUtc === 1 ? '' : 's'} had no time zone offset and were read as UTC.`] : [];
}

/**
 * The result of a file read in two parts, a from its start and b from the record boundary
 * where a stopped, as one importer reading it through would give — or null when that is not
 * certain, and the file must be read through by one importer:
 * - a's rows must be the records the boundary scan counted (papaparse agreed where records
 *   end), and a must not end inside quotes (the boundary was not inside a quoted field);
 * - no row b accepted may repeat an id a accepted (one importer would reject it, as a duplicate).
 * b's rows were numbered from bFirstRow, so its issues need no renumbering.
 */
export function combineCsvParts(a: CsvPartResult, b: CsvPartResult, bFirstRow: number, aHas: (id: string) => boolean, bIds: Iterable<string>): ImportResult | null {
  if (a.unterminated || a.rows !== bFirstRow - 1) return null;
  for (const id of bIds) if (aHas(id)) return null;
  return {
    format: 'csv',
    incidents: [],
    issues: [...a.issues, ...b.issues],
    total: a.total + b.total,
    notes: [...a.notes, ...b.notes]
      .slice(0, MAX_NOTES)
      .concat(utcNote(a.assumedUtc + b.assumedUtc), replacedRowsNote(a.replacedRows + b.replacedRows, a.text.encoding, a.text.genuine + b.text.genuine > 0)),
  };
}

/** CSV and TSV through papaparse (delimiter detection, BOM, quoted newlines). */
export function importCsv(text: string, options: ImportOptions = {}): ImportResult {
  // header: false — papaparse would build row objects keyed by header, where "__proto__" is not a plain key.
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), CSV_PARSE_CONFIG);
  const importer = new CsvImporter({ ...options, decoded: options.decoded ?? { encoding: 'utf-8', replaced: 0, genuine: 0, nul: text.indexOf('\0') >= 0 } });
  importer.push(parsed.data, parsed.errors);
  return importer.finish();
}

/** Any supported text file. */
export function importText(text: string, name = '', options: ImportOptions = {}): ImportResult {
  try {
    const format = sniffFormat(text, name);
    if (format === 'geojson') return importGeoJson(text, options);
    if (format === 'ndjson') return importNdjson(text, options);
    return importCsv(text, options);
  } catch (e) {
    // A bug of ours, not the file's fault — still never a crash for the user.
    return empty(null, `The file could not be read: ${(e as Error).message}`);
  }
}

/**
 * A file's bytes: refused when a magic number says it is binary, else decoded (see
 * ./decode.ts) and imported as importText does, noting the bytes that were not text.
 */
export function importBytes(bytes: Uint8Array, name = '', options: ImportOptions = {}): ImportResult {
  const binary = sniffBinary(bytes.subarray(0, 64));
  if (binary) return empty(null, binary);
  const decoding = new TextDecoding(sniffEncoding(bytes.subarray(0, 4096)));
  const text = decoding.decode(bytes, true);
  return importText(text, name, { ...options, decoded: decoding.state });
}

/** The rejected items as CSV, for the report's download. */
export function issuesToCsv(issues: readonly Issue[]): string {
  const rows = issues.map((i) => [i.unit ?? 'feature', i.index, i.field, i.reason].map(csvCell).join(','));
  return ['where,number,field,reason', ...rows].join('\r\n') + '\r\n';
}
