// A prepared dataset opened from a URL (?dataset=) or a picked folder: this class owns the
// dataset worker's protocol (src/workers/dataset.worker.ts). The rows it sends become the
// atlas's data exactly as an import's do, a RowTable over their encoded rows and the store the
// worker built, so the map, counts, list, selection and export need nothing of their own.
// When the days or the view change, the worker is asked (debounced) for what they need, with
// room around them; a change inside what the rows held were loaded for asks nothing.

import { createContext } from 'svelte';
import { PickTable, RowTable, type RowBatch } from '../core/table.ts';
import { rebuilder } from '../core/import/index.ts';
import { IncidentStore } from '../core/store.ts';
import { dayOfIsoDate, type DayRange } from '../core/time.ts';
import { bboxIntersectsView, type View } from '../core/geometry.ts';
import { openingDays, type Manifest } from '../core/dataset-manifest.ts';
import type { PickedFile } from '../core/dataset-files.ts';
import type { DatasetLimits, DatasetMessage, DatasetRequest } from '../workers/dataset.worker.ts';
import { NO_DATA, type AtlasState } from './atlas.svelte.ts';
import { countsShown, densityInView, type OverviewCells, type OverviewDays } from '../core/overview.ts';
import { histogramOfOverview, type Histogram } from '../core/histogram.ts';
import { exportCommand } from '../core/export-command.ts';
import { EXPORT_ROWS, covers, readAhead, sameCoverage, type Coverage } from '../core/dataset-cache.ts';
import { CSV_HEAD, GEOJSON_HEAD, geojsonTail, type ExportContext } from '../core/export.ts';
import type { Area } from '../core/area.ts';

export type SpawnWorker = () => Worker;

type ExportMessage = Extract<DatasetMessage, { type: 'export-plan' | 'export-piece' | 'export-slab' | 'export-error' }>;

/** Workers that share an export of a view the page does not hold: one per core, up to 4 (each holds a slab's rows). */
const EXPORT_WORKERS = Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1));

/** Messages kept until taken, in order of arrival, by what the taker waits for. */
class Inbox<T> {
  private readonly kept: T[] = [];
  private waiter: { want: (m: T) => boolean; resolve: (m: T) => void } | null = null;

  push(m: T): void {
    if (this.waiter?.want(m)) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(m);
    } else this.kept.push(m);
  }

  take(want: (m: T) => boolean): Promise<T> {
    const k = this.kept.findIndex(want);
    if (k >= 0) return Promise.resolve(this.kept.splice(k, 1)[0]);
    return new Promise((resolve) => (this.waiter = { want, resolve }));
  }
}

const datasetWorker: SpawnWorker = () => new Worker(new URL('../workers/dataset.worker.ts', import.meta.url), { type: 'module' });

export interface OpenedDataset {
  manifest: Manifest;
  /** The manifest's URL, or the folder's name: what provenance names. */
  label: string;
  sha256: string;
  span: DayRange;
}

interface Pending {
  worker: Worker;
  /** Where it is read from: an export's extra workers open the same. */
  source: { url: string } | { files: PickedFile[] };
  opened: OpenedDataset | null;
  /** The days to open on, given the dataset's span and the days it opens on by default (openingDays). */
  days?: (span: DayRange, opening: DayRange) => DayRange;
  /** The days shown once its first rows arrive. */
  startDays?: DayRange;
  resolve: (ok: boolean) => void;
  /** Told once the manifest is read (its first rows are then asked for), or that it could not be. */
  started?: () => void;
  /** The overview's rows for the histogram, if they came before the first rows. */
  timeline?: OverviewDays;
}

export class DatasetSource {
  opened = $state.raw<OpenedDataset | null>(null);
  /** True while the worker reads what the current days and view need. */
  loading = $state(false);
  /**
   * The name of a dataset opening while the page shows no data (a link's ?dataset=, the page
   * started before its first rows): what the count and the list say meanwhile.
   */
  starting = $state<string | null>(null);
  /** Rows the view needs when they exceed the worker's budget: nothing was loaded for it. */
  tooMany = $state<number | null>(null);
  /** Whether the rows of the view whose density is drawn (tooMany) are on their way: a view that takes seconds to read is shown so first. */
  reading = $state(false);
  /** The overview cells drawn instead, while tooMany is set. */
  overview = $state.raw<OverviewCells | null>(null);
  /** The overview in the view, with the category and status toggles: the map's cells and the "about N". */
  density = $derived.by(() => (this.overview ? densityInView(this.overview, this.atlas.view, this.atlas.categories, this.atlas.statuses) : null));
  /**
   * The view's incidents per category and status, counted exactly by the worker while the
   * cells are drawn (when the view's row groups hold at most EXACT_ROWS rows); null until then,
   * and as soon as the days or the view change.
   */
  counted = $state.raw<Uint32Array | null>(null);
  /**
   * What the count, the legend and the export menu say while the cells are drawn: the exact
   * counts once the worker has them, else the cells' total and per-category counts, rounded
   * ("about"). Null when rows are listed, or when there is neither.
   */
  tally = $derived.by<{ total: number; perCategory: number[]; exact: boolean } | null>(() => {
    if (this.tooMany === null) return null;
    if (this.counted) return { ...countsShown(this.counted, this.atlas.categories, this.atlas.statuses), exact: true };
    if (this.density) return { total: Math.round(this.density.total), perCategory: Array.from(this.density.perCategory, Math.round), exact: false };
    return null;
  });
  /**
   * The facets the cells cannot apply while they are drawn (they count by tile, day, category
   * and status alone): each is named where it is set, so no count reads as filtered when it is not.
   */
  unapplied = $derived.by(() => (this.tooMany === null ? [] : [...(this.atlas.search.trim() ? ['search' as const] : []), ...(this.atlas.area ? ['area' as const] : [])]));
  /** An overview's rows over the whole span (see timelineZoom), once the worker has read them. */
  timeline = $state.raw<OverviewDays | null>(null);
  /**
   * The histogram over the dataset's whole span, from the overview, for the view and the toggles;
   * null until it is read or without overviews (the histogram then counts the rows held). It is
   * drawn whatever rows are loaded: bars that switched between exact counts of the loaded days
   * and estimates as the view changed would not compare with each other, and the point of the
   * bars is where in the span incidents are, to move the slider there.
   */
  bars = $derived.by<Histogram | null>(() =>
    this.timeline && this.opened ? histogramOfOverview(this.timeline, this.opened.span, this.atlas.view, this.atlas.categories, this.atlas.statuses, this.atlas.measure) : null,
  );
  /**
   * Whether Export GeoJSON and CSV can read the view's incidents from the dataset while the
   * page does not hold them: counted exactly, and at most EXPORT_ROWS. Above, the export menu
   * gives the command line instead.
   */
  streamable = $derived(this.tally?.exact === true && this.tally.total <= EXPORT_ROWS);
  /** Bytes fetched since the dataset was opened. */
  bytes = $state(0);
  /**
   * The view the first request of an opening reads for instead of the atlas's, which is the
   * world until the map reports its own: a link's #map over the window (see viewOfCamera, set
   * by main.ts). Read for the world, a city-sized link to a large dataset read every row group
   * of its days where its view needs a few.
   */
  openingView: View | null = null;
  private worker: Worker | null = null;
  private batches = new Map<string, RowBatch[]>();
  private seq = 0;
  /** The latest request answered (rows, 'same', or the overview). */
  private answered = 0;
  /** What the rows shown were loaded for; null while the overview is drawn or nothing is. */
  private covered: Coverage | null = null;
  /** The days and view of the latest request: its answer, shown or on its way, is theirs. */
  private asked: Coverage | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the worker was last asked (performance.now()), and the view last wanted: see want. */
  private lastAsk = -Infinity;
  private wantedView: View | null = null;
  /** See holdAheadUntil: requests do not read ahead, and one that does is due once they may. */
  private aheadHeld = false;
  private aheadDue = false;
  /** A dataset opening: it replaces the one shown when its first rows arrive. */
  private pending: Pending | null = null;
  private source: Pending['source'] | null = null;
  private readonly rebuild = rebuilder({ format: 'geojson' });
  /** The exports under way (see exportChunks): each is told its worker's messages. */
  private readonly exports = new Map<number, (m: ExportMessage) => void>();
  private jobs = 0;

  constructor(
    private readonly atlas: AtlasState,
    private readonly spawn: SpawnWorker = datasetWorker,
    private readonly debounceMs = 150,
  ) {}

  /**
   * Opens a dataset and loads what `days` (given the dataset's span and its opening days; by
   * default the opening days, see openingDays) and the current view need. Resolves to false
   * when it could not be opened: the alert says why and the data shown stays, with the dataset
   * it came from. `started` is called once the manifest is read, or once opening failed: the
   * page can start its map meanwhile.
   */
  open(source: { url: string } | { files: PickedFile[] }, days?: (span: DayRange, opening: DayRange) => DayRange, limits: DatasetLimits = {}, started?: () => void): Promise<boolean> {
    const w = this.spawn();
    const starting = this.aheadHeld ? { mapStarting: true } : {};
    const request: DatasetRequest = 'url' in source ? { type: 'open', url: source.url, ...limits, ...starting } : { type: 'open', files: source.files, ...limits, ...starting };
    this.drop();
    return new Promise<boolean>((resolve) => {
      this.pending = { worker: w, source, opened: null, days, resolve, started };
      w.onmessage = (e: MessageEvent<DatasetMessage>) => this.receive(w, e.data);
      w.onerror = (e) => this.receive(w, { type: 'error', seq: null, message: `The dataset worker failed: ${e.message}` });
      w.postMessage(request);
    });
  }

  /**
   * Asks for what the atlas's days and view need, each time they change, while the data shown
   * is this dataset's; once an import has replaced it, closes it. Call from a component: the app
   * and the embed follow a dataset the same way.
   */
  follow(): void {
    $effect(() => {
      const opened = this.opened;
      if (!opened) return;
      const atlas = this.atlas;
      if (!this.shown(opened)) return this.close();
      this.want(this.wantedDays(), atlas.view, atlas.camera?.zoom ?? 0);
    });
  }

  /** The days whose rows are needed: while comparing, the compared period's too, the days around both. */
  private wantedDays(): DayRange {
    const { days, comparison } = this.atlas;
    return comparison ? { from: Math.min(days.from, comparison.from), to: Math.max(days.to, comparison.to) } : days;
  }

  /**
   * Until `drawn` settles (the map's first complete frame, see main.ts), requests read only their
   * days and view, not ahead of them, and rows that follow a density wait (see Starting); then
   * what is shown is read ahead of: decoded while the map starts, on the same cores, the
   * read-ahead put off the first frame.
   */
  holdAheadUntil(drawn: Promise<unknown>): void {
    this.aheadHeld = true;
    void drawn.then(() => {
      this.aheadHeld = false;
      this.aheadDue = true;
      (this.pending?.worker ?? this.worker)?.postMessage({ type: 'drawn' } satisfies DatasetRequest);
      this.askAheadIfDue();
    });
  }

  /** The read-ahead held back (see holdAheadUntil), once the rows of the latest request are shown. */
  private askAheadIfDue(): void {
    if (!this.aheadDue || !this.worker || !this.opened || this.timer || this.answered !== this.seq || this.tooMany !== null || !this.shown(this.opened)) return;
    this.aheadDue = false;
    // The rows shown answer the view meanwhile: nothing says "loading".
    this.ask(this.worker, this.wantedDays(), this.atlas.view, this.atlas.camera?.zoom ?? 0, this.opened.span, false);
  }

  /** `npm run export -- --dataset DIR …` with the atlas's filters, for a view the page cannot export. */
  exportCommand(format: 'geojson' | 'csv'): { command: string; unsupported: string[] } {
    return exportCommand(this.atlas, format);
  }

  /** Whether the atlas still shows this dataset: an import replaces it. */
  private shown(opened: OpenedDataset): boolean {
    return this.atlas.datasets.some((d) => d.name === opened.label && d.sha256 === opened.sha256);
  }

  /** The days and view changed: the worker is asked for them, at once for a step of the days alone, else once they stop changing. */
  want(days: DayRange, view: View, zoom: number): void {
    const before = this.wantedView ?? this.asked?.view;
    const sameView = before !== undefined && before.every((v, i) => v === view[i]);
    this.wantedView = view;
    if (!this.worker) return;
    // The store shown answers it through the filter rule, and no answer on its way will replace it.
    if (!this.timer && this.answered === this.seq && this.covered && covers(this.covered, days, view)) return;
    // The latest request asked for these: a density drawn while its rows are read stays.
    if (!this.timer && this.asked && sameCoverage(this.asked, days, view)) return;
    const burst = this.timer !== null;
    if (this.timer) clearTimeout(this.timer);
    this.loading = true;
    this.counted = null;
    // New days alone after a quiet spell (a key on the slider) are asked for at once: the page
    // then draws the step while the worker reads. What follows them within the debounce (a
    // drag, a held key), and a new view (a gesture, animated frame by frame), is asked for once
    // it stops changing.
    if (!burst && sameView && performance.now() - this.lastAsk >= this.debounceMs) return this.ask(this.worker, days, view, zoom, this.opened!.span);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ask(this.worker!, days, view, zoom, this.opened!.span);
    }, this.debounceMs);
  }

  /**
   * The export of the filter's incidents read from the dataset, for a view the page does not
   * hold: the format's head, then each slab's pieces in order (see slabsOf), then the tail
   * with the count (`slabRows`: a slab's rows, smaller in tests). The slabs are shared out between the dataset's worker and `workers − 1`
   * more opened on the same files for the export, each holding its slabs' rows and at most
   * a few pieces ahead of the writing. `progress` is told the fraction of the rows read and the incidents written.
   * Stopping early (a cancelled export) stops the workers too.
   */
  async *exportChunks(format: 'geojson' | 'csv', context: ExportContext, progress: (read: number, written: number) => void, { workers = EXPORT_WORKERS, slabRows }: { workers?: number; slabRows?: number } = {}): AsyncGenerator<string> {
    const main = this.worker;
    const source = this.source;
    if (!main || !source) throw new Error('no dataset is open');
    const job = ++this.jobs;
    const inbox = new Inbox<ExportMessage | Extract<DatasetMessage, { type: 'opened' | 'error' }>>();
    this.exports.set(job, (m) => inbox.push(m));
    const { days, view, categories, statuses, search, area } = context;
    const filter = { days: { ...days }, view: [...view] as View, categories: categories && new Set(categories), statuses: statuses && new Set(statuses), search, area: $state.snapshot(area) as Area | null };
    const pool: Worker[] = [main];
    let finished = false;
    try {
      main.postMessage({ type: 'export-plan', job, filter, slabRows } satisfies DatasetRequest);
      const plan = await inbox.take((m) => m.type === 'export-plan' || m.type === 'export-error');
      if (plan.type === 'export-error') throw new Error(plan.message);
      if (plan.type !== 'export-plan') return;
      const slabs = plan.slabs;
      for (let k = 1; k < Math.min(workers, slabs.length); k++) {
        const w = this.spawn();
        pool.push(w);
        w.onmessage = (e: MessageEvent<DatasetMessage>) => inbox.push(e.data as ExportMessage);
        w.onerror = (e) => inbox.push({ type: 'export-error', job, message: `An export worker failed: ${e.message}` });
        w.postMessage({ type: 'open', ...source, timeline: false } satisfies DatasetRequest);
        const opened = await inbox.take((m) => m.type === 'opened' || m.type === 'error' || m.type === 'export-error');
        if (opened.type === 'error' || opened.type === 'export-error') throw new Error(opened.message);
      }
      for (const [k, w] of pool.entries()) {
        const mine = slabs.flatMap((s, slab) => (slab % pool.length === k ? [{ slab, ...s }] : []));
        w.postMessage({ type: 'export', job, format, filter, slabs: mine } satisfies DatasetRequest);
      }
      yield format === 'csv' ? CSV_HEAD : GEOJSON_HEAD;
      const rowsOf = (s: (typeof slabs)[number]) => s.groups.reduce((n, g) => n + g.rows, 0);
      const total = Math.max(1, slabs.reduce((n, s) => n + rowsOf(s), 0));
      let read = 0;
      let count = 0;
      let written = 0;
      for (const [slab, cut] of slabs.entries()) {
        const w = pool[slab % pool.length];
        for (;;) {
          const m = await inbox.take((m) => m.type === 'export-error' || ((m.type === 'export-piece' || m.type === 'export-slab') && m.slab === slab));
          if (m.type === 'export-error') throw new Error(m.message);
          if (m.type === 'export-slab') {
            count += m.count;
            break;
          }
          if (m.type !== 'export-piece') continue;
          // The pieces know nothing of each other: the comma between two is written here.
          yield written > 0 && format === 'geojson' ? `,${m.text}` : m.text;
          w.postMessage({ type: 'export-ack', job } satisfies DatasetRequest);
          progress(read / total, (written += m.rows));
        }
        read += rowsOf(cut);
        progress(read / total, written);
      }
      finished = true;
      if (format === 'geojson') yield geojsonTail(count, context);
    } finally {
      this.exports.delete(job);
      if (!finished) main.postMessage({ type: 'export-cancel', job } satisfies DatasetRequest);
      for (const w of pool.slice(1)) w.terminate();
    }
  }

  /** Ends every export under way with this error: their worker is gone or failed. */
  private endExports(message: string): void {
    for (const tell of this.exports.values()) tell({ type: 'export-error', job: 0, message });
  }

  close(): void {
    this.endExports('The dataset was closed during the export.');
    this.drop();
    if (this.timer) clearTimeout(this.timer);
    this.worker?.terminate();
    this.worker = null;
    this.source = null;
    this.opened = null;
    this.overview = null;
    this.timeline = null;
    this.tooMany = null;
    this.reading = false;
    this.counted = null;
    this.loading = false;
    this.covered = null;
    this.batches.clear();
  }

  /** Forgets a dataset still opening. */
  private drop(): void {
    if (!this.pending) return;
    this.pending.worker.terminate();
    this.starting = null;
    this.pending.started?.();
    this.pending.resolve(false);
    this.pending = null;
  }

  private ask(w: Worker, days: DayRange, view: View, zoom: number, span: DayRange, loading = true): void {
    if (loading) this.loading = true;
    const ahead = this.aheadHeld ? undefined : readAhead(days, view, span);
    if (ahead) this.aheadDue = false;
    this.lastAsk = performance.now();
    const request: DatasetRequest = { type: 'view', seq: ++this.seq, days: { from: days.from, to: days.to }, view: [view[0], view[1], view[2], view[3]], zoom, ahead };
    this.asked = { days: request.days, view: request.view };
    w.postMessage(request);
  }

  private receive(w: Worker, m: DatasetMessage): void {
    const atlas = this.atlas;
    const pending = this.pending?.worker === w ? this.pending : null;
    if (!pending && w !== this.worker) return;
    if (m.type === 'export-plan' || m.type === 'export-piece' || m.type === 'export-slab' || m.type === 'export-error') {
      this.exports.get(m.job)?.(m);
      return;
    }
    if (m.type === 'opened' && pending) {
      const span = { from: dayOfIsoDate(m.manifest.days.from), to: dayOfIsoDate(m.manifest.days.to) };
      pending.opened = { manifest: m.manifest, label: m.label, sha256: m.sha256, span };
      const opening = openingDays(m.manifest, span);
      pending.startDays = pending.days ? pending.days(span, opening) : opening;
      if (!bboxIntersectsView(m.manifest.bbox, atlas.view)) atlas.fitRequest = m.manifest.bbox;
      // Until the map exists to report its view, the atlas's view is the one its link will show.
      if (this.openingView) atlas.view = this.openingView;
      this.ask(w, pending.startDays, atlas.view, atlas.camera?.zoom ?? 0, span);
      this.openingView = null;
      if (atlas.table.length === 0 && !atlas.prepared) {
        // Nothing is shown to keep: the slider takes the dataset's days while its rows are read.
        this.starting = m.manifest.name;
        atlas.setData(NO_DATA, pending.startDays, span);
      }
      pending.started?.();
      return;
    }
    if (m.type === 'error') {
      if (m.seq === null || m.seq === this.seq) this.loading = false;
      if (pending) this.starting = null;
      // The dataset's worker failed: an export it plans or writes ends with why, rather than waiting.
      else if (m.seq === null) this.endExports(m.message);
      atlas.error = `${m.message} The data shown is unchanged.`;
      if (pending) {
        this.pending = null;
        w.terminate();
        pending.started?.();
        pending.resolve(false);
      }
      return;
    }
    if (m.type === 'opened') return;
    if (m.type === 'counted') {
      // Only for the overview shown, and while no change of the days or view is on its way.
      if (w === this.worker && m.seq === this.seq && m.seq === this.answered && this.timer === null && this.tooMany !== null) {
        this.counted = m.counts;
        this.bytes = m.bytes;
      }
      return;
    }
    if (m.type === 'timeline') {
      if (pending) pending.timeline = m.rows;
      else this.timeline = m.rows;
      return;
    }
    // An import replaced the dataset while the worker read: its rows would overwrite the import's.
    if (!pending && this.opened && !this.shown(this.opened)) return this.close();
    // The density of a view older than the answer shown would hide that answer's rows.
    if (m.type === 'too-many' && m.seq < this.answered) return;
    this.bytes = m.bytes;
    if (pending) {
      // The dataset shown until now gives way only now, once this one has answered with rows.
      this.starting = null;
      this.pending = null;
      this.close();
      this.worker = w;
      this.source = pending.source;
      this.opened = pending.opened;
      this.timeline = pending.timeline ?? null;
    }
    // A density sent before the view's rows (see DatasetMessage) leaves them loading. Rows of an
    // earlier request that hold the latest one's days and view answer it: its own answer, on
    // its way, only reads further ahead.
    if (m.seq === this.seq) this.loading = m.type === 'too-many' && m.reading === true;
    else if (m.type !== 'too-many' && !this.timer && this.asked && covers(m.covers, this.asked.days, this.asked.view)) this.loading = false;
    this.answered = m.seq;
    this.covered = m.type === 'too-many' ? null : m.covers;
    if (m.type === 'same') return this.askAheadIfDue();
    if (m.type === 'too-many') {
      // The rows of an earlier view would give a count that looks exact and is not: the cells are drawn instead.
      const opened = this.opened!;
      this.tooMany = m.rows;
      this.reading = m.reading === true;
      this.counted = null;
      this.overview = m.cells;
      atlas.setData(NO_DATA, pending ? pending.startDays : atlas.days, opened.span);
      if (pending) {
        atlas.datasets = [{ name: opened.label, sha256: opened.sha256 }];
        atlas.error = null;
      }
      pending?.resolve(true);
      return;
    }
    for (const { id, batches } of m.rows) this.batches.set(id, batches);
    // A store of the view's rows alone leaves the other groups' rows here: the next store holds them again.
    const held = new Set(m.held);
    if (!m.pick) for (const id of this.batches.keys()) if (!held.has(id)) this.batches.delete(id);
    const rows = new RowTable(
      m.held.flatMap((id) => this.batches.get(id) ?? []),
      this.rebuild,
    );
    const table = m.pick ? new PickTable(rows, m.pick) : rows;
    const opened = this.opened!;
    atlas.setData({ table, store: new IncidentStore(m.buffer) }, pending ? pending.startDays : atlas.days, opened.span);
    if (pending) {
      atlas.datasets = [{ name: opened.label, sha256: opened.sha256 }];
      atlas.error = null;
    }
    this.tooMany = null;
    this.reading = false;
    this.counted = null;
    this.overview = null;
    pending?.resolve(true);
    this.askAheadIfDue();
  }
}

export const [getDatasetSource, setDatasetSource, hasDatasetSource] = createContext<DatasetSource>();
