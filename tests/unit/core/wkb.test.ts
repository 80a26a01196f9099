import { describe, expect, it } from 'vitest';
import type { Geometry } from 'geojson';
import { geometryToWkb, wkbToGeometry } from '../../../src/core/wkb.ts';

const ring = [[44, 33], [45, 33], [45, 34], [44, 33]];
const GEOMETRIES: Geometry[] = [
  { type: 'Point', coordinates: [44.3661, 33.2625] },
  { type: 'LineString', coordinates: [[1, 2], [3, 4]] },
  { type: 'Polygon', coordinates: [ring] },
  { type: 'MultiPoint', coordinates: [[1, 2], [-179.5, -89.9]] },
  { type: 'MultiLineString', coordinates: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]] },
  { type: 'MultiPolygon', coordinates: [[ring], [ring, ring]] },
  { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }, { type: 'Polygon', coordinates: [ring] }] },
];

describe('WKB', () => {
  it.each(GEOMETRIES.map((g) => [g.type, g] as const))('round-trips a %s', (_type, g) => {
    expect(wkbToGeometry(geometryToWkb(g))).toEqual(g);
  });
  it('writes a point as ISO WKB: little-endian, type 1, x then y', () => {
    const hex = Buffer.from(geometryToWkb({ type: 'Point', coordinates: [1, 2] })).toString('hex');
    expect(hex).toBe('0101000000000000000000f03f0000000000000040');
  });
  it('reads big-endian WKB too', () => {
    const be = Buffer.from('00000000013ff00000000000004000000000000000', 'hex');
    expect(wkbToGeometry(new Uint8Array(be))).toEqual({ type: 'Point', coordinates: [1, 2] });
  });
  it('reads WKB at an offset inside a larger buffer', () => {
    const bytes = geometryToWkb({ type: 'Point', coordinates: [3, 4] });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(wkbToGeometry(padded.subarray(3))).toEqual({ type: 'Point', coordinates: [3, 4] });
  });
  it('throws, without allocating, on truncated or corrupt bytes', () => {
    const line = geometryToWkb({ type: 'LineString', coordinates: [[1, 2], [3, 4]] });
    expect(() => wkbToGeometry(line.subarray(0, line.length - 1))).toThrow('WKB ends at byte');
    const huge = line.slice();
    new DataView(huge.buffer).setUint32(5, 0xffffffff, true);
    expect(() => wkbToGeometry(huge)).toThrow('exceeds the data');
    const z = line.slice();
    new DataView(z.buffer).setUint32(1, 1002, true);
    expect(() => wkbToGeometry(z)).toThrow('is not a 2D geometry type');
    expect(() => wkbToGeometry(new Uint8Array([1, 2, 3]))).toThrow('WKB ends at byte 3');
  });
});
