// Properties of the importer over generated input: it never throws, always answers with
// incidents plus issues, and export → import is the identity.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { importText } from '../../../../src/core/import/index.ts';
import { serializeGeoJson } from '../../../../src/core/export.ts';
import { CATEGORIES, GEO_PRECISIONS, STATUSES, TIME_PRECISIONS, validateFeature, type Incident } from '../../../../src/core/schema.ts';
import { isoDateOfDay } from '../../../../src/core/time.ts';

const shape = (r: ReturnType<typeof importText>) => Array.isArray(r.incidents) && Array.isArray(r.issues) && typeof r.total === 'number';

describe('importer properties', () => {
  it('never throws on any JSON text', () => {
    fc.assert(fc.property(fc.json(), (text) => shape(importText(text))), { numRuns: 500 });
  });
  it('never throws on any string, read as CSV, GeoJSON or NDJSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('x.csv', 'x.geojson', 'x.ndjson', ''), (text, name) => shape(importText(text, name))),
      { numRuns: 500 },
    );
  });
  it('never throws on JSON that looks like GeoJSON with arbitrary members', () => {
    const feature = fc.record({ type: fc.constant('Feature'), geometry: fc.anything(), properties: fc.anything() });
    fc.assert(fc.property(fc.array(feature), (features) => shape(importText(JSON.stringify({ type: 'FeatureCollection', features }) ?? ''))), { numRuns: 300 });
  });
  it('never throws on CSV rows of arbitrary cells under an ACLED header', () => {
    const header = 'event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,fatalities';
    const cell = fc.oneof(fc.string(), fc.double().map(String), fc.constantFrom('1e999', '-0', '2019-02-30', '__proto__'));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 0, maxLength: 9 })), (rows) =>
        shape(importText([header, ...rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(','))].join('\n'), 'x.csv')),
      ),
      { numRuns: 300 },
    );
  });

  const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
  const range = fc.tuple(fc.nat(500), fc.nat(500)).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
  const offset = fc.constantFrom('Z', '+03:00', '+03:30', '-05:00', '+14:00');
  const when = fc.tuple(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 1439 }), offset).map(
    ([day, minute, off]) => `${isoDateOfDay(day)}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00${off}`,
  );
  const incident = fc
    .record({
      title: text,
      summary: text,
      category: fc.constantFrom(...CATEGORIES),
      when,
      time_precision: fc.constantFrom(...TIME_PRECISIONS),
      place: text,
      geo_precision: fc.constantFrom(...GEO_PRECISIONS),
      uncertainty_m: fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => x + 0),
      killed: range,
      wounded: range,
      actors: fc.array(text, { maxLength: 3 }),
      status: fc.constantFrom(...STATUSES),
      sources: fc.array(fc.record({ title: text, publisher: text, url: fc.oneof(fc.webUrl(), fc.constant(null)), published: fc.constantFrom(null, '2020-01-01') }), { minLength: 1, maxLength: 3 }),
      // JSON has no −0: it is written as 0, so the generator does not make one.
      lon: fc.double({ min: -180, max: 180, noNaN: true }).map((x) => x + 0),
      lat: fc.double({ min: -90, max: 90, noNaN: true }).map((x) => x + 0),
      // Foreign properties as a JSON file can hold them (JSON has no −0, so none is generated).
      extra: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown), { maxKeys: 3 }),
    })
    .map(({ when, lon, lat, extra, ...p }) => ({ when, lon, lat, extra, p }));

  it('export → import is the identity on valid incidents', () => {
    fc.assert(
      fc.property(fc.array(incident, { maxLength: 20 }), (items) => {
        const incidents: Incident[] = items.map(({ when, lon, lat, extra, p }, i) => {
          const properties = { ...extra, ...p, id: `i${i}`, start: when, end: when, related: [] };
          const result = validateFeature({ type: 'Feature', id: `i${i}`, geometry: { type: 'Point', coordinates: [lon, lat] }, properties }, i);
          if (!result.incident) throw new Error(JSON.stringify(result.issues));
          return result.incident;
        });
        const back = importText(serializeGeoJson(incidents));
        expect(back.issues).toEqual([]);
        expect(back.incidents).toEqual(incidents);
      }),
      { numRuns: 150 },
    );
  });
});
