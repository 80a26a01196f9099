// The build-dataset and export --dataset benchmarks' halves (see README.md here, "Preparing a
// dataset" and "Exporting from a dataset"):
//   node tests/bench/dataset.mjs synth N FILE             seeded ACLED-style CSV, N rows over 24 months and the world
//   node tests/bench/dataset.mjs duckdb FILE DIR          the build's baseline: DuckDB alone reads the CSV and writes
//                                                         Parquet by month, sorted — no validation, no geometry, no overviews
//   node tests/bench/dataset.mjs duckdb-export DIR FILE   the export's baseline: DuckDB alone writes the dataset's rows,
//                                                         in the export's order, as JSON lines — no validation, no GeoJSON
import { closeSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

// src/core/random.ts's generator: this file runs under plain Node (npm run bench), which
// cannot import TypeScript, so the dozen lines stand here again.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes under a folder. */
function bytesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? bytesUnder(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

/**
 * npm run bench's build line: build-dataset on a seeded n-row CSV, whole process, beside DuckDB
 * alone on the same file, run in turn (ours, DuckDB, ours, …); medians of reps.
 */
export function buildBench(n, reps = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-build-bench-'));
  try {
    const csv = join(dir, 'in.csv');
    spawnSync(process.execPath, [new URL(import.meta.url).pathname, 'synth', String(n), csv], { stdio: 'inherit' });
    const run = (args, out) => {
      rmSync(out, { recursive: true, force: true });
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
      return (performance.now() - t0) / 1000;
    };
    const ours = [];
    const duck = [];
    let bytes = 0;
    for (let rep = 0; rep < reps; rep++) {
      ours.push(run(['--import', 'tsx', 'src/cli/build-dataset.ts', '--data', csv, '--out', join(dir, 'ours')], join(dir, 'ours')));
      bytes = bytesUnder(join(dir, 'ours'));
      duck.push(run([new URL(import.meta.url).pathname, 'duckdb', csv, join(dir, 'duck')], join(dir, 'duck')));
    }
    // The export's line on the dataset just built, before the folder goes.
    const exported = exportBench(join(dir, 'ours'), n, reps, run);
    return { n, ours: median(ours), duckdb: median(duck), bytes, csvBytes: statSync(csv).size, exported };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The feature_count of a GeoJSON export: its provenance ends the file. */
function featureCount(file) {
  const size = statSync(file).size;
  const tail = Buffer.alloc(Math.min(size, 64 * 1024));
  const fd = openSync(file, 'r');
  readSync(fd, tail, 0, tail.length, size - tail.length);
  closeSync(fd);
  return Number(/"feature_count":(\d+)/.exec(tail.toString('utf8'))?.[1]);
}

/**
 * npm run bench's export line: export --dataset of the whole dataset to a file, whole process,
 * beside DuckDB alone writing the same rows in the same order as JSON lines, in turn; medians.
 */
function exportBench(dataset, n, reps, run) {
  const ours = [];
  const duck = [];
  const geojson = join(dataset, '..', 'export.geojson');
  const json = join(dataset, '..', 'export.json');
  for (let rep = 0; rep < reps; rep++) {
    ours.push(run(['--import', 'tsx', 'src/cli/export.ts', '--dataset', dataset, '--out', geojson], geojson));
    duck.push(run([new URL(import.meta.url).pathname, 'duckdb-export', dataset, json], json));
  }
  const count = featureCount(geojson);
  if (count !== n) throw new Error(`export --dataset wrote ${count} features of ${n} rows`);
  return { ours: median(ours), duckdb: median(duck), bytes: statSync(geojson).size, jsonBytes: statSync(json).size };
}

export function exportLine(r) {
  const e = r.exported;
  return `export --dataset of all ${r.n.toLocaleString('en')} rows to GeoJSON (${(e.bytes / 1e6).toFixed(0)} MB): ${e.ours.toFixed(2)} s (${Math.round(r.n / e.ours).toLocaleString('en')} rows/s); DuckDB alone, the same rows and order as JSON lines (${(e.jsonBytes / 1e6).toFixed(0)} MB), ${e.duckdb.toFixed(2)} s; ours / DuckDB ${(e.ours / e.duckdb).toFixed(1)}`;
}

/** The line npm run bench prints, extrapolated linearly to 100M rows. */
export function buildLine(r) {
  const hundredM = (r.ours / r.n) * 1e8;
  return `build-dataset ${r.n.toLocaleString('en')} ACLED-style CSV rows (${(r.csvBytes / 1e6).toFixed(1)} MB): ${r.ours.toFixed(2)} s (${Math.round(r.n / r.ours).toLocaleString('en')} rows/s); DuckDB alone ${r.duckdb.toFixed(2)} s; ours / DuckDB ${(r.ours / r.duckdb).toFixed(1)}; ${(r.bytes / r.n).toFixed(0)} bytes a row on disk; 100M rows at this rate: ${(hundredM / 60).toFixed(0)} min, ${((r.bytes / r.n) * 1e8 / 1e9).toFixed(1)} GB`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const [mode, a, b] = process.argv.slice(2);

if (mode === 'synth') {
  const n = Number(a);
  const random = mulberry32(17);
  // Written 100,000 lines at a time: 10M lines held at once ran out of heap.
  const fd = openSync(b, 'w');
  let lines = ['event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities'];
  for (let i = 0; i < n; i++) {
    if (lines.length === 100_000) {
      writeSync(fd, lines.join('\n') + '\n');
      lines = [];
    }
    const month = Math.floor(random() * 24);
    const year = 2020 + Math.floor(month / 12);
    const lat = (random() * 140 - 70).toFixed(4);
    const lon = (random() * 360 - 180).toFixed(4);
    lines.push(`X${i},${1 + Math.floor(random() * 28)} ${MONTHS[month % 12]} ${year},${year},1,Battles,Armed clash,Actor ${i % 97},Actor ${i % 89},Country ${i % 50},Region ${i % 300},Place ${i % 5000},${lat},${lon},${1 + (i % 3)},Local source; Another source,"Clashes reported near the town, with ${i % 7} casualties.",${i % 5}`);
  }
  writeSync(fd, lines.length > 0 ? lines.join('\n') + '\n' : '');
  closeSync(fd);
} else if (mode === 'duckdb') {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`COPY (SELECT *, strftime(strptime(event_date, '%d %B %Y'), '%Y-%m') AS month FROM read_csv('${a}') ORDER BY month, latitude, longitude)
    TO '${b}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), OVERWRITE_OR_IGNORE)`);
} else if (mode === 'duckdb-export') {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  // The geometry as the file's WKB bytes, as the export reads it.
  await db.run('SET enable_geoparquet_conversion = false');
  await db.run(`COPY (SELECT * FROM read_parquet('${a}/*/*.parquet', hive_partitioning = false) ORDER BY start_day, epoch_ms(start::TIMESTAMPTZ), src, src_index)
    TO '${b}' (FORMAT json)`);
} else if (mode !== undefined || process.argv[1] === new URL(import.meta.url).pathname) {
  process.stderr.write('usage: node tests/bench/dataset.mjs synth N FILE | duckdb FILE DIR | duckdb-export DIR FILE\n');
  process.exitCode = 2;
}
