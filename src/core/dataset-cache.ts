// Which row groups of a prepared dataset the page holds, within a budget of rows, and the one
// store over all of them. A view and date window need some groups; groups read for earlier
// views stay while they fit in the budget (panning back needs no request), the least recently
// needed going first. The store is rebuilt from the kept groups' slices of the last store and
// the new groups' stores, so the worker holds one store, not one per group.

import { StoreBuilder } from './store-builder.ts';
import { visibleIndices } from './filter.ts';
import type { IncidentStore } from './store.ts';
import { normalizeView, type View } from './geometry.ts';
import type { DayRange } from './time.ts';

/**
 * Rows held at most. A held row costs the page ~1.2 KB of heap (its row as JSON, the store's
 * columns, the text index): 200,000 keep it near 270 MB whatever the dataset's size, and read
 * in ~10 s at worst. With 2,000,000, a 10M-row dataset's first week already took 384 MB, and
 * the groups kept for earlier views could grow it to gigabytes.
 */
export const ROW_BUDGET = 200_000;

/**
 * A view needing more rows than the budget, but whose row groups hold at most this many, is
 * counted exactly without its rows (DatasetReader.count): its columns of days, extent,
 * category and status are ~30 bytes a row, read a group at a time and let go, so the heap
 * does not grow with it. Above, its count is the overview's "about".
 */
export const EXACT_ROWS = 5_000_000;

/**
 * A view whose rows to read are more than this is sent its density and exact count first, and
 * its rows after: in a browser a worker reads ~25,000 rows a second, so the first frame of a
 * week of a 10M-row dataset at world zoom (~184,000 rows) waited ~9 s on a blank map.
 */
export const PREVIEW_ROWS = 50_000;

/**
 * Rows to read and hold past which a view's own rows are sent first, alone (the worker's
 * sendPart), and the whole groups after: at 10M a city step reaching new weeks waited ~2 s for
 * two whole groups and a store rebuilt over the ~190,000 rows held, for a few dozen rows.
 */
export const PART_ROWS = 20_000;

/**
 * A view the page does not hold is exported from the dataset by its worker up to this many
 * incidents (counted exactly); above, the export menu gives the command line, whose file
 * is not built in the browser's memory.
 */
export const EXPORT_ROWS = 1_000_000;

export interface GroupSize {
  id: string;
  rows: number;
}

/**
 * The groups to hold for a view: every needed one, then those held before, most recently
 * needed first, while the rows fit in the budget. Null when the needed ones alone exceed it.
 */
export function groupsToHold(needed: readonly GroupSize[], held: readonly GroupSize[], budget: number): string[] | null {
  let rows = needed.reduce((n, g) => n + g.rows, 0);
  if (rows > budget) return null;
  const out = needed.map((g) => g.id);
  const taken = new Set(out);
  for (const g of held) {
    if (taken.has(g.id) || rows + g.rows > budget) continue;
    out.push(g.id);
    taken.add(g.id);
    rows += g.rows;
  }
  return out;
}

/** The days and view a store was loaded for: every group any narrower request needs is in it. */
export interface Coverage {
  days: DayRange;
  view: View;
}

/** A view's longitudes as intervals within [−180, 180]: two when it crosses the antimeridian. */
function lonIntervals(v: View): [number, number][] {
  return v[0] <= v[2] ? [[v[0], v[2]]] : [[v[0], 180], [-180, v[2]]];
}

/**
 * Whether `days` and `view` lie inside what was loaded. pieceMayMatch only grows with its days
 * and view (an overlap with a part is an overlap with the whole), so the groups a covered
 * request needs are among those loaded for `covered`, and the store answers it exactly.
 */
export function covers(covered: Coverage, days: DayRange, view: View): boolean {
  if (days.from < covered.days.from || days.to > covered.days.to) return false;
  const c = covered.view;
  if (view[1] < c[1] || view[3] > c[3]) return false;
  const outer = lonIntervals(c);
  return lonIntervals(view).every(([w, e]) => outer.some(([cw, ce]) => cw <= w && e <= ce));
}

/**
 * Edges closer than this, in degrees, are one edge: a link's view is estimated a hair wider
 * than the one the map then reports (see viewOfCamera). A pixel at zoom 20 is ~7e-7°.
 */
const SAME_EDGE = 1e-7;

/**
 * Whether a request for these days and this view would be the one asked for (`asked`): the
 * same days, and a view that `asked` holds and exceeds by less than SAME_EDGE a side.
 */
export function sameCoverage(asked: Coverage, days: DayRange, view: View): boolean {
  return asked.days.from === days.from && asked.days.to === days.to && covers(asked, days, view) && asked.view.every((x, k) => Math.abs(x - view[k]) < SAME_EDGE);
}

/**
 * What to load ahead of `days` and `view`, so that the next slider steps and small pans are
 * covered: the window widened by its own length on each side (within the span), the view by
 * half its size on each side (within the world). Always holds `days` and `view`.
 */
export function readAhead(days: DayRange, view: View, span: DayRange): Coverage {
  const length = days.to - days.from + 1;
  const from = Math.min(days.from, Math.max(span.from, days.from - length));
  const to = Math.max(days.to, Math.min(span.to, days.to + length));
  // A view across the antimeridian runs east past 180 here, as the map's bounds do.
  const east = view[0] <= view[2] ? view[2] : view[2] + 360;
  const width = east - view[0];
  const height = view[3] - view[1];
  return { days: { from, to }, view: normalizeView(view[0] - width / 2, view[1] - height / 2, east + width / 2, view[3] + height / 2) };
}

/**
 * The store over the groups held. Input positions run group after group: the groups kept from
 * the last store first (one pass over it), then the groups just read.
 */
export class GroupedStore {
  /** The groups held, in input order, with their rows. */
  held: GroupSize[] = [];
  /** The same ids, most recently needed first: what groupsToHold keeps when the budget is short. */
  recent: GroupSize[] = [];
  private starts = new Map<string, number>();
  store: IncidentStore | null = null;

  has(id: string): boolean {
    return this.starts.has(id);
  }

  /** The same groups, needed in this order now (most recent first): the store stays as it is. */
  touch(ids: readonly string[]): void {
    const bySize = new Map(this.held.map((g) => [g.id, g]));
    this.recent = ids.map((id) => bySize.get(id)!);
  }

  /**
   * Holds the groups `ids` (most recently needed first): those held already are taken from
   * the current store, the others from `fresh` (each group's own store). Returns the new store.
   */
  hold(ids: readonly string[], fresh: ReadonlyMap<string, IncidentStore>): IncidentStore {
    const { store, held } = this.combine(ids, fresh);
    const starts = new Map<string, number>();
    let at = 0;
    for (const g of held) {
      starts.set(g.id, at);
      at += g.rows;
    }
    const bySize = new Map(held.map((g) => [g.id, g]));
    this.store = store;
    this.held = held;
    this.recent = ids.map((id) => bySize.get(id)!);
    this.starts = starts;
    return store;
  }

  /**
   * The store over the groups `ids` as hold() would make it, and its groups in input order:
   * those held (in ids' order), then those of `fresh`. What is held does not change.
   * `shown`: of the groups held, only the rows these days and view show (by the rule of
   * core/filter.ts), and `pick`, the position of each row of the store, in its input order,
   * among the rows of `held` laid end to end.
   */
  combine(ids: readonly string[], fresh: ReadonlyMap<string, IncidentStore>, shown?: Coverage): { store: IncidentStore; held: GroupSize[]; pick?: Uint32Array } {
    const sizes = new Map(this.held.map((g) => [g.id, g.rows]));
    const kept = ids.filter((id) => this.starts.has(id));
    const read = ids.filter((id) => !this.starts.has(id));
    for (const id of read) if (!fresh.has(id)) throw new Error(`row group ${id} is neither held nor read`);
    const held = [...kept, ...read].map((id) => ({ id, rows: sizes.get(id) ?? fresh.get(id)!.size }));
    const positions: number[] = [];
    const pick: number[] = [];
    // Where the next group starts among the groups' rows laid end to end.
    let base = 0;
    if (this.store && kept.length > 0) {
      let isShown: Uint8Array | null = null;
      if (shown) {
        isShown = new Uint8Array(this.store.size);
        for (const i of visibleIndices(this.store, shown.days, shown.view, null)) isShown[this.store.order[i]] = 1;
      }
      for (const id of kept) {
        const start = this.starts.get(id)!;
        const rows = sizes.get(id)!;
        for (let p = start; p < start + rows; p++) {
          if (isShown && isShown[p] === 0) continue;
          positions.push(p);
          if (shown) pick.push(base + p - start);
        }
        base += rows;
      }
    }
    const builder = new StoreBuilder(Math.max(1, positions.length + read.reduce((n, id) => n + fresh.get(id)!.size, 0)));
    if (positions.length > 0) builder.addStore(this.store!, positions);
    for (const id of read) {
      const store = fresh.get(id)!;
      builder.addStore(store);
      if (shown) for (let k = 0; k < store.size; k++) pick.push(base + k);
      base += store.size;
    }
    return { store: builder.build(), held, ...(shown ? { pick: Uint32Array.from(pick) } : {}) };
  }
}
