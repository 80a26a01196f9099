// Editing an area by its vertices: what the map's drawing mode (map/area-draw.ts) hands to
// core/area.ts. A drawn or dragged position may lie in a copy of the world beyond ±180°, as the
// map shows them side by side: longitudes are wrapped here, and area.ts unwraps the ring again
// across the antimeridian, so a dragged area goes through the same checks as a pasted one.

import type { MultiPolygon, Polygon, Position } from 'geojson';

/** A vertex of an area: polygon, ring (0 the outer, then holes) and position in the ring. */
export type VertexRef = readonly [polygon: number, ring: number, position: number];

/** A longitude in −180…180, the same meridian as `lon`. */
export function wrapLongitude(lon: number): number {
  if (lon >= -180 && lon <= 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/**
 * A position placed with the mouse, to the 6 decimals a link keeps (about 0.1 m, far below a
 * pixel): the filter, the link and the export's provenance then hold the same area.
 */
const placed = (lon: number, lat: number) => [Math.round(wrapLongitude(lon) * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];

/** The polygons of a geometry, as lists of closed rings. */
const polygonsOf = (g: Polygon | MultiPolygon): Position[][][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** Every vertex of an area's rings, each once (a ring's closing position is its first). */
export function areaVertices(g: Polygon | MultiPolygon): { at: VertexRef; lon: number; lat: number }[] {
  return polygonsOf(g).flatMap((rings, p) => rings.flatMap((ring, r) => ring.slice(0, -1).map(([lon, lat], k) => ({ at: [p, r, k] as VertexRef, lon, lat }))));
}

/** The area's polygons with one vertex moved, longitudes wrapped: for areaOfPolygons. */
export function moveVertex(g: Polygon | MultiPolygon, [p, r, k]: VertexRef, lon: number, lat: number): number[][][][] {
  return polygonsOf(g).map((rings, pi) =>
    rings.map((ring, ri) => {
      const last = ring.length - 1;
      return ring.map(([x, y], ki) => (pi === p && ri === r && (ki === k || (k === 0 && ki === last)) ? placed(lon, lat) : [wrapLongitude(x), y]));
    }),
  );
}

/** A ring clicked on the map, as the polygons of an area: one polygon, no holes. */
export function drawnPolygons(points: readonly (readonly [number, number])[]): number[][][][] {
  return [[points.map(([lon, lat]) => placed(lon, lat))]];
}
