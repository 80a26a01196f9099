// npm run export -- (--data FILE | --dataset DIR) [--from DATE] [--to DATE] [--bbox w,s,e,n]
//                   [--category C,…] [--status S,…] [--format geojson|csv] [--out FILE]
// The same core as the browser: import (every format the app reads), the visible-set rule,
// the serialisers with provenance. From a prepared dataset (npm run build-dataset), DuckDB
// reads only the partitions and row groups the filter can match, under the same rule in SQL.

import { createWriteStream, readFileSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseArgs } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { CATEGORIES, STATUSES, formatIssue, type Category, type Status } from '../core/schema.ts';
import { importText, sniffBinary } from '../core/import/index.ts';
import { storeOfIncidents } from '../core/store-builder.ts';
import { visibleOf } from '../core/filter.ts';
import { dayOfIsoDate, isoDateOfDay, type DayRange } from '../core/time.ts';
import { partitionStats, piecesToRead, validateManifest } from '../core/dataset-manifest.ts';
import { WORLD, type View } from '../core/geometry.ts';
import { CSV_HEAD, GEOJSON_HEAD, csvChunks, geojsonChunks, geojsonTail, type ExportContext } from '../core/export.ts';
import { sha256Hex } from '../core/digest.ts';
import { sqlString } from './dataset-writer.ts';
import { UsageError, exportPieces, openSegmentDb, type ExportPiece } from './export-segment.ts';
import { tsWorker } from './ts-worker.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './export.worker.ts';

export { UsageError };

const USAGE = `Usage: npm run export -- --data FILE [options]
       npm run export -- --dataset DIR [options]
  --data FILE        GeoJSON, NDJSON or CSV/TSV (ACLED columns), as the app imports
  --dataset DIR      a folder prepared by npm run build-dataset (its manifest.json)
  --from YYYY-MM-DD  first day, inclusive (default: the data's first day)
  --to YYYY-MM-DD    last day, inclusive (default: the data's last day)
  --bbox w,s,e,n     view in degrees; w > e crosses the antimeridian (default: the world)
  --category LIST    comma-separated categories (default: all): ${CATEGORIES.join(', ')}
  --status LIST      comma-separated statuses (default: all): ${STATUSES.join(', ')}
  --format FORMAT    geojson (default) or csv
  --out FILE         write here instead of standard output`;

function parseDay(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const day = dayOfIsoDate(text);
  if (Number.isNaN(day)) throw new UsageError(`--${name}: "${text}" is not a valid date YYYY-MM-DD`);
  return day;
}

function parseBbox(text: string | undefined): View {
  if (text === undefined) return WORLD;
  const parts = text.split(',').map((p) => Number(p.trim()));
  const [w, s, e, n] = parts;
  if (parts.length !== 4 || !parts.every(Number.isFinite)) throw new UsageError(`--bbox: "${text}" must be four numbers w,s,e,n`);
  if ([w, e].some((x) => x < -180 || x > 180) || [s, n].some((y) => y < -90 || y > 90)) throw new UsageError('--bbox: longitudes must be in −180…180 and latitudes in −90…90');
  if (s > n) throw new UsageError('--bbox: south is greater than north');
  return [w, s, e, n];
}

function parseList<T extends string>(name: string, text: string | undefined, vocabulary: readonly T[]): Set<T> | null {
  if (text === undefined) return null;
  const values = text.split(',').map((v) => v.trim());
  const unknown = values.filter((v) => !(vocabulary as readonly string[]).includes(v));
  if (unknown.length > 0) throw new UsageError(`--${name}: unknown ${unknown.map((u) => `"${u}"`).join(', ')}; choose from: ${vocabulary.join(', ')}`);
  return new Set(values as T[]);
}

export interface CliResult {
  output: string;
  warnings: string[];
  /** Where to write; standard output when absent. */
  out?: string;
}

/**
 * An export ready to be written piece by piece: a million features are more text than one
 * string may hold. A piece from a worker thread comes as its UTF-8 bytes.
 */
export interface CliExport {
  chunks: AsyncIterable<string | Uint8Array>;
  warnings: string[];
  out?: string;
}

/** The whole CLI minus process I/O, with the file as one string (tests). */
export async function runExport(argv: string[], read: (path: string) => Buffer, version: string, now: Date, tuning?: Tuning): Promise<CliResult> {
  const { chunks, warnings, out } = await openExport(argv, read, version, now, tuning);
  const decoder = new TextDecoder();
  let output = '';
  for await (const chunk of chunks) output += typeof chunk === 'string' ? chunk : decoder.decode(chunk);
  return { output, warnings, out };
}

async function* fromSync(...parts: Iterable<string>[]): AsyncGenerator<string> {
  for (const part of parts) yield* part;
}

/** The whole CLI minus process I/O: the export's pieces, in order. */
export async function openExport(argv: string[], read: (path: string) => Buffer, version: string, now: Date, tuning: Tuning = {}): Promise<CliExport> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        dataset: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        bbox: { type: 'string' },
        category: { type: 'string' },
        status: { type: 'string' },
        format: { type: 'string', default: 'geojson' },
        out: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!values.data === !values.dataset) throw new UsageError(values.data ? 'give --data FILE or --dataset DIR, not both' : '--data FILE or --dataset DIR is required');
  if (values.format !== 'geojson' && values.format !== 'csv') throw new UsageError(`--format: "${values.format}" is not geojson or csv`);
  const view = parseBbox(values.bbox);
  const categories = parseList<Category>('category', values.category, CATEGORIES);
  const statuses = parseList<Status>('status', values.status, STATUSES);

  if (values.dataset) {
    const format = values.format;
    return { chunks: await exportDataset(values.dataset, { from: values.from, to: values.to }, view, categories, statuses, format, read, version, now, tuning), warnings: [], out: values.out };
  }
  const data = values.data!;
  let bytes: Buffer;
  try {
    bytes = read(data);
  } catch (e) {
    throw new UsageError(`--data: cannot read ${data}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const binary = sniffBinary(new Uint8Array(bytes.subarray(0, 4096)));
  if (binary) throw new UsageError(`--data: ${data}: ${binary}`);
  const result = importText(bytes.toString('utf8'), data);
  if (result.fatal) throw new UsageError(`--data: ${data}: ${result.fatal}`);
  if (result.needsMapping) throw new UsageError(`--data: ${data}: which columns hold the latitude, longitude and date is ambiguous; name them latitude, longitude and event_date`);
  const { incidents } = result;
  const warnings = [...result.notes, ...result.issues.map((i) => formatIssue(i, data))];
  if (incidents.length === 0) throw new UsageError(`--data: ${data} holds no valid incident${warnings.length ? `:\n${warnings.join('\n')}` : ''}`);
  // The browser's own store and rule, so the CLI exports the same incidents in the same (day) order.
  const store = storeOfIncidents(incidents);
  const span = store.daySpan()!;
  const days = { from: parseDay('from', values.from, span.from), to: parseDay('to', values.to, span.to) };
  if (days.from > days.to) throw new UsageError('--from is after --to');
  const visible = Array.from(visibleOf(store, { days, view, categories, statuses }), (k) => incidents[store.order[k]]);
  const context = { days, view, categories, statuses, datasets: [{ name: data, sha256: await sha256Hex(new Uint8Array(bytes)) }], version, now };
  const at = (k: number) => visible[k];
  const chunks = values.format === 'csv' ? fromSync(csvChunks(visible.length, at)) : fromSync(geojsonChunks(visible.length, at, context), ['\n']);
  return { chunks, warnings, out: values.out };
}

/** The incidents of a prepared dataset that the filter keeps, in the app's order, serialised as the app exports them. */
async function exportDataset(dir: string, dayText: { from?: string; to?: string }, view: View, categories: Set<Category> | null, statuses: Set<Status> | null, format: 'geojson' | 'csv', read: (path: string) => Buffer, version: string, now: Date, tuning: Tuning): Promise<AsyncIterable<string | Uint8Array>> {
  const manifestPath = join(dir, 'manifest.json');
  let bytes: Buffer;
  try {
    bytes = read(manifestPath);
  } catch (e) {
    throw new UsageError(`--dataset: cannot read ${manifestPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UsageError(`--dataset: ${manifestPath} is not valid JSON: ${(e as Error).message}`);
  }
  const check = validateManifest(json);
  if (check.error !== undefined) throw new UsageError(`--dataset: ${dir}: ${check.error}`);
  const { manifest } = check;
  const days = { from: parseDay('from', dayText.from, dayOfIsoDate(manifest.days.from)), to: parseDay('to', dayText.to, dayOfIsoDate(manifest.days.to)) };
  if (days.from > days.to) throw new UsageError('--from is after --to');
  const stats = manifest.partitions.map(partitionStats);
  const files = piecesToRead(stats, days, view).map((k) => ({ path: join(dir, manifest.partitions[k].path), rows: manifest.partitions[k].rows, days: stats[k].days }));
  const context = { days, view, categories, statuses, datasets: [{ name: manifestPath, sha256: await sha256Hex(new Uint8Array(bytes)) }], version, now };
  return datasetChunks(files, visibleWhere(days, view, categories, statuses), format, context, tuning);
}

const sqlDay = (day: number) => `DATE ${sqlString(isoDateOfDay(day))}`;
const sqlList = (values: Iterable<string>) => [...values].map(sqlString).join(', ');

/**
 * The rule of core/filter.ts in SQL: days [start_day, end_day] overlap [from, to]; the extent
 * (the bbox column; a point's is the point) touches the view, which crosses the antimeridian
 * when w > e; category and status among those chosen.
 */
function visibleWhere(days: DayRange, view: View, categories: Set<Category> | null, statuses: Set<Status> | null): string {
  const [w, s, e, n] = view;
  return [
    `start_day <= ${sqlDay(days.to)}`,
    `end_day >= ${sqlDay(days.from)}`,
    `bbox.ymin <= ${n}`,
    `bbox.ymax >= ${s}`,
    w <= e ? `bbox.xmax >= ${w} AND bbox.xmin <= ${e}` : `(bbox.xmax >= ${w} OR bbox.xmin <= ${e})`,
    ...(categories ? [`category IN (${sqlList(categories) || 'NULL'})`] : []),
    ...(statuses ? [`status IN (${sqlList(statuses) || 'NULL'})`] : []),
  ].join(' AND ');
}

/** When an export is cut into segments for worker threads, and how finely (tests set them low). */
export interface Tuning {
  /**
   * Fewer rows than this are exported by the main thread alone: two workers take about a
   * second of CPU to start (tsx compiles their modules, DuckDB and turf load), more than they save.
   */
  parallelRows?: number;
  /** Rows a segment aims at; a day is never cut, so one may hold more. */
  segmentRows?: number;
}

const PARALLEL_ROWS = 50_000;
/**
 * Small enough that a worker's whole segment fits in its credit while the other worker's is
 * being written (so neither waits), large enough that the files' metadata and the row groups a
 * segment shares with the next are read few times over.
 */
const SEGMENT_ROWS = 16_384;
/** Pieces (DuckDB chunks of 2,048 rows) a worker may have sent that are not yet written. */
const CREDIT = 16;
const WORKERS = 2;
/**
 * A worker's young generation: each chunk of rows leaves megabytes of short-lived objects
 * (values, features, incidents, strings), and with V8's default a good part of them lived
 * through a scavenge and was copied; the larger nursery about halved the workers' GC time.
 */
const YOUNG_MB = 96;

/** A file of the dataset: its rows, and the days its rows start on (at most its last end day). */
export interface DatasetFile {
  path: string;
  rows: number;
  days: DayRange;
}

/** The export's rows in a range of start_day, which its WHERE holds, and the files that may have them. */
interface Segment {
  files: string[];
  where: string;
}

/**
 * The export cut into consecutive ranges of start_day, the first key of the order, so the
 * segments' rows written one segment after the other are the rows in order. The cuts come from
 * a count of the rows the filter keeps on each day; the WHERE of each segment holds its range,
 * so the files' layout only decides what DuckDB may skip, never which rows a segment has.
 */
export async function planSegments(files: DatasetFile[], where: string, tuning: Tuning): Promise<Segment[]> {
  const parallelRows = tuning.parallelRows ?? PARALLEL_ROWS;
  const whole = [{ files: files.map((f) => f.path), where }];
  if (files.reduce((n, f) => n + f.rows, 0) < parallelRows) return whole;
  const instance = await DuckDBInstance.create(':memory:');
  let perDay: { day: string; n: number }[];
  try {
    const db = await instance.connect();
    const sql = `SELECT strftime(start_day, '%Y-%m-%d') AS day, count(*)::INTEGER AS n FROM read_parquet([${sqlList(whole[0].files)}], hive_partitioning = false)
      WHERE ${where} GROUP BY start_day ORDER BY start_day`;
    perDay = (await (await db.runAndReadAll(sql)).getRowObjectsJson()) as typeof perDay;
    db.closeSync();
  } finally {
    instance.closeSync();
  }
  if (perDay.reduce((n, d) => n + d.n, 0) < parallelRows) return whole;
  const segmentRows = tuning.segmentRows ?? SEGMENT_ROWS;
  // Each cut is the day after a segment's last: the next segment starts there.
  const cuts: number[] = [];
  let rows = 0;
  for (const [k, { day, n }] of perDay.entries()) {
    rows += n;
    if (rows >= segmentRows && k < perDay.length - 1) {
      cuts.push(dayOfIsoDate(day) + 1);
      rows = 0;
    }
  }
  return [-Infinity, ...cuts].map((from, k) => {
    const to = k < cuts.length ? cuts[k] : Infinity;
    const bounds = [...(from > -Infinity ? [`start_day >= ${sqlDay(from)}`] : []), ...(to < Infinity ? [`start_day < ${sqlDay(to)}`] : [])];
    return { files: files.filter((f) => f.days.from < to && f.days.to >= from).map((f) => f.path), where: [where, ...bounds].join(' AND ') };
  });
}

/** One segment's pieces, read in this thread. */
async function* inThisThread(segment: Segment, format: 'geojson' | 'csv'): AsyncGenerator<ExportPiece> {
  const { db, close } = await openSegmentDb();
  try {
    yield* exportPieces(db, segment.files, segment.where, format);
  } finally {
    close();
  }
}

/**
 * The segments' pieces, in segment order, from worker threads that take the next segment as they
 * finish one. A worker sends at most CREDIT pieces ahead of what was written, so memory stays
 * bounded however many rows a segment has. A segment's error is thrown when its turn comes:
 * the message is then the first bad row's in the export's order, as in one thread.
 */
async function* inWorkers(segments: Segment[], format: 'geojson' | 'csv'): AsyncGenerator<{ bytes: Uint8Array; rows: number }> {
  const pieces = segments.map((): { bytes: Uint8Array; rows: number }[] => []);
  const ended = segments.map((): 'done' | Error | null => null);
  const owner: Worker[] = [];
  let next = 0;
  let crash: Error | null = null;
  let wake: (() => void) | null = null;
  const send = (worker: Worker, m: ToWorker) => worker.postMessage(m);
  const assign = (worker: Worker) => {
    if (next === segments.length) return send(worker, { type: 'close' });
    owner[next] = worker;
    send(worker, { type: 'segment', index: next, ...segments[next] });
    next++;
  };
  const setup: WorkerSetup = { format, credit: CREDIT };
  const workers = Array.from({ length: Math.min(WORKERS, segments.length) }, () => tsWorker(new URL('./export.worker.ts', import.meta.url), setup, { maxYoungGenerationSizeMb: YOUNG_MB }));
  const exited = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
  for (const worker of workers) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'piece') pieces[m.index].push(m);
      else if (m.type === 'done') {
        ended[m.index] = 'done';
        assign(worker);
      } else ended[m.index] = m.usage ? new UsageError(m.message) : new Error(m.message);
      wake?.();
    });
    worker.on('error', (e) => {
      crash ??= e;
      wake?.();
    });
    worker.on('exit', (code) => {
      if (code !== 0) crash ??= new Error(`an export worker stopped (exit code ${code})`);
      wake?.();
    });
    assign(worker);
  }
  let finished = false;
  try {
    for (let k = 0; k < segments.length; ) {
      const piece = pieces[k].shift();
      if (piece) {
        yield piece;
        // Written: its worker may send one more.
        send(owner[k], { type: 'ack' });
      } else if (ended[k] === 'done') k++;
      else if (ended[k]) throw ended[k];
      else if (crash) throw crash;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
    finished = true;
  } finally {
    wake = null;
    // Done, each worker has been told to close; otherwise tell them now (a worker gone already ignores it).
    if (!finished) for (const w of workers) send(w, { type: 'close' });
    await Promise.all(exited);
  }
}

/**
 * The export of the rows `where` keeps, streamed from DuckDB a chunk at a time, each row back
 * through the validator, ordered as the store orders incidents: by first day, start time,
 * then as they were read.
 */
async function* datasetChunks(files: DatasetFile[], where: string, format: 'geojson' | 'csv', context: ExportContext, tuning: Tuning): AsyncGenerator<string | Uint8Array> {
  yield format === 'csv' ? CSV_HEAD : GEOJSON_HEAD;
  let written = 0;
  if (files.length > 0) {
    const segments = await planSegments(files, where, tuning);
    const pieces = segments.length > 1 ? inWorkers(segments, format) : inThisThread(segments[0], format);
    for await (const piece of pieces) {
      if (piece.rows === 0) continue;
      // The pieces know nothing of each other: the comma between two is written here.
      if (format === 'geojson' && written > 0) yield ',';
      yield 'text' in piece ? piece.text : piece.bytes;
      written += piece.rows;
    }
  }
  // The provenance, with its count, ends the file: the rows written are the count.
  if (format === 'geojson') yield `${geojsonTail(written, context)}\n`;
}

function numberFromEnv(name: string): number | undefined {
  const text = process.env[name];
  return text && /^\d+$/.test(text) ? Number(text) : undefined;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  // SOURCE_DATE_EPOCH makes the provenance timestamp reproducible, as in reproducible builds.
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const now = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  try {
    // The segment sizes for a test that needs a small export cut up as a large one is.
    const tuning = { parallelRows: numberFromEnv('ATLAS_EXPORT_PARALLEL_ROWS'), segmentRows: numberFromEnv('ATLAS_EXPORT_SEGMENT_ROWS') };
    const { chunks, warnings, out } = await openExport(argv, (p) => readFileSync(p), version, now, tuning);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (out === undefined) {
      for await (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      return 0;
    }
    // Written beside --out and renamed when whole: a failure half-way leaves no half file.
    const part = `${out}.part-${process.pid}`;
    const stream = createWriteStream(part);
    try {
      for await (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
      await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
      renameSync(part, out);
    } catch (e) {
      stream.destroy();
      rmSync(part, { force: true });
      throw e;
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  process.exitCode = await main();
}
