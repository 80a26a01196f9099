import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { check } from '@placemarkio/check-geojson';
import { runExport, UsageError } from '../../../src/cli/export.ts';

const read = (p: string) => readFileSync(p);
const now = new Date('2026-11-24T00:00:00Z');
const run = (...args: string[]) => runExport(['--data', 'data/incidents.geojson', ...args], read, '9.9.9', now);
const ids = (geojson: string) => (JSON.parse(geojson) as { features: { id: string }[] }).features.map((f) => f.id);

describe('npm run export', () => {
  it('exports the dates asked for, with provenance', async () => {
    const { output, warnings } = await run('--from', '2020-01-08', '--to', '2020-01-08');
    expect(warnings).toEqual([]);
    expect(() => check(output)).not.toThrow();
    const fc = JSON.parse(output);
    expect(fc.features.every((f: { properties: { end: string } }) => f.properties.end.slice(0, 10) >= '2020-01-08')).toBe(true);
    expect(fc.provenance).toMatchObject({ app: { version: '9.9.9' }, filters: { from: '2020-01-08', to: '2020-01-08' }, exported_at: '2026-11-24T00:00:00.000Z' });
    expect(fc.provenance.datasets[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('keeps only the bbox and categories asked for', async () => {
    const { output } = await run('--bbox', '44,33,45,34', '--category', 'drone strike');
    expect(ids(output)).toEqual(['baghdad-airport-drone-strike-2020-01-03']);
  });
  it('writes ACLED-style CSV', async () => {
    const { output } = await run('--format', 'csv', '--status', 'disputed');
    const lines = output.trim().split('\r\n');
    expect(lines[0].startsWith('event_id_cnty,event_date,')).toBe(true);
    expect(lines.slice(1).every((l) => l.includes(',disputed,'))).toBe(true);
  });
  it.each([
    [['--from', '2019-02-30'], '--from: "2019-02-30" is not a valid date'],
    [['--bbox', '1,2,3'], 'must be four numbers'],
    [['--bbox', '0,80,10,70'], 'south is greater than north'],
    [['--category', 'bombing'], 'unknown "bombing"'],
    [['--format', 'kml'], 'is not geojson or csv'],
    [['--from', '2020-01-05', '--to', '2020-01-01'], '--from is after --to'],
    [['--nope'], "Unknown option '--nope'"],
  ])('rejects %j with a clear message', async (args, message) => {
    await expect(run(...args)).rejects.toThrow(UsageError);
    await expect(run(...args)).rejects.toThrow(message);
  });
  it('requires --data and reports an unreadable or broken file', async () => {
    await expect(runExport([], read, '1', now)).rejects.toThrow('--data FILE or --dataset DIR is required');
    await expect(runExport(['--data', 'no/such.geojson'], read, '1', now)).rejects.toThrow('ENOENT');
    await expect(runExport(['--data', 'package-lock.json'], read, '1', now)).rejects.toThrow('is not GeoJSON');
    await expect(runExport(['--data', 'tests/fixtures/import/image.csv'], read, '1', now)).rejects.toThrow('This file is a PNG image');
    await expect(runExport(['--data', 'x.csv'], () => Buffer.from('latitude,longitude,event_date\n999,1,2020-01-01\n'), '1', now)).rejects.toThrow('holds no valid incident');
  });
  it('reads every format the app imports, and reports rejected rows by row number as the app does', async () => {
    const csv = await runExport(['--data', 'tests/fixtures/import/acled.csv', '--format', 'csv'], read, '1', now);
    expect(csv.output.split('\r\n').filter(Boolean).length).toBeGreaterThan(2);
    const bad = await runExport(['--data', 'tests/fixtures/import/bad-rows.csv'], read, '1', now);
    expect(bad.warnings.length).toBeGreaterThan(0);
    expect(bad.warnings.every((w) => /^tests\/fixtures\/import\/bad-rows\.csv: row \d+, /.test(w))).toBe(true);
    expect(JSON.parse(bad.output).features.length).toBeGreaterThan(0);
    const lines = readFileSync('data/incidents.geojson', 'utf8');
    const ndjson = JSON.parse(lines).features.map((f: unknown) => JSON.stringify(f)).join('\n');
    const fromNdjson = await runExport(['--data', 'x.ndjson'], () => Buffer.from(ndjson), '1', now);
    const fromGeojson = await runExport(['--data', 'data/incidents.geojson'], read, '1', now);
    expect(JSON.parse(fromNdjson.output).features).toEqual(JSON.parse(fromGeojson.output).features);
  });
  it('exits non-zero with the message on stderr when run as a command', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/export.ts', '--data', 'data/incidents.geojson', '--to', 'yesterday'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: --to: "yesterday" is not a valid date');
    expect(r.stdout).toBe('');
  });
  it('writes to --out and stays reproducible with SOURCE_DATE_EPOCH', () => {
    const out = `${process.env.TMPDIR ?? '/tmp'}/atlas-cli-${process.pid}.geojson`;
    const r = spawnSync('npx', ['tsx', 'src/cli/export.ts', '--data', 'data/incidents.geojson', '--out', out], { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1577836800' } });
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).provenance.exported_at).toBe('2020-01-01T00:00:00.000Z');
  });
});
