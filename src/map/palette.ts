// Category colours: the Okabe–Ito palette, chosen to stay distinguishable with the common forms
// of colour blindness. Shared by the map layers and the legend, so both always agree.

import type { Category } from '../core/schema.ts';

export const CATEGORY_COLORS: Record<Category, string> = {
  airstrike: '#0072B2',
  'drone strike': '#56B4E9',
  'missile strike': '#D55E00',
  'rocket attack': '#E69F00',
  shootdown: '#CC79A7',
  'armed clash': '#009E73',
  'protest/riot': '#F0E442',
  other: '#7A7A7A',
};
