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

/**
 * Fell most … no change … rose most: ColorBrewer's PuOr (purple–orange), a diverging scheme
 * that stays readable with deuteranopia, protanopia and tritanopia. Orange is "more", the
 * direction a map of incidents is read for.
 */
export const CHANGE_COLORS = ['#542788', '#998ec3', '#d8daeb', '#f7f7f7', '#fee0b6', '#f1a340', '#b35806'] as const;

/** The colour of a change class (core/compare.ts changeClass: −3 … +3). */
export function changeColor(changeClass: number): string {
  return CHANGE_COLORS[changeClass + (CHANGE_COLORS.length - 1) / 2];
}
