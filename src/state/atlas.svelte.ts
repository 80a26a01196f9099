// The application state: one class, runes inside. Data flows one way: the data (a table of
// rows and its store) × the filter (core/filter.ts) → the visible store indices that the map,
// list, count, histogram, legend and export all read. Inside, an incident is its store index;
// ids appear only at the edges: the URL, the export, the detail panel.

import { createContext } from 'svelte';
import { STATUSES, type Category, type Incident, type Status } from '../core/schema.ts';
import type { Measure } from '../core/histogram.ts';
import type { Dataset, Incidents } from '../core/export.ts';
import { DAY_MS, type DayRange } from '../core/time.ts';
import { buildStore, allocateColumns, type IncidentStore } from '../core/store.ts';
import { facetMask, visibleIndices } from '../core/filter.ts';
import { WORLD, type Bbox, type View } from '../core/geometry.ts';
import { EMPTY_TABLE, indexOfId, toArray, type IncidentTable } from '../core/table.ts';
import { queryWords } from '../core/text.ts';
import type { Area, AreaResult } from '../core/area.ts';
import type { Camera } from '../core/url-state.ts';
import { cellZoom, countCells, previousPeriod } from '../core/compare.ts';
import { playbackStart, playbackStep, type PlayMode } from '../core/playback.ts';

/** The incidents (by input position) and their store (for every count and filter), always replaced together. */
export interface Data {
  table: IncidentTable;
  store: IncidentStore;
}

export const NO_DATA: Data = { table: EMPTY_TABLE, store: buildStore(allocateColumns(0)) };

export class AtlasState {
  private data = $state.raw<Data>(NO_DATA);
  days = $state.raw<DayRange>({ from: 0, to: 0 });
  view = $state.raw<View>(WORLD);
  camera = $state.raw<Camera | null>(null);
  categories = $state.raw<ReadonlySet<Category> | null>(null);
  statuses = $state.raw<ReadonlySet<Status> | null>(null);
  /** What was typed in the search box, as typed (the URL and provenance keep it so). */
  search = $state('');
  /** Only what lies inside it is shown (core/area.ts), or null. */
  area = $state.raw<Area | null>(null);
  /** Why the last area given was refused; the area before it stays. */
  areaError = $state<string | null>(null);
  /** The period compared with the selected days, or null: no comparison. */
  comparison = $state.raw<DayRange | null>(null);
  /** Why the link's comparison period was not used. */
  comparisonError = $state<string | null>(null);
  /** While an area is drawn on the map, the points placed so far; null when not drawing. */
  drawing = $state<number | null>(null);
  /** Store indices of the selected incident, and of the one hovered in the list or on the map. */
  selected = $state<number | null>(null);
  hovered = $state<number | null>(null);
  measure = $state<Measure>('count');
  showChains = $state(false);
  /** The language of place names: the basemap's labels and the incidents' places. */
  lang = $state<Lang>('en');
  playback = $state<{ playing: boolean; mode: PlayMode; speed: number }>({ playing: false, mode: 'window', speed: 1 });
  /** A message for role="alert": a load or import that failed. Current data is kept. */
  error = $state<string | null>(null);
  /** A request to the map to show this extent (after an import that lies outside the view). */
  fitRequest = $state.raw<Bbox | null>(null);
  /** The files the incidents came from, with their SHA-256, for export provenance. */
  datasets = $state.raw<Dataset[]>([]);

  /** Incidents are built from the table only when shown: the list, the detail, an export. */
  table = $derived(this.data.table);
  /** Built once per data change (in the import worker); every filter change is then an indexed query. */
  store = $derived(this.data.store);

  /** A prepared dataset's days (its manifest's), when the data loaded is only the part a view needs. */
  private wholeSpan = $state.raw<DayRange | null>(null);
  /** Whether the data is part of a prepared dataset: an import replaces it rather than adding to a part. */
  prepared = $derived(this.wholeSpan !== null);
  span = $derived<DayRange>(this.wholeSpan ?? this.data.store.daySpan() ?? { from: Math.floor(Date.now() / DAY_MS), to: Math.floor(Date.now() / DAY_MS) });

  /** Every facet (core/filter.ts) evaluated once per change, per incident: the map draws with it too. */
  mask = $derived(facetMask(this.store, { categories: this.categories, statuses: this.statuses, search: this.search, area: this.area }));
  /** The searched words, folded: what the list and the detail panel mark. */
  words = $derived(queryWords(this.search));
  /** Store indices (ascending: start order) of what is shown: the map, the list, the count and exports share it. */
  visible = $derived(visibleIndices(this.store, this.days, this.view, this.mask));
  /** Every facet but the categories: the legend counts each category, switched on or not. */
  private anyCategoryMask = $derived(facetMask(this.store, { categories: null, statuses: this.statuses, search: this.search, area: this.area }));
  /** What the legend counts: as shown, any category. */
  inViewAnyCategory = $derived(visibleIndices(this.store, this.days, this.view, this.anyCategoryMask));
  /** The comparison period's visible set: the same rule, mask and view, its own days. */
  compared = $derived(this.comparison ? visibleIndices(this.store, this.comparison, this.view, this.mask) : null);
  /** The comparison period's legend counts, as inViewAnyCategory. */
  comparedAnyCategory = $derived(this.comparison ? visibleIndices(this.store, this.comparison, this.view, this.anyCategoryMask) : null);
  /** Both periods counted per map cell, the cells sized for the map's zoom: the map's rose/fell layer. */
  cells = $derived(this.compared ? countCells(this.store, this.visible, this.compared, cellZoom(this.camera?.zoom ?? 0)) : null);
  /** What the histogram stacks: as shown, any date. */
  inViewAnyDate = $derived(visibleIndices(this.store, this.span, this.view, this.mask));

  /** The incident at a store index, built from its row. */
  incident(index: number): Incident {
    return this.data.table.get(this.data.store.order[index]);
  }

  /** Its id: for the URL, the export and the detail panel. */
  idOf(index: number): string {
    return this.data.table.id(this.data.store.order[index]);
  }

  /** The store index of the incident with this id, or null. A scan: for a link or a click, not a loop. */
  indexOfId(id: string | null, data: Data = this.data): number | null {
    if (id === null) return null;
    const position = indexOfId(data.table, id);
    return position < 0 ? null : data.store.order.indexOf(position);
  }

  selectedIncident = $derived(this.selected === null ? null : this.incident(this.selected));
  selectedId = $derived(this.selected === null ? null : this.idOf(this.selected));

  /**
   * What is shown (`visible`, a value of this.visible), each incident built only when asked
   * for: exports use it. It reads the data of the moment it was called: a prepared dataset's
   * rows may be replaced while a long export is written (by the rows read ahead, or a pan).
   */
  exportable(visible = this.visible): Incidents {
    const { table, store } = this.data;
    return { count: visible.length, at: (k) => table.get(store.order[visible[k]]) };
  }

  /** The first `limit` of what is shown, with their store indices: what the list shows. */
  listed(limit: number, visible = this.visible): { index: number; incident: Incident }[] {
    return Array.from(visible.subarray(0, limit), (index) => ({ index, incident: this.incident(index) }));
  }

  /** Every loaded incident, built (the chain arcs need their relations). */
  allIncidents(): Incident[] {
    return toArray(this.data.table);
  }

  /**
   * Replaces the data. The day range is the one given, else kept where it still fits, else
   * widened to the new span; the selection follows its incident by id. `span`: the slider's
   * bounds when the data is part of a prepared dataset, else the data's own.
   */
  setData(data: Data, days?: DayRange, span: DayRange | null = null): void {
    const selectedId = this.selectedId;
    this.hovered = null;
    this.selected = this.indexOfId(selectedId, data);
    this.wholeSpan = span;
    this.data = data;
    this.days = days ?? this.span;
  }

  /** An area checked by core/area.ts: applied, or its error shown with the previous area kept. */
  setArea(result: AreaResult): boolean {
    if ('error' in result) {
      this.areaError = result.error;
      return false;
    }
    this.areaError = null;
    this.area = result.area;
    return true;
  }

  /** Compares with the period of the same length just before the selected days. */
  compareWithPrevious(): void {
    this.comparisonError = null;
    this.comparison = previousPeriod(this.days);
  }

  /** A comparison period in either order; its days need not hold data (the counts are then 0). */
  setComparison(days: DayRange): void {
    this.comparisonError = null;
    const from = Math.min(days.from, days.to);
    const to = Math.max(days.from, days.to);
    if (from !== this.comparison?.from || to !== this.comparison?.to) this.comparison = { from, to };
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
   * One playback step (core/playback.ts): the window moves a day, or the cumulative end grows a
   * day. Returns false, and stops, at the end of the data.
   */
  step(): boolean {
    const next = playbackStep(this.days, this.span, this.playback.mode);
    if (!next) {
      this.playback.playing = false;
      return false;
    }
    this.days = next;
    return true;
  }

  /** Starts playback; from the beginning when already at the end. */
  play(): void {
    this.days = playbackStart(this.days, this.span, this.playback.mode);
    this.playback.playing = true;
  }

  /** An import that lies wholly outside the view would show "0 incidents": the map moves to it. */
  showAll(store: IncidentStore): void {
    const b = store.bounds();
    const anyDay = store.daySpan();
    if (!b || !anyDay) return;
    // All of it in view (the usual case) needs no query.
    const [w, s, e, n] = this.view;
    if (w <= e && b[0] >= w && b[2] <= e && b[1] >= s && b[3] <= n) return;
    if (visibleIndices(store, anyDay, this.view, null).length === 0) this.fitRequest = b;
  }

  setDays(days: DayRange): void {
    const from = Math.max(this.span.from, Math.min(days.from, days.to));
    const to = Math.min(this.span.to, Math.max(days.from, days.to));
    if (from !== this.days.from || to !== this.days.to) this.days = { from, to };
  }
}

/** Place-name languages: English, and Arabic where the name is known (core/place-names.ts). */
export type Lang = 'en' | 'ar';
export const LANGS: readonly Lang[] = ['en', 'ar'];

export { PLAY_MODES, SPEEDS, type PlayMode } from '../core/playback.ts';

export const [getAtlas, setAtlas] = createContext<AtlasState>();
