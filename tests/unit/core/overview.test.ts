import { describe, expect, it } from 'vitest';
import { CellSums, densityInView, overviewZoomFor, tileBbox, timelineZoom, TIMELINE_ROWS } from '../../../src/core/overview.ts';

describe('overviewZoomFor', () => {
  it('picks the zoom nearest to 4.5 levels finer than the map', () => {
    expect(overviewZoomFor(1, [6, 9, 12])).toBe(6);
    expect(overviewZoomFor(4, [6, 9, 12])).toBe(9);
    expect(overviewZoomFor(9, [6, 9, 12])).toBe(12);
    expect(overviewZoomFor(20, [6, 9, 12])).toBe(12);
  });
  it('gives null for a dataset without overviews', () => {
    expect(overviewZoomFor(3, [])).toBeNull();
  });
});

describe('timelineZoom', () => {
  const o = (zoom: number, rows: number) => ({ zoom, rows });
  it('picks the finest overview that the page may hold whole', () => {
    expect(timelineZoom([o(2, 900), o(6, 20_000), o(9, 40_000), o(12, 60_000)])).toBe(12);
    expect(timelineZoom([o(2, 11_000), o(6, 990_000), o(9, 1_000_000), o(12, 1_000_000)])).toBe(2);
    expect(timelineZoom([o(12, TIMELINE_ROWS), o(6, 10), o(9, TIMELINE_ROWS + 1)])).toBe(12);
  });
  it('falls back to the coarsest when none is small enough, and to null without overviews', () => {
    expect(timelineZoom([o(9, 5e6), o(6, 2e6), o(12, 9e6)])).toBe(6);
    expect(timelineZoom([])).toBeNull();
  });
});

describe('tileBbox', () => {
  it('is the world at zoom 0, to the Web Mercator latitude limit', () => {
    const [w, s, e, n] = tileBbox(0, 0, 0);
    expect([w, e]).toEqual([-180, 180]);
    expect(n).toBeCloseTo(85.0511, 4);
    expect(s).toBeCloseTo(-85.0511, 4);
  });
  it('puts tile 1,1 of zoom 1 south-east of 0,0', () => {
    expect(tileBbox(1, 1, 1)).toEqual([0, expect.closeTo(-85.0511, 4), 180, 0]);
  });
});

describe('CellSums and densityInView', () => {
  const sums = () => {
    const s = new CellSums(1);
    s.add(0, 0, 'airstrike', 'confirmed', 2);
    s.add(0, 0, 'airstrike', 'confirmed', 3);
    s.add(0, 0, 'armed clash', 'disputed', 4);
    s.add(1, 1, 'other', 'confirmed', 7);
    s.add(1, 1, 'no such category', 'confirmed', 100);
    return s.cells();
  };

  it('sums rows by tile, category and status, and drops unknown vocabularies', () => {
    const c = sums();
    expect(Array.from(c.count).sort((a, b) => a - b)).toEqual([4, 5, 7]);
  });

  it('colours a tile by its most frequent category and counts what the toggles leave', () => {
    const all = densityInView(sums(), [-180, -90, 180, 90], null, null);
    expect(all.total).toBe(16);
    expect(all.cells.find((c) => c.bbox[0] === -180)).toMatchObject({ count: 9, category: 'airstrike' });
    const disputed = densityInView(sums(), [-180, -90, 180, 90], null, new Set(['disputed']));
    expect(disputed.total).toBe(4);
    expect(disputed.cells).toMatchObject([{ count: 4, category: 'armed clash' }]);
    const other = densityInView(sums(), [-180, -90, 180, 90], new Set(['other']), null);
    expect(other.total).toBe(7);
    expect(other.cells).toMatchObject([{ count: 7, category: 'other' }]);
    // The legend counts any category, as shown: the category toggles leave them be.
    expect([other.perCategory[0], other.perCategory[5], other.perCategory[7]]).toEqual([5, 4, 7]);
  });

  it('keeps only the tiles that touch the view', () => {
    expect(densityInView(sums(), [10, -50, 20, -40], null, null).total).toBe(7);
    expect(densityInView(sums(), [-170, 10, -160, 20], null, null).total).toBe(9);
  });
});
