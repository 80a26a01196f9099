import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { slabsOf, type SlabGroup } from '../../../src/core/dataset-export.ts';

const group = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 30 })).map(([from, len, rows]): SlabGroup & { k?: number } => ({ rows, starts: { from, to: from + len } }));

describe('slabsOf', () => {
  it('takes every group once, and no incident of a slab starts before one of an earlier slab', () => {
    fc.assert(
      fc.property(fc.array(group, { maxLength: 40 }), fc.integer({ min: 1, max: 80 }), (groups, rows) => {
        const slabs = slabsOf(groups, rows);
        expect(slabs.flat().length).toBe(groups.length);
        expect(new Set(slabs.flat()).size).toBe(groups.length);
        for (let i = 1; i < slabs.length; i++) {
          const before = Math.max(...slabs.slice(0, i).flat().map((g) => g.starts.to));
          expect(Math.min(...slabs[i].map((g) => g.starts.from))).toBeGreaterThan(before);
        }
        // A slab closes only once it holds the rows asked for.
        for (const slab of slabs.slice(0, -1)) expect(slab.reduce((n, g) => n + g.rows, 0)).toBeGreaterThanOrEqual(rows);
      }),
      { numRuns: 500 },
    );
  });

  it('cuts groups sorted by week into slabs of about the rows asked for', () => {
    const weeks = Array.from({ length: 10 }, (_, w) => Array.from({ length: 3 }, () => ({ rows: 10, starts: { from: w * 7, to: w * 7 + 6 } }))).flat();
    expect(slabsOf(weeks, 30).map((s) => s.length)).toEqual(Array(10).fill(3));
    expect(slabsOf(weeks, 31).map((s) => s.length)).toEqual(Array(5).fill(6));
  });

  it('keeps groups that all span the whole time in one slab', () => {
    const wide = Array.from({ length: 5 }, (_, k) => ({ rows: 100, starts: { from: k, to: 100 } }));
    expect(slabsOf(wide, 10)).toHaveLength(1);
  });
});
