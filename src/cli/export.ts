// npm run export -- (--data FILE | --dataset DIR) [--from DATE] [--to DATE] [--bbox w,s,e,n]
//                   [--category C,…] [--status S,…] [--format geojson|csv] [--out FILE]
// The same core as the browser: import (every format the app reads), the visible-set rule,
// the serialisers with provenance. From a prepared dataset (npm run build-dataset), DuckDB
// reads only the partitions and row groups the filter can match, under the same rule in SQL.

import { createWriteStream, readFileSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { DuckDBInstance, JsonDuckDBValueConverter } from '@duckdb/node-api';
import { parseArgs } from 'node:util';
import { CATEGORIES, STATUSES, formatIssue, validateFeature, type Category, type Status } from '../core/schema.ts';
import { importText, sniffBinary } from '../core/import/index.ts';
import { storeOfIncidents } from '../core/store-builder.ts';
import { visibleOf } from '../core/filter.ts';
import { dayOfIsoDate, isoDateOfDay, type DayRange } from '../core/time.ts';
import { partitionStats, piecesToRead, validateManifest } from '../core/dataset-manifest.ts';
import { DERIVED_COLUMNS, parquetFeature } from '../core/dataset-rows.ts';
import { WORLD, type View } from '../core/geometry.ts';
import { CSV_HEAD, GEOJSON_HEAD, csvChunks, csvRows, geojsonChunks, geojsonFeatures, geojsonTail, type ExportContext } from '../core/export.ts';
import { sha256Hex } from '../core/digest.ts';
import { sqlString } from './dataset-writer.ts';

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

export class UsageError extends Error {}

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

/** An export ready to be written piece by piece: a million features are more text than one string may hold. */
export interface CliExport {
  chunks: AsyncIterable<string>;
  warnings: string[];
  out?: string;
}

/** The whole CLI minus process I/O, with the file as one string (tests). */
export async function runExport(argv: string[], read: (path: string) => Buffer, version: string, now: Date): Promise<CliResult> {
  const { chunks, warnings, out } = await openExport(argv, read, version, now);
  let output = '';
  for await (const chunk of chunks) output += chunk;
  return { output, warnings, out };
}

async function* fromSync(...parts: Iterable<string>[]): AsyncGenerator<string> {
  for (const part of parts) yield* part;
}

/** The whole CLI minus process I/O: the export's pieces, in order. */
export async function openExport(argv: string[], read: (path: string) => Buffer, version: string, now: Date): Promise<CliExport> {
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
    return { chunks: await exportDataset(values.dataset, { from: values.from, to: values.to }, view, categories, statuses, format, read, version, now), warnings: [], out: values.out };
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
async function exportDataset(dir: string, dayText: { from?: string; to?: string }, view: View, categories: Set<Category> | null, statuses: Set<Status> | null, format: 'geojson' | 'csv', read: (path: string) => Buffer, version: string, now: Date): Promise<AsyncIterable<string>> {
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
  const files = piecesToRead(manifest.partitions.map(partitionStats), days, view).map((k) => join(dir, manifest.partitions[k].path));
  const context = { days, view, categories, statuses, datasets: [{ name: manifestPath, sha256: await sha256Hex(new Uint8Array(bytes)) }], version, now };
  return datasetChunks(files, visibleWhere(days, view, categories, statuses), format, context);
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

/**
 * The export of the rows `where` keeps, streamed from DuckDB a chunk at a time, each row back
 * through the validator, ordered as the store orders incidents: by first day, start time,
 * then as they were read.
 */
async function* datasetChunks(files: string[], where: string, format: 'geojson' | 'csv', context: ExportContext): AsyncGenerator<string> {
  yield format === 'csv' ? CSV_HEAD : GEOJSON_HEAD;
  let written = 0;
  if (files.length > 0) {
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      // The geometry as the file's WKB bytes (core/wkb.ts reads them), not DuckDB's GEOMETRY.
      await db.run('SET enable_geoparquet_conversion = false');
      const result = await db.stream(`SELECT * FROM read_parquet([${sqlList(files)}], hive_partitioning = false)
        WHERE ${where} ORDER BY start_day, epoch_ms(start::TIMESTAMPTZ), src, src_index`);
      const names = result.deduplicatedColumnNames();
      const geometry = names.indexOf('geometry');
      const headers = names.filter((c) => !DERIVED_COLUMNS.includes(c));
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const wkb = chunk.getColumnValues(geometry);
        const batch = chunk.convertRows(JsonDuckDBValueConverter).map((r, k) => {
          const o = Object.fromEntries(names.map((c, i) => [c, r[i]])) as Record<string, unknown>;
          const { incident, issues } = validateFeature(parquetFeature(o, headers, true, (wkb[k] as { bytes?: Uint8Array } | null)?.bytes), written + k);
          if (!incident) throw new UsageError(`--dataset: row ${String(o.id)} of the dataset does not validate: ${issues[0]?.reason}`);
          return incident;
        });
        yield format === 'csv' ? csvRows(batch) : geojsonFeatures(batch, written === 0);
        written += batch.length;
      }
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  }
  // The provenance, with its count, ends the file: the rows written are the count.
  if (format === 'geojson') yield `${geojsonTail(written, context)}\n`;
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
    const { chunks, warnings, out } = await openExport(argv, (p) => readFileSync(p), version, now);
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
