import { describe, expect, it } from 'vitest';
import { mercatorPositions } from '../../../src/map/vertices.ts';

describe('mercatorPositions', () => {
  it('puts lon/lat 0,0 at the centre and the corners of the Web Mercator square at its edges', () => {
    const p = mercatorPositions([0, -180, 180], [0, 85.051129, -85.051129]);
    expect(p[0]).toBeCloseTo(0.5, 6);
    expect(p[1]).toBeCloseTo(0.5, 6);
    expect(p[2]).toBeCloseTo(0, 6);
    expect(p[3]).toBeCloseTo(0, 5);
    expect(p[4]).toBeCloseTo(1, 6);
    expect(p[5]).toBeCloseTo(1, 5);
  });
  it('clamps latitudes beyond ±85.05° instead of sending them to infinity', () => {
    const p = mercatorPositions([0, 0], [90, -90]);
    expect([...p].every(Number.isFinite)).toBe(true);
    expect(p[1]).toBeCloseTo(0, 5);
    expect(p[3]).toBeCloseTo(1, 5);
  });
  it('builds a chunk [from, to) of a longer column, as the GPU layer uploads it', () => {
    const lon = [10, 20, 30, 40];
    const lat = [1, 2, 3, 4];
    expect([...mercatorPositions(lon, lat, 1, 3)]).toEqual([...mercatorPositions(lon, lat)].slice(2, 6));
  });
});
