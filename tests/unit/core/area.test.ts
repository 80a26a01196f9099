import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { booleanPointInPolygon, point, polygon as turfPolygon } from '@turf/turf';
import { areaMask, areaOfPolygons, circleArea, contains, formatAreaParam, parseAreaGeoJson, parseAreaParam, type Area } from '../../../src/core/area.ts';
import { allocateColumns, buildStore } from '../../../src/core/store.ts';

const areaOf = (rings: number[][][]): Area => {
  const r = areaOfPolygons([rings]);
  if ('error' in r) throw new Error(r.error);
  return r.area;
};
const errorOf = (r: ReturnType<typeof parseAreaGeoJson>) => ('error' in r ? r.error : null);
const square = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];

describe('an area', () => {
  it('counts the boundary as inside: edges, vertices, a hole\'s edge', () => {
    const a = areaOf([square, [[4, 4], [6, 4], [6, 6], [4, 6]]]);
    expect(contains(a, 5, 0)).toBe(true);
    expect(contains(a, 10, 10)).toBe(true);
    expect(contains(a, 0, 3)).toBe(true);
    expect(contains(a, 5, 4)).toBe(true);
    expect(contains(a, 5, 5)).toBe(false);
    expect(contains(a, 10.000001, 5)).toBe(false);
  });
  it('holds a polygon across the antimeridian, on both sides of it', () => {
    const a = areaOf([[[170, -10], [-170, -10], [-170, 10], [170, 10]]]);
    expect(contains(a, 175, 0)).toBe(true);
    expect(contains(a, -175, 0)).toBe(true);
    expect(contains(a, 180, 0)).toBe(true);
    expect(contains(a, -180, 5)).toBe(true);
    expect(contains(a, 0, 0)).toBe(false);
    expect(contains(a, 165, 0)).toBe(false);
  });
  it('keeps the hole of an antimeridian polygon wherever the hole starts', () => {
    const a = areaOf([[[170, -10], [-170, -10], [-170, 10], [170, 10]], [[-178, -2], [178, -2], [178, 2], [-178, 2]]]);
    expect(contains(a, 179.5, 0)).toBe(false);
    expect(contains(a, -179.5, 0)).toBe(false);
    expect(contains(a, 175, 0)).toBe(true);
  });
  it('refuses bad input with a message that says what is wrong', () => {
    expect(errorOf(parseAreaGeoJson('{"type":"Point","coordinates":[44,33]}'))).toMatch(/Point is not an area/);
    expect(errorOf(parseAreaGeoJson('{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}'))).toMatch(/at least 3 different positions/);
    expect(errorOf(parseAreaGeoJson('{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10]]]}'))).toMatch(/crosses itself/);
    expect(errorOf(parseAreaGeoJson('{"type":"Polygon","coordinates":[[[0,0],[200,0],[0,10]]]}'))).toMatch(/longitude 200 is out of range/);
    expect(errorOf(parseAreaGeoJson('{"type":"Polygon","coordinates":[[[0,0],[10,95],[0,10]]]}'))).toMatch(/latitude 95 is out of range/);
    expect(errorOf(parseAreaParam('0,0;NaN,1;1,1'))).toMatch(/must be numbers/);
    expect(errorOf(parseAreaGeoJson('not json'))).toMatch(/not GeoJSON/);
  });
  it('reads a Feature holding a polygon, and a MultiPolygon', () => {
    expect(errorOf(parseAreaGeoJson(JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...square, square[0]]] } })))).toBeNull();
    const multi = parseAreaGeoJson(JSON.stringify({ type: 'MultiPolygon', coordinates: [[square], [[[20, 20], [30, 20], [30, 30]]]] }));
    expect('area' in multi && contains(multi.area, 25, 21)).toBe(true);
  });
  it('goes through ?area= and back, to 6 decimals, with holes and parts', () => {
    const a = areaOf([[[44.1234567, 33], [45, 33], [45, 34]], [[44.5, 33.2], [44.8, 33.2], [44.8, 33.4]]]);
    const text = formatAreaParam(a);
    expect(text).toBe('44.123457,33;45,33;45,34|44.5,33.2;44.8,33.2;44.8,33.4');
    const back = parseAreaParam(text);
    expect('area' in back && formatAreaParam(back.area)).toBe(text);
  });
  it('makes "within N km" a circle of that radius', () => {
    const c = circleArea(44.4, 33.3, 10);
    if ('error' in c) throw new Error(c.error);
    expect(contains(c.area, 44.4, 33.3 + 9.9 / 111.2)).toBe(true);
    expect(contains(c.area, 44.4, 33.3 + 10.1 / 111.2)).toBe(false);
    expect(errorOf(circleArea(44, 33, 0))).toMatch(/distance/);
  });
});

/** A simple polygon on the integer grid, star-shaped around (cx, cy), counter-clockwise. */
const star = (cx: number, cy: number, rMin: number, rMax: number) =>
  fc.array(fc.integer({ min: rMin, max: rMax }), { minLength: 3, maxLength: 8 }).map((radii) =>
    radii.map((r, k) => {
      const θ = (2 * Math.PI * k) / radii.length;
      return [Math.round(cx + r * Math.cos(θ)), Math.round(cy + r * Math.sin(θ))];
    }),
  );
/** Points on the ring's edges exactly (integer steps along each edge), its vertices, and around it. */
const pointsFor = (rings: number[][][]) => {
  const out: number[][] = [];
  for (const ring of rings)
    ring.forEach(([x1, y1], k) => {
      const [x2, y2] = ring[(k + 1) % ring.length];
      const g = gcd(Math.abs(x2 - x1), Math.abs(y2 - y1)) || 1;
      for (let j = 0; j <= g; j++) out.push([x1 + ((x2 - x1) / g) * j, y1 + ((y2 - y1) / g) * j]);
    });
  return out;
};
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const closed = (ring: number[][]) => [...ring, ring[0]];

describe('an area against turf\'s booleanPointInPolygon (property)', () => {
  it('agrees inside, outside and on the boundary, with a hole', () => {
    fc.assert(
      fc.property(star(0, 0, 60, 100), star(0, 0, 5, 30), fc.array(fc.tuple(fc.integer({ min: -110, max: 110 }), fc.integer({ min: -110, max: 110 })), { maxLength: 60 }), (outer, hole, extra) => {
        const rings = [outer, hole];
        const checked = areaOfPolygons([rings]);
        fc.pre('area' in checked);
        const area = (checked as { area: Area }).area;
        const oracle = turfPolygon(rings.map(closed));
        for (const [x, y] of [...pointsFor(rings), ...extra]) {
          expect(contains(area, x / 1, y / 1), `${x},${y}`).toBe(booleanPointInPolygon(point([x, y]), oracle));
        }
      }),
    );
  });
  it('agrees across the antimeridian: the same polygon east of it, shifted back', () => {
    fc.assert(
      fc.property(star(180, 0, 4, 9), fc.array(fc.tuple(fc.integer({ min: 168, max: 192 }), fc.integer({ min: -12, max: 12 })), { maxLength: 60 }), (ring, extra) => {
        // Longitudes past 180 are written as the map writes them, below −180 + …
        const wrapped = ring.map(([x, y]) => [x > 180 ? x - 360 : x, y]);
        const checked = areaOfPolygons([[wrapped]]);
        fc.pre('area' in checked);
        const area = (checked as { area: Area }).area;
        const oracle = turfPolygon([closed(ring)]);
        for (const [x, y] of [...pointsFor([ring]), ...extra]) {
          expect(contains(area, x > 180 ? x - 360 : x, y), `${x},${y}`).toBe(booleanPointInPolygon(point([x, y]), oracle));
        }
      }),
    );
  });
});

describe('areaMask', () => {
  it('marks the store indices inside, as contains() says, using the spatial index', () => {
    const n = 2000;
    const c = allocateColumns(n);
    for (let i = 0; i < n; i++) {
      c.lon[i] = ((i * 37) % 360) - 180;
      c.lat[i] = ((i * 11) % 160) - 80;
    }
    const store = buildStore(c);
    const a = areaOf([[[170, -30], [-150, -30], [-150, 30], [170, 30]]]);
    const mask = areaMask(store, a);
    for (let i = 0; i < n; i++) expect(mask[i], String(i)).toBe(contains(a, store.columns.lon[i], store.columns.lat[i]) ? 1 : 0);
    expect(mask.reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
  });
});
