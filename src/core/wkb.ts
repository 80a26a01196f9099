// Well-Known Binary (ISO 19125, 2D, little-endian), the geometry encoding of GeoParquet:
// written by the dataset builder, read back from Parquet sources and prepared datasets.

import type { Geometry, LineString, Point, Polygon, Position } from 'geojson';

const CODES = { Point: 1, LineString: 2, Polygon: 3, MultiPoint: 4, MultiLineString: 5, MultiPolygon: 6, GeometryCollection: 7 } as const;
const TYPES = ['', 'Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection'] as const;

/** Bytes the geometry takes: a byte order and a type code, then counts and coordinate pairs. */
function size(g: Geometry): number {
  const head = 5;
  switch (g.type) {
    case 'Point':
      return head + 16;
    case 'LineString':
      return head + 4 + 16 * g.coordinates.length;
    case 'Polygon':
      return head + 4 + g.coordinates.reduce((n, ring) => n + 4 + 16 * ring.length, 0);
    case 'MultiPoint':
      return head + 4 + 21 * g.coordinates.length;
    case 'MultiLineString':
      return head + 4 + g.coordinates.reduce((n, line) => n + size({ type: 'LineString', coordinates: line }), 0);
    case 'MultiPolygon':
      return head + 4 + g.coordinates.reduce((n, poly) => n + size({ type: 'Polygon', coordinates: poly }), 0);
    case 'GeometryCollection':
      return head + 4 + g.geometries.reduce((n, part) => n + size(part), 0);
  }
}

export function geometryToWkb(g: Geometry): Uint8Array {
  const bytes = new Uint8Array(size(g));
  const view = new DataView(bytes.buffer);
  let at = 0;
  const u32 = (n: number) => {
    view.setUint32(at, n, true);
    at += 4;
  };
  const xy = (p: Position) => {
    view.setFloat64(at, p[0], true);
    view.setFloat64(at + 8, p[1], true);
    at += 16;
  };
  const line = (ps: Position[]) => {
    u32(ps.length);
    ps.forEach(xy);
  };
  const write = (part: Geometry) => {
    view.setUint8(at++, 1);
    u32(CODES[part.type]);
    switch (part.type) {
      case 'Point':
        return xy(part.coordinates);
      case 'LineString':
        return line(part.coordinates);
      case 'Polygon':
        u32(part.coordinates.length);
        return part.coordinates.forEach(line);
      case 'MultiPoint':
        u32(part.coordinates.length);
        return part.coordinates.forEach((p) => write({ type: 'Point', coordinates: p }));
      case 'MultiLineString':
        u32(part.coordinates.length);
        return part.coordinates.forEach((l) => write({ type: 'LineString', coordinates: l }));
      case 'MultiPolygon':
        u32(part.coordinates.length);
        return part.coordinates.forEach((p) => write({ type: 'Polygon', coordinates: p }));
      case 'GeometryCollection':
        u32(part.geometries.length);
        return part.geometries.forEach(write);
    }
  };
  write(g);
  return bytes;
}

/** The GeoJSON geometry of WKB bytes; throws with the byte offset when they are not 2D WKB. */
export function wkbToGeometry(bytes: Uint8Array): Geometry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // An incident is mostly a point: read without the closures that the general reader makes per call.
  if (bytes.byteLength === 21 && (bytes[0] === 0 || bytes[0] === 1) && view.getUint32(1, bytes[0] === 1) === 1) {
    const little = bytes[0] === 1;
    return { type: 'Point', coordinates: [view.getFloat64(5, little), view.getFloat64(13, little)] };
  }
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.byteLength) throw new Error(`WKB ends at byte ${bytes.byteLength}, inside a geometry`);
  };
  const read = (): Geometry => {
    need(5);
    const little = view.getUint8(at) === 1;
    const u32 = () => {
      need(4);
      const n = view.getUint32(at, little);
      at += 4;
      return n;
    };
    at++;
    const code = u32();
    const type = TYPES[code];
    if (!type) throw new Error(`WKB type ${code} at byte ${at - 4} is not a 2D geometry type`);
    const xy = (): Position => {
      need(16);
      const p = [view.getFloat64(at, little), view.getFloat64(at + 8, little)];
      at += 16;
      return p;
    };
    const count = () => {
      const n = u32();
      // Each item takes at least 4 bytes, so a larger count is a corrupt file, not an allocation.
      if (n * 4 > bytes.byteLength - at) throw new Error(`WKB count ${n} at byte ${at - 4} exceeds the data`);
      return n;
    };
    const line = () => Array.from({ length: count() }, xy);
    const parts = <T>(f: () => T) => Array.from({ length: count() }, f);
    const inner = <G extends Geometry>(t: G['type']) => {
      const g = read();
      if (g.type !== t) throw new Error(`WKB ${g.type} inside a collection of ${t}`);
      return g as G;
    };
    switch (type) {
      case 'Point':
        return { type, coordinates: xy() };
      case 'LineString':
        return { type, coordinates: line() };
      case 'Polygon':
        return { type, coordinates: parts(line) };
      case 'MultiPoint':
        return { type, coordinates: parts(() => inner<Point>('Point').coordinates) };
      case 'MultiLineString':
        return { type, coordinates: parts(() => inner<LineString>('LineString').coordinates) };
      case 'MultiPolygon':
        return { type, coordinates: parts(() => inner<Polygon>('Polygon').coordinates) };
      case 'GeometryCollection':
        return { type, geometries: parts(read) };
    }
  };
  return read();
}
