// The application state: one class, runes inside. Data flows one way: incidents (validated once)
// × day range × view × filters → the derived visible set that the map, list, count and export share.

import { createContext } from 'svelte';
import { STATUSES, type Category, type Incident, type Issue, type Status } from '../core/schema.ts';
import type { Measure } from '../core/histogram.ts';
import type { Dataset, Incidents } from '../core/export.ts';
import type { DayRange } from '../core/query.ts';
import { IncidentStore } from '../core/store.ts';
import { WORLD, type Bbox, type View } from '../core/geometry.ts';
import { ArrayTable, ConcatTable, EMPTY_TABLE, PickTable, indexOfId, toArray, type IncidentTable } from '../core/table.ts';
import { eachInSlices } from '../core/slices.ts';
import { IdSet } from '../core/id-set.ts';
import { mergeOffThread } from '../workers/store-merge.ts';
import type { Camera } from '../core/url-state.ts';
import { DAY_MS } from '../core/time.ts';

/** The incidents (by input position) and their store (for every count and filter), always replaced together. */
interface Data {
  table: IncidentTable;
  store: IncidentStore;
}

export class AtlasState {
  private data = $state.raw<Data>({ table: EMPTY_TABLE, store: IncidentStore.fromIncidents([]) });
  days = $state.raw<DayRange>({ from: 0, to: 0 });
  view = $state.raw<View>(WORLD);
  camera = $state.raw<Camera | null>(null);
  categories = $state.raw<ReadonlySet<Category> | null>(null);
  statuses = $state.raw<ReadonlySet<Status> | null>(null);
  selectedId = $state<string | null>(null);
  /** Hovered in the list or on the map; both highlight it. */
  hoveredId = $state<string | null>(null);
  measure = $state<Measure>('count');
  showChains = $state(false);
  playback = $state<{ playing: boolean; mode: PlayMode; speed: number }>({ playing: false, mode: 'window', speed: 1 });
  /** A message for role="alert": a load or import that failed. Current data is kept. */
  error = $state<string | null>(null);
  issues = $state.raw<Issue[]>([]);
  /** A request to the map to show this extent (after an import that lies outside the view). */
  fitRequest = $state.raw<Bbox | null>(null);
  /** The files the incidents came from, with their SHA-256, for export provenance. */
  datasets = $state.raw<Dataset[]>([]);
  /**
   * How to compute the digests of listed datasets: an import hashes its file only when an
   * export first names it. Hashing 200 MB alongside the parse slowed the import by ~6%; right
   * after it, the first frames of the imported points. `release` lets go of what computing it
   * needs (the import's worker) once the dataset is no longer listed.
   */
  private digests = new Map<Dataset, { compute: () => Promise<unknown>; release: () => void; running: Promise<unknown> | null }>();

  /** Registers how to fill in a listed dataset's SHA-256. */
  digestLater(dataset: Dataset, compute: () => Promise<unknown>, release: () => void): void {
    this.digests.set(dataset, { compute, release, running: null });
  }

  /** Resolves once every listed dataset's SHA-256 is known, computing those not yet asked for. */
  async whenDigested(): Promise<void> {
    const pending = this.datasets.flatMap((dataset) => {
      const digest = this.digests.get(dataset);
      if (!digest) return [];
      digest.running ??= digest.compute();
      return [digest.running];
    });
    await Promise.allSettled(pending);
  }

  /** Incidents are built from the table only when shown: the list, the detail, an export. */
  incidents = $derived(this.data.table);
  /** Built once per data change (by the import worker, for an import); every filter change is then an indexed query. */
  store = $derived(this.data.store);

  span = $derived<DayRange>(this.data.store.daySpan() ?? { from: Math.floor(Date.now() / DAY_MS), to: Math.floor(Date.now() / DAY_MS) });

  /** Store indices (ascending: start order) of what is shown — the map, the list, the count and exports share it. */
  visible = $derived(this.store.query({ days: this.days, view: this.view, categories: this.categories, statuses: this.statuses }).slice());

  /**
   * Store indices (not objects: they are only counted) of what the legend counts — the dates
   * and view, any category — and of what the histogram stacks — the view, any date.
   */
  inViewAnyCategory = $derived(this.store.query({ days: this.days, view: this.view, categories: null, statuses: this.statuses }).slice());
  inViewAnyDate = $derived(this.store.query({ days: this.span, view: this.view, categories: this.categories, statuses: this.statuses }).slice());

  /** What is shown (`visible`, a value of this.visible), each incident built only when asked for: exports use it. */
  exportable(visible = this.visible): Incidents {
    const { table, store } = this.data;
    return { count: visible.length, at: (k) => table.get(store.order[visible[k]]) };
  }

  /** The first `limit` of what is shown, built: what the list shows. */
  visibleIncidents(limit: number, visible = this.visible): Incident[] {
    const { count, at } = this.exportable(visible);
    return Array.from({ length: Math.min(limit, count) }, (_, k) => at(k));
  }

  /** Every loaded incident, built (the chain arcs need their relations). */
  allIncidents(): Incident[] {
    return toArray(this.data.table);
  }

  /** The incident with this id, built, or null. */
  incidentById(id: string | null): Incident | null {
    if (id === null) return null;
    const i = indexOfId(this.data.table, id);
    return i < 0 ? null : this.data.table.get(i);
  }

  selected = $derived(this.incidentById(this.selectedId));

  /** Replaces the data with incidents already built (the bundled dataset); the day range as setData. */
  setIncidents(incidents: Incident[], days?: DayRange): void {
    this.setData({ table: new ArrayTable(incidents), store: IncidentStore.fromIncidents(incidents) }, days);
  }

  /** Replaces the data; the day range is kept where it still fits, else widened to the new span. */
  private setData(data: Data, days?: DayRange): void {
    this.data = data;
    this.days = days ?? this.span;
    if (this.selectedId !== null && indexOfId(data.table, this.selectedId) < 0) this.selectedId = null;
  }

  toggleCategory(c: Category, present: readonly Category[]): void {
    const on = new Set(this.categories ?? present);
    if (on.has(c)) on.delete(c);
    else on.add(c);
    // All on is "no filter", so a link made before a new category appears still shows it.
    this.categories = present.every((p) => on.has(p)) ? null : on;
  }

  toggleStatus(s: Status): void {
    const on = new Set(this.statuses ?? STATUSES);
    if (on.has(s)) on.delete(s);
    else on.add(s);
    this.statuses = STATUSES.every((x) => on.has(x)) ? null : on;
  }

  /**
   * One playback step: the window moves a day (its width kept), or the cumulative end grows a
   * day. Returns false, and stops, at the end of the data.
   */
  step(): boolean {
    const { from, to } = this.days;
    if (to >= this.span.to) {
      this.playback.playing = false;
      return false;
    }
    this.days = this.playback.mode === 'window' ? { from: from + 1, to: to + 1 } : { from, to: to + 1 };
    return true;
  }

  /** Starts playback; from the beginning when already at the end. */
  play(): void {
    const width = this.days.to - this.days.from;
    if (this.playback.mode === 'cumulative') {
      if (this.days.to >= this.span.to) this.days = { from: this.span.from, to: this.span.from };
    } else if (this.days.to >= this.span.to) {
      const w = width >= this.span.to - this.span.from ? 0 : width;
      this.days = { from: this.span.from, to: this.span.from + w };
    }
    this.playback.playing = true;
  }

  /**
   * Adds imported incidents to the current ones, or replaces them. Nothing valid → nothing
   * changes. On add, an id already loaded is rejected (reported), never overwritten. The slider
   * bounds grow to the new span; a selection covering the whole old span grows with it.
   * `store` was built from exactly the table's incidents, in its order.
   *
   * Adding finds the new ids a slice per task and merges the stores in a worker (see
   * mergeOffThread): done in one go, adding 200,000 to 200,000 held the page ~400 ms. The
   * data shown stays until the merged data replaces it. Resolves to the rejected ids, or null
   * when `cancelled()` said so before the end (then nothing changed).
   */
  async importIncidents(table: IncidentTable, store: IncidentStore, mode: 'add' | 'replace', dataset: Dataset, cancelled: () => boolean = () => false): Promise<Issue[] | null> {
    if (table.length === 0) return [];
    if (mode === 'replace') {
      this.showImport(store);
      for (const digest of this.digests.values()) digest.release();
      this.digests.clear();
      this.datasets = [dataset];
      this.setData({ table, store });
      return [];
    }
    const before = this.data;
    // Characters in typed arrays, not a Set of strings: less for the collector to trace.
    const loaded = new IdSet();
    if (!(await eachInSlices(before.table.length, (i) => loaded.add(before.table.id(i)), cancelled))) return null;
    const rejected: Issue[] = [];
    const fresh: number[] = [];
    const scanned = await eachInSlices(
      table.length,
      (i) => {
        const id = table.id(i);
        if (!loaded.has(id)) fresh.push(i);
        else rejected.push({ index: -1, field: 'id', reason: `"${id}" is already loaded; the loaded incident is kept` });
      },
      cancelled,
    );
    if (!scanned) return null;
    if (fresh.length === 0) return rejected;
    const keep = fresh.length === table.length ? null : Uint32Array.from(fresh);
    const merged = await mergeOffThread(before.store, store, keep);
    if (cancelled()) return null;
    // Other data came meanwhile (the bundled dataset, still loading at an early import): add to that.
    if (this.data !== before) return this.importIncidents(table, store, mode, dataset, cancelled);
    this.showImport(store);
    const wasFull = this.days.from === this.span.from && this.days.to === this.span.to;
    const days = this.days;
    this.datasets = [...this.datasets, dataset];
    this.setData({ table: new ConcatTable([before.table, keep ? new PickTable(table, keep) : table]), store: merged }, days);
    if (wasFull || before.table.length === 0) this.days = this.span;
    return rejected;
  }

  /** An import that lies wholly outside the view would show "0 incidents": the map moves to it. */
  private showImport(store: IncidentStore): void {
    const b = store.bounds();
    const anyDay = store.daySpan();
    if (!b || !anyDay) return;
    // All of it in view (the usual case) needs no query: that took ~14 ms at 1M incidents.
    const [w, s, e, n] = this.view;
    if (w <= e && b[0] >= w && b[2] <= e && b[1] >= s && b[3] <= n) return;
    if (store.query({ days: anyDay, view: this.view, categories: null, statuses: null }).length === 0) this.fitRequest = b;
  }

  setDays(days: DayRange): void {
    const from = Math.max(this.span.from, Math.min(days.from, days.to));
    const to = Math.min(this.span.to, Math.max(days.from, days.to));
    if (from !== this.days.from || to !== this.days.to) this.days = { from, to };
  }
}

export type PlayMode = 'window' | 'cumulative';
export const PLAY_MODES: readonly PlayMode[] = ['window', 'cumulative'];
export const SPEEDS = [0.5, 1, 2, 4] as const;

export const [getAtlas, setAtlas] = createContext<AtlasState>();
