// The histogram of a prepared dataset's whole span, from its overview rows: it must count
// what a plain sum over the rows counts, bin by bin, for any view, toggles and measure.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { histogramOfOverview } from '../../../src/core/histogram.ts';
import { DayRows, tileBbox, type OverviewDays } from '../../../src/core/overview.ts';
import { bboxIntersectsView, normalizeView, type View } from '../../../src/core/geometry.ts';
import { CATEGORIES, STATUSES } from '../../../src/core/schema.ts';
import { DAY_MS, dayOfIsoDate } from '../../../src/core/time.ts';

const ZOOM = 3;
const row = fc.record({
  x: fc.integer({ min: 0, max: 2 ** ZOOM - 1 }),
  y: fc.integer({ min: 0, max: 2 ** ZOOM - 1 }),
  // Some days before and after the span, which no bar counts.
  day: fc.integer({ min: -40, max: 3000 }),
  category: fc.integer({ min: 0, max: CATEGORIES.length - 1 }),
  status: fc.integer({ min: 0, max: STATUSES.length - 1 }),
  count: fc.integer({ min: 1, max: 50 }),
  killed: fc.integer({ min: 0, max: 20 }),
});
type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

const FROM = dayOfIsoDate('2020-01-01');
const rowsOf = (list: Row[]): OverviewDays => {
  const d = new DayRows(ZOOM);
  for (const r of list) d.add(r.x, r.y, FROM + r.day, CATEGORIES[r.category], STATUSES[r.status], r.count, r.killed);
  return d.rows();
};
const view = fc
  .tuple(fc.double({ min: -200, max: 200, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: 0.1, max: 400, noNaN: true }), fc.double({ min: 0.1, max: 120, noNaN: true }))
  .map(([w, s, width, height]): View => normalizeView(w, s, w + width, Math.min(90, s + height)));
const subset = <T>(all: readonly T[]) => fc.option(fc.subarray([...all]).map((a) => new Set(a)), { nil: null });

describe('histogramOfOverview', () => {
  it('sums, per bin and category, the rows of its days whose tile meets the view and whose category and status are on', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 200 }),
        fc.integer({ min: 0, max: 2900 }),
        view,
        subset(CATEGORIES),
        subset(STATUSES),
        fc.constantFrom('count' as const, 'killed' as const),
        (list, days, v, categories, statuses, measure) => {
          const span = { from: FROM, to: FROM + days };
          const h = histogramOfOverview(rowsOf(list), span, v, categories, statuses, measure);
          expect(h.bins[0].start).toBe(span.from * DAY_MS);
          expect(h.bins[h.bins.length - 1].end).toBe((span.to + 1) * DAY_MS);
          for (const bin of h.bins) {
            const want = CATEGORIES.map(() => 0);
            for (const r of list) {
              const t = (FROM + r.day) * DAY_MS;
              if (t < bin.start || t >= bin.end) continue;
              if (categories && !categories.has(CATEGORIES[r.category])) continue;
              if (statuses && !statuses.has(STATUSES[r.status])) continue;
              if (!bboxIntersectsView(tileBbox(ZOOM, r.x, r.y), v)) continue;
              want[r.category] += measure === 'count' ? r.count : r.killed;
            }
            expect(bin.values).toEqual(want);
            expect(bin.total).toBe(want.reduce((a, b) => a + b, 0));
          }
          expect(h.max).toBe(Math.max(0, ...h.bins.map((b) => b.total)));
        },
      ),
      { seed: 17, numRuns: 150 },
    );
  });

  it('draws a span of three days or less by day: the overview knows no hours', () => {
    const h = histogramOfOverview(rowsOf([{ x: 0, y: 0, day: 1, category: 0, status: 0, count: 3, killed: 0 }]), { from: FROM, to: FROM + 2 }, [-180, -90, 180, 90], null, null, 'count');
    expect(h.unit).toBe('day');
    expect(h.bins.map((b) => b.total)).toEqual([0, 3, 0]);
  });

  it('leaves out tiles outside the view, across the antimeridian too', () => {
    // Tile 0 of zoom 3 spans 180°W–135°W, tile 7 135°E–180°E; tile 3 lies west of Greenwich.
    const rows = rowsOf([
      { x: 0, y: 3, day: 0, category: 0, status: 0, count: 1, killed: 0 },
      { x: 7, y: 3, day: 0, category: 0, status: 0, count: 10, killed: 0 },
      { x: 3, y: 3, day: 0, category: 0, status: 0, count: 100, killed: 0 },
    ]);
    const h = histogramOfOverview(rows, { from: FROM, to: FROM + 10 }, [170, -10, -170, 60], null, null, 'count');
    expect(h.bins[0].total).toBe(11);
  });
});

describe('DayRows', () => {
  it('keeps every row past its first allocation, and drops unknown vocabularies and empty counts', () => {
    const d = new DayRows(6);
    for (let i = 0; i < 5000; i++) d.add(i % 64, 1, i, CATEGORIES[i % CATEGORIES.length], STATUSES[0], 1 + (i % 3), i % 2 ? Number.NaN : 2);
    d.add(0, 0, 0, 'no such category', STATUSES[0], 5, 0);
    d.add(0, 0, 0, CATEGORIES[0], 'no such status', 5, 0);
    d.add(0, 0, 0, CATEGORIES[0], STATUSES[0], 0, 0);
    const rows = d.rows();
    expect(rows.count.length).toBe(5000);
    expect(rows.count.reduce((a, b) => a + b, 0)).toBe(Array.from({ length: 5000 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0));
    // An unknown killed is none known; rows of even i have killed 2, and each row keeps its own.
    for (let k = 0; k < rows.day.length; k++) {
      expect(rows.killed[k]).toBe(rows.day[k] % 2 ? 0 : 2);
      expect(rows.x[k]).toBe(rows.day[k] % 64);
      expect(rows.category[k]).toBe(rows.day[k] % CATEGORIES.length);
    }
  });

  it('runs rows tile by tile, each tile once, with starts bounding each run', () => {
    const d = new DayRows(2);
    for (const [x, y] of [[3, 1], [0, 0], [3, 1], [1, 2], [0, 0], [3, 1]]) d.add(x, y, 0, CATEGORIES[0], STATUSES[0], 1, 0);
    const rows = d.rows();
    expect(Array.from(rows.starts)).toEqual([0, 2, 5, 6]);
    expect(Array.from(rows.y)).toEqual([0, 0, 1, 1, 1, 2]);
    expect(Array.from(rows.x)).toEqual([0, 0, 3, 3, 3, 1]);
  });

  it('gives one bound and no runs when empty', () => {
    expect(Array.from(new DayRows(6).rows().starts)).toEqual([0]);
  });
});
