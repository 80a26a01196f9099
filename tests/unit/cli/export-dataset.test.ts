import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { build } from '../../../src/cli/build-dataset.ts';
import { runExport, UsageError } from '../../../src/cli/export.ts';

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

let root: string;
const datasets = new Map<string, string>();
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'atlas-export-'));
  writeFileSync(join(root, 'generated.csv'), generated(600));
  for (const file of [...SOURCES, join(root, 'generated.csv')]) {
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
