import { describe, expect, it } from 'vitest';
import { bboxIntersectsView, geometryProblem, normalizeView } from '../../../src/core/geometry.ts';

describe('geometryProblem', () => {
  it('accepts the ±90 and ±180 edges', () => {
    for (const c of [[180, 90], [-180, -90]]) expect(geometryProblem({ type: 'Point', coordinates: c })).toBeNull();
  });
  it('suggests swapped columns when latitude is out of range but fits as a longitude', () => {
    expect(geometryProblem({ type: 'Point', coordinates: [33.3, 144.4] })?.reason).toBe('latitude out of range — columns swapped?');
    expect(geometryProblem({ type: 'Point', coordinates: [44.3, 95] })?.reason).toContain('columns swapped?');
  });
  it('rejects non-finite coordinates (1e999, NaN, null)', () => {
    for (const c of [[Infinity, 0], [NaN, 0], [null, null]]) expect(geometryProblem({ type: 'Point', coordinates: c })?.reason).toBe('coordinates must be finite numbers');
  });
  it('rejects an unclosed polygon ring with its path', () => {
    const p = geometryProblem({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] });
    expect(p).toEqual({ path: '.coordinates[0]', reason: 'polygon ring is not closed (first and last positions differ)' });
  });
  it('names unknown geometry types', () => {
    expect(geometryProblem({ type: 'Circle', coordinates: [0, 0] })?.reason).toBe('unknown geometry type "Circle"');
  });
  it('finds a bad position deep in a GeometryCollection', () => {
    const g = { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [0, 0] }, { type: 'LineString', coordinates: [[0, 0], [0, 200]] }] };
    expect(geometryProblem(g)?.path).toBe('.geometries[1].coordinates[1]');
  });
});

describe('views', () => {
  it('wraps bounds that run past the antimeridian', () => {
    expect(normalizeView(170, -10, 190, 10)).toEqual([170, -10, -170, 10]);
  });
  it('treats a view wider than the world as the world', () => {
    expect(normalizeView(-400, -90, 400, 90)).toEqual([-180, -90, 180, 90]);
  });
  it('keeps an east edge of exactly 180', () => {
    expect(normalizeView(100, 0, 180, 10)).toEqual([100, 0, 180, 10]);
  });
  it('finds points on both sides of the antimeridian in a crossing view', () => {
    const v = normalizeView(170, -10, 190, 10);
    expect(bboxIntersectsView([175, 0, 175, 0], v)).toBe(true);
    expect(bboxIntersectsView([-175, 0, -175, 0], v)).toBe(true);
    expect(bboxIntersectsView([0, 0, 0, 0], v)).toBe(false);
  });
  it('includes points exactly on the view edge', () => {
    expect(bboxIntersectsView([10, 5, 10, 5], [10, 0, 20, 5])).toBe(true);
  });
});
