// The offline basemap's data: Natural Earth 1:50m countries (public domain) from the world-atlas
// package, served from our own origin. No tile server, no request off the machine.

import type { Feature, FeatureCollection, Geometry, MultiLineString, Position } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import countriesUrl from 'world-atlas/countries-50m.json?url';

export interface BasemapData {
  countries: FeatureCollection;
  borders: Feature<MultiLineString>;
}

/**
 * Rings that cross the antimeridian (Russia, Fiji) jump ±360° and would streak across the map.
 * A ring with an even number of jumps closes on itself once unwrapped; Antarctica's ring has an
 * odd number (it wraps the pole) and is left as it is.
 */
export function unwrapRing(ring: Position[]): Position[] {
  let jumps = 0;
  for (let i = 1; i < ring.length; i++) if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) jumps++;
  if (jumps === 0 || jumps % 2 === 1) return ring;
  let shift = 0;
  return ring.map((p, i) => {
    if (i > 0) {
      const d = p[0] - ring[i - 1][0];
      if (d > 180) shift -= 360;
      else if (d < -180) shift += 360;
    }
    return [p[0] + shift, p[1]];
  });
}

function unwrapGeometry(g: Geometry): Geometry {
  if (g.type === 'Polygon') return { ...g, coordinates: g.coordinates.map(unwrapRing) };
  if (g.type === 'MultiPolygon') return { ...g, coordinates: g.coordinates.map((p) => p.map(unwrapRing)) };
  return g;
}

/** The URL the app serves the basemap's topology from (the HTML export packs it too). */
export const BASEMAP_URL = countriesUrl;

export async function loadBasemap(signal?: AbortSignal): Promise<BasemapData> {
  const response = await fetch(countriesUrl, { signal });
  if (!response.ok) throw new Error(`basemap: ${countriesUrl} answered ${response.status}`);
  return basemapOf((await response.json()) as Topology<{ countries: GeometryCollection }>);
}

/** The basemap from Natural Earth's topology (world-atlas countries). */
export function basemapOf(topology: Topology<{ countries: GeometryCollection }>): BasemapData {
  const countries = feature(topology, topology.objects.countries) as FeatureCollection;
  countries.features = countries.features.filter((f) => f.geometry).map((f) => ({ ...f, geometry: unwrapGeometry(f.geometry) }));
  // Interior borders only: coastlines come from the land fill against the water.
  const borders = mesh(topology, topology.objects.countries, (a, b) => a !== b);
  return { countries, borders: { type: 'Feature', properties: {}, geometry: borders } };
}
