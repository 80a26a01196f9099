// Geometry checks and the view test. Coordinates are [longitude, latitude] (RFC 7946).

import type { Geometry, Position } from 'geojson';
import { bbox as turfBbox, centroid } from '@turf/turf';

/** [west, south, east, north] in degrees. */
export type Bbox = [number, number, number, number];

/**
 * A map view: west may be greater than east when the view crosses the antimeridian
 * (e.g. [170, -10, -170, 10] covers 170°E…180° and −180°…170°W).
 */
export type View = Bbox;

export const WORLD: View = [-180, -90, 180, 90];

function positionProblem(p: unknown): string | null {
  if (!Array.isArray(p) || p.length < 2) return 'a position must be [longitude, latitude]';
  const [lon, lat] = p as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) {
    return 'coordinates must be finite numbers';
  }
  if (lat < -90 || lat > 90) {
    return Math.abs(lon) <= 90 ? 'latitude out of range — columns swapped?' : 'latitude out of range (−90…90)';
  }
  if (lon < -180 || lon > 180) return 'longitude out of range (−180…180)';
  return null;
}

function positionsProblem(list: unknown, path: string, min: number): { path: string; reason: string } | null {
  if (!Array.isArray(list) || list.length < min) return { path, reason: `needs at least ${min} position(s)` };
  for (let i = 0; i < list.length; i++) {
    const reason = positionProblem(list[i]);
    if (reason) return { path: `${path}[${i}]`, reason };
  }
  return null;
}

function ringsProblem(rings: unknown, path: string): { path: string; reason: string } | null {
  if (!Array.isArray(rings) || rings.length === 0) return { path, reason: 'a polygon needs at least one ring' };
  for (let r = 0; r < rings.length; r++) {
    const problem = positionsProblem(rings[r], `${path}[${r}]`, 4);
    if (problem) return problem;
    const ring = rings[r] as Position[];
    const [a, b] = [ring[0], ring[ring.length - 1]];
    if (a[0] !== b[0] || a[1] !== b[1]) return { path: `${path}[${r}]`, reason: 'polygon ring is not closed (first and last positions differ)' };
  }
  return null;
}

/** What is wrong with a GeoJSON geometry, with a path into it, or null if it is valid. */
export function geometryProblem(g: unknown): { path: string; reason: string } | null {
  if (typeof g !== 'object' || g === null) return { path: '', reason: 'must be a GeoJSON geometry object' };
  const { type, coordinates, geometries } = g as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  const at = '.coordinates';
  // Points first, before the closure below: a million imported rows are a million points.
  if (type === 'Point') {
    const reason = positionProblem(coordinates);
    return reason ? { path: at, reason } : null;
  }
  const many = (min: number, check: (item: unknown, path: string) => { path: string; reason: string } | null) => {
    if (!Array.isArray(coordinates) || coordinates.length < min) return { path: at, reason: `needs at least ${min} part(s)` };
    for (let i = 0; i < coordinates.length; i++) {
      const problem = check(coordinates[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };
  switch (type) {
    case 'MultiPoint':
      return positionsProblem(coordinates, at, 1);
    case 'LineString':
      return positionsProblem(coordinates, at, 2);
    case 'MultiLineString':
      return many(1, (line, path) => positionsProblem(line, path, 2));
    case 'Polygon':
      return ringsProblem(coordinates, at);
    case 'MultiPolygon':
      return many(1, ringsProblem);
    case 'GeometryCollection': {
      if (!Array.isArray(geometries) || geometries.length === 0) return { path: '.geometries', reason: 'needs at least one geometry' };
      for (let i = 0; i < geometries.length; i++) {
        const problem = geometryProblem(geometries[i]);
        if (problem) return { path: `.geometries[${i}]${problem.path}`, reason: problem.reason };
      }
      return null;
    }
    default:
      return { path: '.type', reason: `unknown geometry type ${JSON.stringify(type)}` };
  }
}

export function geometryBbox(g: Geometry): Bbox {
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1], g.coordinates[0], g.coordinates[1]];
  return turfBbox(g) as Bbox;
}

/** Where a geometry is pinned in lists and arcs: the point itself, else the centroid of its vertices. */
export function representativePoint(g: Geometry): [number, number] {
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1]];
  const c = centroid(g).geometry.coordinates;
  return [c[0], c[1]];
}

/**
 * Turns map bounds, whose longitudes may run past ±180 when the world is wrapped, into a View
 * with longitudes in [−180, 180]. A view wider than the world is the world.
 */
export function normalizeView(west: number, south: number, east: number, north: number): View {
  const s = Math.max(-90, south);
  const n = Math.min(90, north);
  if (east - west >= 360) return [-180, s, 180, n];
  const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;
  const w = wrap(west);
  let e = wrap(east);
  if (e === -180 && east > west) e = 180;
  return [w, s, e, n];
}

/**
 * The view a map of `width` × `height` CSS pixels shows at this camera, as MapLibre draws Web
 * Mercator (512-pixel tiles): what a link's #map will show, before the map exists to say so.
 * Latitudes run to the poles where the map reaches its edge (±85.05°), so that the view the
 * map then reports lies inside this one.
 */
export function viewOfCamera({ zoom, lat, lon }: { zoom: number; lat: number; lon: number }, width: number, height: number): View {
  const world = 512 * 2 ** zoom;
  const halfLon = (width / 2 / world) * 360;
  const phi = (Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI) / 180;
  const y = (1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2;
  const dy = height / 2 / world;
  const latOf = (t: number) => (Math.atan(Math.sinh(Math.PI * (1 - 2 * t))) * 180) / Math.PI;
  // A hair outwards (a tenth of a millimetre): MapLibre computes its own view otherwise, and a
  // last bit over the estimate made it no longer inside the view its rows were read for.
  const pad = 1e-9;
  const north = y - dy <= 0 ? 90 : Math.min(90, latOf(y - dy) + pad);
  const south = y + dy >= 1 ? -90 : Math.max(-90, latOf(y + dy) - pad);
  return normalizeView(lon - halfLon - pad, south, lon + halfLon + pad, north);
}

/** Whether [w, s, e, n] touches the view; handles views that cross the antimeridian. */
export function bboxIntersectsView(b: Bbox, v: View): boolean {
  if (b[1] > v[3] || b[3] < v[1]) return false;
  if (v[0] <= v[2]) return b[0] <= v[2] && b[2] >= v[0];
  return b[2] >= v[0] || b[0] <= v[2];
}
