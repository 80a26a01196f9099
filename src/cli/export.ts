// npm run export -- --data FILE [--from DATE] [--to DATE] [--bbox w,s,e,n] [--category C,…]
//                   [--status S,…] [--format geojson|csv] [--out FILE]
// The same core as the browser: import (every format the app reads), the visible-set rule,
// the serialisers with provenance.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CATEGORIES, STATUSES, formatIssue, type Category, type Status } from '../core/schema.ts';
import { importText, sniffBinary } from '../core/import/index.ts';
import { storeOfIncidents } from '../core/store-builder.ts';
import { visibleOf } from '../core/filter.ts';
import { dayOfIsoDate } from '../core/time.ts';
import { WORLD, type View } from '../core/geometry.ts';
import { serializeCsv, serializeGeoJson } from '../core/export.ts';
import { sha256Hex } from '../core/digest.ts';

const USAGE = `Usage: npm run export -- --data FILE [options]
  --data FILE        GeoJSON, NDJSON or CSV/TSV (ACLED columns), as the app imports (required)
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

/** The whole CLI minus process I/O, so tests can call it directly. */
export async function runExport(argv: string[], read: (path: string) => Buffer, version: string, now: Date): Promise<CliResult> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
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
  if (!values.data) throw new UsageError('--data FILE is required');
  if (values.format !== 'geojson' && values.format !== 'csv') throw new UsageError(`--format: "${values.format}" is not geojson or csv`);
  const view = parseBbox(values.bbox);
  const categories = parseList<Category>('category', values.category, CATEGORIES);
  const statuses = parseList<Status>('status', values.status, STATUSES);

  let bytes: Buffer;
  try {
    bytes = read(values.data);
  } catch (e) {
    throw new UsageError(`--data: cannot read ${values.data}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const binary = sniffBinary(new Uint8Array(bytes.subarray(0, 4096)));
  if (binary) throw new UsageError(`--data: ${values.data}: ${binary}`);
  const result = importText(bytes.toString('utf8'), values.data);
  if (result.fatal) throw new UsageError(`--data: ${values.data}: ${result.fatal}`);
  if (result.needsMapping) throw new UsageError(`--data: ${values.data}: which columns hold the latitude, longitude and date is ambiguous; name them latitude, longitude and event_date`);
  const { incidents } = result;
  const warnings = [...result.notes, ...result.issues.map((i) => formatIssue(i, values.data))];
  if (incidents.length === 0) throw new UsageError(`--data: ${values.data} holds no valid incident${warnings.length ? `:\n${warnings.join('\n')}` : ''}`);
  // The browser's own store and rule, so the CLI exports the same incidents in the same (day) order.
  const store = storeOfIncidents(incidents);
  const span = store.daySpan()!;
  const days = { from: parseDay('from', values.from, span.from), to: parseDay('to', values.to, span.to) };
  if (days.from > days.to) throw new UsageError('--from is after --to');
  const visible = Array.from(visibleOf(store, { days, view, categories, statuses }), (k) => incidents[store.order[k]]);
  const output =
    values.format === 'csv'
      ? serializeCsv(visible)
      : serializeGeoJson(visible, { days, view, categories, statuses, datasets: [{ name: values.data, sha256: await sha256Hex(new Uint8Array(bytes)) }], version, now }) + '\n';
  return { output, warnings, out: values.out };
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
    const { output, warnings, out } = await runExport(argv, (p) => readFileSync(p), version, now);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (out !== undefined) writeFileSync(out, output);
    else process.stdout.write(output);
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
