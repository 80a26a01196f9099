import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, JsonDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { build, parseBuildArgs, UsageError } from '../../../src/cli/build-dataset.ts';
import { Stage } from '../../../src/cli/dataset-writer.ts';
import { validateManifest, type Manifest } from '../../../src/core/dataset-manifest.ts';
import { importText, MAX_FILE_BYTES } from '../../../src/core/import/index.ts';
import { wkbToGeometry } from '../../../src/core/wkb.ts';
import { hilbertKey } from '../../../src/core/hilbert.ts';
import { parquetFeature } from '../../../src/core/dataset-rows.ts';

const FIXTURES = 'tests/fixtures/import';
/** The fixtures a build reads through; the others are refused as whole files (tested below). */
const READABLE = ['acled.csv', 'bad-rows.csv', 'bom-semicolon.csv', 'proto.csv', 'quoted-newlines.csv', 'ragged.csv', 'timezones.csv'].map((f) => join(FIXTURES, f));
const now = new Date('2026-11-29T00:00:00Z');

let root: string;
let db: DuckDBConnection;
const rows = async (sql: string) => {
  const r = await db.runAndReadAll(sql);
  const names = r.deduplicatedColumnNames();
  return r.convertRows(JsonDuckDBValueConverter).map((v) => Object.fromEntries(names.map((n, i) => [n, v[i]])));
};
const lines: string[] = [];
async function buildInto(name: string, data: string[]): Promise<{ dir: string; manifest: Manifest }> {
  const dir = join(root, name);
  await build({ data, out: dir, name }, dir, now, (l) => lines.push(l));
  return { dir, manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'atlas-dataset-'));
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A row's foreign properties, in the order the app reads them (core/dataset-rows.ts), as JSON. */
const foreignJson = (row: Record<string, unknown>) => JSON.stringify(parquetFeature(row, [], true, undefined).properties);
/** The foreign properties' columns: one per key (extra.KEY), and the text of the rows that have none (extra_json). */
const FOREIGN = `COLUMNS('^extra[.]'), extra_json`;
const omit = (row: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(row).filter(([k]) => k !== key));

describe('npm run build-dataset', () => {
  it('builds the bundled data and the import fixtures into GeoParquet that DuckDB reads back', async () => {
    const { dir, manifest } = await buildInto('all', ['data/incidents.geojson', ...READABLE]);
    expect(validateManifest(manifest).error).toBeUndefined();
    // The same accepted incidents as the app's importer, file by file.
    const expected = ['data/incidents.geojson', ...READABLE].map((f) => importText(readFileSync(f, 'utf8'), f));
    expect(manifest.rows).toBe(expected.reduce((n, r) => n + r.incidents.length, 0));
    expect(manifest.sources.map((s) => s.rejected)).toEqual(expected.map((r) => r.issues.length));
    expect(manifest.sources[0]).toMatchObject({ file: 'incidents.geojson', rows: 14, bytes: readFileSync('data/incidents.geojson').length });
    expect(manifest.partitions.map((p) => p.path)).toEqual(['month=2019-12/part-0.parquet', 'month=2020-01/part-0.parquet']);
    const glob = `'${dir}/month=*/*.parquet'`;
    const [all] = await rows(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM read_parquet(${glob})`);
    expect(all).toEqual({ n: manifest.rows, ids: manifest.rows });
    for (const p of manifest.partitions) {
      const file = `'${join(dir, p.path)}'`;
      const [s] = await rows(`SELECT count(*)::INTEGER AS n, strftime(min(start_day), '%Y-%m-%d') AS first, strftime(max(end_day), '%Y-%m-%d') AS last,
        min(bbox.xmin) AS w, min(bbox.ymin) AS s, max(bbox.xmax) AS e, max(bbox.ymax) AS n2 FROM read_parquet(${file})`);
      expect(s).toEqual({ n: p.rows, first: p.days.from, last: p.days.to, w: p.bbox[0], s: p.bbox[1], e: p.bbox[2], n2: p.bbox[3] });
      // Rows run by the week (Monday to Sunday) of their first day, then along the Hilbert curve.
      const keys = (await rows(`SELECT floor((start_day - DATE '1970-01-05') / 7)::INTEGER AS week, lon, lat FROM read_parquet(${file})`)).map((r) => [r.week as number, hilbertKey(r.lon as number, r.lat as number)]);
      expect(keys).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
      const [geo] = await rows(`SELECT decode(value) AS v FROM parquet_kv_metadata(${file}) WHERE decode(key) = 'geo'`);
      const meta = JSON.parse(geo.v as string);
      expect(meta).toMatchObject({ version: '1.1.0', primary_column: 'geometry', columns: { geometry: { encoding: 'WKB', covering: { bbox: { xmin: ['bbox', 'xmin'] } } } } });
      const [stats] = await rows(`SELECT count(*)::INTEGER AS n FROM parquet_metadata(${file}) WHERE path_in_schema = 'bbox, xmin' AND stats_min IS NOT NULL`);
      expect(stats.n).toBe(p.rowGroups);
    }
    // DuckDB sees the GeoParquet metadata and reads the column as its GEOMETRY type.
    const [t] = await rows(`SELECT typeof(geometry) AS t FROM read_parquet(${glob}) LIMIT 1`);
    expect(t.t).toContain('GEOMETRY');
    await db.run('SET enable_geoparquet_conversion = false');
    const [k1] = await rows(`SELECT geometry, lon, lat FROM read_parquet(${glob}) WHERE id = 'k1-rocket-attack-2019-12-27'`);
    await db.run('SET enable_geoparquet_conversion = true');
    expect(k1.geometry).toBeTruthy();
    const [ov] = await rows(`SELECT sum(count)::INTEGER AS n FROM read_parquet('${dir}/overview/zoom=9/*.parquet')`);
    expect(ov.n).toBe(manifest.rows);
    expect(manifest.overviews.map((o) => o.zoom)).toEqual([2, 6, 9, 12]);
  }, 60_000);

  it('writes rejected rows with file, row and reason, as the app reports them', async () => {
    const { dir } = await buildInto('rejected', READABLE);
    const csv = readFileSync(join(dir, 'rejected.csv'), 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('file,where,number,field,reason');
    expect(csv).toContain(`${FIXTURES}/bad-rows.csv,row,6,date,impossible date 2019-02-30`);
    expect(csv.length - 1).toBe(importText(readFileSync(`${FIXTURES}/bad-rows.csv`, 'utf8')).issues.length);
  }, 60_000);

  it('reads its own GeoParquet back to the same rows, hostile keys such as __proto__ kept as data', async () => {
    const first = await buildInto('first', ['data/incidents.geojson', ...READABLE]);
    const again = await buildInto('again', first.manifest.partitions.map((p) => join(first.dir, p.path)));
    expect(again.manifest.rows).toBe(first.manifest.rows);
    const cols = 'id, title, category, status, start, "end", start_day, end_day, killed, wounded, actors, sources, related, lon, lat, bbox';
    const [d] = await rows(`SELECT count(*)::INTEGER AS n FROM (SELECT ${cols} FROM read_parquet('${first.dir}/month=*/*.parquet', hive_partitioning = false)
      EXCEPT SELECT ${cols} FROM read_parquet('${again.dir}/month=*/*.parquet', hive_partitioning = false))`);
    expect(d.n).toBe(0);
    // The foreign properties, in each row's order: the columns may come in another order.
    const foreign = async (dir: string) => new Map((await rows(`SELECT id, ${FOREIGN} FROM read_parquet('${dir}/month=*/*.parquet')`)).map((r) => [r.id, foreignJson(omit(r, 'id'))]));
    const [was, is] = [await foreign(first.dir), await foreign(again.dir)];
    expect([...is].sort()).toEqual([...was].sort());
    const [proto] = await rows(`SELECT extra_json FROM read_parquet('${again.dir}/month=*/*.parquet') WHERE extra_json LIKE '%__proto__%'`);
    expect(JSON.parse(proto.extra_json as string)).toHaveProperty(['__proto__'], 'polluted');
  }, 60_000);

  it('keeps each foreign property exactly as JSON.stringify writes it, whatever its characters', async () => {
    const feature = JSON.parse(readFileSync('data/incidents.geojson', 'utf8')).features[0];
    const values = ['plain', 'a "quoted", comma', 'back\\slash', 'line\nbreak\ttab\u0001', 'lone \ud800 surrogate', 'pair 😀 é', '', 7.25, true, null, ['x', '"y"'], { nested: 'a,"b"' }];
    const features = values.map((v, i) => ({ ...feature, id: `odd-${i}`, properties: { ...feature.properties, id: `odd-${i}`, ['k "' + i + '"']: v, plain_key: v } }));
    const file = join(root, 'odd-values.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    const { dir } = await buildInto('odd-values', [file]);
    const got = await rows(`SELECT id, ${FOREIGN} FROM read_parquet('${dir}/month=*/*.parquet') ORDER BY id`);
    const want = features.map((f) => {
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(f.properties)) if (k.startsWith('k ') || k === 'plain_key') extra[k] = v;
      return { id: f.id, extra: JSON.stringify(extra) };
    });
    const byId = (a: { id: unknown }, b: { id: unknown }) => String(a.id).localeCompare(String(b.id));
    expect(got.map((r) => ({ id: r.id, extra: foreignJson(omit(r, 'id')) })).sort(byId)).toEqual(want.sort(byId));
    // Strings go to a column per key; other values, and a lone surrogate that DuckDB's JSON reader refuses, stay text.
    const text = new Set(got.filter((r) => r.extra_json !== null).map((r) => values[Number(String(r.id).slice(4))]));
    expect(text).toEqual(new Set(['lone \ud800 surrogate', 7.25, true, null, values[10], values[11]]));
    expect(got.find((r) => r.id === 'odd-1')).toEqual(expect.objectContaining({ 'extra.k "1"': 'a "quoted", comma', 'extra.plain_key': 'a "quoted", comma', 'extra.k "0"': null, extra_json: null }));
  }, 60_000);

  it('stages a field for every foreign column on each line, blank cells too, and reads blanks back as no property', async () => {
    const csv = 'event_id_cnty,event_date,latitude,longitude,notes,tags\nA1,1 January 2020,1,2,n,t\nA2,2 January 2020,1,2,n,\nA3,3 February 2020,1,2,,\n';
    // A line shorter than the widest makes DuckDB read its month in one thread (see writeMonth).
    const stage = new Stage(join(root, 'blank-stage'), 's0');
    importText(csv, 'blank.csv', { onAccept: (_item, row, incident) => stage.add(incident, 0, 'row', row), retain: false });
    expect([...stage.close().values()].map((m) => m.fields)).toEqual([6, 6]);
    const file = join(root, 'blank.csv');
    writeFileSync(file, csv);
    const { dir } = await buildInto('blank', [file]);
    const got = await rows(`SELECT id, ${FOREIGN} FROM read_parquet('${dir}/month=*/*.parquet') ORDER BY id`);
    expect(got.map((r) => JSON.parse(foreignJson(omit(r, 'id'))))).toEqual([
      { event_id_cnty: 'A1', event_date: '1 January 2020', latitude: '1', longitude: '2', notes: 'n', tags: 't' },
      { event_id_cnty: 'A2', event_date: '2 January 2020', latitude: '1', longitude: '2', notes: 'n' },
      { event_id_cnty: 'A3', event_date: '3 February 2020', latitude: '1', longitude: '2' },
    ]);
  }, 60_000);

  it('keeps foreign keys in each file\'s own order, as text when two files\' orders contradict each other', async () => {
    const feature = JSON.parse(readFileSync('data/incidents.geojson', 'utf8')).features[0];
    const write = (name: string, props: Record<string, unknown>[]) => {
      const file = join(root, name);
      const features = props.map((p, i) => ({ ...feature, id: `${name}-${i}`, properties: { ...feature.properties, id: `${name}-${i}`, ...p } }));
      writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
      return file;
    };
    // Values JSON must escape: when the orders contradict, DuckDB writes the column rows' JSON.
    const a = write('ab.geojson', [{ p: 'x "1",\n\u0001', q: 'é 😀 \\ /' }, { p: 'x2' }]);
    const b = write('ba.geojson', [{ q: 'y', p: 'x' }]);
    const c = write('ac.geojson', [{ p: 'x', r: 'z', q: 'y' }]);
    for (const [files, columns] of [[[a, c], true], [[a, b], false]] as const) {
      const { dir } = await buildInto(`orders-${columns}`, [...files]);
      const got = await rows(`SELECT * FROM read_parquet('${dir}/month=*/*.parquet')`);
      expect(got.every((r) => (columns ? r.extra_json === null : !Object.keys(r).some((k) => k.startsWith('extra.'))))).toBe(true);
      const want = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).features.map((x: { id: string; properties: Record<string, unknown> }) => [x.id, JSON.stringify(Object.fromEntries(Object.entries(x.properties).filter(([k]) => 'pqr'.includes(k))))]));
      expect(got.map((r) => [r.id, foreignJson(r)]).sort()).toEqual(want.sort());
    }
  }, 60_000);

  it('holds sources and related as JSON text, each list with its keys in the schema\'s order', async () => {
    const { dir } = await buildInto('lists', ['data/incidents.geojson']);
    const glob = `'${dir}/month=*/*.parquet'`;
    const types = await rows(`SELECT DISTINCT name, converted_type AS t FROM parquet_schema(${glob}) WHERE name IN ('sources', 'related')`);
    expect(types.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
      { name: 'related', t: 'JSON' },
      { name: 'sources', t: 'JSON' },
    ]);
    const got = new Map((await rows(`SELECT id, sources, related FROM read_parquet(${glob})`)).map((r) => [r.id, [r.sources, r.related]]));
    const bundled = importText(readFileSync('data/incidents.geojson', 'utf8'), 'incidents.geojson').incidents;
    expect(bundled.some((i) => i.properties.related.length > 0)).toBe(true);
    for (const i of bundled) {
      const sources = i.properties.sources.map((s) => ({ title: s.title, publisher: s.publisher, url: s.url, published: s.published }));
      const related = i.properties.related.map((r) => ({ type: r.type, id: r.id }));
      expect(got.get(i.id)).toEqual([JSON.stringify(sources), JSON.stringify(related)]);
    }
  }, 60_000);

  it('rejects an id that an earlier file already holds, naming that file', async () => {
    const { dir, manifest } = await buildInto('dups', ['data/incidents.geojson', 'data/incidents.geojson']);
    expect(manifest.rows).toBe(14);
    const csv = readFileSync(join(dir, 'rejected.csv'), 'utf8');
    expect(csv).toContain('data/incidents.geojson,feature,0,id,"duplicate id ""k1-rocket-attack-2019-12-27"", already in data/incidents.geojson"');
    expect(manifest.sources[1].rejected).toBe(14);
  }, 60_000);

  it('stores each geometry as WKB that reads back to the GeoJSON geometry', async () => {
    const { dir } = await buildInto('wkb', ['data/incidents.geojson']);
    await db.run('SET enable_geoparquet_conversion = false');
    const r = await db.runAndReadAll(`SELECT id, geometry FROM read_parquet('${dir}/month=*/*.parquet')`);
    await db.run('SET enable_geoparquet_conversion = true');
    const features = new Map((JSON.parse(readFileSync('data/incidents.geojson', 'utf8')).features as { id: string; geometry: unknown }[]).map((f) => [f.id, f.geometry]));
    for (const [id, blob] of r.getRows()) expect(wkbToGeometry((blob as { bytes: Uint8Array }).bytes)).toEqual(features.get(String(id)));
  }, 60_000);
});

describe('build-dataset arguments and failures', () => {
  it.each([
    [[], '--data FILE is required'],
    [['--data', 'data/incidents.geojson'], '--out DIR is required'],
    [['--data', 'no/such.csv', '--out', '/tmp/x'], 'cannot read no/such.csv: ENOENT'],
    [['--data', 'data/incidents.geojson', '--out', 'data'], 'exists and is not empty'],
    [['--data', 'data/incidents.geojson', '--out', '/no/such/dir/out'], 'does not exist'],
    [['--nope'], "Unknown option '--nope'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBuildArgs(argv)).toThrow(UsageError);
    expect(() => parseBuildArgs(argv)).toThrow(message);
  });
  it('takes several files after one --data', () => {
    expect(parseBuildArgs(['--data', 'data/incidents.geojson', `${FIXTURES}/acled.csv`, '--out', join(tmpdir(), 'x-new')]).data).toEqual(['data/incidents.geojson', `${FIXTURES}/acled.csv`]);
  });
  it.each([
    ['image.csv', 'This file is a PNG image'],
    ['crs.geojson', '"crs" member'],
    ['broken.geojson', 'not valid JSON'],
    ['ambiguous.csv', 'ambiguous'],
  ])('exits 2 on the hostile file %s, leaving nothing behind', (file, message) => {
    const out = join(root, `fail-${file}`);
    const r = spawnSync('npx', ['tsx', 'src/cli/build-dataset.ts', '--data', 'data/incidents.geojson', join(FIXTURES, file), '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.startsWith(`fail-${file}.tmp`))).toEqual([]);
  }, 30_000);
  it('exits 2 on a GeoJSON file larger than it reads whole, saying what to do', () => {
    const file = join(root, 'huge.geojson');
    const fd = openSync(file, 'w');
    writeSync(fd, '{"type": "FeatureCollection", "features": [');
    // Sparse: the file takes no disk.
    ftruncateSync(fd, MAX_FILE_BYTES + 1);
    closeSync(fd);
    const out = join(root, 'fail-huge');
    const r = spawnSync('npx', ['tsx', 'src/cli/build-dataset.ts', '--data', 'data/incidents.geojson', file, '--out', out], { encoding: 'utf8' });
    rmSync(file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('huge.geojson: a GeoJSON file is read whole, at most 512 MB, and this one is 513 MB');
    expect(existsSync(out)).toBe(false);
  }, 30_000);
  it('exits 2 with the usage on bad arguments', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/build-dataset.ts', '--out', join(root, 'x')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: --data FILE is required');
    expect(r.stderr).toContain('Usage: npm run build-dataset');
  }, 30_000);
});

describe('build-dataset on a CSV read in two parts', () => {
  /** Rows with a quoted line break and a quote, and an id repeated across the middle of the file. */
  function csv(n: number): string {
    const lines = ['event_id_cnty,event_date,latitude,longitude,notes,fatalities'];
    for (let i = 0; i < n; i++) lines.push(`${i === n - 3 ? 'E5' : `E${i}`},${1 + (i % 28)} ${i % 2 ? 'March' : 'April'} 2020,${(i % 170) - 85},${(i % 350) - 175},"line one\nline ""two"" of ${i}",${i % 4}`);
    lines.push('E-bad,30 February 2020,1,1,impossible date,0');
    return lines.join('\n') + '\n';
  }
  const all = async (dir: string) => {
    await db.run('SET enable_geoparquet_conversion = false');
    const out = await rows(`SELECT * EXCLUDE (filename), regexp_extract(filename, 'month=[^/]+') AS part FROM read_parquet('${dir}/month=*/*.parquet', filename = true, hive_partitioning = false) ORDER BY part, id`);
    await db.run('SET enable_geoparquet_conversion = true');
    return out;
  };

  it('writes the same dataset as one read-through, a repeat across the parts rejected as the importer would', async () => {
    const file = join(root, 'two-parts.csv');
    writeFileSync(file, csv(3000));
    const one = join(root, 'one-part');
    const two = join(root, 'two-parts');
    await build({ data: [file], out: one, name: 'x', parallelBytes: Infinity }, one, now, () => {});
    const said: string[] = [];
    await build({ data: [file], out: two, name: 'x', parallelBytes: 0 }, two, now, (l) => said.push(l));
    expect(said).toContain(`read ${file} in 2 parts at once: 3,000 accepted, 1 rejected`);
    expect(readFileSync(join(two, 'manifest.json'), 'utf8')).toBe(readFileSync(join(one, 'manifest.json'), 'utf8'));
    expect(readFileSync(join(two, 'rejected.csv'), 'utf8')).toBe(readFileSync(join(one, 'rejected.csv'), 'utf8'));
    expect(readFileSync(join(one, 'rejected.csv'), 'utf8')).toContain(`${file},row,2999,id,"duplicate id ""E5"""`);
    expect(await all(two)).toEqual(await all(one));
    expect(readdirSync(two).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 60_000);
});
