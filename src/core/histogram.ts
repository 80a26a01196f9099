// The timeline histogram behind the date slider: incidents per calendar bin, stacked by category.
// Bins are in local wall-clock time (see localMsOfIso), so a bar agrees with the day rule.

import { CATEGORIES, CATEGORY_INDEX, STATUSES, type Category, type Incident, type Status } from './schema.ts';
import { DAY_MS, localMsOfIso } from './time.ts';
import type { DayRange } from './time.ts';
import type { IncidentStore } from './store.ts';
import type { View } from './geometry.ts';
import { tileInView, type OverviewDays } from './overview.ts';

export type BinUnit = 'hour' | 'day' | 'week' | 'month';
export type Measure = 'count' | 'killed';

export interface Bin {
  /** Local wall-clock ms (as if UTC), inclusive. */
  start: number;
  /** Exclusive. */
  end: number;
  /** One value per category, in CATEGORIES order. */
  values: number[];
  total: number;
}

export interface Histogram {
  unit: BinUnit;
  /** Units per bin (more than 1 only for spans of over 1000 months). */
  step: number;
  bins: Bin[];
  max: number;
}

export const MAX_BINS = 1000;

/** The finest calendar unit that gives at most a readable number of bars for the span. */
export function chooseUnit(days: number, daysOnly = false): { unit: BinUnit; step: number } {
  if (days <= 3 && !daysOnly) return { unit: 'hour', step: 1 };
  if (days <= 366) return { unit: 'day', step: 1 };
  if (days <= 7 * 300) return { unit: 'week', step: 1 };
  const months = Math.ceil(days / 28);
  return { unit: 'month', step: Math.max(1, Math.ceil(months / MAX_BINS)) };
}

function binEdges(span: DayRange, unit: BinUnit, step: number): number[] {
  const from = span.from * DAY_MS;
  const to = (span.to + 1) * DAY_MS;
  const edges: number[] = [];
  if (unit === 'month') {
    const d = new Date(from);
    const y = d.getUTCFullYear();
    let m = d.getUTCMonth();
    for (;;) {
      const edge = Date.UTC(y, m, 1);
      edges.push(Math.max(edge, from));
      if (edge >= to) break;
      m += step;
    }
    edges[edges.length - 1] = Math.min(edges[edges.length - 1], to);
    return edges;
  }
  const width = (unit === 'hour' ? DAY_MS / 24 : unit === 'day' ? DAY_MS : 7 * DAY_MS) * step;
  for (let t = from; t < to; t += width) edges.push(t);
  edges.push(to);
  return edges;
}

/** What the bars need of item k: its local time (ms, as if UTC), category index and value. */
interface Items {
  length: number;
  time(k: number, hourly: boolean): number;
  category(k: number): number;
  value(k: number): number;
}

/** `daysOnly`: the items know their day, not their hour, so bars are never finer than a day. */
function tally(items: Items, span: DayRange, daysOnly = false): Histogram {
  const { unit, step } = chooseUnit(span.to - span.from + 1, daysOnly);
  const edges = binEdges(span, unit, step);
  const bins: Bin[] = [];
  for (let b = 0; b + 1 < edges.length; b++) bins.push({ start: edges[b], end: edges[b + 1], values: CATEGORIES.map(() => 0), total: 0 });
  const first = edges[0];
  const last = edges[edges.length - 1];
  // Day and week bins are equal widths from the first edge: the bin is a division. Hours need
  // the clock time, months (unequal) a binary search for the last edge ≤ t.
  const width = unit === 'day' || unit === 'week' ? edges[1] - first : 0;
  const hourly = unit === 'hour';
  for (let k = 0; k < items.length; k++) {
    const t = items.time(k, hourly);
    if (t < first || t >= last) continue;
    let lo = 0;
    if (width > 0) lo = Math.min(bins.length - 1, Math.floor((t - first) / width));
    else {
      let hi = bins.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (edges[mid] <= t) lo = mid;
        else hi = mid - 1;
      }
    }
    const value = items.value(k);
    bins[lo].values[items.category(k)] += value;
    bins[lo].total += value;
  }
  return { unit, step, bins, max: bins.reduce((m, b) => Math.max(m, b.total), 0) };
}

/**
 * Counts (or sums the upper bound of killed for) each incident in the bin of its local start.
 * Incidents before or after the span are not counted.
 */
export function histogram(incidents: readonly Incident[], span: DayRange, measure: Measure): Histogram {
  return tally(
    {
      length: incidents.length,
      // Day and coarser bins need only the local day, already a number; hours need the clock time.
      time: (k, hourly) => (hourly ? localMsOfIso(incidents[k].properties.start) : incidents[k].startDay * DAY_MS),
      category: (k) => CATEGORY_INDEX[incidents[k].category],
      value: (k) => (measure === 'count' ? 1 : incidents[k].properties.killed.max),
    },
    span,
  );
}

/**
 * The same bars for the store indices given (a store query's result), read from the store's
 * columns alone: a million incidents are counted without touching one object.
 */
export function histogramOfStore(store: IncidentStore, indices: ArrayLike<number>, span: DayRange, measure: Measure): Histogram {
  const { startDay, category, killed, localStart } = store.columns;
  return tally(
    {
      length: indices.length,
      time: (k, hourly) => (hourly ? localStart[indices[k]] : startDay[indices[k]] * DAY_MS),
      category: (k) => category[indices[k]],
      value: (k) => (measure === 'count' ? 1 : killed[indices[k]]),
    },
    span,
  );
}

/**
 * The same bars from a prepared dataset's overview rows: each row counted on its day, for the
 * tiles that meet the view (the rule of the map's cells, core/overview.ts) and the category and
 * status toggles. Approximate: a tile is in or out as a whole, and search and area do not apply.
 */
export function histogramOfOverview(
  rows: OverviewDays,
  span: DayRange,
  view: View,
  categories: ReadonlySet<Category> | null,
  statuses: ReadonlySet<Status> | null,
  measure: Measure,
): Histogram {
  // Tile by tile: each is tested once, however many days and categories it has rows for, and
  // the rows of tiles out of view are not visited.
  const { starts } = rows;
  const kept = new Int32Array(rows.count.length);
  let n = 0;
  for (let t = 0; t + 1 < starts.length; t++) {
    if (!tileInView(rows.zoom, rows.x[starts[t]], rows.y[starts[t]], view)) continue;
    for (let k = starts[t]; k < starts[t + 1]; k++) {
      if (categories && !categories.has(CATEGORIES[rows.category[k]])) continue;
      if (statuses && !statuses.has(STATUSES[rows.status[k]])) continue;
      kept[n++] = k;
    }
  }
  const value = measure === 'count' ? rows.count : rows.killed;
  return tally(
    {
      length: n,
      time: (k) => rows.day[kept[k]] * DAY_MS,
      category: (k) => rows.category[kept[k]],
      value: (k) => value[kept[k]],
    },
    span,
    true,
  );
}
