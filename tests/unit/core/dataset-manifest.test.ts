import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MANIFEST_VERSION, OPENING_ROWS, openingDays, pieceInside, pieceMayMatch, piecesToRead, safeDatasetPath, validateManifest, type Manifest, type PieceStats } from '../../../src/core/dataset-manifest.ts';
import type { Bbox, View } from '../../../src/core/geometry.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';

const manifest = (): Manifest => ({
  format: 'incident-atlas-dataset',
  version: MANIFEST_VERSION,
  name: 'test',
  created: '2026-11-29T00:00:00.000Z',
  sources: [{ file: 'a.csv', sha256: 'a'.repeat(64), bytes: 10, rows: 3, rejected: 0 }],
  rows: 3,
  days: { from: '2019-12-27', to: '2020-01-08' },
  bbox: [35, 30, 50, 37],
  vocabularies: { category: { airstrike: 2, other: 1 }, status: { confirmed: 3 } },
  partitions: [
    { path: 'month=2019-12/part-0.parquet', rows: 1, rowGroups: 1, days: { from: '2019-12-27', to: '2019-12-27' }, bbox: [44, 35, 44, 35], bytes: 100 },
    { path: 'month=2020-01/part-0.parquet', rows: 2, rowGroups: 1, days: { from: '2020-01-03', to: '2020-01-08' }, bbox: [35, 30, 50, 37], bytes: 200 },
  ],
  overviews: [{ zoom: 6, path: 'overview/zoom=6/part-0.parquet', rows: 2, bytes: 50 }],
});

/** The manifest with one change made by `edit`. */
function edited(edit: (m: Record<string, unknown> & Manifest) => void): unknown {
  const m = structuredClone(manifest()) as Record<string, unknown> & Manifest;
  edit(m);
  return m;
}

describe('validateManifest', () => {
  it('accepts a manifest as build-dataset writes it', () => {
    expect(validateManifest(manifest())).toEqual({ manifest: manifest() });
  });
  it('accepts unknown fields (a later minor addition)', () => {
    expect(validateManifest(edited((m) => (m.comment = 'hi'))).error).toBeUndefined();
  });
  it.each([
    ['not an object', [], 'is not a JSON object'],
    ['another format', edited((m) => ((m as { format: string }).format = 'stac')), 'is this a prepared dataset?'],
    ['a future version', edited((m) => (m.version = MANIFEST_VERSION + 1)), 'newer than this app reads'],
    ['a version that is not a number', edited((m) => ((m as { version: unknown }).version = '1')), '"version" must be a positive integer'],
    ['an impossible date', edited((m) => (m.days.to = '2020-02-30')), '"days" holds an invalid date'],
    ['days the wrong way round', edited((m) => (m.days = { from: '2020-01-08', to: '2019-12-27' })), '"from" is after "to"'],
    ['a bbox of three numbers', edited((m) => ((m as { bbox: unknown }).bbox = [1, 2, 3])), 'four numbers'],
    ['a bbox out of range', edited((m) => (m.bbox = [35, 30, 190, 37])), 'is not a bbox in degrees'],
    ['a bad digest', edited((m) => (m.sources[0].sha256 = 'xyz')), '"sources" must list'],
    ['an unknown category', edited((m) => (m.vocabularies.category = { bombing: 1 })), '"vocabularies"'],
    ['a partition path that climbs out', edited((m) => (m.partitions[0].path = '../../etc/passwd')), 'must be a relative path inside the dataset'],
    ['a partition path that is a URL', edited((m) => (m.partitions[0].path = 'https://evil.example/x.parquet')), 'must be a relative path'],
    ['an absolute partition path', edited((m) => (m.partitions[0].path = '/x.parquet')), 'must be a relative path'],
    ['an empty partition', edited((m) => (m.partitions[0].rows = 0)), 'rows above 0'],
    ['partition rows that do not add up', edited((m) => (m.rows = 4)), 'the partitions hold 3 rows, not the 4'],
    ['an overview path with a query', edited((m) => (m.overviews[0].path = 'o.parquet?x=1')), '"overviews"'],
  ])('rejects %s', (_what, json, message) => {
    const r = validateManifest(json);
    expect(r.manifest).toBeUndefined();
    expect(r.error).toContain(message);
    expect(r.error!.startsWith('manifest.json: ')).toBe(true);
  });
});

describe('safeDatasetPath', () => {
  it.each(['month=2020-01/part-0.parquet', 'overview/zoom=6/part-0.parquet', 'a.parquet'])('allows %s', (p) => expect(safeDatasetPath(p)).toBe(true));
  it.each(['', '.', 'a/../b', 'a//b', 'a\\b', 'C:/x', 'data:,x', 'javascript:alert(1)', 'a\nb', 'a%2e%2e/b', '/abs'])('refuses %j', (p) => expect(safeDatasetPath(p)).toBe(false));
});

/** An incident as the filter sees it: its days and its extent. */
interface Item {
  from: number;
  to: number;
  bbox: Bbox;
}

/** The rule of core/filter.ts, written out: days overlap and extent touches the view. */
function shown(item: Item, days: { from: number; to: number }, [w, s, e, n]: View): boolean {
  if (item.to < days.from || item.from > days.to) return false;
  const [bw, bs, be, bn] = item.bbox;
  if (bs > n || bn < s) return false;
  return w <= e ? be >= w && bw <= e : be >= w || bw <= e;
}

const statsOf = (items: Item[]): PieceStats => ({
  days: { from: Math.min(...items.map((i) => i.from)), to: Math.max(...items.map((i) => i.to)) },
  bbox: [Math.min(...items.map((i) => i.bbox[0])), Math.min(...items.map((i) => i.bbox[1])), Math.max(...items.map((i) => i.bbox[2])), Math.max(...items.map((i) => i.bbox[3]))],
});

const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const day = fc.integer({ min: 18_000, max: 18_100 });
const item = fc.tuple(day, fc.integer({ min: 0, max: 5 }), lon, lat, fc.double({ min: 0, max: 20, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true })).map(
  ([from, len, x, y, dx, dy]): Item => ({ from, to: from + len, bbox: [x, y, Math.min(180, x + dx), Math.min(90, y + dy)] }),
);
const view = fc.tuple(lon, lon, lat, lat).map(([a, b, c, d]): View => [a, Math.min(c, d), b, Math.max(c, d)]);
const days = fc.tuple(day, day).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));

describe('piecesToRead', () => {
  it('never skips a piece that holds an incident the filter shows (against a brute-force filter)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(item, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }), days, view, (pieces, d, v) => {
        const read = new Set(piecesToRead(pieces.map(statsOf), d, v));
        pieces.forEach((items, k) => {
          if (items.some((i) => shown(i, d, v))) expect(read.has(k)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
  it('reads a piece of one incident exactly when the filter shows it', () => {
    fc.assert(
      fc.property(item, days, view, (i, d, v) => {
        expect(pieceMayMatch(statsOf([i]), d, v)).toBe(shown(i, d, v));
      }),
      { numRuns: 1000 },
    );
  });
  it('skips on days alone, on the view alone, and across the antimeridian', () => {
    const piece: PieceStats = { days: { from: 10, to: 20 }, bbox: [170, -10, 179, 10] };
    expect(piecesToRead([piece], { from: 21, to: 30 }, [-180, -90, 180, 90])).toEqual([]);
    expect(piecesToRead([piece], { from: 20, to: 20 }, [-180, -90, 180, 90])).toEqual([0]);
    expect(piecesToRead([piece], { from: 0, to: 10 }, [0, -90, 160, 90])).toEqual([]);
    expect(piecesToRead([piece], { from: 0, to: 10 }, [175, -5, -170, 5])).toEqual([0]);
    expect(piecesToRead([piece], { from: 0, to: 10 }, [179.5, -5, -170, 5])).toEqual([]);
  });
  it('skips a piece with no rows', () => {
    expect(pieceMayMatch({ days: { from: Infinity, to: -Infinity }, bbox: [0, 0, 0, 0] }, { from: 0, to: 1e9 }, [-180, -90, 180, 90])).toBe(false);
  });
});

describe('pieceInside', () => {
  it('is true only when the filter shows every incident of the piece (against a brute-force filter)', () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), days, view, (items, d, v) => {
        if (pieceInside(statsOf(items), d, v)) expect(items.every((i) => shown(i, d, v))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
  it('and on a coarse grid, where edges meet', () => {
    const coarse = (max: number) => fc.integer({ min: -max / 10, max: max / 10 }).map((k) => k * 10);
    const box = fc.tuple(day, fc.integer({ min: 0, max: 3 }), coarse(180), coarse(90), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(
      ([from, len, x, y, dx, dy]): Item => ({ from, to: from + len, bbox: [x, y, Math.min(180, x + dx * 10), Math.min(90, y + dy * 10)] }),
    );
    const grid = fc.tuple(coarse(180), coarse(180), coarse(90), coarse(90)).map(([a, b, c, d]): View => [a, Math.min(c, d), b, Math.max(c, d)]);
    fc.assert(
      fc.property(fc.array(box, { minLength: 1, maxLength: 4 }), days, grid, (items, d, v) => {
        if (pieceInside(statsOf(items), d, v)) expect(items.every((i) => shown(i, d, v))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
  it('holds a piece inside the days and the view, on each side of the antimeridian', () => {
    const piece: PieceStats = { days: { from: 10, to: 20 }, bbox: [170, -10, 179, 10] };
    expect(pieceInside(piece, { from: 10, to: 20 }, [-180, -90, 180, 90])).toBe(true);
    expect(pieceInside(piece, { from: 11, to: 20 }, [-180, -90, 180, 90])).toBe(false);
    expect(pieceInside(piece, { from: 10, to: 20 }, [165, -10, -170, 10])).toBe(true);
    expect(pieceInside({ ...piece, bbox: [-179, -10, -175, 10] }, { from: 10, to: 20 }, [165, -10, -170, 10])).toBe(true);
    expect(pieceInside({ ...piece, bbox: [-179, -10, -160, 10] }, { from: 10, to: 20 }, [165, -10, -170, 10])).toBe(false);
    expect(pieceInside(piece, { from: 10, to: 20 }, [171, -10, 180, 10])).toBe(false);
    expect(pieceInside({ ...piece, bbox: [-169.8, -10, -169.5, 10] }, { from: 10, to: 20 }, [165, -10, -170, 10])).toBe(false);
  });
});

describe('openingDays', () => {
  const span = { from: dayOfIsoDate('2020-01-01'), to: dayOfIsoDate('2020-12-31') };
  const months = (rows: number) =>
    Array.from({ length: 12 }, (_, m) => {
      const mm = String(m + 1).padStart(2, '0');
      return { path: `month=2020-${mm}/part-0.parquet`, rows, rowGroups: 1, days: { from: `2020-${mm}-01`, to: `2020-${mm}-28` }, bbox: [0, 0, 1, 1] as Bbox, bytes: 1 };
    });
  it('opens a dataset that holds at most OPENING_ROWS incidents whole', () => {
    expect(openingDays({ rows: OPENING_ROWS, partitions: months(OPENING_ROWS / 12) }, span)).toEqual(span);
  });
  it('opens a larger one on its latest partitions while they hold at most OPENING_ROWS, to the end of the span', () => {
    expect(openingDays({ rows: 12 * 30_000, partitions: months(30_000) }, span)).toEqual({ from: dayOfIsoDate('2020-10-01'), to: span.to });
    // The latest partition at least, however large; partitions in any order.
    expect(openingDays({ rows: 12 * 4e6, partitions: months(4e6).reverse() }, span)).toEqual({ from: dayOfIsoDate('2020-12-01'), to: span.to });
  });
  it('holds at most OPENING_ROWS by the partitions, or the latest one alone (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 12 }), (rows) => {
        const partitions = months(1).slice(0, rows.length).map((p, i) => ({ ...p, rows: rows[i] }));
        const total = rows.reduce((a, b) => a + b, 0);
        const days = openingDays({ rows: total, partitions }, span);
        const read = partitions.filter((p) => dayOfIsoDate(p.days.from) >= days.from).reduce((n, p) => n + p.rows, 0);
        expect(days.to).toBe(span.to);
        if (total <= OPENING_ROWS) expect(days).toEqual(span);
        else expect(read <= OPENING_ROWS || read === rows[rows.length - 1]).toBe(true);
      }),
    );
  });
});
