// Which row groups of a prepared dataset the page holds, within a budget of rows, and the one
// store over all of them. A view and date window need some groups; groups read for earlier
// views stay while they fit in the budget (panning back needs no request), the least recently
// needed going first. The store is rebuilt from the kept groups' slices of the last store and
// the new groups' stores, so the worker holds one store, not one per group.

import { StoreBuilder } from './store-builder.ts';
import type { IncidentStore } from './store.ts';

/** Rows held at most: about what the page draws and filters at a slider step's pace. */
export const ROW_BUDGET = 2_000_000;

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
    const sizes = new Map(this.held.map((g) => [g.id, g.rows]));
    const kept = ids.filter((id) => this.starts.has(id));
    const read = ids.filter((id) => !this.starts.has(id));
    for (const id of read) if (!fresh.has(id)) throw new Error(`row group ${id} is neither held nor read`);
    const keptRows = kept.reduce((n, id) => n + sizes.get(id)!, 0);
    const builder = new StoreBuilder(Math.max(1, keptRows + read.reduce((n, id) => n + fresh.get(id)!.size, 0)));
    if (this.store && kept.length > 0) {
      const positions = new Uint32Array(keptRows);
      let k = 0;
      for (const id of kept) for (let p = this.starts.get(id)!, end = p + sizes.get(id)!; p < end; p++) positions[k++] = p;
      builder.addStore(this.store, positions);
    }
    for (const id of read) builder.addStore(fresh.get(id)!);
    const held: GroupSize[] = [...kept, ...read].map((id) => ({ id, rows: sizes.get(id) ?? fresh.get(id)!.size }));
    const starts = new Map<string, number>();
    let at = 0;
    for (const g of held) {
      starts.set(g.id, at);
      at += g.rows;
    }
    const bySize = new Map(held.map((g) => [g.id, g]));
    this.store = builder.build();
    this.held = held;
    this.recent = ids.map((id) => bySize.get(id)!);
    this.starts = starts;
    return this.store;
  }
}
