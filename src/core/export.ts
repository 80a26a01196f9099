// Export of the visible set as RFC 7946 GeoJSON: the features as they came in, all properties kept.

import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Incident, IncidentProperties } from './schema.ts';
import { isoDateOfDay } from './time.ts';
import type { DayRange } from './query.ts';

export const GEOJSON_MEDIA_TYPE = 'application/geo+json';

export function toFeatureCollection(incidents: readonly Incident[]): FeatureCollection<Geometry, IncidentProperties> {
  return {
    type: 'FeatureCollection',
    features: incidents.map(
      (i): Feature<Geometry, IncidentProperties> => ({ type: 'Feature', id: i.id, geometry: i.geometry, properties: i.properties }),
    ),
  };
}

export function exportFileName(days: DayRange): string {
  return `incidents_${isoDateOfDay(days.from)}_${isoDateOfDay(days.to)}.geojson`;
}

export function serializeGeoJson(incidents: readonly Incident[]): string {
  return JSON.stringify(toFeatureCollection(incidents));
}
