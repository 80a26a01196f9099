import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arabicName, placeInArabic } from '../../../src/core/place-names.ts';
import { places } from '../../../src/map/places.ts';

describe('Arabic place names', () => {
  it('translates each known part and joins with the Arabic comma', () => {
    expect(placeInArabic('Green Zone, Baghdad, Iraq')).toBe('المنطقة الخضراء، بغداد، العراق');
  });
  it('keeps an unknown part in English between known ones', () => {
    expect(placeInArabic('Somewhere new, Baghdad, Iraq')).toBe('Somewhere new، بغداد، العراق');
  });
  it('is null when no part is known', () => {
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
  it('every bundled incident has its place, at least in part, in Arabic', () => {
    const data = JSON.parse(readFileSync(new URL('../../../data/incidents.geojson', import.meta.url), 'utf8')) as { features: { properties: { place: string } }[] };
    const untranslated = data.features.map((f) => f.properties.place).filter((p) => placeInArabic(p) === null);
    expect(untranslated).toEqual([]);
  });
});
