// The visible set: the one rule that the map, the list, the counts, the histogram and the
// export all read. An incident is visible when
//   - its local days [startDay, endDay] overlap the selected days, both ends inclusive;
//   - its extent touches the map view (which may cross the antimeridian);
//   - it passes every facet: its category and its status are among those chosen, and its text
//     holds every word searched for (text.ts).
// The facets are evaluated once per change into a per-incident mask; the days and the view are
// then an indexed query over the store. The GPU layer reads the same two parts: the days as a
// uniform, the mask as a vertex attribute. A new kind of filter is a new facet here.

import { CATEGORIES, STATUSES, type Category, type Status } from './schema.ts';
import type { View } from './geometry.ts';
import type { DayRange } from './time.ts';
import type { IncidentStore } from './store.ts';
import { queryWords } from './text.ts';
import { areaMask, type Area } from './area.ts';

export interface Facets {
  /** null = all categories. */
  categories: ReadonlySet<Category> | null;
  /** null = all statuses. */
  statuses: ReadonlySet<Status> | null;
  /** What was typed in the search box; absent or '' = no text search. */
  search?: string;
  /** Only incidents whose point is inside it (area.ts); absent or null = anywhere. */
  area?: Area | null;
}

export interface Filter extends Facets {
  days: DayRange;
  view: View;
}

/** 1 at a store index whose incident passes every facet, 0 elsewhere; null when no facet narrows. Read only. */
export type FacetMask = Uint8Array | null;

/** Bit i set when vocabulary[i] is in the set; all bits for "no filter" (null). Unsigned. */
function bits<T extends string>(set: ReadonlySet<T> | null, vocabulary: readonly T[]): number {
  if (set === null) return 0xffffffff;
  let m = 0;
  vocabulary.forEach((v, i) => {
    if (set.has(v)) m |= 1 << i;
  });
  return m >>> 0;
}

export function facetMask(store: IncidentStore, f: Facets): FacetMask {
  const categories = bits(f.categories, CATEGORIES);
  const statuses = bits(f.statuses, STATUSES);
  const allStatuses = (1 << STATUSES.length) - 1;
  const everyCategory = CATEGORIES.every((_, c) => store.categoryCounts[c] === 0 || (categories >>> c) & 1);
  const text = store.text.match(queryWords(f.search ?? ''));
  const area = f.area ? insideOf(store, f.area) : null;
  // One facet alone narrows: its own mask, as the text index and the area cache keep it (read only).
  if (everyCategory && (statuses & allStatuses) === allStatuses && !(text && area)) return text ?? area;
  const { category, status } = store.columns;
  const mask = new Uint8Array(store.size);
  for (let i = 0; i < store.size; i++) mask[i] = (categories >>> category[i]) & (statuses >>> status[i]) & 1;
  if (text) for (let i = 0; i < store.size; i++) mask[i] &= text[i];
  if (area) for (let i = 0; i < store.size; i++) mask[i] &= area[i];
  return mask;
}

/**
 * Store indices (ascending, so in start order) of the incidents whose days overlap `days`,
 * whose extent touches `view` and which the mask keeps.
 */
export function visibleIndices(store: IncidentStore, days: DayRange, view: View, mask: FacetMask): Uint32Array {
  if (mask === null && holdsAll(store, days, view)) {
    // Everything loaded is shown (right after an import, say): no test per incident.
    const all = new Uint32Array(store.size);
    for (let i = 0; i < store.size; i++) all[i] = i;
    return all;
  }
  const out = scratch(store);
  const [lo, hi] = store.timeRange(days);
  const { startDay, endDay, lon, lat } = store.columns;
  const { from, to } = days;
  const [w, s, e, n] = view;
  const crosses = w > e;
  const isWide = store.isWide;
  let count = 0;
  const spatial = spatialFirst(store, view, hi - lo);
  if (spatial) {
    for (const [x0, y0, x1, y1] of crosses ? [[w, s, 180, n], [-180, s, e, n]] : [[w, s, e, n]]) {
      for (const i of store.index.range(x0, y0, x1, y1)) {
        if (isWide[i] === 1 || endDay[i] < from || startDay[i] > to || (mask !== null && mask[i] === 0)) continue;
        out[count++] = i;
      }
    }
  } else {
    // The hot loop, over every incident the time index could not rule out: plain typed-array
    // reads in locals, no closure, so it is fast before the JIT has warmed up too.
    for (let i = lo; i < hi; i++) {
      if (endDay[i] < from || startDay[i] > to || isWide[i] === 1 || (mask !== null && mask[i] === 0)) continue;
      const y = lat[i];
      if (y < s || y > n) continue;
      const x = lon[i];
      if (crosses ? x < w && x > e : x < w || x > e) continue;
      out[count++] = i;
    }
  }
  const sorted = count;
  count = addWide(store, out, count, days, view, mask);
  const result = out.slice(0, count);
  // The spatial index answers in its own order; wide incidents come after the points.
  if (spatial || count > sorted) result.sort();
  return result;
}

/** The visible set under a whole filter: for callers that evaluate it once (the CLI, tests). */
export function visibleOf(store: IncidentStore, f: Filter): Uint32Array {
  return visibleIndices(store, f.days, f.view, facetMask(store, f));
}

/** The last area's mask per store: the mask and the legend's counts ask for the same one. */
const insides = new WeakMap<IncidentStore, { area: Area; mask: Uint8Array }>();
function insideOf(store: IncidentStore, area: Area): Uint8Array {
  const last = insides.get(store);
  if (last?.area === area) return last.mask;
  const mask = areaMask(store, area);
  insides.set(store, { area, mask });
  return mask;
}

/** A reused output buffer per store: a slider drag does not allocate a million-entry array per step. */
const scratches = new WeakMap<IncidentStore, Uint32Array>();
function scratch(store: IncidentStore): Uint32Array {
  let out = scratches.get(store);
  if (!out) scratches.set(store, (out = new Uint32Array(store.size)));
  return out;
}

/** Whether the days and view keep every incident: all days, and a view around all of them. */
function holdsAll(store: IncidentStore, days: DayRange, view: View): boolean {
  const span = store.daySpan();
  const b = store.bounds();
  if (!span || !b || days.from > span.from || days.to < span.to) return false;
  const [w, s, e, n] = view;
  return w <= e && w <= b[0] && s <= b[1] && e >= b[2] && n >= b[3];
}

/** Space first when the view holds far fewer points than the time window (zoomed in). */
function spatialFirst(store: IncidentStore, view: View, timeCandidates: number): boolean {
  const [ew, es, ee, en] = store.extent;
  const dataArea = Math.max(1e-9, (ee - ew) * (en - es));
  const [w, s, e, n] = view;
  const width = w > e ? Math.max(0, Math.min(180, ee) - Math.max(w, ew)) + Math.max(0, Math.min(e, ee) - Math.max(-180, ew)) : Math.max(0, Math.min(e, ee) - Math.max(w, ew));
  const height = Math.max(0, Math.min(n, en) - Math.max(s, es));
  const estimate = (store.size * width * height) / dataArea;
  return estimate * 8 < timeCandidates;
}

/** Incidents that are not points, tested by their extent. */
function addWide(store: IncidentStore, out: Uint32Array, count: number, days: DayRange, view: View, mask: FacetMask): number {
  const [w, s, e, n] = view;
  const { startDay, endDay } = store.columns;
  for (let k = 0; k < store.wide.length; k++) {
    const i = store.wide[k];
    if (endDay[i] < days.from || startDay[i] > days.to || (mask !== null && mask[i] === 0)) continue;
    const [bw, bs, be, bn] = store.wideBbox.subarray(k * 4, k * 4 + 4);
    if (bs > n || bn < s) continue;
    if (w <= e ? be < w || bw > e : be < w && bw > e) continue;
    out[count++] = i;
  }
  return count;
}
