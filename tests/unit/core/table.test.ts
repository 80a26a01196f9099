import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import Papa from 'papaparse';
import { CSV_PARSE_CONFIG, CsvImporter, importText, rebuilder, type ImportResult, type RebuildContext } from '../../../src/core/import/index.ts';
import { ArrayTable, ConcatTable, EMPTY_TABLE, PickTable, RowEncoder, RowTable, decodeItem, encodeItem, indexOfId, toArray, type RowBatch } from '../../../src/core/table.ts';
import { serializeGeoJson } from '../../../src/core/export.ts';
import { validateCollection } from '../../../src/core/schema.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/import/${name}`, import.meta.url), 'utf8');
const dataset = readFileSync(new URL('../../../data/incidents.geojson', import.meta.url), 'utf8');

/** An import as the worker runs it: accepted items encoded in batches of `batch`. */
function importAsRows(text: string, name: string, batch = 3): { result: ImportResult; table: RowTable } {
  const encoder = new RowEncoder();
  const batches: RowBatch[] = [];
  const onAccept = (item: unknown, index: number, incident: { id: string }) => {
    encoder.add(item, index, incident.id);
    if (encoder.size === batch) batches.push(encoder.flush()!);
  };
  let result: ImportResult;
  let context: RebuildContext;
  if (name.endsWith('.csv')) {
    const importer = new CsvImporter({ onAccept });
    const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), CSV_PARSE_CONFIG);
    importer.push(parsed.data, parsed.errors);
    result = importer.finish();
    context = importer.rebuildContext()!;
  } else {
    result = importText(text, name, { onAccept });
    context = { format: result.format as 'geojson' | 'ndjson' };
  }
  const last = encoder.flush();
  if (last) batches.push(last);
  return { result, table: new RowTable(batches, rebuilder(context)) };
}

describe('row encoding', () => {
  it('decodes what it encodes: cells with any text, and any JSON item', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 8 }), (cells) => {
        expect(decodeItem(encodeItem(cells))).toEqual(cells);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (item) => {
        expect(decodeItem(encodeItem(item))).toEqual(JSON.parse(JSON.stringify(item)));
      }),
    );
    // Separators and NULs inside cells are not mistaken for structure.
    for (const cells of [['a\u001fb', 'c'], ['\u0000x'], [''], ['', ''], ['ü', '東京', '😀']]) expect(decodeItem(encodeItem(cells))).toEqual(cells);
  });

  it('keeps byte offsets right across multi-byte text and buffer growth', () => {
    const encoder = new RowEncoder();
    const items = Array.from({ length: 3000 }, (_, i) => [`${i}`, 'é'.repeat(i % 50), '東京😀'.repeat(i % 7)]);
    items.forEach((cells, i) => encoder.add(cells, i + 2, `id${i}`));
    const table = new RowTable([encoder.flush()!], (item, index) => ({ id: `${index}`, item }) as never);
    expect(encoder.flush()).toBeNull();
    expect(table.length).toBe(3000);
    for (const i of [0, 1, 999, 2999]) expect((table.get(i) as unknown as { item: unknown }).item).toEqual(items[i]);
    expect(table.id(2999)).toBe('id2999');
  });
});

describe('RowTable', () => {
  it('rebuilds, row by row, the points the importer made in groups (blank and bad rows among them)', () => {
    const lats = ['33.3', ' 33,25 ', '-90', '90', '1e999', '', 'x', '95', '-0.0001', '33.30000000000001'];
    const lons = ['44.4', '44,5', '180', '-180', '', '1e-7', 'NaN', '44'];
    const lines = ['id,date,latitude,longitude'];
    for (let i = 0; i < 1500; i++) lines.push(i % 97 === 5 ? '' : `r${i},2020-01-0${1 + (i % 9)},${lats[i % lats.length]},${lons[(i * 7) % lons.length]}`);
    const { result, table } = importAsRows(lines.join('\n'), 'points.csv', 100);
    expect(result.incidents.length).toBeGreaterThan(500);
    expect(result.issues.length).toBeGreaterThan(100);
    expect(table.length).toBe(result.incidents.length);
    result.incidents.forEach((incident, i) => expect(table.get(i)).toEqual(incident));
  });

  for (const name of ['acled.csv', 'quoted-newlines.csv', 'ragged.csv', 'proto.csv', 'timezones.csv', 'bom-semicolon.csv', 'bad-rows.csv']) {
    it(`rebuilds exactly the incidents the import accepted: ${name}`, () => {
      const { result, table } = importAsRows(fixture(name), name);
      expect(result.incidents.length).toBeGreaterThan(0);
      expect(table.length).toBe(result.incidents.length);
      result.incidents.forEach((incident, i) => {
        expect(table.id(i)).toBe(incident.id);
        expect(table.get(i)).toEqual(incident);
      });
      // __proto__ stays a plain field on the rebuilt incident too.
      if (name === 'proto.csv') expect(Object.getPrototypeOf(table.get(0).properties)).toBe(Object.prototype);
    });
  }

  it('rebuilds GeoJSON features and NDJSON lines, and exports them byte for byte alike', () => {
    const { result, table } = importAsRows(dataset, 'incidents.geojson', 4);
    expect(table.length).toBe(result.incidents.length);
    expect(serializeGeoJson(toArray(table))).toBe(serializeGeoJson(result.incidents));
    const ndjson = JSON.parse(dataset).features.map((f: unknown) => JSON.stringify(f)).join('\n');
    const lines = importAsRows(ndjson, 'incidents.ndjson');
    expect(lines.result.format).toBe('ndjson');
    expect(toArray(lines.table)).toEqual(lines.result.incidents);
  });

  it('refuses a position outside the table', () => {
    const { table } = importAsRows(fixture('acled.csv'), 'acled.csv');
    expect(() => table.get(table.length)).toThrow(RangeError);
    expect(() => table.get(-1)).toThrow(RangeError);
  });
});

describe('composed tables', () => {
  const { incidents } = validateCollection(JSON.parse(dataset));
  const a = new ArrayTable(incidents.slice(0, 5));
  const b = new ArrayTable(incidents.slice(5));

  it('concatenates, picks and finds ids as the arrays would', () => {
    const both = new ConcatTable([a, b]);
    expect(toArray(both)).toEqual(incidents);
    // Empty parts (an "add" to nothing loaded) are skipped over, wherever they are.
    expect(toArray(new ConcatTable([EMPTY_TABLE, a, EMPTY_TABLE, EMPTY_TABLE, b, EMPTY_TABLE]))).toEqual(incidents);
    const picked = new PickTable(both, Uint32Array.from([7, 0, 3]));
    expect(toArray(picked)).toEqual([incidents[7], incidents[0], incidents[3]]);
    expect(indexOfId(both, incidents[6].id)).toBe(6);
    expect(indexOfId(both, 'no such id')).toBe(-1);
    expect(toArray(both, [2, 1])).toEqual([incidents[2], incidents[1]]);
  });

  it('lists every id in input order, whatever the tables are made of', () => {
    const { table: rows } = importAsRows(fixture('acled.csv'), 'acled.csv', 2);
    const mixed = new ConcatTable([a, new PickTable(new ConcatTable([rows, b]), Uint32Array.from([4, 0, 2])), rows]);
    const seen: [string, number][] = [];
    mixed.eachId((id, i) => seen.push([id, i]));
    expect(seen).toEqual(Array.from({ length: mixed.length }, (_, i) => [mixed.id(i), i]));
    expect(seen.length).toBe(a.length + 3 + rows.length);
    // An id present twice (picked, then again in the last part): the first position.
    const twice = rows.id(rows.length - 1);
    expect(seen.filter(([id]) => id === twice)).toHaveLength(2);
    expect(indexOfId(mixed, twice)).toBe(seen.findIndex(([id]) => id === twice));
  });
});
