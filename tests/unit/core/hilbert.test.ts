import { describe, expect, it } from 'vitest';
import { hilbertKey } from '../../../src/core/hilbert.ts';

describe('hilbertKey', () => {
  it('covers 0 … 2^32 − 1 from corner to corner', () => {
    expect(hilbertKey(-180, -90)).toBe(0);
    expect(hilbertKey(180, -90)).toBe(2 ** 32 - 1);
    expect(hilbertKey(0, 0)).toBeGreaterThan(0);
  });
  it('visits each quadrant of the world in one stretch of keys', () => {
    const quadrant = (lon: number, lat: number) => Math.floor(hilbertKey(lon, lat) / 2 ** 30);
    expect([quadrant(-90, -45), quadrant(-90, 45), quadrant(90, 45), quadrant(90, -45)]).toEqual([0, 1, 2, 3]);
  });
  it('gives consecutive keys to neighbouring cells, so a run of rows covers a small area', () => {
    const cell = 360 / 2 ** 16;
    const keys = new Map<number, [number, number]>();
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) keys.set(hilbertKey(i * cell + cell / 2 - 180, ((j * cell) / 2) + cell / 4 - 90), [i, j]);
    const sorted = [...keys.keys()].sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: 256 }, (_, k) => k));
    for (let k = 1; k < sorted.length; k++) {
      const [a, b] = [keys.get(sorted[k - 1])!, keys.get(sorted[k])!];
      expect(Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1])).toBe(1);
    }
  });
});
