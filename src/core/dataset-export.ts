// The export of a prepared dataset's view that the page does not hold (its rows exceed the
// page's budget): the dataset worker reads the view's row groups a slab at a time, keeps the
// rows the filter rule shows, and writes them in the store's order (first day, start, then as
// read), so the file is what an export of the same rows loaded in the page would hold.

import type { DayRange } from './time.ts';
import type { Incident } from './schema.ts';
import { visibleOf, type Filter } from './filter.ts';
import { sortOrder } from './store.ts';
import { storeOfIncidents } from './store-builder.ts';
import { csvRow, geojsonFeature } from './export.ts';

/** What a slab needs of a row group: its rows and the start days of its incidents. */
export interface SlabGroup {
  rows: number;
  starts: DayRange;
}

/** A slab: the start days whose incidents it writes, and the groups that may hold one. */
export interface Slab<G> {
  days: DayRange;
  groups: G[];
}

/** Past this many times the rows asked for, a slab is cut where fewest rows cross the cut. */
const LARGEST = 4;

/**
 * Groups cut into slabs that can be written one after the other: a slab writes the incidents
 * that start on its days, which follow the days of the slab before, and reads every group
 * whose start days meet them. A slab is closed once it holds `rows` rows at a day no group
 * crosses, so that nothing is read twice; a dataset sorted by week then cuts at weeks. Past
 * LARGEST times `rows`, it is closed at a day that at most half of `rows` cross, and the groups
 * that cross are read again by the next slab: a large dataset's row groups straddle its
 * weeks (a few thousand rows each, a week ~96,000 at 10M), which chained a whole month into one slab,
 * its texts held at once and two workers left with three months' slabs between them. A
 * dataset whose groups all span its whole time is one slab.
 */
export function slabsOf<G extends SlabGroup>(groups: readonly G[], rows: number): Slab<G>[] {
  if (groups.length === 0) return [];
  // Statistics that run backwards (a file changed by hand) are read as the days between them,
  // so that every group is read by some slab.
  const span = new Map(groups.map((g) => [g, { from: Math.min(g.starts.from, g.starts.to), to: Math.max(g.starts.from, g.starts.to) }]));
  const from = (g: G) => span.get(g)!.from;
  const to = (g: G) => span.get(g)!.to;
  const byStart = [...groups].sort((a, b) => from(a) - from(b));
  const byEnd = [...groups].sort((a, b) => to(a) - to(b));
  // Rows meet a cut after day d when their group starts on or before d and ends after it:
  // cuts are tried after the last day of each group, where fewer rows may cross.
  const cuts: number[] = [];
  let started = 0;
  let ended = 0;
  let crossing = 0;
  let held = 0;
  for (const end of byEnd) {
    const d = to(end);
    while (started < byStart.length && from(byStart[started]) <= d) {
      crossing += byStart[started].rows;
      held += byStart[started++].rows;
    }
    while (ended < byEnd.length && to(byEnd[ended]) <= d) crossing -= byEnd[ended++].rows;
    if (started === byStart.length && crossing === 0) break;
    if (cuts.at(-1) === d || held < rows || (crossing > 0 && !(held >= LARGEST * rows && crossing <= rows / 2))) continue;
    cuts.push(d);
    held = crossing;
  }
  // The first and last slabs are open-ended: an incident outside its group's statistics is still written.
  const edges = [-Infinity, ...cuts, Infinity];
  return edges.slice(1).map((last, k) => {
    const first = edges[k] + 1;
    return { days: { from: first, to: last }, groups: byStart.filter((g) => from(g) <= last && to(g) >= first) };
  });
}

/**
 * The shown incidents of one slab, each as its GeoJSON feature or CSV line, in the
 * store's order (first day, start, then as read); null when `stopped` says so between groups.
 * Each incident is written as soon as the filter keeps it, and only its text and sort keys are
 * kept until the slab is sorted: tens of thousands of incidents' object graphs, held for the
 * whole slab, cost the collector more than the rest of the reading.
 */
export async function slabTexts<G>({ days, groups }: Slab<G>, incidentsOf: (group: G) => Promise<Incident[]>, filter: Filter, format: 'geojson' | 'csv', stopped: () => boolean): Promise<string[] | null> {
  const write = format === 'csv' ? csvRow : geojsonFeature;
  // Without a search, the slab's store needs no text index.
  const searched = Boolean(filter.search?.trim());
  const texts: string[] = [];
  const startDay: number[] = [];
  const start: number[] = [];
  for (const g of groups) {
    if (stopped()) return null;
    const all = await incidentsOf(g);
    const store = storeOfIncidents(all, searched);
    for (const i of visibleOf(store, filter)) {
      const incident = all[store.order[i]];
      // A group that crosses the slab's days holds incidents of the slab before or after.
      if (incident.startDay < days.from || incident.startDay > days.to) continue;
      texts.push(write(incident));
      startDay.push(incident.startDay);
      start.push(incident.start);
    }
  }
  const order = sortOrder({ startDay: Int32Array.from(startDay), start: Float64Array.from(start) });
  return Array.from(order, (k) => texts[k]);
}
