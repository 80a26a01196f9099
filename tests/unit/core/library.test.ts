import { describe, expect, it } from 'vitest';
import { datasetsParam, missingDatasets, parseDatasetsParam, parseManifest, readStoredDataset, storageName, withImport, withoutFile, type StoredDataset } from '../../../src/core/library.ts';

const sha = (c: string) => c.repeat(64);
const entry = (over: Partial<StoredDataset> = {}): StoredDataset => ({
  file: storageName('0f8fad5b-d9cb-469f-a165-70867728950e'),
  name: 'acled.csv',
  size: 812,
  sha256: sha('a'),
  importedAt: '2026-01-02T03:04:05.000Z',
  accepted: 3,
  rejected: 1,
  mode: 'add',
  days: { from: 18257, to: 18261 },
  ...over,
});

describe('parseManifest', () => {
  it('reads back what was written, mapping included', () => {
    const e = entry({ mapping: { lat: 2, lon: 3, date: 1, id: 0, title: -1 } });
    expect(parseManifest(JSON.stringify({ version: 1, datasets: [e] }))).toEqual({ version: 1, datasets: [e] });
  });

  it('reads broken JSON, another version or no list as empty', () => {
    for (const text of ['{', '', 'null', '[]', JSON.stringify({ version: 2, datasets: [entry()] }), JSON.stringify({ version: 1 })]) {
      expect(parseManifest(text).datasets).toEqual([]);
    }
  });

  it('drops an entry with a file name the library did not give (no path can be smuggled in)', () => {
    for (const file of ['../manifest.json', 'manifest.json', 'x.data', '0F8FAD5B-D9CB-469F-A165-70867728950E.data']) {
      expect(readStoredDataset(entry({ file }))).toBeNull();
    }
  });

  it('drops an entry with a bad SHA-256, count, mode or date, and keeps the others', () => {
    const good = entry();
    const bad = [entry({ sha256: 'abc' }), entry({ accepted: -1 }), entry({ rejected: 1.5 }), { ...entry(), mode: 'merge' }, entry({ importedAt: 'yesterday' }), entry({ name: '' })];
    const other = entry({ file: storageName('1f8fad5b-d9cb-469f-a165-70867728950e') });
    expect(parseManifest(JSON.stringify({ version: 1, datasets: [good, ...bad, other] })).datasets).toEqual([good, other]);
  });

  it('keeps the first of two entries naming the same file', () => {
    const m = parseManifest(JSON.stringify({ version: 1, datasets: [entry(), entry({ name: 'again.csv' })] }));
    expect(m.datasets.map((d) => d.name)).toEqual(['acled.csv']);
  });

  it('reads an invalid day range or mapping as absent', () => {
    const read = readStoredDataset({ ...entry(), days: { from: 5, to: 4 }, mapping: { lat: 'x' } });
    expect(read?.days).toBeNull();
    expect(read && 'mapping' in read).toBe(false);
  });
});

describe('withImport and withoutFile', () => {
  const first = entry();
  const second = entry({ file: storageName('1f8fad5b-d9cb-469f-a165-70867728950e'), name: 'b.csv' });

  it('appends an added file, in import order', () => {
    const { manifest, dropped } = withImport({ version: 1, datasets: [first] }, second);
    expect(manifest.datasets).toEqual([first, second]);
    expect(dropped).toEqual([]);
  });

  it('a replace keeps only the new file and drops the others', () => {
    const replacing = { ...second, mode: 'replace' as const };
    const { manifest, dropped } = withImport({ version: 1, datasets: [first] }, replacing);
    expect(manifest.datasets).toEqual([replacing]);
    expect(dropped).toEqual([first]);
  });

  it('removes one file by name', () => {
    expect(withoutFile({ version: 1, datasets: [first, second] }, first.file).datasets).toEqual([second]);
  });
});

describe('?ds=', () => {
  it('writes each dataset as short SHA-256 and name, and reads it back', () => {
    const ds = [
      { name: 'data/incidents.geojson', sha256: sha('1') },
      { name: 'a, b: 100%.csv', sha256: sha('2') },
    ];
    const param = datasetsParam(ds)!;
    expect(param.startsWith('11111111:data/incidents.geojson,22222222:')).toBe(true);
    // Through the query string and back, as a link travels.
    const search = `?${new URLSearchParams({ ds: param })}`;
    expect(parseDatasetsParam(new URLSearchParams(search).get('ds'))).toEqual([
      { sha: '11111111', name: 'data/incidents.geojson' },
      { sha: '22222222', name: 'a, b: 100%.csv' },
    ]);
  });

  it('leaves out a dataset whose SHA-256 is not known yet, and is null with none', () => {
    expect(datasetsParam([{ name: 'x', sha256: '' }])).toBeNull();
    expect(datasetsParam([{ name: 'x', sha256: '' }, { name: 'y', sha256: sha('3') }])).toBe('33333333:y');
  });

  it('ignores entries that are not a short SHA-256 and a name, and repeats', () => {
    expect(parseDatasetsParam('zz:x,1234567:y,12345678:ok,12345678:again,abcdef01:%E0%A4%A')).toEqual([{ sha: '12345678', name: 'ok' }]);
    expect(parseDatasetsParam(null)).toEqual([]);
    expect(parseDatasetsParam('a'.repeat(5000))).toEqual([]);
  });

  it('names the datasets a link wants that are not loaded', () => {
    const wanted = [
      { sha: '11111111', name: 'a' },
      { sha: '22222222', name: 'b' },
    ];
    expect(missingDatasets(wanted, [{ sha256: sha('1') }])).toEqual([{ sha: '22222222', name: 'b' }]);
    expect(missingDatasets(wanted, [{ sha256: sha('2') }, { sha256: sha('1') }])).toEqual([]);
  });
});
