// The sources of npm run build-dataset, read through the app's own import path: CSV/TSV is
// streamed through the CsvImporter as the import worker streams it (a large file in two parts
// read at once, as the import worker reads it), GeoJSON and NDJSON go through importBytes, and
// Parquet/GeoParquet rows (read by DuckDB) become GeoJSON features (with a geometry column) or
// table rows (without one) for the same validators. Accepted incidents go to the stage
// (dataset-writer.ts).

import { createReadStream, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { JsonDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { CsvImporter, MAX_FILE_BYTES, MAX_HEADER_BYTES, combineCsvParts, csvHeadProblem, importBytes, sniffBinary, sniffEncoding, sniffFormat, validateAll, type ImportResult, type SeenIds } from '../core/import/index.ts';
import { planCsvParts } from '../core/import/split.ts';
import { detectColumns } from '../core/import/columns.ts';
import { extraColumns, fieldColumns, parquetFeature } from '../core/dataset-rows.ts';
import type { Incident, Issue } from '../core/schema.ts';
import { BUILDER_KEY, Stage, mergeStats, sqlString, type MonthStats } from './dataset-writer.ts';
import type { PartJob, PartMessage } from './dataset-part.worker.ts';
import { streamCsv } from '../core/import/csv-stream.ts';
import { tsWorker } from './ts-worker.ts';
import { fileBytes, type Bytes } from './file-bytes.ts';

export class SourceError extends Error {}

/** Told of each accepted incident and where it was, as the import report numbers items. */
export type Accept = (incident: Incident, unit: 'row' | 'feature' | 'line', index: number) => void;

export interface SourceResult {
  /** Items read: rows, features or lines. */
  total: number;
  issues: Issue[];
  notes: string[];
  sha256: string;
  bytes: number;
  /** Incidents staged, and each staged month's figures. */
  accepted: number;
  months: Map<string, MonthStats>;
  /** Threads that read it: 2 when a CSV file was read in two parts. */
  parts: number;
}


const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31];
/** Parquet rows handed to the validator per batch. */
const BATCH = 2_048;
/** Below this a CSV file is read by one thread: a worker's start costs more than it saves. */
export const PARALLEL_BYTES = 8 * 1024 * 1024;
/** Where the second part starts: its worker scans the bytes before it first, so it gets less to parse. */
const SECOND_PART_FROM = 0.52;

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (b) => hash.update(b))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}


/**
 * Reads one source file (the `src`th), staging each accepted incident under `stageDir`.
 * Throws SourceError when the file as a whole cannot be read (the reason the app would show).
 */
export async function readSource(path: string, src: number, stageDir: string, db: DuckDBConnection, progress: (fraction: number) => void, parallelBytes = PARALLEL_BYTES): Promise<SourceResult> {
  let blob: Bytes;
  try {
    blob = await fileBytes(path);
  } catch (e) {
    throw new SourceError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const head = new Uint8Array(await blob.slice(0, MAX_HEADER_BYTES + 1).arrayBuffer());
  const sha256 = sha256OfFile(path);
  const stage = new Stage(stageDir, `s${src}`);
  const accept: Accept = (incident, unit, index) => stage.add(incident, src, unit, index);
  const done = async (r: { total: number; issues: Issue[]; notes: string[] }, parts?: Parts): Promise<SourceResult> => {
    const months = stage.close();
    if (parts) mergeStats(months, parts.months);
    return { ...r, sha256: await sha256, bytes: blob.size, accepted: stage.rows + (parts?.accepted ?? 0), months, parts: parts ? 2 : 1 };
  };
  if (PARQUET_MAGIC.every((b, i) => head[i] === b)) return done(await readParquet(path, db, accept));
  const binary = sniffBinary(head.subarray(0, 64));
  if (binary) throw new SourceError(`${path}: ${binary}`);
  const encoding = sniffEncoding(head.subarray(0, 4096));
  const format = sniffFormat(new TextDecoder().decode(head.subarray(0, 4096)), basename(path));
  let result: ImportResult;
  if (format === 'csv' && encoding === 'utf-8') {
    const problem = csvHeadProblem(head, blob.size);
    if (problem) throw new SourceError(`${path}: ${problem}`);
    const parts = blob.size >= parallelBytes ? await readCsvInParts(path, blob, src, stageDir, progress) : null;
    if (parts) return done(parts.result, parts);
    const importer = new CsvImporter({ onAccept: (_cells, row, incident) => accept(incident, 'row', row), retain: false });
    const failed = await streamCsv(blob, importer, {}, (bytes) => progress(bytes / Math.max(1, blob.size)), encoding);
    if (failed) throw new SourceError(`${path}: ${failed}`);
    result = importer.finish();
  } else {
    // GeoJSON is one JSON value: it is parsed whole, as the app parses it, and so are NDJSON and
    // CSV not in UTF-8. Past the app's limit its text may not fit in one string.
    if (blob.size > MAX_FILE_BYTES) {
      const what = format === 'csv' ? `a CSV file in ${encoding}` : format === 'ndjson' ? 'an NDJSON file' : 'a GeoJSON file';
      throw new SourceError(`${path}: ${what} is read whole, at most ${MAX_FILE_BYTES / 1024 ** 2} MB, and this one is ${Math.ceil(blob.size / 1024 ** 2).toLocaleString('en')} MB. Split it into smaller files, or write it as CSV in UTF-8, which is read in parts whatever its size.`);
    }
    result = importBytes(new Uint8Array(readFileSync(path)), basename(path), { onAccept: (_item, index, incident) => accept(incident, format === 'ndjson' ? 'line' : 'feature', index), retain: false });
    progress(1);
  }
  if (result.fatal) throw new SourceError(`${path}: ${result.fatal}`);
  if (result.needsMapping) throw new SourceError(`${path}: which columns hold the latitude, longitude and date is ambiguous (${result.needsMapping.ambiguous.join(', ')}); name them latitude, longitude and event_date`);
  return done({ total: result.total, issues: result.issues, notes: result.notes });
}

interface Parts {
  result: ImportResult;
  accepted: number;
  months: Map<string, MonthStats>;
}

/**
 * A CSV file read in two parts by two worker threads, as the import worker reads a large file
 * (see src/workers/import.worker.ts); null when the parts do not combine into what one
 * read-through gives (see combineCsvParts): what they staged is then removed, and the caller
 * reads the file through. An id repeated in both parts is left to findDuplicates, which
 * rejects the later one as the importer would have.
 */
async function readCsvInParts(path: string, blob: Bytes, src: number, stageDir: string, progress: (fraction: number) => void): Promise<Parts | null> {
  const plan = await planCsvParts(blob, SECOND_PART_FROM);
  if (!plan) return null;
  const bounds = [0, plan.start, blob.size];
  const read = [0, 0];
  const names = [0, 1].map((k) => `s${src}-p${k}`);
  const runs = [0, 1].map(
    (k) =>
      new Promise<Extract<PartMessage, { type: 'done' }> | null>((resolve) => {
        const job: PartJob = { path, start: bounds[k], end: bounds[k + 1], headers: plan.headers, mapping: plan.mapping, dialect: plan.dialect, stageDir, name: names[k], src };
        const worker = tsWorker(new URL('./dataset-part.worker.ts', import.meta.url), job);
        worker.on('message', (m: PartMessage) => {
          if (m.type === 'progress') {
            read[k] = m.bytes;
            progress((read[0] + read[1]) / blob.size);
          } else resolve(m);
        });
        worker.on('error', () => resolve(null));
        worker.on('exit', () => resolve(null));
      }),
  );
  const [a, b] = await Promise.all(runs);
  const combined = a?.part && b?.part && !a.fatal && !b.fatal ? combineCsvParts(a.part, b.part, b.firstRow, () => false, []) : null;
  if (!a || !b || !combined) {
    removeStaged(stageDir, names);
    return null;
  }
  const months = new Map<string, MonthStats>();
  mergeStats(months, a.months);
  mergeStats(months, b.months);
  return { result: combined, accepted: a.accepted + b.accepted, months };
}

/** The stage files of these names, in every folder of the stage (months, ids and lists). */
function removeStaged(stageDir: string, names: string[]): void {
  let folders: string[];
  try {
    folders = readdirSync(stageDir);
  } catch {
    return;
  }
  for (const folder of folders) for (const name of names) rmSync(join(stageDir, folder, `${name}.csv`), { force: true });
}

/** The geometry column named by the file's GeoParquet metadata, else null. */
async function geoColumn(path: string, db: DuckDBConnection): Promise<{ column: string | null; ours: boolean }> {
  const rows = (await (await db.runAndReadAll(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${sqlString(path)})`)).getRowObjectsJson()) as { key: string; value: string }[];
  const ours = rows.some((r) => r.key === BUILDER_KEY);
  const geo = rows.find((r) => r.key === 'geo');
  if (!geo) return { column: null, ours };
  try {
    const column = (JSON.parse(geo.value) as { primary_column?: unknown }).primary_column;
    return { column: typeof column === 'string' ? column : null, ours };
  } catch {
    throw new SourceError(`${path}: its GeoParquet "geo" metadata is not valid JSON`);
  }
}

async function readParquet(path: string, db: DuckDBConnection, accept: Accept): Promise<{ total: number; issues: Issue[]; notes: string[] }> {
  let geo: { column: string | null; ours: boolean };
  try {
    geo = await geoColumn(path, db);
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError(`${path}: not a readable Parquet file: ${(e as Error).message}`);
  }
  // The geometry as the WKB bytes of the file, not DuckDB's GEOMETRY type: wkb.ts reads them.
  await db.run('SET enable_geoparquet_conversion = false');
  // A file of a prepared dataset sits in month=…/: that folder name is not a column of the file.
  const result = await db.stream(`SELECT * FROM read_parquet(${sqlString(path)}, hive_partitioning = false)`);
  const names = result.deduplicatedColumnNames();
  const geomIndex = geo.column === null ? -1 : names.indexOf(geo.column);
  const out: ImportResult = { format: 'geojson', incidents: [], issues: [], total: 0, notes: [] };
  const seen: SeenIds = new Map();
  const headers = fieldColumns(names.filter((_, i) => i !== geomIndex), geo.ours);
  const extras = geo.ours ? extraColumns(names) : [];
  let table: CsvImporter | null = null;
  if (geomIndex < 0) {
    const { mapping, ambiguous } = detectColumns(headers);
    if (ambiguous.length > 0) throw new SourceError(`${path}: no geometry column, and which columns hold the latitude, longitude and date is ambiguous (${ambiguous.join(', ')})`);
    table = new CsvImporter({ headers, mapping, firstRow: 1, onAccept: (_c, r, incident) => accept(incident, 'row', r), retain: false });
  }
  let row = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const objects = chunk.convertRows(JsonDuckDBValueConverter).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])) as Record<string, unknown>);
    const wkb = geomIndex >= 0 ? chunk.getColumnValues(geomIndex) : null;
    for (let start = 0; start < objects.length; start += BATCH) {
      const part = objects.slice(start, start + BATCH);
      if (table) {
        table.push(part.map((o) => headers.map((h) => cell(o[h]))));
        continue;
      }
      const features = part.map((o, k) => parquetFeature(o, headers, geo.ours, (wkb![start + k] as { bytes?: Uint8Array } | null)?.bytes, extras));
      validateAll(features, 'feature', row, out, seen, { onAccept: (_i, n, incident) => accept(incident, 'row', n + 1), retain: false });
      row += part.length;
    }
  }
  if (table) {
    const r = table.finish();
    return { total: r.total, issues: r.issues, notes: r.notes };
  }
  // A Parquet file has rows, numbered from 1 as a spreadsheet would show them without a header.
  return { total: out.total, issues: out.issues.map((i) => ({ ...i, index: i.index + 1, unit: 'row' })), notes: out.notes };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
