// Incident chains: the typed relations between incidents as arcs from cause to effect.

import type { Feature, FeatureCollection, LineString } from 'geojson';
import type { Incident, RelationType } from './schema.ts';

export interface ArcProperties {
  from: string;
  to: string;
  type: RelationType;
  /** false for symmetric relations ("same operation as", "related to"): drawn without an arrow. */
  directed: boolean;
  /** Local days of both ends, so the date filter can show an arc only when both ends are shown. */
  fromStartDay: number;
  fromEndDay: number;
  toStartDay: number;
  toEndDay: number;
}

const SEGMENTS = 24;

/**
 * A gentle curve between two points (a quadratic Bézier bent to the right of travel), so that
 * arcs A→B and B→A stay apart and arcs do not hide under the straight border lines.
 */
export function arc(a: [number, number], b: [number, number]): [number, number][] {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const control: [number, number] = [(a[0] + b[0]) / 2 + dy * 0.2, (a[1] + b[1]) / 2 - dx * 0.2];
  const points: [number, number][] = [];
  for (let s = 0; s <= SEGMENTS; s++) {
    const t = s / SEGMENTS;
    const u = 1 - t;
    points.push([u * u * a[0] + 2 * u * t * control[0] + t * t * b[0], u * u * a[1] + 2 * u * t * control[1] + t * t * b[1]]);
  }
  return points;
}

export function chainArcs(incidents: readonly Incident[]): FeatureCollection<LineString, ArcProperties> {
  // Most large imports have no relations at all: then no index of a million ids is built.
  if (!incidents.some((i) => i.properties.related.length > 0)) return { type: 'FeatureCollection', features: [] };
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const seen = new Set<string>();
  const features: Feature<LineString, ArcProperties>[] = [];
  for (const incident of incidents) {
    for (const r of incident.properties.related) {
      const other = byId.get(r.id);
      if (!other || other === incident) continue;
      // "A retaliation for B": B caused A, so the arrow runs B → A. "A followed by B": A → B.
      const [from, to] = r.type === 'retaliation for' ? [other, incident] : [incident, other];
      const directed = r.type === 'retaliation for' || r.type === 'followed by';
      const key = directed ? `${from.id}>${to.id}` : [from.id, to.id].sort().join('~');
      if (seen.has(key)) continue;
      seen.add(key);
      features.push({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: arc([from.lon, from.lat], [to.lon, to.lat]) },
        properties: {
          from: from.id,
          to: to.id,
          type: r.type,
          directed,
          fromStartDay: from.startDay,
          fromEndDay: from.endDay,
          toStartDay: to.startDay,
          toEndDay: to.endDay,
        },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}
