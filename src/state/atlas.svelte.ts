// The application state: one class, runes inside. Data flows one way: incidents (validated once)
// × day range × view × filters → the derived visible set that the map, list, count and export share.

import { createContext } from 'svelte';
import { STATUSES, type Category, type Incident, type Issue, type Status } from '../core/schema.ts';
import type { Measure } from '../core/histogram.ts';
import { daySpan, type DayRange, type Filters } from '../core/query.ts';
import { IncidentStore } from '../core/store.ts';
import { WORLD, bboxIntersectsView, type Bbox, type View } from '../core/geometry.ts';
import type { Camera } from '../core/url-state.ts';
import { DAY_MS } from '../core/time.ts';

export class AtlasState {
  /** Replaced, never mutated, so it stays a plain (non-proxied) array; the store gives the order. */
  incidents = $state.raw<Incident[]>([]);
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
  datasets = $state.raw<{ name: string; sha256: string }[]>([]);

  span = $derived<DayRange>(daySpan(this.incidents) ?? { from: Math.floor(Date.now() / DAY_MS), to: Math.floor(Date.now() / DAY_MS) });

  /**
   * A store already built for exactly this incidents array (by the import worker, off the main
   * thread). Not reactive: it is set just before the incidents it belongs to.
   */
  private prebuilt: { incidents: readonly Incident[]; store: IncidentStore } | null = null;

  /** Built once per data change; every filter change is then an indexed query. */
  store = $derived(this.prebuilt?.incidents === this.incidents ? this.prebuilt.store : IncidentStore.fromIncidents(this.incidents));

  visible = $derived(this.query({ days: this.days, view: this.view, categories: this.categories, statuses: this.statuses }));

  /**
   * Store indices (not objects: they are only counted) of what the legend counts — the dates
   * and view, any category — and of what the histogram stacks — the view, any date.
   */
  inViewAnyCategory = $derived(this.store.query({ days: this.days, view: this.view, categories: null, statuses: this.statuses }).slice());
  inViewAnyDate = $derived(this.store.query({ days: this.span, view: this.view, categories: this.categories, statuses: this.statuses }).slice());

  private query(f: Filters): Incident[] {
    const store = this.store;
    const indices = store.query(f);
    const out = new Array<Incident>(indices.length);
    for (let k = 0; k < indices.length; k++) out[k] = this.incidents[store.order[indices[k]]];
    return out;
  }

  selected = $derived(this.incidents.find((i) => i.id === this.selectedId) ?? null);

  /** Replaces the data; the day range is kept where it still fits, else widened to the new span. */
  setIncidents(incidents: Incident[], days?: DayRange): void {
    // Kept as given: the store orders them by day for every view, list and export.
    if (this.prebuilt?.incidents !== incidents) this.prebuilt = null; // not held past its data
    this.incidents = incidents;
    const span = this.span;
    this.days = days ?? span;
    if (this.selectedId !== null && !this.incidents.some((i) => i.id === this.selectedId)) this.selectedId = null;
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
   * `store`, when given, was built from exactly these incidents in this order.
   */
  importIncidents(incidents: Incident[], mode: 'add' | 'replace', dataset: { name: string; sha256: string }, store?: IncidentStore): Issue[] {
    if (incidents.length === 0) return [];
    // An import that lies wholly outside the view would show "0 incidents": move the map to it.
    if (!incidents.some((i) => bboxIntersectsView(i.bbox, this.view))) this.fitRequest = extentOf(incidents);
    const wasFull = this.days.from === this.span.from && this.days.to === this.span.to;
    if (mode === 'replace') {
      // On add the store is rebuilt from old and new together; on replace the worker's fits.
      this.prebuilt = store && store.size === incidents.length ? { incidents, store } : null;
      this.datasets = [dataset];
      this.setIncidents(incidents);
      return [];
    }
    const loaded = new Set(this.incidents.map((i) => i.id));
    const rejected: Issue[] = [];
    const fresh = incidents.filter((i) => {
      if (!loaded.has(i.id)) return true;
      rejected.push({ index: -1, field: 'id', reason: `"${i.id}" is already loaded; the loaded incident is kept` });
      return false;
    });
    if (fresh.length === 0) return rejected;
    const days = this.days;
    this.datasets = [...this.datasets, dataset];
    this.setIncidents([...this.incidents, ...fresh], days);
    if (wasFull || this.incidents.length === fresh.length) this.days = this.span;
    return rejected;
  }

  setDays(days: DayRange): void {
    const from = Math.max(this.span.from, Math.min(days.from, days.to));
    const to = Math.min(this.span.to, Math.max(days.from, days.to));
    if (from !== this.days.from || to !== this.days.to) this.days = { from, to };
  }
}

function extentOf(incidents: readonly Incident[]): Bbox {
  const e: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { bbox } of incidents) {
    e[0] = Math.min(e[0], bbox[0]);
    e[1] = Math.min(e[1], bbox[1]);
    e[2] = Math.max(e[2], bbox[2]);
    e[3] = Math.max(e[3], bbox[3]);
  }
  return e;
}

export type PlayMode = 'window' | 'cumulative';
export const PLAY_MODES: readonly PlayMode[] = ['window', 'cumulative'];
export const SPEEDS = [0.5, 1, 2, 4] as const;

export const [getAtlas, setAtlas] = createContext<AtlasState>();
