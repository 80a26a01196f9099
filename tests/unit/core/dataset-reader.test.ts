import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from '../../../src/cli/build-dataset.ts';
import { DatasetError, DatasetReader, featureColumns, pointsOnly, type DatasetFiles, type GroupRows } from '../../../src/core/dataset-reader.ts';
import { CATEGORIES, STATUSES, validateFeature, type Incident } from '../../../src/core/schema.ts';
import { feature } from '../../fixtures/incident.ts';
import { visibleIncidents } from '../../oracle.ts';
import type { FileMetaData } from 'hyparquet';
import { FolderFiles, UrlFiles, type PickedFile } from '../../../src/core/dataset-files.ts';
import { GroupedStore, groupsToHold } from '../../../src/core/dataset-cache.ts';
import { MANIFEST_VERSION, type Manifest } from '../../../src/core/dataset-manifest.ts';
import { visibleIndices } from '../../../src/core/filter.ts';
import { RowTable } from '../../../src/core/table.ts';
import { rebuilder, importText } from '../../../src/core/import/index.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import type { View } from '../../../src/core/geometry.ts';
import type { IncidentStore } from '../../../src/core/store.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';
import { serveFolder } from '../static-server.ts';
import { DuckDBInstance } from '@duckdb/node-api';

let root: string;
let dir: string;
let manifest: Manifest;

/** Seeded ACLED-style rows, dense enough that a month holds several row groups. */
function synthCsv(n: number): string {
  const random = mulberry32(7);
  const lines = ['event_id_cnty,event_date,event_type,sub_event_type,country,location,latitude,longitude,geo_precision,source,notes,fatalities'];
  for (let i = 0; i < n; i++) {
    const day = 1 + Math.floor(random() * 28);
    const month = random() < 0.5 ? 'January' : 'February';
    lines.push(`S${i},${day} ${month} 2021,Battles,Armed clash,Country ${i % 9},Place ${i % 700},${(random() * 120 - 60).toFixed(4)},${(random() * 340 - 170).toFixed(4)},${1 + (i % 3)},Local source,Note ${i},${i % 4}`);
  }
  return lines.join('\n') + '\n';
}

/** The files of a folder as the folder picker hands them over. */
function picked(folder: string, name = 'picked'): PickedFile[] {
  const out: PickedFile[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const blob = new Blob([readFileSync(path)]);
        out.push({ name: entry, size: blob.size, webkitRelativePath: `${name}/${relative(folder, path)}`, slice: (a, b) => blob.slice(a, b), arrayBuffer: () => blob.arrayBuffer() });
      }
    }
  };
  walk(folder);
  return out;
}

const serve = (ranges: boolean) => serveFolder(root, ranges);

/** A copy of the dataset, changed by `change`, to read as a folder. */
function variant(name: string, change: (d: string) => void): string {
  const d = join(root, name);
  cpSync(dir, d, { recursive: true });
  change(d);
  return d;
}

/** Every row group read at most once per reader: the property below asks for the same ones again and again. */
const reads = new WeakMap<DatasetReader, Map<string, Promise<GroupRows>>>();

async function readAll(reader: DatasetReader, days: { from: number; to: number }, view: View): Promise<{ store: IncidentStore; ids: string[]; table: RowTable }> {
  const groups = await reader.rowGroups(days, view);
  if (!reads.has(reader)) reads.set(reader, new Map());
  const cache = reads.get(reader)!;
  const read = await Promise.all(
    groups.map((g) => {
      if (!cache.has(g.id)) cache.set(g.id, reader.read(g));
      return cache.get(g.id)!;
    }),
  );
  const held = new GroupedStore();
  const store = held.hold(
    read.map((g) => g.id),
    new Map(read.map((g) => [g.id, g.store])),
  );
  const byId = new Map(read.map((g) => [g.id, g.batches]));
  const table = new RowTable(
    held.held.flatMap((g) => byId.get(g.id)!),
    rebuilder({ format: 'geojson' }),
  );
  const ids = Array.from(visibleIndices(store, days, view, null), (i) => table.id(store.order[i])).sort();
  return { store, ids, table };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'atlas-reader-'));
  writeFileSync(join(root, 'synth.csv'), synthCsv(48_000));
  dir = join(root, 'ds');
  await build({ data: ['data/incidents.geojson', join(root, 'synth.csv')], out: dir, name: 'reader test' }, dir, new Date('2026-11-29T00:00:00Z'), () => {});
  manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('DatasetReader', () => {
  it('reads the manifest and names it by its SHA-256', async () => {
    const reader = await DatasetReader.open(new FolderFiles(picked(dir)));
    expect(reader.manifest.rows).toBe(manifest.rows);
    expect(reader.files.label).toBe('picked');
    const { createHash } = await import('node:crypto');
    expect(reader.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex'));
  });

  it('reads back every incident the importer accepted, with every property', async () => {
    const reader = await DatasetReader.open(new FolderFiles(picked(dir)));
    const span = { from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) };
    const { ids, table } = await readAll(reader, span, [-180, -90, 180, 90]);
    expect(ids.length).toBe(manifest.rows);
    const bundled = importText(readFileSync('data/incidents.geojson', 'utf8'), 'incidents.geojson').incidents;
    const k = Array.from({ length: table.length }, (_, i) => i).find((i) => table.id(i) === bundled[0].id)!;
    const back = table.get(k);
    expect(back.properties).toEqual(bundled[0].properties);
    expect(back.geometry).toEqual(bundled[0].geometry);
    expect([back.start, back.end, back.startDay, back.endDay]).toEqual([bundled[0].start, bundled[0].end, bundled[0].startDay, bundled[0].endDay]);
  }, 60_000);

  it('reads a group a slice at a time, asking `stop` between slices: the same rows while it says no, null once it says yes', async () => {
    const reader = await DatasetReader.open(new FolderFiles(picked(dir)));
    const span = { from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) };
    const group = (await reader.rowGroups(span, [-180, -90, 180, 90])).find((g) => g.rows > 4_000)!;
    const whole = await reader.read(group);
    // Each row numbered as the file's row, from 1.
    expect(whole.batches.flatMap((b) => [...b.index])).toEqual(Array.from({ length: group.rows }, (_, k) => group.rowStart + k + 1));
    let asked = 0;
    const sliced = await reader.read(group, undefined, async () => (asked++, false));
    expect(asked).toBeGreaterThanOrEqual(1);
    const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
    expect(same(new Uint8Array(sliced!.store.buffer), new Uint8Array(whole.store.buffer))).toBe(true);
    expect(sliced!.batches.map((b) => b.ids)).toEqual(whole.batches.map((b) => b.ids));
    expect(sliced!.batches.every((b, k) => same(b.bytes, whole.batches[k].bytes) && same(b.index, whole.batches[k].index))).toBe(true);
    expect(await reader.read(group, undefined, async () => true)).toBeNull();
  });

  it('reads a dataset that holds sources and related as typed lists of structs, as built before they were JSON text', async () => {
    const typed = join(root, 'typed-lists');
    cpSync(dir, typed, { recursive: true });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run('SET enable_geoparquet_conversion = false');
    const shapes = { sources: '[{"title": "VARCHAR", "publisher": "VARCHAR", "url": "VARCHAR", "published": "VARCHAR"}]', related: '[{"type": "VARCHAR", "id": "VARCHAR"}]' };
    const rewritten = { ...manifest, partitions: [] as Manifest['partitions'] };
    for (const p of manifest.partitions) {
      const from = join(dir, p.path);
      const to = join(typed, p.path);
      const kv = (await db.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${from}')`)).getRowObjectsJson();
      const metadata = kv.map((r) => `${String(r.k)}: '${String(r.v).replaceAll("'", "''")}'`).join(', ');
      await db.run(`COPY (SELECT * REPLACE (from_json(sources, '${shapes.sources}') AS sources, from_json(related, '${shapes.related}') AS related) FROM read_parquet('${from}', hive_partitioning = false))
        TO '${to}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 10240, KV_METADATA {${metadata}})`);
      rewritten.partitions.push({ ...p, bytes: statSync(to).size });
    }
    const [type] = (await db.runAndReadAll(`SELECT type FROM parquet_schema('${join(typed, manifest.partitions[0].path)}') WHERE name = 'sources'`)).getRowObjectsJson();
    expect(type.type).toBeNull(); // a list, not a JSON column
    writeFileSync(join(typed, 'manifest.json'), JSON.stringify(rewritten));
    const span = { from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) };
    const world: View = [-180, -90, 180, 90];
    const was = await readAll(await DatasetReader.open(new FolderFiles(picked(dir))), span, world);
    const now = await readAll(await DatasetReader.open(new FolderFiles(picked(typed, 'typed'))), span, world);
    expect(now.ids).toEqual(was.ids);
    const byId = (t: RowTable) => new Map(Array.from({ length: t.length }, (_, k) => [t.id(k), t.get(k).properties]));
    expect(byId(now.table)).toEqual(byId(was.table));
  }, 60_000);

  it('skips partitions and row groups by their statistics, never a row that matches (against a brute-force filter)', async () => {
    // More than one row group per month, so groups are skipped inside a partition too.
    expect(manifest.partitions.some((p) => p.rowGroups > 1)).toBe(true);
    const reader = await DatasetReader.open(new FolderFiles(picked(dir)));
    const span = { from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) };
    const everything = await readAll(reader, span, [-180, -90, 180, 90]);
    const all = everything.store;
    const lon = fc.double({ min: -180, max: 180, noNaN: true });
    const lat = fc.double({ min: -90, max: 90, noNaN: true });
    const day = fc.integer({ min: span.from - 3, max: span.to + 3 });
    let skipped = 0;
    await fc.assert(
      fc.asyncProperty(fc.tuple(lon, lon, lat, lat), fc.tuple(day, day), async ([w, e, a, b], [d1, d2]) => {
        // w > e: a view across the antimeridian.
        const view: View = [w, Math.min(a, b), e, Math.max(a, b)];
        const days = { from: Math.min(d1, d2), to: Math.max(d1, d2) };
        const expected = Array.from(visibleIndices(all, days, view, null), (i) => everything.table.id(all.order[i])).sort();
        const groups = await reader.rowGroups(days, view);
        skipped += manifest.partitions.reduce((n, p) => n + p.rowGroups, 0) - groups.length;
        const { ids } = await readAll(reader, days, view);
        expect(ids).toEqual(expected);
      }),
      { numRuns: 60, seed: 17 },
    );
    expect(skipped).toBeGreaterThan(0);
  }, 120_000);

  it('sums the overview cells of a date window to the incidents whose first day is in it', async () => {
    const reader = await DatasetReader.open(new FolderFiles(picked(dir)));
    const span = { from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) };
    const { store } = await readAll(reader, span, [-180, -90, 180, 90]);
    const window = { from: dayOfIsoDate('2021-01-20'), to: dayOfIsoDate('2021-02-03') };
    let expected = 0;
    for (let i = 0; i < store.size; i++) if (store.columns.startDay[i] >= window.from && store.columns.startDay[i] <= window.to) expected++;
    expect(expected).toBeGreaterThan(0);
    for (const zoom of [6, 12]) {
      const cells = await reader.overview(zoom, window);
      expect(cells.count.reduce((n, c) => n + c, 0), `zoom ${zoom}`).toBe(expected);
    }
    expect((await reader.overview(6, span)).count.reduce((n, c) => n + c, 0)).toBe(manifest.rows);
  }, 60_000);

  it('reads a dataset from a server by range requests, fetching less than the whole for a small view', async () => {
    const { server, url } = await serve(true);
    try {
      const files = new UrlFiles(`${url}/ds/manifest.json`);
      const reader = await DatasetReader.open(files);
      const jan = { from: dayOfIsoDate('2021-01-10'), to: dayOfIsoDate('2021-01-11') };
      const { ids } = await readAll(reader, jan, [0, 0, 20, 20]);
      expect(ids.length).toBeGreaterThan(0);
      const total = manifest.partitions.reduce((n, p) => n + p.bytes, 0);
      expect(files.fetched).toBeLessThan(total / 2);
    } finally {
      server.close();
    }
  }, 60_000);
});

describe('featureColumns', () => {
  const schema = (elements: [name: string, children?: number][]) => ({ schema: elements.map(([name, num_children]) => ({ name, num_children })) }) as unknown as FileMetaData;

  it('keeps the fields, extra and geometry, and drops the derived columns with their nested children', () => {
    const metadata = schema([['duckdb_schema', 6], ['id'], ['bbox', 4], ['xmin'], ['ymin'], ['xmax'], ['ymax'], ['sources', 1], ['list', 1], ['element'], ['hilbert'], ['extra'], ['geometry']]);
    expect(featureColumns(metadata)).toEqual(['id', 'sources', 'extra', 'geometry']);
  });

  it('keeps a column it does not know, as the validator must see it', () => {
    expect(featureColumns(schema([['schema', 3], ['start_day'], ['notes_by_another_tool'], ['lon']]))).toEqual(['notes_by_another_tool']);
  });

  it('fetches no derived column larger than a gap hyparquet bridges when it reads a row group', async () => {
    const reader = await DatasetReader.open(new FolderFiles(picked(dir)));
    const groups = await reader.rowGroups({ from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) }, [-180, -90, 180, 90]);
    const group = groups.reduce((a, b) => (b.rows > a.rows ? b : a));
    const footer = await reader.footer(group.partition);
    const chunks = footer.row_groups[group.group].columns.map((c) => {
      const m = c.meta_data!;
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      return { top: m.path_in_schema[0], start, end: start + Number(m.total_compressed_size) };
    });
    const fetched: [number, number][] = [];
    const files: DatasetFiles = {
      label: reader.files.label,
      whole: (path) => reader.files.whole(path),
      ranged: (path, bytes) => {
        const inner = reader.files.ranged(path, bytes);
        return { byteLength: bytes, slice: (a, b) => (fetched.push([a, b ?? bytes]), inner.slice(a, b)) };
      },
    };
    const counted = await DatasetReader.open(files);
    await counted.footer(group.partition);
    fetched.length = 0;
    const rows = await counted.read(group);
    expect(rows.store.size).toBe(group.rows);
    // hyparquet joins ranges less than 8 KiB apart into one request, small derived chunks between needed ones included.
    const derived = chunks.filter((c) => ['start_day', 'end_day', 'lon', 'lat', 'bbox', 'hilbert', 'src', 'src_index'].includes(c.top) && c.end - c.start > 8192);
    expect(derived.length).toBeGreaterThan(0);
    for (const c of derived) for (const [a, b] of fetched) expect(b <= c.start || a >= c.end, `${c.top} fetched`).toBe(true);
    expect(fetched.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('DatasetReader refuses bad input with a message that says what is wrong', () => {
  const openFolder = (d: string) => DatasetReader.open(new FolderFiles(picked(d)));
  const firstGroups = async (files: DatasetFiles) => {
    const reader = await DatasetReader.open(files);
    const groups = await reader.rowGroups({ from: -1e6, to: 1e6 }, [-180, -90, 180, 90]);
    await Promise.all(groups.map((g) => reader.read(g)));
  };

  it('a folder without manifest.json', async () => {
    const d = variant('no-manifest', (v) => rmSync(join(v, 'manifest.json')));
    await expect(openFolder(d)).rejects.toThrow(/manifest\.json is missing from the folder/);
  });

  it('a manifest that is not JSON', async () => {
    const d = variant('bad-json', (v) => writeFileSync(join(v, 'manifest.json'), '{"format": "incident-atlas-dataset",'));
    await expect(openFolder(d)).rejects.toThrow(/manifest\.json is not valid JSON/);
  });

  it('a manifest of a later version', async () => {
    const d = variant('future', (v) => writeFileSync(join(v, 'manifest.json'), JSON.stringify({ ...manifest, version: MANIFEST_VERSION + 1 })));
    await expect(openFolder(d)).rejects.toThrow(/newer than this app reads/);
  });

  it('a manifest whose partition path leaves the folder', async () => {
    const evil = { ...manifest, partitions: manifest.partitions.map((p, i) => (i === 0 ? { ...p, path: '../secret.parquet' } : p)) };
    const d = variant('escape', (v) => writeFileSync(join(v, 'manifest.json'), JSON.stringify(evil)));
    await expect(openFolder(d)).rejects.toThrow(/must be a relative path inside the dataset/);
  });

  it('a truncated partition, from a folder and from a server', async () => {
    const p = manifest.partitions[0].path;
    const d = variant('truncated', (v) => truncateSync(join(v, p), 1000));
    await expect(firstGroups(new FolderFiles(picked(d)))).rejects.toThrow(new RegExp(`${p.replace(/[.=]/g, '\\$&')} is not the [\\d,]+ bytes manifest.json gives`));
    const { server, url } = await serve(true);
    try {
      await expect(firstGroups(new UrlFiles(`${url}/truncated/manifest.json`))).rejects.toThrow(/truncated/);
    } finally {
      server.close();
    }
  });

  it('a partition the server does not have (404)', async () => {
    variant('missing-part', (v) => rmSync(join(v, manifest.partitions[1].path)));
    const { server, url } = await serve(true);
    try {
      await expect(firstGroups(new UrlFiles(`${url}/missing-part/manifest.json`))).rejects.toThrow(/was not found \(404\)/);
    } finally {
      server.close();
    }
  });

  it('a server without range requests', async () => {
    const { server, url } = await serve(false);
    try {
      const files = new UrlFiles(`${url}/ds/manifest.json`);
      await expect(firstGroups(files)).rejects.toThrow(/does not support range requests/);
      await expect(firstGroups(files)).rejects.toBeInstanceOf(DatasetError);
    } finally {
      server.close();
    }
  });

  it('a URL that is not http: or https:', () => {
    expect(() => new UrlFiles('file:///etc/manifest.json')).toThrow(/must be an http: or https: URL/);
  });
});

describe('groupsToHold', () => {
  const g = (id: string, rows: number) => ({ id, rows });
  it('holds every needed group, then earlier ones most recent first while they fit', () => {
    expect(groupsToHold([g('a', 5)], [g('b', 3), g('c', 4), g('d', 1)], 10)).toEqual(['a', 'b', 'd']);
  });
  it('does not hold a needed group twice', () => {
    expect(groupsToHold([g('a', 5)], [g('a', 5)], 5)).toEqual(['a']);
  });
  it('gives null when the needed groups alone exceed the budget', () => {
    expect(groupsToHold([g('a', 6), g('b', 5)], [], 10)).toBeNull();
  });
});

describe('DatasetReader.count', () => {
  let mixed: string;
  let incidents: Incident[];
  beforeAll(async () => {
    // January holds points, polygons and lines (counted on their bbox); February points only
    // (counted on lon and lat).
    const random = mulberry32(11);
    const features = Array.from({ length: 400 }, (_, i) => {
      const x = random() * 300 - 150;
      const y = random() * 140 - 70;
      const day = `2021-0${i % 2 === 0 ? 1 : 2}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      const f = feature({ id: `m${i}`, start: `${day}T10:00:00Z`, end: `${day}T11:00:00Z`, category: CATEGORIES[i % CATEGORIES.length], status: i % 3 === 0 ? 'disputed' : 'confirmed' }, [x, y]);
      if (i % 6 === 0) return { ...f, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 20, y], [x + 20, y + 10], [x, y + 10], [x, y]]] } };
      if (i % 6 === 2) return { ...f, geometry: { type: 'LineString', coordinates: [[x, y], [x + 15, y + 5]] } };
      return f;
    });
    const file = join(root, 'mixed.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    mixed = join(root, 'mixed');
    await build({ data: [file], out: mixed, name: 'mixed' }, mixed, new Date('2026-11-29T00:00:00Z'), () => {});
    incidents = features.map((f, i) => validateFeature(f, i).incident!);
  }, 60_000);

  it('counts what the filter rule shows, per category and status, on points and on extents (against brute force)', async () => {
    const reader = await DatasetReader.open(new FolderFiles(picked(mixed)));
    const footers = await Promise.all(reader.manifest.partitions.map((_, k) => reader.footer(k)));
    expect(footers.map(pointsOnly)).toEqual([false, true]);
    // Tenths of a degree: doubles would pile up on 0 and the bounds, views that cut nothing.
    const lon = fc.integer({ min: -1800, max: 1800 }).map((x) => x / 10);
    const lat = fc.integer({ min: -900, max: 900 }).map((y) => y / 10);
    const day = fc.integer({ min: dayOfIsoDate('2020-12-25'), max: dayOfIsoDate('2021-03-05') });
    await fc.assert(
      fc.asyncProperty(fc.tuple(lon, lon, lat, lat), fc.tuple(day, day), async ([a, b, c, d], [e, f]) => {
        const view: View = [a, Math.min(c, d), b, Math.max(c, d)];
        const days = { from: Math.min(e, f), to: Math.max(e, f) };
        const counts = new Uint32Array(CATEGORIES.length * STATUSES.length);
        for (const g of await reader.rowGroups(days, view)) (await reader.count(g, days, view)).forEach((n, k) => (counts[k] += n));
        const expected = new Uint32Array(counts.length);
        for (const i of visibleIncidents(incidents, { days, view, categories: null, statuses: null })) expected[CATEGORIES.indexOf(i.category) * STATUSES.length + STATUSES.indexOf(i.status)]++;
        expect([...counts]).toEqual([...expected]);
      }),
      { numRuns: 400 },
    );
  });

  it('reads the part of a group that days and a view show: those incidents, whole, each once (against brute force)', async () => {
    const reader = await DatasetReader.open(new FolderFiles(picked(mixed)));
    const lon = fc.integer({ min: -1800, max: 1800 }).map((x) => x / 10);
    const lat = fc.integer({ min: -900, max: 900 }).map((y) => y / 10);
    const day = fc.integer({ min: dayOfIsoDate('2020-12-25'), max: dayOfIsoDate('2021-03-05') });
    const byId = new Map(incidents.map((i) => [i.id, i]));
    await fc.assert(
      fc.asyncProperty(fc.tuple(lon, lon, lat, lat), fc.tuple(day, day), async ([a, b, c, d], [e, f]) => {
        const view: View = [a, Math.min(c, d), b, Math.max(c, d)];
        const days = { from: Math.min(e, f), to: Math.max(e, f) };
        const read: Incident[] = [];
        for (const g of await reader.rowGroups(days, view)) {
          const { batches, rejected } = await reader.read(g, { days, view });
          expect(rejected).toBe(0);
          const table = new RowTable(batches, rebuilder({ format: 'geojson' }));
          for (let i = 0; i < table.length; i++) read.push(table.get(i));
        }
        const expected = visibleIncidents(incidents, { days, view, categories: null, statuses: null });
        expect(read.map((i) => i.id).sort()).toEqual(expected.map((i) => i.id).sort());
        for (const i of read) expect(i).toEqual(byId.get(i.id));
      }),
      { numRuns: 200 },
    );
  });
});
