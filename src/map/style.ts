// The offline basemap style: land, water, borders and place labels, all from data on our own
// origin. It has no `glyphs` URL on purpose: MapLibre then draws label text with TinySDF from
// the browser's local fonts, so labels need no glyph server.

import type { ExpressionSpecification, StyleSpecification } from 'maplibre-gl';
import type { BasemapData } from './basemap.ts';
import { places } from './places.ts';

export type Theme = 'light' | 'dark';
export type LabelLang = 'en' | 'ar';

/** The label layers that follow the language switch. */
export const LABEL_LAYERS = ['country-labels', 'city-labels'] as const;

/**
 * A label's text in a language: the Arabic name where the place has one, else the English.
 * Letter spacing would break Arabic script's joined letters, so Arabic labels get none.
 */
export function labelText(lang: LabelLang): ExpressionSpecification {
  return lang === 'ar' ? ['coalesce', ['get', 'name_ar'], ['get', 'name']] : ['get', 'name'];
}
export const COUNTRY_LETTER_SPACING: Record<LabelLang, number> = { en: 0.15, ar: 0 };

const THEMES = {
  light: { water: '#c9dbe6', land: '#f3f0e8', border: '#8d8478', text: '#2c2c2c', halo: '#ffffff', country: '#6b6459' },
  dark: { water: '#111b26', land: '#272b31', border: '#7d7f86', text: '#e6e6e6', halo: '#111111', country: '#a3a3a3' },
} as const;

export const ATTRIBUTION = 'Basemap: Natural Earth (public domain)';

export function offlineStyle(data: BasemapData, theme: Theme, lang: LabelLang = 'en'): StyleSpecification {
  const c = THEMES[theme];
  return {
    version: 8,
    name: `Incident Atlas offline (${theme})`,
    sources: {
      countries: { type: 'geojson', data: data.countries, attribution: ATTRIBUTION },
      borders: { type: 'geojson', data: data.borders },
      places: { type: 'geojson', data: places },
    },
    layers: [
      { id: 'water', type: 'background', paint: { 'background-color': c.water } },
      { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': c.land } },
      { id: 'borders', type: 'line', source: 'borders', paint: { 'line-color': c.border, 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.6, 8, 1.6], 'line-dasharray': [3, 2] } },
      {
        id: 'country-labels',
        type: 'symbol',
        source: 'places',
        filter: ['==', ['get', 'kind'], 'country'],
        maxzoom: 8,
        layout: { 'text-field': labelText(lang), 'text-font': ['sans-serif'], 'text-size': 13, 'text-transform': 'uppercase', 'text-letter-spacing': COUNTRY_LETTER_SPACING[lang] },
        paint: { 'text-color': c.country, 'text-halo-color': c.halo, 'text-halo-width': 1.2 },
      },
      {
        id: 'city-dots',
        type: 'circle',
        source: 'places',
        filter: ['!=', ['get', 'kind'], 'country'],
        paint: { 'circle-radius': 2.5, 'circle-color': c.text },
      },
      {
        id: 'city-labels',
        type: 'symbol',
        source: 'places',
        filter: ['!=', ['get', 'kind'], 'country'],
        layout: {
          'text-field': labelText(lang),
          'text-font': ['sans-serif'],
          'text-size': ['case', ['==', ['get', 'kind'], 'capital'], 13, 11.5],
          'text-anchor': 'left',
          'text-offset': [0.5, 0],
          'text-optional': true,
        },
        paint: { 'text-color': c.text, 'text-halo-color': c.halo, 'text-halo-width': 1.4 },
      },
    ],
  };
}
