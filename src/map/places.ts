// Place labels for the offline basemap: the cities and countries a reader of this conflict
// looks for. Positions are approximate city centres (Natural Earth populated places, rounded).
// Each carries its Arabic name too (core/place-names.ts), for the Arabic labels (?lang=ar).

import type { FeatureCollection, Point } from 'geojson';
import { arabicName } from '../core/place-names.ts';

type Place = [name: string, lon: number, lat: number, kind: 'country' | 'capital' | 'city'];

const PLACES: Place[] = [
  ['Iraq', 43.7, 33.0, 'country'],
  ['Syria', 38.6, 35.2, 'country'],
  ['Iran', 54.3, 32.6, 'country'],
  ['Turkey', 35.3, 39.1, 'country'],
  ['Saudi Arabia', 44.6, 24.5, 'country'],
  ['Jordan', 36.8, 30.8, 'country'],
  ['Kuwait', 47.6, 29.2, 'country'],
  ['Lebanon', 35.9, 34.0, 'country'],
  ['Israel', 34.9, 30.9, 'country'],
  ['Baghdad', 44.366, 33.315, 'capital'],
  ['Damascus', 36.277, 33.514, 'capital'],
  ['Tehran', 51.389, 35.689, 'capital'],
  ['Amman', 35.928, 31.945, 'capital'],
  ['Beirut', 35.502, 33.894, 'capital'],
  ['Kuwait City', 47.977, 29.376, 'capital'],
  ['Riyadh', 46.675, 24.714, 'capital'],
  ['Ankara', 32.860, 39.933, 'capital'],
  ['Kirkuk', 44.392, 35.468, 'city'],
  ['Erbil', 44.009, 36.191, 'city'],
  ['Mosul', 43.130, 36.340, 'city'],
  ['Basra', 47.780, 30.509, 'city'],
  ['Ramadi', 43.308, 33.421, 'city'],
  ['Tikrit', 43.679, 34.597, 'city'],
  ['Najaf', 44.336, 32.000, 'city'],
  ['Deir ez-Zor', 40.141, 35.336, 'city'],
  ['Aleppo', 37.134, 36.202, 'city'],
  ['Homs', 36.724, 34.733, 'city'],
  ['Isfahan', 51.666, 32.654, 'city'],
  ['Tabriz', 46.292, 38.080, 'city'],
  ['Kermanshah', 47.065, 34.314, 'city'],
  ['Qom', 50.876, 34.640, 'city'],
];

export const places: FeatureCollection<Point, { name: string; name_ar: string | null; kind: Place[3] }> = {
  type: 'FeatureCollection',
  features: PLACES.map(([name, lon, lat, kind]) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { name, name_ar: arabicName(name), kind },
  })),
};
