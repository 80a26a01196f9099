// npm run build-dataset -- --data FILE... --out DIR [--name NAME]
// Prepares files once into a folder any static host can serve: GeoParquet by month, overview
// aggregates and a manifest (see dataset-writer.ts). Every row passes the app's validator;
// the folder appears whole or not at all (it is built in DIR.tmp-… and renamed).

import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatIssue, type Issue } from '../core/schema.ts';
import { csvCell } from '../core/export.ts';
import { validateManifest, type SourceFile } from '../core/dataset-manifest.ts';
import { readSource, SourceError } from './dataset-sources.ts';
import { describe, findDuplicates, mergeStats, writeOverviews, writePartitions, WRITE_LANES, type MonthStats } from './dataset-writer.ts';

const USAGE = `Usage: npm run build-dataset -- --data FILE... --out DIR [--name NAME]
  --data FILE...  GeoJSON, NDJSON, CSV/TSV (ACLED columns) or Parquet/GeoParquet; repeat --data
                  or list several files after it (at least one)
  --out DIR       the dataset folder to create; it must not exist, or be empty
  --name NAME     the dataset's name in its manifest (default: the folder's name)`;

export class UsageError extends Error {}

export interface BuildOptions {
  data: string[];
  out: string;
  name: string;
  /** CSV files from this size are read in two parts at once (see readSource). */
  parallelBytes?: number;
}

export function parseBuildArgs(argv: string[]): BuildOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { data: { type: 'string', multiple: true }, out: { type: 'string' }, name: { type: 'string' } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (!values.data || values.data.length === 0) throw new UsageError('--data FILE is required');
  if (positionals.length > 0 && argv.indexOf('--data') > argv.indexOf(positionals[0])) throw new UsageError(`"${positionals[0]}": list the files after --data`);
  if (!values.out) throw new UsageError('--out DIR is required');
  const out = resolve(values.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--out: ${values.out} exists and is not empty; choose a new folder`);
  if (!existsSync(dirname(out))) throw new UsageError(`--out: the folder ${dirname(values.out)} does not exist`);
  const data = [...values.data, ...positionals];
  for (const file of data) if (!existsSync(file)) throw new UsageError(`--data: cannot read ${file}: ENOENT`);
  return { data, out, name: values.name ?? basename(out) };
}

export interface BuildSummary {
  rows: number;
  rejected: number;
  partitions: number;
  bytes: number;
  seconds: number;
}

/** Builds the dataset in `tmp`; the caller renames it into place. */
export async function build(options: BuildOptions, tmp: string, now: Date, say: (line: string) => void): Promise<BuildSummary> {
  const t0 = performance.now();
  mkdirSync(tmp);
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: resolve(tmp, '.spill') });
  const db = await instance.connect();
  try {
    const stageDir = resolve(tmp, '.stage');
    const staged = new Map<string, MonthStats>();
    const sources: SourceFile[] = [];
    const rejected: { src: number; file: string; issue: Issue }[] = [];
    let accepted = 0;
    for (const [src, file] of options.data.entries()) {
      let last = -1;
      const progress = (f: number) => {
        const pct = Math.floor(f * 10) * 10;
        if (pct !== last && pct < 100) say(`reading ${file}: ${pct}%`);
        last = pct;
      };
      const result = await readSource(file, src, stageDir, db, progress, options.parallelBytes);
      mergeStats(staged, result.months);
      accepted += result.accepted;
      for (const note of result.notes) say(`note: ${file}: ${note}`);
      for (const issue of result.issues) rejected.push({ src, file, issue });
      sources.push({ file: basename(file), sha256: result.sha256, bytes: result.bytes, rows: result.total, rejected: result.issues.length });
      say(`read ${file}${result.parts > 1 ? ` in ${result.parts} parts at once` : ''}: ${(result.total - result.issues.length).toLocaleString('en')} accepted, ${result.issues.length.toLocaleString('en')} rejected`);
    }
    say(`sorting and writing ${accepted.toLocaleString('en')} incidents`);
    const duplicates = accepted > 0 ? await findDuplicates(db, stageDir) : [];
    for (const d of duplicates) {
      const file = options.data[d.src];
      // Found after staging, across files or the two parts of one file: said as the importer says a repeat.
      const reason = d.src === d.firstSrc ? `duplicate id "${d.id}"` : `duplicate id "${d.id}", already in ${options.data[d.firstSrc]}`;
      rejected.push({ src: d.src, file, issue: { index: d.index, unit: d.unit as Issue['unit'], field: 'id', reason } });
      sources[d.src].rejected++;
    }
    // By file and row, wherever a row was found wanting: duplicates are found after reading.
    rejected.sort((a, b) => a.src - b.src || a.issue.index - b.issue.index);
    writeFileSync(resolve(tmp, 'rejected.csv'), rejectedCsv(rejected));
    const lanes = [db, ...(await Promise.all(Array.from({ length: WRITE_LANES - 1 }, () => instance.connect())))];
    const partitions = await writePartitions(lanes, tmp, stageDir, staged, duplicates, say).finally(() => lanes.slice(1).forEach((c) => c.closeSync()));
    rmSync(stageDir, { recursive: true, force: true });
    if (partitions.length === 0) throw new SourceError(`no valid incident in ${options.data.join(', ')}${rejected.length ? ` (${rejected.length} rejected: see the warnings)` : ''}`);
    const overviews = await writeOverviews(db, tmp, say);
    const manifest = await describe(db, tmp, options.name, now, sources, partitions, overviews);
    const check = validateManifest(JSON.parse(JSON.stringify(manifest)));
    if (check.error) throw new Error(`the manifest written does not validate: ${check.error}`);
    writeFileSync(resolve(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    for (const { file, issue } of rejected.slice(0, 20)) say(`rejected: ${formatIssue(issue, file)}`);
    if (rejected.length > 20) say(`… and ${(rejected.length - 20).toLocaleString('en')} more`);
    const bytes = partitions.reduce((n, p) => n + p.bytes, 0) + overviews.reduce((n, o) => n + o.bytes, 0);
    return { rows: manifest.rows, rejected: rejected.length, partitions: partitions.length, bytes, seconds: (performance.now() - t0) / 1000 };
  } finally {
    db.closeSync();
    instance.closeSync();
    rmSync(resolve(tmp, '.spill'), { recursive: true, force: true });
    rmSync(resolve(tmp, '.stage'), { recursive: true, force: true });
  }
}

function rejectedCsv(rejected: { file: string; issue: Issue }[]): string {
  const lines = rejected.map(({ file, issue }) => [file, issue.unit ?? 'feature', issue.index, issue.field, issue.reason].map(csvCell).join(','));
  return ['file,where,number,field,reason', ...lines].join('\r\n') + '\r\n';
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options: BuildOptions;
  try {
    options = parseBuildArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  const tmp = `${options.out}.tmp-${process.pid}`;
  const cleanUp = () => rmSync(tmp, { recursive: true, force: true });
  // Ctrl-C leaves nothing behind: the half-built folder goes, DIR was never touched.
  const interrupted = (signal: NodeJS.Signals) => {
    cleanUp();
    process.stderr.write(`\ninterrupted (${signal}): nothing was written to ${options.out}\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const now = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  try {
    const summary = await build(options, tmp, now, (line) => process.stderr.write(`${line}\n`));
    // An empty DIR given on purpose is replaced; rmdir refuses one that filled up meanwhile.
    if (existsSync(options.out)) rmdirSync(options.out);
    renameSync(tmp, options.out);
    const rate = Math.round(summary.rows / summary.seconds);
    process.stderr.write(
      `${summary.rows.toLocaleString('en')} incidents, ${summary.rejected.toLocaleString('en')} rejected (${options.out}/rejected.csv); ` +
        `${summary.partitions} partitions, ${(summary.bytes / 1e6).toFixed(1)} MB in ${summary.seconds.toFixed(1)} s (${rate.toLocaleString('en')} rows/s)\n`,
    );
    return 0;
  } catch (e) {
    cleanUp();
    if (e instanceof SourceError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  process.exitCode = await main();
}
