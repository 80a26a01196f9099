import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { build } from '../../../src/cli/build-dataset.ts';
import { planSegments, runExport, UsageError, type DatasetFile } from '../../../src/cli/export.ts';
import { EXPORT_ORDER } from '../../../src/cli/export-segment.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';

const read = (p: string) => readFileSync(p);
const now = new Date('2026-11-29T00:00:00Z');
/** The bundled data and import fixtures: polygons and lines, time zones, quoted line breaks, hostile keys. */
const SOURCES = ['data/incidents.geojson', ...['acled.csv', 'bad-rows.csv', 'proto.csv', 'quoted-newlines.csv', 'timezones.csv'].map((f) => `tests/fixtures/import/${f}`)];
/** One generated file: ties on the same day and start time, points over the whole world. */
function generated(n: number): string {
  const lines = ['id,event_date,latitude,longitude,event_type,sub_event_type,fatalities,status'];
  for (let i = 0; i < n; i++) lines.push(`G${(i * 7919) % n},${1 + (i % 9)} January 2020,${((i * 37) % 170) - 85},${((i * 53) % 359) - 179.5},Battles,${i % 3 ? 'Armed clash' : 'Air/drone strike'},${i % 4},${i % 5 ? 'confirmed' : 'disputed'}`);
  return lines.join('\n') + '\n';
}

const MONTHS = ['January', 'February', 'March', 'April', 'May'];
/** Five months of rows, a few a day, ties on the same day and start time among them. */
function months(n: number): string {
  const lines = ['id,event_date,latitude,longitude,event_type,sub_event_type,fatalities,status'];
  for (let i = 0; i < n; i++) lines.push(`M${(i * 7919) % n},${1 + (i % 28)} ${MONTHS[Math.floor(i / 7) % 5]} 2020,${((i * 37) % 170) - 85},${((i * 53) % 359) - 179.5},Battles,${i % 3 ? 'Armed clash' : 'Air/drone strike'},${i % 4},${i % 5 ? 'confirmed' : 'disputed'}`);
  return lines.join('\n') + '\n';
}

let root: string;
const datasets = new Map<string, string>();
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'atlas-export-'));
  writeFileSync(join(root, 'generated.csv'), generated(600));
  writeFileSync(join(root, 'months.csv'), months(700));
  for (const file of [...SOURCES, join(root, 'generated.csv'), join(root, 'months.csv')]) {
    const out = join(root, `ds-${datasets.size}`);
    await build({ data: [file], out, name: 'x' }, out, now, () => {});
    datasets.set(file, out);
  }
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Both exports, or both refusals (a --from after the data's last day) with the same message. */
const both = async (file: string, args: string[]) => {
  const outcome = (argv: string[]) => runExport(argv, read, '1.0.0', now).then((r) => r.output, (e: Error) => `refused: ${e.message}`);
  const fromData = { output: await outcome(['--data', file, ...args]) };
  const fromDataset = { output: await outcome(['--dataset', datasets.get(file)!, ...args]) };
  return { fromData, fromDataset };
};
const features = (geojson: string) => (geojson.startsWith('refused: ') ? geojson : (JSON.parse(geojson) as { features: unknown[] }).features);

describe('npm run export -- --dataset', () => {
  const FILTERS = [
    [],
    ['--from', '2020-01-03', '--to', '2020-01-03'],
    ['--bbox', '44,33,45,34'],
    ['--bbox=170,-90,-170,90'],
    ['--bbox=40,-10,-40,60', '--category', 'armed clash,airstrike'],
    ['--status', 'disputed', '--from', '2020-01-02'],
    ['--bbox=-180,-90,180,90', '--category', 'drone strike,other'],
  ];
  it.each(SOURCES.flatMap((file) => FILTERS.map((args) => [file, args] as const)))('exports from the dataset of %s what --data exports, for %j', async (file, args) => {
    const { fromData, fromDataset } = await both(file, args);
    expect(features(fromDataset.output)).toEqual(features(fromData.output));
    const csv = await both(file, [...args, '--format', 'csv']);
    expect(csv.fromDataset.output).toBe(csv.fromData.output);
  });

  it('matches the in-memory rule for random days, views (antimeridian too), categories and statuses', async () => {
    const file = join(root, 'generated.csv');
    const day = fc.integer({ min: 1, max: 10 }).map((d) => `2020-01-${String(d).padStart(2, '0')}`);
    const lon = fc.integer({ min: -360, max: 360 }).map((x) => x / 2);
    const lat = fc.integer({ min: -180, max: 180 }).map((y) => y / 2);
    const list = (words: string[]) => fc.subarray(words, { minLength: 1 }).map((w) => w.join(','));
    await fc.assert(
      fc.asyncProperty(day, day, lon, lon, lat, lat, fc.option(list(['armed clash', 'airstrike', 'other'])), fc.option(list(['confirmed', 'disputed'])), async (d1, d2, w, e, s, n, category, status) => {
        const args = ['--from', d1 < d2 ? d1 : d2, '--to', d1 < d2 ? d2 : d1, `--bbox=${w},${Math.min(s, n)},${e},${Math.max(s, n)}`, '--format', 'csv'];
        if (category) args.push('--category', category);
        if (status) args.push('--status', status);
        const { fromData, fromDataset } = await both(file, args);
        expect(fromDataset.output).toBe(fromData.output);
        expect(fromData.output.startsWith('refused')).toBe(false);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('names the manifest and its SHA-256 in the provenance', async () => {
    const dir = datasets.get(SOURCES[0])!;
    const { output } = await runExport(['--dataset', dir, '--bbox', '44,33,45,34'], read, '1.0.0', now);
    const { provenance } = JSON.parse(output);
    expect(provenance.datasets).toEqual([{ name: join(dir, 'manifest.json'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(provenance.view_bbox).toEqual([44, 33, 45, 34]);
  });

  it.each([
    [['--dataset', '/no/such/dir'], 'cannot read /no/such/dir/manifest.json: ENOENT'],
    [['--dataset', 'data'], 'cannot read data/manifest.json'],
    [['--dataset', 'x', '--data', 'y'], 'not both'],
  ])('refuses %j', async (argv, message) => {
    await expect(runExport(argv, read, '1', now)).rejects.toThrow(UsageError);
    await expect(runExport(argv, read, '1', now)).rejects.toThrow(message);
  });

  it('refuses a malformed or future manifest, and exits 2', async () => {
    const bad = join(root, 'bad');
    rmSync(bad, { recursive: true, force: true });
    spawnSync('mkdir', [bad]);
    writeFileSync(join(bad, 'manifest.json'), '{"format": "incident-atlas-dataset"');
    await expect(runExport(['--dataset', bad], read, '1', now)).rejects.toThrow('is not valid JSON');
    const manifest = JSON.parse(readFileSync(join(datasets.get(SOURCES[0])!, 'manifest.json'), 'utf8'));
    writeFileSync(join(bad, 'manifest.json'), JSON.stringify({ ...manifest, version: 99 }));
    await expect(runExport(['--dataset', bad], read, '1', now)).rejects.toThrow('manifest.json:');
    const r = spawnSync('npx', ['tsx', 'src/cli/export.ts', '--dataset', bad], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: --dataset:');
  }, 30_000);
});

describe('npm run export -- --dataset, cut into segments for worker threads', () => {
  /** Cut even a small export, finely: segments of a few days, so the workers take turns. */
  const SPLIT = { parallelRows: 0, segmentRows: 40 };
  const dir = () => datasets.get(join(root, 'months.csv'))!;
  const filesOf = (d: string): DatasetFile[] =>
    (JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { partitions: { path: string; rows: number; days: { from: string; to: string } }[] }).partitions.map((p) => ({
      path: join(d, p.path),
      rows: p.rows,
      days: { from: dayOfIsoDate(p.days.from), to: dayOfIsoDate(p.days.to) },
    }));
  const ids = async (files: string[], where: string) => {
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const list = files.map((f) => `'${f}'`).join(', ');
    const rows = files.length ? ((await (await db.runAndReadAll(`SELECT id FROM read_parquet([${list}], hive_partitioning = false) WHERE ${where} ${EXPORT_ORDER}`)).getRowObjectsJson()) as { id: string }[]) : [];
    db.closeSync();
    return rows.map((r) => r.id);
  };

  it('cuts the days into segments that hold each row once, in the order of one query over the whole', async () => {
    const files = filesOf(dir());
    expect(files.length).toBe(5);
    const segments = await planSegments(files, 'true', SPLIT);
    expect(segments.length).toBeGreaterThan(10);
    // A segment reads the files its days may be in, not all of them.
    expect(segments.every((s) => s.files.length >= 1 && s.files.length <= 2)).toBe(true);
    const pieces = await Promise.all(segments.map((s) => ids(s.files, s.where)));
    expect(pieces.every((p) => p.length > 0)).toBe(true);
    expect(pieces.flat()).toEqual(await ids(files.map((f) => f.path), 'true'));
    expect(pieces.flat().length).toBe(700);
  });

  it('keeps a small export in one thread unless told otherwise', async () => {
    expect(await planSegments(filesOf(dir()), 'true', {})).toHaveLength(1);
    expect(await planSegments(filesOf(dir()), 'true', { parallelRows: 701, segmentRows: 40 })).toHaveLength(1);
  });

  it.each([[[]], [['--from', '2020-02-10', '--to', '2020-04-03']], [['--bbox=-100,-50,60,70', '--status', 'disputed']], [['--bbox=170,-90,-170,90']], [['--from', '2020-05-20']]])(
    'writes through the workers the bytes one thread writes, for %j',
    async (args) => {
      for (const format of ['geojson', 'csv']) {
        const argv = ['--dataset', dir(), ...args, '--format', format];
        const one = await runExport(argv, read, '1.0.0', now);
        const split = await runExport(argv, read, '1.0.0', now, SPLIT);
        expect(split.output).toBe(one.output);
        if (format === 'csv') continue;
        const { features, provenance } = JSON.parse(split.output) as { features: { id: string }[]; provenance: { feature_count: number } };
        expect(provenance.feature_count).toBe(features.length);
        // The in-memory store's order, from the CSV itself.
        const fromData = JSON.parse((await runExport(['--data', join(root, 'months.csv'), ...args], read, '1.0.0', now)).output) as { features: { id: string }[] };
        expect(features.map((f) => f.id)).toEqual(fromData.features.map((f) => f.id));
      }
    },
    60_000,
  );

  describe('with rows that do not validate', () => {
    let bad: string;
    beforeAll(async () => {
      // The dataset of months.csv with a status no incident may have, on two rows of different months.
      bad = join(root, 'bad-rows');
      spawnSync('cp', ['-r', dir(), bad]);
      const db = await (await DuckDBInstance.create(':memory:')).connect();
      for (const month of ['2020-02', '2020-04']) {
        const file = join(bad, `month=${month}`, 'part-0.parquet');
        const [{ id }] = (await (await db.runAndReadAll(`SELECT id FROM read_parquet('${file}') ${EXPORT_ORDER} LIMIT 1 OFFSET 30`)).getRowObjectsJson()) as { id: string }[];
        await db.run(`COPY (SELECT * REPLACE (CASE WHEN id = '${id}' THEN 'rumoured' ELSE status END AS status) FROM read_parquet('${file}')) TO '${file}.new' (FORMAT parquet)`);
        spawnSync('mv', [`${file}.new`, file]);
        badIds.push(id);
      }
      db.closeSync();
    });
    const badIds: string[] = [];

    it('ends the export with the first bad row in the order, as one thread does', async () => {
      const refusal = (tuning?: typeof SPLIT) => runExport(['--dataset', bad], read, '1', now, tuning).then(() => null, (e: Error) => e);
      const one = await refusal();
      expect(one).toBeInstanceOf(UsageError);
      expect(one!.message).toMatch(`--dataset: row ${badIds[0]} of the dataset does not validate: `);
      const split = await refusal(SPLIT);
      expect(split).toBeInstanceOf(UsageError);
      expect(split!.message).toBe(one!.message);
      // After the first bad row, the second is the first one the export meets.
      const later = runExport(['--dataset', bad, '--from', '2020-03-01'], read, '1', now, SPLIT);
      await expect(later).rejects.toThrow(`--dataset: row ${badIds[1]} of the dataset does not validate: `);
    });

    it('exits 2 with the message and leaves no --out file', () => {
      const out = join(root, 'bad-out.geojson');
      const env = { ...process.env, ATLAS_EXPORT_PARALLEL_ROWS: '0', ATLAS_EXPORT_SEGMENT_ROWS: '40' };
      const r = spawnSync('npx', ['tsx', 'src/cli/export.ts', '--dataset', bad, '--out', out], { encoding: 'utf8', env });
      expect(r.stderr).toContain(`error: --dataset: row ${badIds[0]} of the dataset does not validate: `);
      expect(r.status).toBe(2);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(root).filter((f) => f.startsWith('bad-out'))).toEqual([]);
      // The same command on the good dataset writes the file the workers' pieces make.
      const good = spawnSync('npx', ['tsx', 'src/cli/export.ts', '--dataset', dir(), '--out', out], { encoding: 'utf8', env });
      expect(good.status).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8')).provenance.feature_count).toBe(700);
    }, 30_000);
  });
});
