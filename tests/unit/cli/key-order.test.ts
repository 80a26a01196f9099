import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EXTRA_KEYS, KeyOrder, mergeKeyOrders } from '../../../src/cli/dataset-writer.ts';

/** Whether `keys` come in `order`'s order. */
const follows = (keys: readonly string[], order: readonly string[]) => keys.every((k, i) => order.includes(k) && (i === 0 || order.indexOf(keys[i - 1]) < order.indexOf(k)));

describe('KeyOrder', () => {
  it('takes a row whose keys follow its order, placing a new key after the row\'s previous one', () => {
    const o = new KeyOrder();
    expect(o.take(['a', 'b', 'c'])).toBe(true);
    expect(o.take(['a', 'x', 'c'])).toBe(true);
    expect(o.keys).toEqual(['a', 'x', 'b', 'c']);
    expect(o.take(['z', 'a'])).toBe(true);
    expect(o.keys).toEqual(['z', 'a', 'x', 'b', 'c']);
    expect(o.take(['c', 'a'])).toBe(false);
    expect(o.take([])).toBe(true);
    // A key keeps the slot (its staged field) it was first given, wherever the order places it.
    expect(o.slots).toEqual(['a', 'b', 'c', 'x', 'z']);
    expect(['z', 'a', 'x'].map((k) => o.slot(k))).toEqual([4, 0, 3]);
  });

  it('leaves a row to text when a key could not be a column', () => {
    const o = new KeyOrder();
    expect(o.take(['Notes'])).toBe(true);
    for (const keys of [['notes'], ['__proto__'], [''], ['lone \ud800'], ['y', 'Y']]) expect(o.take(keys)).toBe(false);
    expect(o.keys).toEqual(['Notes']);
    expect(o.take(Array.from({ length: EXTRA_KEYS }, (_, i) => `k${i}`))).toBe(false);
  });

  it('keeps every taken row in order, and takes every row that fits (property)', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(key, { maxLength: 5 }), { maxLength: 30 }), (rows) => {
        const o = new KeyOrder();
        const taken: string[][] = [];
        for (const row of rows) {
          const before = [...o.keys];
          const fits = row.filter((k) => before.includes(k)).every((k, i, known) => i === 0 || before.indexOf(known[i - 1]) < before.indexOf(k));
          expect(o.take(row)).toBe(fits);
          if (fits) taken.push(row);
          else expect(o.keys).toEqual(before);
        }
        for (const row of taken) expect(follows(row, o.keys)).toBe(true);
        expect(new Set(o.keys).size).toBe(o.keys.length);
      }),
    );
  });
});

describe('mergeKeyOrders', () => {
  it('keeps keys met first first where the orders leave a choice', () => {
    expect(mergeKeyOrders([['a', 'b', 'c'], ['a', 'x', 'b'], ['y']])).toEqual(['a', 'x', 'b', 'c', 'y']);
    expect(mergeKeyOrders([])).toEqual([]);
  });

  it('gives null for orders that contradict each other, or keys that differ only in case', () => {
    expect(mergeKeyOrders([['a', 'b'], ['b', 'a']])).toBeNull();
    expect(mergeKeyOrders([['a', 'b', 'c'], ['c', 'a']])).toBeNull();
    expect(mergeKeyOrders([['notes'], ['Notes']])).toBeNull();
  });

  it('finds an order that every stage\'s follows whenever one exists (property)', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(key, { maxLength: 5 }), { maxLength: 6 }), (orders) => {
        const merged = mergeKeyOrders(orders);
        // Brute force: does any order of the keys met follow every stage's?
        const keys = [...new Set(orders.flat())];
        const permutations = (xs: string[]): string[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
        const exists = permutations(keys).some((p) => orders.every((o) => follows(o, p)));
        expect(merged !== null).toBe(exists);
        if (merged) {
          expect([...merged].sort()).toEqual([...keys].sort());
          for (const o of orders) expect(follows(o, merged)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
