// IdSet stands in for a Set<string> in the importer: it must answer exactly as one would.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdSet, hashId } from '../../../src/core/id-set.ts';

describe('IdSet', () => {
  it('answers add and has exactly as a Set<string> does', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', 'IRQ1', 'IRQ10', 'IRQ100')), { maxLength: 300 }), fc.array(fc.string(), { maxLength: 20 }), (ids, probes) => {
        const ours = new IdSet();
        const reference = new Set<string>();
        for (const id of ids) {
          const isNew = !reference.has(id);
          reference.add(id);
          expect(ours.add(id)).toBe(isNew);
          expect(ours.size).toBe(reference.size);
        }
        for (const id of [...ids, ...probes]) expect(ours.has(id)).toBe(reference.has(id));
      }),
      { numRuns: 300 },
    );
  });

  it('tells apart ids whose hashes are equal', () => {
    const [a, b] = ['id-5pvu', 'id-c3ea'];
    expect(hashId(a)).toBe(hashId(b));
    const set = new IdSet();
    expect(set.add(a)).toBe(true);
    expect(set.has(b)).toBe(false);
    expect(set.add(b)).toBe(true);
    expect(set.add(a)).toBe(false);
    expect(set.add(b)).toBe(false);
    expect(set.size).toBe(2);
  });

  it('keeps every id through many regrowths', () => {
    const set = new IdSet();
    const n = 200_000;
    let refused = 0;
    for (let i = 0; i < n; i++) if (!set.add(`ACLED-${i}-${'x'.repeat(i % 40)}`)) refused++;
    expect([refused, set.size]).toEqual([0, n]);
    let missing = 0;
    let stray = 0;
    for (let i = 0; i < n; i++) {
      if (!set.has(`ACLED-${i}-${'x'.repeat(i % 40)}`)) missing++;
      if (set.has(`ACLED-${i}-${'x'.repeat((i + 1) % 40)}`)) stray++;
    }
    expect([missing, stray]).toEqual([0, 0]);
  });
});
