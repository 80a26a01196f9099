// The command line that exports what a prepared dataset's view holds when the page cannot:
// `npm run export -- --dataset DIR` with the days, view and toggles filled in. The command
// line knows no search or area, so those are named rather than silently dropped.

import { CATEGORIES, STATUSES, type Category, type Status } from './schema.ts';
import { isoDateOfDay, type DayRange } from './time.ts';
import type { View } from './geometry.ts';

export interface ExportFilters {
  days: DayRange;
  view: View;
  categories: ReadonlySet<Category> | null;
  statuses: ReadonlySet<Status> | null;
  search: string;
  area: unknown;
}

/** Degrees to 4 decimals (about 11 m): the view's edges, rounded outward so that nothing shown is cut. */
const outward = (x: number, down: boolean) => (down ? Math.floor(x * 1e4) : Math.ceil(x * 1e4)) / 1e4;

/** A list from a fixed vocabulary ('drone strike', 'protest/riot') as one shell word. */
const word = (values: readonly string[]) => {
  const list = values.join(',');
  return /^[\w,./-]+$/.test(list) ? list : `'${list}'`;
};

/** The command, and the facets it cannot carry (empty when it exports exactly what the page would). */
export function exportCommand(f: ExportFilters, format: 'geojson' | 'csv'): { command: string; unsupported: string[] } {
  const args = ['npm run export -- --dataset DIR', `--from ${isoDateOfDay(f.days.from)}`, `--to ${isoDateOfDay(f.days.to)}`];
  const [w, s, e, n] = f.view;
  if (!(w <= -180 && s <= -90 && e >= 180 && n >= 90)) {
    const clamp = (x: number, limit: number) => Math.max(-limit, Math.min(limit, x));
    args.push(`--bbox ${[outward(clamp(w, 180), true), outward(clamp(s, 90), true), outward(clamp(e, 180), false), outward(clamp(n, 90), false)].join(',')}`);
  }
  const unsupported = [...(f.search.trim() ? ['the search'] : []), ...(f.area ? ['the area'] : [])];
  // The command line reads an empty list as no filter, the opposite of every toggle switched off.
  if (f.categories?.size === 0) unsupported.push('the category toggles (all off)');
  else if (f.categories) args.push(`--category ${word(CATEGORIES.filter((c) => f.categories!.has(c)))}`);
  if (f.statuses?.size === 0) unsupported.push('the status toggles (all off)');
  else if (f.statuses) args.push(`--status ${word(STATUSES.filter((s) => f.statuses!.has(s)))}`);
  if (format === 'csv') args.push('--format csv');
  args.push(`--out export.${format}`);
  return { command: args.join(' '), unsupported };
}
