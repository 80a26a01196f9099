import { describe, expect, it } from 'vitest';
import { bboxIntersectsView, geometryProblem, normalizeView, viewOfCamera } from '../../../src/core/geometry.ts';

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

describe('viewOfCamera', () => {
  it('spans 360° over the width of the world in pixels (512 × 2^zoom), centred on the camera', () => {
    const [w, s, e, n] = viewOfCamera({ zoom: 3, lat: 0, lon: 10 }, 1024, 512);
    // A hair wider (1e-9° a side): the view MapLibre reports must lie inside, to the last bit.
    expect(e - w).toBeCloseTo((1024 / (512 * 8)) * 360, 8);
    expect(e - w).toBeGreaterThan((1024 / (512 * 8)) * 360);
    expect((w + e) / 2).toBeCloseTo(10, 9);
    expect(n).toBeCloseTo(-s, 9);
  });
  it('follows Web Mercator in latitude: the same pixels cover fewer degrees away from the equator', () => {
    const equator = viewOfCamera({ zoom: 6, lat: 0, lon: 0 }, 400, 400);
    const north = viewOfCamera({ zoom: 6, lat: 60, lon: 0 }, 400, 400);
    expect(north[3] - north[1]).toBeLessThan((equator[3] - equator[1]) * 0.6);
    expect((north[1] + north[3]) / 2).toBeGreaterThan(59);
    // Half the height above the centre, in Mercator units, as MapLibre places it.
    const y = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
    expect(y(north[3]) - y(60)).toBeCloseTo((200 / (512 * 64)) * 2 * Math.PI, 9);
  });
  it('crosses the antimeridian as map bounds do, and is the world (to the poles) when the map is wider', () => {
    const v = viewOfCamera({ zoom: 4, lat: -20, lon: 178 }, 800, 600);
    expect(v[0]).toBeGreaterThan(v[2]);
    expect(bboxIntersectsView([-179, -21, -179, -21], v)).toBe(true);
    expect(viewOfCamera({ zoom: 0.5, lat: 10, lon: 40 }, 1280, 800)).toEqual([-180, -90, 180, 90]);
  });
});
