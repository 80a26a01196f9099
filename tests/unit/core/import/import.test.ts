import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { importText, importCsv, sniffBinary, issuesToCsv, MAX_FILE_BYTES, CsvImporter, CSV_PARSE_CONFIG } from '../../../../src/core/import/index.ts';
import { parseDate } from '../../../../src/core/import/dates.ts';
import { detectColumns } from '../../../../src/core/import/columns.ts';
import { serializeCsv, serializeGeoJson } from '../../../../src/core/export.ts';
import { validateCollection } from '../../../../src/core/schema.ts';
import { isoDateOfDay } from '../../../../src/core/time.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/import/${name}`, import.meta.url), 'utf8');
const imported = (name: string) => importText(fixture(name), name);
const reasons = (r: ReturnType<typeof importText>) => Object.fromEntries(r.issues.map((i) => [i.index, `${i.field}: ${i.reason}`]));

describe('CSV import', () => {
  it('reads an ACLED export: columns, categories, precision, fatalities, sources without links', () => {
    const r = imported('acled.csv');
    expect(r.issues).toEqual([]);
    expect(r.notes).toContain('Read as an ACLED export.');
    const [k1, strike, embassy] = r.incidents;
    expect(k1).toMatchObject({ id: 'IRQ1001', category: 'missile strike', lat: 35.5125, lon: 44.2842 });
    expect(isoDateOfDay(k1.startDay)).toBe('2019-12-27');
    expect(k1.properties.killed).toEqual({ min: 1, max: 1 });
    expect(k1.properties.sources.map((s) => [s.publisher, s.url])).toEqual([['Reuters', null], ['Kurdistan 24', null]]);
    expect(k1.properties.actors).toEqual(['Unidentified Armed Group (Iraq)', 'Military Forces of the United States (2017-2021)']);
    expect(strike).toMatchObject({ category: 'airstrike', properties: { geo_precision: 'town', uncertainty_m: 10_000 } });
    expect(embassy.category).toBe('protest/riot');
    expect(embassy.properties.place).toBe('Baghdad - Karkh, Baghdad, Iraq');
  });

  it('handles a BOM, the ";" delimiter and decimal commas', () => {
    const r = imported('bom-semicolon.csv');
    expect(r.issues).toEqual([]);
    expect(r.incidents.map((i) => [i.id, i.lat, i.lon])).toEqual([['A', 33.3076, 44.3903], ['B', 33.5, 44.1]]);
  });

  it('keeps newlines and quotes inside quoted cells', () => {
    const r = imported('quoted-newlines.csv');
    expect(r.incidents[0].properties.summary).toBe('first line\nsecond line, with a comma');
    expect(r.incidents[1].properties.summary).toBe('She said "three"');
  });

  it('leaves out only the extra columns when asked (the worker), accepting and rejecting the same rows', () => {
    for (const name of ['acled.csv', 'bad-rows.csv', 'proto.csv', 'ragged.csv']) {
      const full = importCsv(fixture(name));
      const lean = importCsv(fixture(name), { extraColumns: false });
      expect(lean.issues, name).toEqual(full.issues);
      expect(lean.incidents.length, name).toBe(full.incidents.length);
      lean.incidents.forEach((incident, i) => {
        const { properties, ...rest } = full.incidents[i];
        const schemaOnly = Object.fromEntries(Object.entries(properties).filter(([key]) => Object.hasOwn(incident.properties, key)));
        expect(incident, name).toEqual({ ...rest, properties: schemaOnly });
      });
    }
    // Extra columns there are: the ACLED fixture keeps event_id_cnty and notes as properties.
    expect(Object.keys(importCsv(fixture('acled.csv')).incidents[0].properties)).toContain('notes');
    expect(Object.keys(importCsv(fixture('acled.csv'), { extraColumns: false }).incidents[0].properties)).not.toContain('notes');
  });

  it('numbers rows as a spreadsheet does, blank ones included, also for a quoting error after them', () => {
    const ok = (id: string) => `${id},2020-01-03,33.3,44.4`;
    // papaparse reads on inside the stray-quoted field to the end of the file: one bad row.
    const r = importCsv(['id,date,latitude,longitude', ok('a'), '', ' , ', '"b" x,2020-01-03,33.3,44.4', ok('c')].join('\n'));
    expect(r.incidents.map((i) => i.id)).toEqual(['a']);
    expect(r.issues).toEqual([{ index: 5, unit: 'row', field: 'csv', reason: 'Quoted field unterminated' }]);
  });

  it('reads ragged rows, noting the missing or extra cells', () => {
    const r = imported('ragged.csv');
    expect(r.incidents.map((i) => i.id)).toEqual(['r1', 'r2', 'r3']);
    expect(r.notes.filter((n) => n.startsWith('Row'))).toEqual([
      'Row 3 has 4 cells for 5 columns; missing cells are read as empty.',
      'Row 4 has 7 cells for 5 columns; extra cells are ignored.',
    ]);
  });

  it('rejects each bad row with its spreadsheet row number, field and reason, and keeps the good ones', () => {
    const r = imported('bad-rows.csv');
    expect(r.incidents.map((i) => i.id)).toEqual(['ok-1', 'edge']);
    expect(r.total).toBe(8);
    expect(reasons(r)).toEqual({
      3: 'geometry.coordinates: latitude out of range — columns swapped?',
      4: 'geometry.coordinates: coordinates must be finite numbers',
      5: 'date: missing date',
      6: 'date: impossible date 2019-02-30',
      7: 'geometry: no location (latitude and longitude are empty)',
      9: 'id: duplicate id "ok-1"',
    });
    expect(r.issues.every((i) => i.unit === 'row')).toBe(true);
  });

  it('gives the same result streamed a row at a time, handing incidents over as they come, as read whole', () => {
    // The worker's path: papaparse chunks into importer.push; each accepted incident goes to onAccept, none is retained.
    const text = fixture('bad-rows.csv');
    const whole = importText(text, 'bad-rows.csv');
    const rows = Papa.parse<string[]>(text, CSV_PARSE_CONFIG).data;
    const handed: { id: string; row: number; cells: unknown }[] = [];
    const importer = new CsvImporter({ retain: false, onAccept: (cells, row, incident) => handed.push({ id: incident.id, row, cells }) });
    const perChunk: number[] = [];
    for (const row of rows) {
      importer.push([row]);
      perChunk.push(handed.length);
    }
    const end = importer.finish();
    // Each accepted row is handed over once, during its own chunk; a duplicate in a later chunk is still caught.
    expect(handed.map((h) => h.id)).toEqual(whole.incidents.map((i) => i.id));
    // …with the cells of the row its number names (the header is row 1).
    expect(handed.map((h) => h.cells)).toEqual(handed.map((h) => rows[h.row - 1]));
    expect(new Set(perChunk).size).toBe(whole.incidents.length + 1);
    expect(end.incidents).toEqual([]);
    expect(end.issues).toEqual(whole.issues);
    expect(end.total).toBe(whole.total);
  });

  it('keeps offsets, reads offset-less times as UTC (and says so), and tells epoch seconds from milliseconds', () => {
    const r = imported('timezones.csv');
    expect(r.issues).toEqual([]);
    const utc = r.incidents.map((i) => new Date(i.start).toISOString());
    expect(new Set(utc)).toEqual(new Set(['2020-01-02T21:30:00.000Z']));
    expect(isoDateOfDay(r.incidents.find((i) => i.id === 'tz-offset')!.startDay)).toBe('2020-01-03');
    expect(r.notes).toContain('1 date had no time zone offset and were read as UTC.');
  });

  it('treats __proto__, constructor and hasOwnProperty headers as plain fields', () => {
    const r = imported('proto.csv');
    expect(r.issues).toEqual([]);
    const p = r.incidents[0].properties as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(p, '__proto__')?.value).toBe('polluted');
    expect(p.constructor).toBe('ctor');
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('asks for a column mapping when latitude, longitude or date cannot be told', () => {
    const r = imported('ambiguous.csv');
    expect(r.incidents).toEqual([]);
    expect(r.needsMapping?.ambiguous.sort()).toEqual(['date', 'lat', 'lon']);
    const mapped = importCsv(fixture('ambiguous.csv'), { mapping: { id: 0, date: 1, lat: 2, lon: 3, title: 4 } });
    expect(mapped.incidents.map((i) => [i.id, i.lat, i.lon])).toEqual([['a1', 33.3, 44.4]]);
  });

  it('marks a column found twice as ambiguous', () => {
    expect(detectColumns(['lat', 'Lat', 'lon', 'date']).ambiguous).toEqual(['lat']);
  });
});

describe('GeoJSON import', () => {
  it('names the line and column of broken JSON and imports nothing', () => {
    const r = imported('broken.geojson');
    expect(r.incidents).toEqual([]);
    expect(r.fatal).toBe('The file is not valid JSON: unexpected "]" at line 5, column 3. Nothing was imported.');
  });
  it('refuses a 2008-style crs with projected metres, saying what to do', () => {
    expect(imported('crs.geojson').fatal).toContain('"crs" member');
  });
  it('accepts a FeatureCollection, a Feature, a bare array and newline-delimited GeoJSON', () => {
    const f = { type: 'Feature', geometry: { type: 'Point', coordinates: [44.4, 33.3] }, properties: { name: 'Somewhere', date: '2020-01-01' } };
    const fc = importText(JSON.stringify({ type: 'FeatureCollection', features: [f, { ...f, properties: { ...f.properties, id: 'b' } }] }));
    expect(fc.incidents.map((i) => i.id)).toEqual(['0', 'b'].map((id) => (id === '0' ? 'row-0' : id)));
    expect(importText(JSON.stringify(f)).incidents).toHaveLength(1);
    expect(importText(JSON.stringify([f, f].map((x, i) => ({ ...x, id: `a${i}` })))).incidents).toHaveLength(2);
    const nd = importText([f, { ...f, id: 'second' }, 'not json'].map((x) => (typeof x === 'string' ? x : JSON.stringify({ ...x, id: x === f ? 'first' : 'second' }))).join('\n'), 'x.ndjson');
    expect(nd.format).toBe('ndjson');
    expect(nd.incidents.map((i) => i.id)).toEqual(['first', 'second']);
    expect(nd.issues).toEqual([{ index: 3, unit: 'line', field: 'json', reason: expect.stringContaining('not valid JSON') }]);
  });
  it('reads features in our own schema as they are, and re-imports an export unchanged', () => {
    const data = validateCollection(JSON.parse(readFileSync(new URL('../../../../data/incidents.geojson', import.meta.url), 'utf8'))).incidents;
    const back = importText(serializeGeoJson(data));
    expect(back.issues).toEqual([]);
    expect(back.incidents).toEqual(data);
  });
  it('reports null geometry, unclosed rings and a deep nesting of arrays without throwing', () => {
    const props = { title: 't', date: '2020-01-01' };
    const deep = '__DEEP__';
    const r = importText(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: null, properties: props },
          { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, properties: props },
          { type: 'Feature', geometry: { type: 'Point', coordinates: deep }, properties: props },
          { type: 'Feature', geometry: { type: 'LineString', coordinates: [[179, 0], [-179, 1]] }, properties: { ...props, id: 'antimeridian' } },
        ],
      }).replace('"__DEEP__"', `${'['.repeat(100_000)}44,33${']'.repeat(100_000)}`),
    );
    expect(reasons(r)).toEqual({
      0: 'geometry: no location (null geometry)',
      1: 'geometry.coordinates[0]: polygon ring is not closed (first and last positions differ)',
      2: 'geometry.coordinates: a position must be [longitude, latitude]',
    });
    expect(r.incidents.map((i) => i.id)).toEqual(['antimeridian']);
  });
});

describe('rows sharing their parsed parts', () => {
  it('parses each distinct pair of source cells once, and never confuses two pairs', () => {
    const r = importCsv(
      [
        'id,date,latitude,longitude,source_urls,source',
        'a,2020-01-01,33,44,https://a.example/1,A',
        'b,2020-01-01,33,44,,https://a.example/1A',
        'c,2020-01-02,33,44,https://a.example/1,A',
        'd,2020-01-02,33,44,,',
      ].join('\n'),
    );
    const sources = Object.fromEntries(r.incidents.map((i) => [i.id, i.properties.sources]));
    expect(sources.a).toEqual([{ title: 'A', publisher: 'A', url: 'https://a.example/1', published: null }]);
    expect(sources.b).toEqual([{ title: 'https://a.example/1A', publisher: 'https://a.example/1A', url: null, published: null }]);
    expect(sources.c).toBe(sources.a);
    expect(Object.isFrozen(sources.c[0])).toBe(true);
    expect(sources.d).toEqual([{ title: 'Imported file', publisher: 'unknown', url: null, published: null }]);
  });

  it('gives the same dates with a warm cache as with a cold one, and stays bounded', async () => {
    const { memo } = await import('../../../../src/core/memo.ts');
    let calls = 0;
    const square = memo((n: number) => (calls++, n * n), 3);
    expect([1, 2, 1, 3, 4, 1].map(square)).toEqual([1, 4, 1, 9, 16, 1]);
    // 1 and 2 computed, 1 hit, 3 computed, 4 computed after the full cache was emptied, 1 again.
    expect(calls).toBe(5);
    const first = importCsv('id,date,latitude,longitude\nx,31 December 2019,33,44\ny,2019-02-30,33,44');
    const again = importCsv('id,date,latitude,longitude\nx,31 December 2019,33,44\ny,2019-02-30,33,44');
    expect(again).toEqual(first);
    expect(first.issues.map((i) => i.reason)).toEqual(['impossible date 2019-02-30']);
  });
});

describe('dates', () => {
  it.each([
    ['2019-12-31', '2019-12-31T00:00:00Z', 'day'],
    ['31 December 2019', '2019-12-31T00:00:00Z', 'day'],
    ['1 Jan 2020', '2020-01-01T00:00:00Z', 'day'],
    ['2020-01-03T00:30:00+03:00', '2020-01-03T00:30:00+03:00', 'minute'],
    ['2020-01-03 00:30', '2020-01-03T00:30:00Z', 'minute'],
    ['1578000600', '2020-01-02T21:30:00Z', 'minute'],
    ['1578000600000', '2020-01-02T21:30:00Z', 'minute'],
  ])('reads %s', (text, start, precision) => {
    expect(parseDate(text)).toMatchObject({ start, precision });
  });
  it.each(['2019-02-30', '30 February 2019', '2019-13-01', '2019-12-31T25:00', 'yesterday', '', '31 Smarch 2019'])('rejects %j', (text) => {
    expect(parseDate(text)).toHaveProperty('error');
  });
});

describe('files that are not incident data', () => {
  it('names a PNG renamed .csv', () => {
    expect(sniffBinary(new Uint8Array(readFileSync(new URL('../../../fixtures/import/image.csv', import.meta.url))))).toBe('This file is a PNG image, not GeoJSON or CSV.');
  });
  it('has a size cap under what a browser tab can hold', () => {
    expect(MAX_FILE_BYTES).toBeLessThanOrEqual(1024 ** 3);
  });
  it('writes the rejected rows as CSV for the report download', () => {
    const csv = issuesToCsv(imported('bad-rows.csv').issues);
    expect(csv.split('\r\n')[0]).toBe('where,number,field,reason');
    expect(csv).toContain('row,6,date,impossible date 2019-02-30');
  });
  it('re-imports its own CSV export with ranges, status and links intact', () => {
    const data = validateCollection(JSON.parse(readFileSync(new URL('../../../../data/incidents.geojson', import.meta.url), 'utf8'))).incidents;
    const back = importText(serializeCsv(data), 'x.csv');
    expect(back.issues).toEqual([]);
    expect(back.incidents.map((i) => [i.id, i.category, i.status, i.properties.killed, i.properties.start, i.lat, i.lon])).toEqual(
      data.map((i) => [i.id, i.category, i.status, i.properties.killed, i.properties.start, i.lat, i.lon]),
    );
  });
});

describe('rejected rows are counted as rows (issue #22, case 3)', () => {
  it('lists each rejected row once with all its problems, and names an out-of-range epoch number', () => {
    const r = importCsv(['id,date,latitude,longitude', 'far,8640000000000000,33,44', 'ok,2020-01-01,33,44', 'past,-8640000000000000,33,44'].join('\n'));
    expect(r.incidents.map((i) => i.id)).toEqual(['ok']);
    expect(r.issues).toHaveLength(2);
    expect(r.issues.map((i) => i.index)).toEqual([2, 4]);
    for (const issue of r.issues) {
      expect(issue.reason).toMatch(/-?8640000000000000/);
      expect(issue.reason).not.toContain('ISO 8601 date-time');
    }
  });

  it('rejects epoch numbers beyond the years a date-time can be written in, naming the number', () => {
    for (const n of [8.64e15, -8.64e15, 1e300, 9e15]) {
      const result = parseDate(String(n));
      expect(result).toHaveProperty('error');
      expect((result as { error: string }).error).toContain(String(n));
      expect(parseDate(n)).toHaveProperty('error');
    }
  });

  it('joins the problems of one feature into one issue, so the count is of features', () => {
    const r = importText(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: { type: 'Point', coordinates: [44, 33] }, properties: { id: 'a', killed: 'x', sources: [], time_precision: 'week', geo_precision: 'site' } },
          { type: 'Feature', geometry: { type: 'Point', coordinates: [44, 33] }, properties: { id: 'b', date: '2020-01-01' } },
        ],
      }),
      'x.geojson',
    );
    expect(r.incidents.map((i) => i.id)).toEqual(['b']);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ index: 0, unit: 'feature' });
    expect(r.issues[0].field).toContain('title');
    expect(r.issues[0].reason).toContain('sources: must list at least one source');
    expect(r.issues[0].reason).toContain('time_precision: must be one of');
  });
});

describe('ids of two types (issue #22, case 5)', () => {
  const feature = (id: unknown, propertyId?: unknown) => ({
    type: 'Feature',
    ...(id !== undefined ? { id } : {}),
    geometry: { type: 'Point', coordinates: [44, 33] },
    properties: { date: '2020-01-01', title: 't', ...(propertyId !== undefined ? { id: propertyId } : {}) },
  });
  it.each([
    ['Feature.id', [feature(7), feature('7')], 'id "7" (a string) collides with id 7 (a number) already in this file'],
    ['Feature.id, string first', [feature('7'), feature(7)], 'id 7 (a number) collides with id "7" (a string) already in this file'],
    ['properties.id', [feature(undefined, 7), feature(undefined, '7')], 'id "7" (a string) collides with id 7 (a number) already in this file'],
  ])('never merges 7 and "7" silently (%s): the second is rejected, saying why', (_, features, reason) => {
    for (const [text, name] of [
      [JSON.stringify({ type: 'FeatureCollection', features }), 'x.geojson'],
      [features.map((f) => JSON.stringify(f)).join('\n'), 'x.ndjson'],
    ]) {
      const r = importText(text, name);
      expect(r.incidents).toHaveLength(1);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ field: 'id', reason });
    }
  });
  it('still calls a true repeat a duplicate', () => {
    const r = importText(JSON.stringify([feature(7), feature(7), feature('a'), feature('a')]), 'x.json');
    expect(r.issues.map((i) => i.reason)).toEqual(['duplicate id 7', 'duplicate id "a"']);
  });
});

describe('encodings and NUL bytes (issue #22, case 4)', () => {
  const csv = 'id,date,latitude,longitude,title\na,2020-01-01,33,44,Café\nb,2020-01-02,33,44,Straße\n';
  const utf16 = (text: string, bigEndian: boolean) => {
    const le = Buffer.from('\ufeff' + text, 'utf16le');
    return new Uint8Array(bigEndian ? le.swap16() : le);
  };
  it.each([false, true])('decodes UTF-16 with a byte-order mark (big-endian: %s), never calling it binary', async (bigEndian) => {
    const { importBytes, sniffEncoding } = await import('../../../../src/core/import/index.ts');
    const bytes = utf16(csv, bigEndian);
    expect(sniffBinary(bytes.subarray(0, 4096))).toBeNull();
    expect(sniffEncoding(bytes)).toBe(bigEndian ? 'utf-16be' : 'utf-16le');
    const r = importBytes(bytes, 'excel.csv');
    expect(r.fatal).toBeUndefined();
    expect(r.incidents.map((i) => i.properties.title)).toEqual(['Café', 'Straße']);
  });
  it('counts the rows whose bytes are not valid UTF-8; a real U+FFFD alone is no such row', async () => {
    const { importBytes } = await import('../../../../src/core/import/index.ts');
    const bytesOf = (text: string) => {
      const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x40) bytes[i] = 0xff;
      return bytes;
    };
    const head = 'id,date,latitude,longitude,title\n';
    const bad = importBytes(bytesOf(`${head}a,2020-01-01,33,44,Caf@\nb,2020-01-02,33,44,fine\nc,2020-01-03,33,44,x@y@\n`), 'latin1.csv');
    expect(bad.incidents).toHaveLength(3);
    expect(bad.notes.join(' ')).toContain('2 rows held bytes that are not valid UTF-8');
    const real = importBytes(bytesOf(`${head}b,2020-01-02,33,44,ok \ufffd kept\n`), 'real.csv');
    expect(real.notes.join(' ')).not.toContain('not valid');
    // Both: the rows cannot be told apart without a second decoding, and the note says so.
    const both = importBytes(bytesOf(`${head}a,2020-01-01,33,44,Caf@\nb,2020-01-02,33,44,ok \ufffd kept\n`), 'both.csv');
    expect(both.notes.join(' ')).toContain('up to 2 rows held bytes that are not valid UTF-8');
    // Split anywhere, the streaming decoder counts the same.
    const bytes = bytesOf(`${head}a,2020-01-01,33,44,Caf@\nb,2020-01-02,33,44,ok \ufffd kept\n`);
    const { TextDecoding } = await import('../../../../src/core/import/decode.ts');
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new TextDecoding('utf-8');
      d.decode(bytes.subarray(0, cut));
      d.decode(bytes.subarray(cut), true);
      expect([cut, d.replaced, d.genuine]).toEqual([cut, 1, 1]);
    }
  });
  it('rejects the rows that hold a NUL byte, wherever they are, and reads the rest', () => {
    const r = importCsv('id,date,latitude,longitude,title\na,2020-01-01,33,44,one\nb,2020-01-02,33,44,t\u0000wo\nc,2020-01-03,33,44,three\n');
    expect(r.incidents.map((i) => i.id)).toEqual(['a', 'c']);
    expect(r.issues).toEqual([{ index: 3, unit: 'row', field: 'title', reason: expect.stringContaining('NUL') }]);
  });
  it('refuses by magic number only: a NUL in the first 4 KB of text is not "binary"', () => {
    const head = new Uint8Array(Buffer.from('id,date,latitude,longitude\na,2020-01-01,33,44\u0000\n'));
    expect(sniffBinary(head)).toBeNull();
    expect(sniffBinary(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toContain('Excel');
  });
});

describe('format from extension and content (issue #22, case 2)', () => {
  it.each([
    ['"' + 'x'.repeat(10_000) + '"', 'a string'],
    ['42', 'a number'],
    ['null', 'null'],
    ['[1, 2, 3]', 'an array of 3 items, none of them a GeoJSON Feature'],
    ['{"type": "Point", "coordinates": [1, 2]}', 'type "Point"'],
  ])('a .json file holding %# (%s) is refused as not GeoJSON, never read as CSV', (text, what) => {
    for (const name of ['x.json', 'x.geojson', 'X.GEOJSON']) {
      const r = importText(text, name);
      expect(r.format).toBe('geojson');
      expect(r.fatal).toContain(what);
      expect(r.fatal).toContain('expected a FeatureCollection, a Feature or an array of Features');
    }
  });
  it('still reads a .csv or .txt by its content', async () => {
    const { sniffFormat } = await import('../../../../src/core/import/index.ts');
    expect(sniffFormat('id,date\n', 'x.json.csv')).toBe('csv');
    expect(sniffFormat('{"type":"FeatureCollection","features":[]}', 'x.txt')).toBe('geojson');
    expect(sniffFormat('id,date\n', 'x.json')).toBe('geojson');
  });
});

describe('absurd CSV headers (issue #22, case 1)', () => {
  it('refuses a header of more fields than the limit, naming both', async () => {
    const { MAX_HEADER_FIELDS } = await import('../../../../src/core/import/index.ts');
    const header = Array.from({ length: 64_000 }, (_, i) => `c${i}`).join(',');
    const r = importCsv(`${header}\n${'1,'.repeat(63_999)}1\n`);
    expect(r.fatal).toContain('64,000 fields');
    expect(r.fatal).toContain(`${MAX_HEADER_FIELDS.toLocaleString('en')}`);
    expect(r.needsMapping).toBeUndefined();
    const streamed = new CsvImporter();
    expect(streamed.push([header.split(',')])).toBe(false);
    expect(streamed.finish().fatal).toContain('64,000 fields');
  });
  it('refuses a first line longer than the limit from its bytes, before any parsing', async () => {
    const { MAX_HEADER_BYTES, csvHeadProblem } = await import('../../../../src/core/import/index.ts');
    const long = new Uint8Array(MAX_HEADER_BYTES + 1).fill(0x61);
    expect(csvHeadProblem(long, 30 * 1024 * 1024)).toMatch(/no line break in its first 1,048,576 bytes/);
    const fine = new Uint8Array(Buffer.from('id,date,latitude,longitude\n1,2,3,4'));
    expect(csvHeadProblem(fine, fine.length)).toBeNull();
    // A short file without a line break is one header row, read as such.
    expect(csvHeadProblem(long.subarray(0, 100), 100)).toBeNull();
  });
});
