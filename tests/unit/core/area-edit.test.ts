import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { areaVertices, drawnPolygons, moveVertex, wrapLongitude } from '../../../src/core/area-edit.ts';
import { areaOfPolygons, contains, type Area } from '../../../src/core/area.ts';

const areaOf = (polygons: number[][][][]): Area => {
  const r = areaOfPolygons(polygons);
  if ('error' in r) throw new Error(r.error);
  return r.area;
};

describe('wrapLongitude', () => {
  it('leaves −180…180 as it is, ends included', () => {
    for (const lon of [-180, -12.5, 0, 179.999, 180]) expect(wrapLongitude(lon)).toBe(lon);
  });
  it('brings a longitude from another copy of the world back to the same meridian', () => {
    expect(wrapLongitude(181)).toBe(-179);
    expect(wrapLongitude(-190)).toBe(170);
    expect(wrapLongitude(540 + 44)).toBe(-136);
    fc.assert(
      fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), (lon) => {
        const w = wrapLongitude(lon);
        expect(w).toBeGreaterThanOrEqual(-180);
        expect(w).toBeLessThanOrEqual(180);
        // A whole number of turns apart.
        const turns = (w - lon) / 360;
        expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-9);
      }),
    );
  });
});

describe('drawnPolygons', () => {
  it('makes one polygon of the clicked points, to 6 decimals, as a link keeps them', () => {
    expect(drawnPolygons([[44.12345678, 33.0000004], [45, 33], [45, 34]])).toEqual([[[[44.123457, 33], [45, 33], [45, 34]]]]);
  });
  it('wraps points clicked beyond the antimeridian, and area.ts joins them across it', () => {
    const polygons = drawnPolygons([[170, -10], [190, -10], [190, 10], [170, 10]]);
    expect(polygons[0][0].map(([lon]) => lon)).toEqual([170, -170, -170, 170]);
    const a = areaOf(polygons);
    expect(contains(a, 179, 0)).toBe(true);
    expect(contains(a, -175, 5)).toBe(true);
    expect(contains(a, 0, 0)).toBe(false);
  });
  it('leaves fewer than 3 points, or a crossing, to area.ts to refuse', () => {
    expect(areaOfPolygons(drawnPolygons([[44, 33], [45, 33]]))).toEqual({ error: 'The outer ring needs at least 3 different positions; it has 2.' });
    expect(areaOfPolygons(drawnPolygons([[44, 33], [45, 34], [45, 33], [44, 34]]))).toMatchObject({ error: expect.stringContaining('crosses itself') });
  });
});

describe('areaVertices and moveVertex', () => {
  const square = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]];
  const hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]];

  it('lists each vertex once, not the closing position, with holes and polygons', () => {
    const a = areaOf([[...square, hole], [[[20, 0], [30, 0], [25, 5], [20, 0]]]]);
    const v = areaVertices(a.drawn);
    expect(v).toHaveLength(4 + 4 + 3);
    expect(v[0]).toEqual({ at: [0, 0, 0], lon: 0, lat: 0 });
    expect(v[5]).toEqual({ at: [0, 1, 1], lon: 6, lat: 4 });
    expect(v[10]).toEqual({ at: [1, 0, 2], lon: 25, lat: 5 });
  });
  it('moves the first vertex together with the closing position', () => {
    const moved = moveVertex(areaOf([square]).drawn, [0, 0, 0], -2, -2);
    expect(moved[0][0][0]).toEqual([-2, -2]);
    expect(moved[0][0][4]).toEqual([-2, -2]);
    expect(contains(areaOf(moved), -1, -1)).toBe(true);
  });
  it('moves a hole\'s vertex and nothing else', () => {
    const a = areaOf([[...square, hole]]);
    const moved = moveVertex(a.drawn, [0, 1, 2], 7, 7);
    expect(moved[0][1][2]).toEqual([7, 7]);
    expect(moved[0][0]).toEqual(square[0]);
    expect(contains(areaOf(moved), 6.5, 6.4)).toBe(false);
  });
  it('wraps an area unwrapped across the antimeridian, and a vertex dragged beyond it', () => {
    const a = areaOf([[[[170, -10], [-170, -10], [-170, 10], [170, 10]]]]);
    // The map draws it unwrapped: its vertices east of 180 are at 190.
    expect(areaVertices(a.drawn).map((v) => v.lon)).toEqual([170, 190, 190, 170]);
    const moved = moveVertex(a.drawn, [0, 0, 2], 200, 12);
    expect(moved[0][0].map(([lon]) => lon)).toEqual([170, -170, -160, 170, 170]);
    expect(contains(areaOf(moved), -165, 10.5)).toBe(true);
  });
  it('hands a drag that makes the ring cross itself to area.ts, which refuses it', () => {
    const moved = moveVertex(areaOf([square]).drawn, [0, 0, 1], -5, 10);
    expect(areaOfPolygons(moved)).toMatchObject({ error: expect.stringContaining('crosses itself') });
  });
});
