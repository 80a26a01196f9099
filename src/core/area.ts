// The area filter: a Polygon or MultiPolygon, pasted as GeoJSON, made from "within N km of" a
// point, or read from ?area=. An incident is inside when its representative point is inside
// a polygon and outside its holes; the boundary, a hole's too, counts as inside. An edge that
// jumps more than 180° of longitude crosses the antimeridian: rings are unwrapped to run on
// continuously, and a point is tried at its longitude and ±360°.

import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { IncidentStore } from './store.ts';

/** A ring as [lon0, lat0, lon1, lat1, …], unwrapped, not closed (the last vertex joins the first). */
type Ring = Float64Array;

export interface Area {
  /** As GeoJSON, rings closed: what provenance records. */
  geometry: Polygon | MultiPolygon;
  /** The same with longitudes unwrapped (beyond ±180 across the antimeridian): what the map draws. */
  drawn: Polygon | MultiPolygon;
  /** Every ring of every polygon: a point is inside when inside an odd number of them. */
  rings: Ring[];
  /** [west, south, east, north] of the unwrapped rings; west may be below −180, east above 180. */
  bbox: [number, number, number, number];
}

export type AreaResult = { area: Area } | { error: string };

/** Vertices in all: the self-intersection check is quadratic in them. */
export const MAX_AREA_VERTICES = 2_000;

const EPS = 1e-12;

/** Polygons as lists of rings, each a list of [lon, lat], checked and made into an Area. */
export function areaOfPolygons(polygons: readonly (readonly (readonly number[])[])[][]): AreaResult {
  if (polygons.length === 0) return { error: 'The area has no polygon.' };
  const rings: Ring[] = [];
  const geometry: Position[][][] = [];
  const drawn: Position[][][] = [];
  let total = 0;
  for (const [p, polygon] of polygons.entries()) {
    if (!Array.isArray(polygon) || polygon.length === 0) return { error: `Polygon ${p + 1} has no ring.` };
    const out: Position[][] = [];
    for (const [r, ring] of polygon.entries()) {
      const where = `${polygons.length > 1 ? `polygon ${p + 1}, ` : ''}${r === 0 ? 'the outer ring' : `hole ${r}`}`;
      // A hole is unwrapped beside its outer ring, whichever side of the antimeridian it starts on.
      const checked = checkRing(ring, where, r === 0 ? null : rings[rings.length - r][0]);
      if ('error' in checked) return checked;
      total += checked.ring.length / 2;
      if (total > MAX_AREA_VERTICES) return { error: `The area has over ${MAX_AREA_VERTICES.toLocaleString('en')} vertices; simplify it first.` };
      rings.push(checked.ring);
      out.push(checked.positions);
    }
    geometry.push(out);
    drawn.push(rings.slice(rings.length - out.length).map((r) => Array.from({ length: r.length / 2 + 1 }, (_, k) => [r[(k * 2) % r.length], r[(k * 2 + 1) % r.length]])));
  }
  const bbox: Area['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings) {
    for (let k = 0; k < ring.length; k += 2) {
      bbox[0] = Math.min(bbox[0], ring[k]);
      bbox[1] = Math.min(bbox[1], ring[k + 1]);
      bbox[2] = Math.max(bbox[2], ring[k]);
      bbox[3] = Math.max(bbox[3], ring[k + 1]);
    }
  }
  return {
    area: {
      geometry: geometry.length === 1 ? { type: 'Polygon', coordinates: geometry[0] } : { type: 'MultiPolygon', coordinates: geometry },
      drawn: drawn.length === 1 ? { type: 'Polygon', coordinates: drawn[0] } : { type: 'MultiPolygon', coordinates: drawn },
      rings,
      bbox,
    },
  };
}

function checkRing(ring: unknown, where: string, near: number | null): { ring: Ring; positions: Position[] } | { error: string } {
  if (!Array.isArray(ring)) return { error: `In ${where}: a ring must be a list of [longitude, latitude] positions.` };
  const points: [number, number][] = [];
  for (const [i, p] of ring.entries()) {
    if (!Array.isArray(p) || p.length < 2) return { error: `In ${where}, position ${i + 1}: expected [longitude, latitude].` };
    const [lon, lat] = p as unknown[];
    if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) return { error: `In ${where}, position ${i + 1}: longitude and latitude must be numbers.` };
    if (lon < -180 || lon > 180) return { error: `In ${where}, position ${i + 1}: longitude ${lon} is out of range (−180 to 180).` };
    if (lat < -90 || lat > 90) return { error: `In ${where}, position ${i + 1}: latitude ${lat} is out of range (−90 to 90).` };
    const last = points[points.length - 1];
    if (!last || last[0] !== lon || last[1] !== lat) points.push([lon, lat]);
  }
  // Closed or not, the ring's last position joins its first.
  if (points.length > 1 && points[0][0] === points[points.length - 1][0] && points[0][1] === points[points.length - 1][1]) points.pop();
  if (points.length < 3) return { error: `${capital(where)} needs at least 3 different positions; it has ${points.length}.` };
  const flat = new Float64Array(points.length * 2);
  let shift = near === null ? 0 : points[0][0] - near > 180 ? -360 : points[0][0] - near < -180 ? 360 : 0;
  points.forEach(([lon, lat], k) => {
    if (k > 0) {
      const d = lon + shift - flat[(k - 1) * 2];
      if (d > 180) shift -= 360;
      else if (d < -180) shift += 360;
    }
    flat[k * 2] = lon + shift;
    flat[k * 2 + 1] = lat;
  });
  if (Math.abs(flat[flat.length - 2] - flat[0]) > 180) return { error: `${capital(where)} goes round the whole globe; an area must close without doing so.` };
  const crossing = selfIntersection(flat);
  if (crossing) return { error: `${capital(where)} crosses itself (edges ${crossing[0] + 1} and ${crossing[1] + 1}); draw it without crossings.` };
  return { ring: flat, positions: [...points, points[0]] };
}

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

/** The first two edges that cross or touch, other than neighbours at their shared vertex. */
function selfIntersection(r: Ring): [number, number] | null {
  const n = r.length / 2;
  for (let a = 0; a < n; a++) {
    const [ax, ay, bx, by] = [r[a * 2], r[a * 2 + 1], r[((a + 1) % n) * 2], r[((a + 1) % n) * 2 + 1]];
    for (let b = a + 1; b < n; b++) {
      const neighbours = b === a + 1 || (a === 0 && b === n - 1);
      const [cx, cy, dx, dy] = [r[b * 2], r[b * 2 + 1], r[((b + 1) % n) * 2], r[((b + 1) % n) * 2 + 1]];
      if (neighbours) {
        // Neighbours share a vertex; they only cross when they fold back onto each other.
        if (n > 3 && collinearOverlap(ax, ay, bx, by, cx, cy, dx, dy)) return [a, b];
        continue;
      }
      if (segmentsMeet(ax, ay, bx, by, cx, cy, dx, dy)) return [a, b];
    }
  }
  return null;
}

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
const within = (a: number, b: number, c: number) => Math.min(a, b) - EPS <= c && c <= Math.max(a, b) + EPS;
const onSegment = (ax: number, ay: number, bx: number, by: number, px: number, py: number) => Math.abs(orient(ax, ay, bx, by, px, py)) <= EPS * (1 + Math.abs(bx - ax) + Math.abs(by - ay)) && within(ax, bx, px) && within(ay, by, py);

function segmentsMeet(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  return onSegment(ax, ay, bx, by, cx, cy) || onSegment(ax, ay, bx, by, dx, dy) || onSegment(cx, cy, dx, dy, ax, ay) || onSegment(cx, cy, dx, dy, bx, by);
}

function collinearOverlap(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  if (orient(ax, ay, bx, by, cx, cy) !== 0 || orient(ax, ay, bx, by, dx, dy) !== 0) return false;
  // Collinear neighbours: they fold back when the far ends lie on the same side of the shared vertex.
  const [sx, sy] = bx === cx && by === cy ? [bx, by] : [ax, ay];
  const [p, q] = bx === cx && by === cy ? [[ax, ay], [dx, dy]] : [[bx, by], [cx, cy]];
  return (p[0] - sx) * (q[0] - sx) + (p[1] - sy) * (q[1] - sy) > 0;
}

/**
 * Whether (x, y), as given, is inside the area or on its boundary (no wrapping). Crossings are
 * decided by the sign of an orientation, not a computed intersection, so a point exactly on an
 * edge is found on it rather than a rounding error to one side.
 */
function insideAt(rings: readonly Ring[], x: number, y: number): boolean {
  let odd = false;
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r];
    const n = ring.length;
    for (let k = 0, j = n - 2; k < n; j = k, k += 2) {
      const xk = ring[k];
      const yk = ring[k + 1];
      const xj = ring[j];
      const yj = ring[j + 1];
      if (yk > y !== yj > y) {
        const o = (xk - xj) * (y - yj) - (yk - yj) * (x - xj);
        if (o === 0) return true;
        if (yk > yj ? o > 0 : o < 0) odd = !odd;
      } else if (y === yk && (x === xk || (y === yj && (x - xj) * (x - xk) <= 0))) return true;
    }
  }
  return odd;
}

/** Whether a point (lon in −180…180) is inside the area, its boundary included. */
export function contains(area: Area, lon: number, lat: number): boolean {
  const [w, s, e, n] = area.bbox;
  if (lat < s || lat > n) return false;
  if (lon >= w && lon <= e && insideAt(area.rings, lon, lat)) return true;
  if (lon - 360 >= w && insideAt(area.rings, lon - 360, lat)) return true;
  return lon + 360 <= e && insideAt(area.rings, lon + 360, lat);
}

/**
 * 1 at each store index whose representative point is inside the area, else 0. One pass over
 * the position columns in store order, the box tested first: sequential reads beat asking the
 * spatial index for the hundreds of thousands of points a large area holds.
 */
export function areaMask(store: IncidentStore, area: Area): Uint8Array {
  const size = store.size;
  const mask = new Uint8Array(size);
  const [w, s, e, n] = area.bbox;
  const rings = area.rings;
  const { lon, lat } = store.columns;
  for (let i = 0; i < size; i++) {
    const y = lat[i];
    if (y < s || y > n) continue;
    const x = lon[i];
    if ((x >= w && x <= e && insideAt(rings, x, y)) || (x - 360 >= w && insideAt(rings, x - 360, y)) || (x + 360 <= e && insideAt(rings, x + 360, y))) mask[i] = 1;
  }
  return mask;
}

/** A GeoJSON text (a Polygon or MultiPolygon, bare or in a Feature) as an area, or why not. */
export function parseAreaGeoJson(text: string): AreaResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'That is not GeoJSON: paste a Polygon or MultiPolygon, e.g. {"type":"Polygon","coordinates":[[[44,33],[45,33],[45,34],[44,33]]]}.' };
  }
  const g = value as { type?: unknown; geometry?: unknown; coordinates?: unknown };
  const geometry = (g?.type === 'Feature' ? g.geometry : g) as { type?: unknown; coordinates?: unknown } | null;
  if (geometry?.type === 'Polygon') return areaOfPolygons([geometry.coordinates as number[][][]]);
  if (geometry?.type === 'MultiPolygon') {
    if (!Array.isArray(geometry.coordinates)) return { error: 'A MultiPolygon needs a list of polygons.' };
    return areaOfPolygons(geometry.coordinates as number[][][][]);
  }
  const type = typeof geometry?.type === 'string' ? geometry.type : 'nothing';
  return { error: `A ${type} is not an area: paste a Polygon or MultiPolygon.` };
}

/** A circle of `km` kilometres around a point, as a 64-sided polygon. */
export function circleArea(lon: number, lat: number, km: number): AreaResult {
  if (![lon, lat, km].every(Number.isFinite)) return { error: 'Longitude, latitude and distance must be numbers.' };
  if (!(km > 0 && km <= 5_000)) return { error: 'The distance must be over 0 and at most 5,000 km.' };
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return { error: 'The point is out of range: longitude −180 to 180, latitude −90 to 90.' };
  if (Math.abs(lat) + (km / 6371.0088) * (180 / Math.PI) >= 89.9) return { error: 'A circle that reaches a pole cannot be an area here; choose a smaller distance.' };
  const R = 6371.0088;
  const d = km / R;
  const φ1 = (lat * Math.PI) / 180;
  const λ1 = (lon * Math.PI) / 180;
  const ring: number[][] = [];
  for (let k = 0; k < 64; k++) {
    const θ = (2 * Math.PI * k) / 64;
    const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
    const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
    const x = ((((λ2 * 180) / Math.PI + 540) % 360) - 180);
    ring.push([round6(x), round6((φ2 * 180) / Math.PI)]);
  }
  return areaOfPolygons([[ring]]);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * ?area=: a ring as lon,lat;lon,lat;… (closed implicitly, 6 decimals at most). More rings —
 * the holes of a polygon — follow after "|"; further polygons after "||".
 */
export function formatAreaParam(area: Area): string {
  const polygons = area.geometry.type === 'Polygon' ? [area.geometry.coordinates] : area.geometry.coordinates;
  return polygons.map((rings) => rings.map((ring) => ring.slice(0, -1).map(([x, y]) => `${round6(x)},${round6(y)}`).join(';')).join('|')).join('||');
}

export function parseAreaParam(value: string): AreaResult {
  if (value.length > 100_000) return { error: 'The area in the link is too long.' };
  const polygons = value.split('||').map((polygon) =>
    polygon.split('|').map((ring) =>
      ring
        .split(';')
        .filter((p) => p !== '')
        .map((p) => p.split(',').map((c) => (/^\s*-?\d+(\.\d+)?\s*$/.test(c) ? Number(c) : NaN))),
    ),
  );
  return areaOfPolygons(polygons);
}
