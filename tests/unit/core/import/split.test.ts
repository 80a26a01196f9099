// A CSV file read in two parts (two workers) must give exactly what one read-through gives:
// the same rows accepted with the same numbers and ids, the same issues and notes — or the
// combination must refuse, so that the worker reads the file through instead.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Papa from 'papaparse';
import { CSV_PARSE_CONFIG, CsvImporter, combineCsvParts, importCsv, type ImportResult } from '../../../../src/core/import/index.ts';
import { CsvBoundaryScan, csvDialect, findCsvCut, likelyCut } from '../../../../src/core/import/split.ts';

type Accepted = [id: string, row: number, cells: string];

/** One importer over the whole text: the reference. */
function readThrough(text: string): { result: ImportResult; accepted: Accepted[] } {
  const accepted: Accepted[] = [];
  const result = importCsv(text, { retain: false, onAccept: (cells, row, incident) => accepted.push([incident.id, row, (cells as string[]).join('|')]) });
  return { result, accepted };
}

/** The worker's way: cut near `near`, parse each part on its own, combine. */
async function readInParts(text: string, near: number, slice: number) {
  const bytes = new TextEncoder().encode(text);
  const read = async (start: number, end: number) => bytes.subarray(start, end);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  const { delimiter, newline } = csvDialect(text);
  const cut = await findCsvCut(read, bytes.length, near, delimiter, slice);
  if (!cut) return { cut: null };
  const config = { ...CSV_PARSE_CONFIG, delimiter, newline };
  const accepted: Accepted[] = [];
  const onAccept = (cells: unknown, row: number, incident: { id: string }) => accepted.push([incident.id, row, (cells as string[]).join('|')]);
  const a = new CsvImporter({ retain: false, onAccept });
  const head = Papa.parse<string[]>(decode(bytes.subarray(0, cut.offset)).replace(/^\uFEFF/, ''), config);
  if (!a.push(head.data, head.errors)) return { cut, result: null };
  const context = a.rebuildContext();
  if (!context || context.format !== 'csv') return { cut, result: null };
  const aCount = accepted.length;
  const b = new CsvImporter({ retain: false, onAccept, headers: context.headers, mapping: context.mapping, firstRow: cut.firstRow });
  const tail = Papa.parse<string[]>(decode(bytes.subarray(cut.offset)), config);
  b.push(tail.data, tail.errors);
  const result = combineCsvParts(a.part(), b.part(), cut.firstRow, (id) => a.has(id), accepted.slice(aCount).map(([id]) => id));
  return { cut, result, accepted };
}

const HEADER = 'event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,notes,fatalities';

/** Rows an analyst's file holds, good and bad: quoted newlines and quotes, blank and ragged rows, repeated ids. */
const row = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
    id: fc.oneof(fc.integer({ min: 0, max: 60 }).map((n) => `IRQ${n}`), fc.constant('')),
    day: fc.integer({ min: 1, max: 31 }),
    lat: fc.oneof({ weight: 6, arbitrary: fc.double({ min: -90, max: 90, noNaN: true }).map((x) => x.toFixed(4)) }, { weight: 1, arbitrary: fc.constantFrom('', '91', '1e999') }),
    notes: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('two\nlines', 'said "no"', 'a,b', '\r\n', '""')),
    extra: fc.constantFrom('', ',extra', ',,'),
  }).map((r) => `${r.id},${r.day} January 2020,Battles,Armed clash,${r.lat},44.5,"${r.notes.replace(/"/g, '""')}",1${r.extra}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', ',,,', '"', 'x"y,1', '"a"b,2') },
);
const file = fc.tuple(fc.array(row, { maxLength: 60 }), fc.constantFrom('\n', '\r\n')).map(([rows, eol]) => [HEADER, ...rows].join(eol));

describe('reading a CSV file in two parts', () => {
  it('gives what one read-through gives, or refuses', async () => {
    let combined = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(file, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 64 }), async (text, permille, slice) => {
        const near = Math.floor((permille / 1000) * new TextEncoder().encode(text).length);
        const parts = await readInParts(text, near, slice);
        if (!parts.cut) return;
        if (!parts.result) {
          refused++;
          return;
        }
        combined++;
        const one = readThrough(text);
        expect(parts.accepted).toEqual(one.accepted);
        expect(parts.result.issues).toEqual(one.result.issues);
        expect(parts.result.notes).toEqual(one.result.notes);
        expect(parts.result.total).toBe(one.result.total);
      }),
      { numRuns: 600 },
    );
    // Most cuts are taken: refusing every file would pass the check above.
    expect(combined).toBeGreaterThan(refused * 2);
  });

  it('never cuts inside a quoted field, and counts the rows before the cut as papaparse does', async () => {
    const text = `${HEADER}\nA1,1 January 2020,Battles,Armed clash,33,44,"one\n\ntwo, three",1\n\n,,\nA2,2 January 2020,Battles,Armed clash,33,44,plain,1\n`;
    const bytes = new TextEncoder().encode(text);
    const inside = text.indexOf('one') + 4;
    const cut = await findCsvCut(async (s, e) => bytes.subarray(s, e), bytes.length, inside, ',');
    // The cut is where the quoted record ends, before the blank rows.
    expect(cut).toEqual({ offset: text.indexOf(',1\n\n') + 3, firstRow: 3 });
  });

  it('finds no cut past the last record, in a file without line feeds, or for a multi-byte delimiter', async () => {
    const text = 'a,b\n1,2\n';
    const bytes = new TextEncoder().encode(text);
    const read = async (s: number, e: number) => bytes.subarray(s, e);
    expect(await findCsvCut(read, bytes.length, 5, ',')).toBeNull();
    const cr = new TextEncoder().encode('a,b\r1,2\r3,4\r');
    expect(await findCsvCut(async (s, e) => cr.subarray(s, e), cr.length, 2, ',')).toBeNull();
    expect(await findCsvCut(read, bytes.length, 1, '¦')).toBeNull();
  });

  it('refuses when a row after the cut repeats an id accepted before it', async () => {
    const text = `${HEADER}\nX,1 January 2020,Battles,Armed clash,33,44,n,1\nX,2 January 2020,Battles,Armed clash,33,44,n,1\n`;
    const parts = await readInParts(text, text.indexOf('X,2'), 1 << 20);
    expect(parts.cut).not.toBeNull();
    expect(parts.result).toBeNull();
  });

  it('refuses when the first part ends inside quotes or has another number of rows than the scan counted', () => {
    const part = { issues: [], notes: [], total: 3, rows: 4, assumedUtc: 0, unterminated: false, replacedRows: 0, text: { encoding: 'utf-8' as const, replaced: 0, genuine: 0, nul: false } };
    const none = () => false;
    expect(combineCsvParts(part, part, 5, none, [])).not.toBeNull();
    expect(combineCsvParts({ ...part, unterminated: true }, part, 5, none, [])).toBeNull();
    expect(combineCsvParts(part, part, 6, none, [])).toBeNull();
  });

  it('guesses a cut where a record starts, past line feeds inside quoted fields', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `A${i},1 January 2020,Battles,Armed clash,33,44,"near the town,\nline ${i} of ""notes""",1`);
    const text = [HEADER, ...rows].join('\n');
    const bytes = new TextEncoder().encode(text);
    const starts = new Set(rows.map((r) => text.indexOf(r)));
    for (let near = 1000; near < bytes.length - 3000; near += 777) {
      const cut = likelyCut(bytes.subarray(near), ',', 8);
      expect(starts.has(near + cut), `near ${near}`).toBe(true);
    }
    // With no row of the expected width, the first line feed.
    expect(likelyCut(bytes.subarray(1000), ',', 9)).toBe(text.indexOf('\n', 1000) - 1000 + 1);
  });

  it('scans a slice boundary inside a quoted field like one buffer', () => {
    const bytes = new TextEncoder().encode('a,"x\ny""\nz",b\nc,d\n');
    const whole = new CsvBoundaryScan(0x2c);
    const split = new CsvBoundaryScan(0x2c);
    expect(split.scan(bytes.subarray(0, 6), 1)).toBe(-1);
    expect(split.scan(bytes.subarray(6), 1)).toBe(whole.scan(bytes, 1));
    expect(split.records).toBe(1);
  });
});
