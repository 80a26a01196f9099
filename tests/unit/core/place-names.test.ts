import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arabicName, placeInArabic } from '../../../src/core/place-names.ts';
import { places } from '../../../src/map/places.ts';

describe('Arabic place names', () => {
  it('translates each known part and joins with the Arabic comma', () => {
    expect(placeInArabic('Green Zone, Baghdad, Iraq')).toBe('المنطقة الخضراء، بغداد، العراق');
  });
  it('is null when one part is not known: no English phrase inside an Arabic line', () => {
    expect(placeInArabic('Somewhere new, Baghdad, Iraq')).toBeNull();
    expect(placeInArabic('Springfield, Oregon')).toBeNull();
  });
  it('does not take inherited object keys for names', () => {
    expect(arabicName('constructor')).toBeNull();
    expect(placeInArabic('toString')).toBeNull();
  });
  it('every basemap label has an Arabic name', () => {
    const missing = places.features.filter((f) => !f.properties.name_ar).map((f) => f.properties.name);
    expect(missing).toEqual([]);
  });
  it('the bundled places named by sites and cities alone are all in Arabic', () => {
    const data = JSON.parse(readFileSync(new URL('../../../data/incidents.geojson', import.meta.url), 'utf8')) as { features: { properties: { place: string } }[] };
    const translated = new Set(data.features.map((f) => f.properties.place).filter((p) => placeInArabic(p) !== null));
    expect([...translated].sort()).toEqual([
      'Al Asad (Ayn al-Asad) Air Base, Anbar Governorate, Iraq',
      'Balad Air Base, Salahuddin Governorate, Iraq',
      'Coalition base at Erbil International Airport, Erbil, Kurdistan Region, Iraq',
      'Green Zone, Baghdad, Iraq',
      'US Embassy compound, Green Zone (Karkh), Baghdad, Iraq',
    ]);
  });
});
