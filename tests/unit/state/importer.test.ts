import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { AtlasState } from '../../../src/state/atlas.svelte.ts';
import { Importer } from '../../../src/state/importer.svelte.ts';
import { hostWorker } from '../worker-host.ts';
import { storageName, type StoredDataset } from '../../../src/core/library.ts';

// The real import worker, run in this thread (see worker-host.ts).
const spawn = () => hostWorker(() => import('../../../src/workers/import.worker.ts'));
const fixture = (name: string) => new File([readFileSync(new URL(`../../fixtures/import/${name}`, import.meta.url))], name);
const bundled = () => new File([readFileSync(new URL('../../../data/incidents.geojson', import.meta.url))], 'incidents.geojson');
const csv = (name: string, rows: string[]) => new File([['id,event_date,latitude,longitude,event_type,sub_event_type,notes', ...rows].join('\n')], name);

function setup() {
  const atlas = new AtlasState();
  return { atlas, importer: new Importer(atlas, spawn) };
}

describe('Importer (the import worker run for real)', () => {
  it('loads the bundled dataset quietly, under the name given, on the day range asked for', async () => {
    const { atlas, importer } = setup();
    await importer.start(bundled(), { name: 'data/incidents.geojson', quiet: true, days: (span) => ({ from: span.from + 1, to: span.to }) });
    expect(atlas.table.length).toBeGreaterThan(10);
    expect(atlas.store.size).toBe(atlas.table.length);
    expect(atlas.days.from).toBe(atlas.span.from + 1);
    expect(atlas.datasets.map((d) => d.name)).toEqual(['data/incidents.geojson']);
    expect(importer.report).toBeNull();
    expect(atlas.error).toBeNull();
  });

  it('reads the bundled dataset on the page into the same table and store as the worker makes of it', async () => {
    const onPage = setup();
    const bytes = readFileSync(new URL('../../../data/incidents.geojson', import.meta.url));
    await onPage.importer.open(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), 'data/incidents.geojson', { quiet: true });
    const inWorker = setup();
    await inWorker.importer.start(bundled(), { name: 'data/incidents.geojson', quiet: true });
    expect(onPage.atlas.table.length).toBeGreaterThan(10);
    expect(new Uint8Array(onPage.atlas.store.buffer)).toEqual(new Uint8Array(inWorker.atlas.store.buffer));
    const ids = (a: AtlasState) => Array.from({ length: a.table.length }, (_, i) => a.table.id(i));
    expect(ids(onPage.atlas)).toEqual(ids(inWorker.atlas));
    expect(onPage.atlas.incident(3)).toEqual(inWorker.atlas.incident(3));
    // The page hashes what it holds at once; the worker's digest comes when an export asks.
    await inWorker.importer.whenDigested();
    expect(onPage.atlas.datasets).toEqual(inWorker.atlas.datasets);
  });

  it('adds a file to the data shown: the span widens, ids already loaded are rejected and the loaded incident kept', async () => {
    const { atlas, importer } = setup();
    await importer.start(csv('first.csv', ['a,2020-01-01,33.3,44.4,Battles,Armed clash,one', 'b,2020-01-02,33.3,44.4,Battles,Armed clash,two']));
    expect(atlas.days).toEqual(atlas.span);
    const before = atlas.span;
    await importer.start(csv('second.csv', ['b,2020-02-01,30,40,Riots,Mob violence,again', 'c,2020-03-01,30,40,Riots,Mob violence,three']));
    expect(importer.report).toMatchObject({ name: 'second.csv', imported: 1 });
    expect(importer.report!.issues.map((i) => i.reason)).toEqual(['"b" is already loaded; the loaded incident is kept']);
    expect(atlas.table.length).toBe(3);
    expect(atlas.incident(atlas.indexOfId('b')!).startDay).toBe(before.to);
    // The whole old span was shown, so the whole new one is.
    expect(atlas.span.from).toBe(before.from);
    expect(atlas.span.to).toBeGreaterThan(before.to);
    expect(atlas.days).toEqual(atlas.span);
    expect(atlas.datasets.map((d) => d.name)).toEqual(['first.csv', 'second.csv']);
  });

  it('replaces the data shown, and lists only the new file', async () => {
    const { atlas, importer } = setup();
    await importer.start(csv('first.csv', ['a,2020-01-01,33.3,44.4,Battles,Armed clash,one']));
    importer.mode = 'replace';
    await importer.start(fixture('acled.csv'));
    expect(atlas.indexOfId('a')).toBeNull();
    expect(atlas.datasets.map((d) => d.name)).toEqual(['acled.csv']);
    expect(importer.report!.imported).toBe(atlas.table.length);
  });

  it('reports rejected rows by row number, keeps the good ones and the data shown before', async () => {
    const { atlas, importer } = setup();
    await importer.start(bundled(), { quiet: true });
    const shown = atlas.table.length;
    await importer.start(fixture('bad-rows.csv'));
    const report = importer.report!;
    expect(report.issues.length).toBeGreaterThan(0);
    expect(report.issues.every((i) => i.unit === 'row' && i.index > 0)).toBe(true);
    expect(atlas.table.length).toBe(shown + report.imported);
  });

  it('refuses a file it cannot read with a message, and changes nothing', async () => {
    const { atlas, importer } = setup();
    await importer.start(bundled(), { quiet: true });
    const store = atlas.store;
    await importer.start(fixture('image.csv'));
    expect(atlas.error).toContain('PNG image');
    expect(atlas.error).toContain('The data shown is unchanged.');
    expect(atlas.store).toBe(store);
  });

  it('asks which columns hold the location when it cannot tell, and imports with the columns chosen', async () => {
    const { atlas, importer } = setup();
    await importer.start(new File(['name,y,x,when\nOne,33.3,44.4,2020-01-01\n'], 'odd.csv'));
    expect(importer.pending?.headers).toEqual(['name', 'y', 'x', 'when']);
    expect(atlas.table.length).toBe(0);
    await importer.start(importer.pending!.file, { mapping: { ...importer.pending!.mapping, lat: 1, lon: 2, date: 3 } });
    expect(atlas.table.length).toBe(1);
  });

  it('drops an import cancelled before it ends: nothing changes', async () => {
    const { atlas, importer } = setup();
    const done = importer.start(fixture('acled.csv'));
    importer.cancel();
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 500))]);
    expect(importer.progress).toBeNull();
    expect(atlas.table.length).toBe(0);
  });

  it('reads a kept file back as it was imported: its name, columns, mode and SHA-256, without asking', async () => {
    const { atlas, importer } = setup();
    await importer.start(bundled(), { quiet: true });
    const sha256 = 'f'.repeat(64);
    const restore: StoredDataset = {
      file: storageName('0f8fad5b-d9cb-469f-a165-70867728950e'),
      name: 'my columns.csv',
      size: 40,
      sha256,
      importedAt: '2026-01-01T00:00:00.000Z',
      accepted: 1,
      rejected: 0,
      mode: 'replace',
      days: null,
      mapping: { lat: 1, lon: 2, date: 3, id: -1, title: 0 },
    };
    // The user's mode is add: the kept file was a replace, and is read back as one.
    await importer.start(new File(['name,y,x,when\nOne,33.3,44.4,2020-01-01\n'], 'odd.csv'), { restore });
    expect(importer.pending).toBeNull();
    expect(atlas.table.length).toBe(1);
    expect(atlas.datasets).toEqual([{ name: 'my columns.csv', sha256 }]);
    expect(importer.report).toMatchObject({ name: 'my columns.csv', imported: 1 });
  });

  it('hashes a listed file when an export first asks for it', async () => {
    const { atlas, importer } = setup();
    await importer.start(fixture('acled.csv'));
    expect(atlas.datasets[0].sha256).toBe('');
    await importer.whenDigested();
    expect(atlas.datasets[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
