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

/**
 * Groups cut into slabs that can be written one after the other: no incident of a later slab
 * starts before one of an earlier slab, because a slab takes every group whose start days
 * overlap its own (the groups are taken by their first start day). A slab is closed once it
 * holds `rows` rows and no remaining group overlaps it, so that a slab of a dataset sorted by
 * week is about a week of the view; a dataset whose groups all span its whole time is one slab.
 */
export function slabsOf<G extends SlabGroup>(groups: readonly G[], rows: number): G[][] {
  const sorted = [...groups].sort((a, b) => a.starts.from - b.starts.from);
  const slabs: G[][] = [];
  let slab: G[] = [];
  let to = -Infinity;
  let held = 0;
  for (const g of sorted) {
    if (slab.length > 0 && g.starts.from > to && held >= rows) {
      slabs.push(slab);
      slab = [];
      held = 0;
    }
    slab.push(g);
    to = Math.max(to, g.starts.to);
    held += g.rows;
  }
  if (slab.length > 0) slabs.push(slab);
  return slabs;
}

/**
 * The shown incidents of one slab's groups, each as its GeoJSON feature or CSV line, in the
 * store's order (first day, start, then as read); null when `stopped` says so between groups.
 * Each incident is written as soon as the filter keeps it, and only its text and sort keys are
 * kept until the slab is sorted: tens of thousands of incidents' object graphs, held for the
 * whole slab, cost the collector more than the rest of the reading.
 */
export async function slabTexts<G>(groups: readonly G[], incidentsOf: (group: G) => Promise<Incident[]>, filter: Filter, format: 'geojson' | 'csv', stopped: () => boolean): Promise<string[] | null> {
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
      texts.push(write(incident));
      startDay.push(incident.startDay);
      start.push(incident.start);
    }
  }
  const order = sortOrder({ startDay: Int32Array.from(startDay), start: Float64Array.from(start) });
  return Array.from(order, (k) => texts[k]);
}
