import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { check } from '@placemarkio/check-geojson';
import { booleanClockwise } from '@turf/turf';
import type { Polygon } from 'geojson';
import { csvCell, csvChunks, exportFileName, geojsonChunks, serializeCsv, serializeGeoJson, toFeatureCollection, type ExportContext } from '../../../src/core/export.ts';
import { validateCollection, validateFeature, type Incident } from '../../../src/core/schema.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';
import { feature } from '../../fixtures/incident.ts';

const incident = (...args: Parameters<typeof feature>): Incident => validateFeature(feature(...args), 0).incident!;
const golden = (name: string) => readFileSync(new URL(`../../golden/${name}`, import.meta.url), 'utf8');
const context: ExportContext = {
  days: { from: dayOfIsoDate('2019-12-27'), to: dayOfIsoDate('2019-12-31') },
  view: [40, 30, 50, 38],
  categories: new Set(['rocket attack', 'airstrike'] as const),
  statuses: null,
  datasets: [{ name: 'data/incidents.geojson', sha256: 'ab'.repeat(32) }],
  version: '0.1.0',
  now: new Date('2026-11-24T10:00:00Z'),
};
const pair = [
  incident({ id: 'k1', title: 'Rockets, "31 of them"', actors: ['Kata\'ib Hezbollah (alleged)', 'US forces'], killed: { min: 1, max: 3 } }),
  incident({ id: 'neg', title: '=HYPERLINK("http://evil")', summary: '@SUM(A1)\nsecond line', category: 'airstrike', place: '-cmd|calc' }, [-73.99, -40.5]),
];

describe('GeoJSON export', () => {
  it('in chunks of any size, joins to exactly one JSON.stringify of the collection', () => {
    const { incidents } = validateCollection(JSON.parse(readFileSync(new URL('../../../data/incidents.geojson', import.meta.url), 'utf8')));
    for (const list of [[], pair, incidents]) {
      for (const ctx of [undefined, context]) {
        const whole = JSON.stringify(toFeatureCollection(list, ctx));
        for (const chunk of [1, 2, 3, 1000]) expect([...geojsonChunks(list.length, (k) => list[k], ctx, chunk)].join('')).toBe(whole);
      }
      const csv = serializeCsv(list);
      for (const chunk of [1, 4]) expect([...csvChunks(list.length, (k) => list[k], chunk)].join('')).toBe(csv);
    }
  });

  it('matches the golden file, provenance included', () => {
    expect(JSON.stringify(toFeatureCollection(pair, context), null, 2) + '\n').toBe(golden('export.geojson'));
  });
  it('is valid RFC 7946 for @placemarkio/check-geojson', () => {
    expect(() => check(serializeGeoJson(pair, context))).not.toThrow();
  });
  it('winds polygons by the right-hand rule: exterior counter-clockwise, holes clockwise', () => {
    const clockwise: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]], [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8], [0.2, 0.2]]] };
    const i = validateFeature({ ...feature(), geometry: clockwise }, 0).incident!;
    const g = toFeatureCollection([i]).features[0].geometry as Polygon;
    expect(booleanClockwise(g.coordinates[0])).toBe(false);
    expect(booleanClockwise(g.coordinates[1])).toBe(true);
    expect(booleanClockwise(clockwise.coordinates[0])).toBe(true);
  });
  it('re-imports to the same incidents (ids, properties, positions)', () => {
    const back = validateCollection(JSON.parse(serializeGeoJson(pair, context)));
    expect(back.issues).toEqual([]);
    expect(back.incidents).toEqual(pair);
  });
  it('names the file after the dates', () => {
    expect(exportFileName(context.days)).toBe('incidents_2019-12-27_2019-12-31.geojson');
    expect(exportFileName(context.days, 'csv')).toBe('incidents_2019-12-27_2019-12-31.csv');
    expect(exportFileName(context.days, 'geojson', true)).toBe('incidents_2019-12-27_2019-12-31_area.geojson');
  });
});

describe('CSV export', () => {
  it('matches the golden file', () => {
    expect(serializeCsv(pair)).toBe(golden('export.csv'));
  });
  it.each([
    ['=1+1', "'=1+1"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-cmd', "'-cmd"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
  ])('escapes the formula-like cell %j', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });
  it('leaves numbers alone, negative ones too', () => {
    expect(csvCell(-73.99)).toBe('-73.99');
    expect(csvCell('+3')).toBe('+3');
  });
  it('quotes commas, quotes and newlines (RFC 4180)', () => {
    expect(csvCell('a, "b"\nc')).toBe('"a, ""b""\nc"');
  });
});
