// Reads a prepared dataset for the page: the manifest once, then for each view and date window
// the row groups it needs that the page does not hold (core/dataset-reader.ts), and hands the
// page one store over every group held (core/dataset-cache.ts) with the new groups' rows; when
// that is many rows, a store of the view's own rows comes first (sendPart). A request that
// arrives while one is read waits, and only the latest waiting one is served.
// A view that needs more rows than the page holds gets the overview's cells, then its exact
// counts read from a few columns, and so does one whose rows take seconds to read, before
// them. An export is written here, in slabs shared with workers opened for it
// (core/dataset-export.ts).

import { DatasetError, DatasetReader, type GroupRows, type RowGroupRef } from '../core/dataset-reader.ts';
import { FolderFiles, UrlFiles, type PickedFile } from '../core/dataset-files.ts';
import { EXACT_ROWS, GroupedStore, PART_ROWS, PREVIEW_ROWS, ROW_BUDGET, covers, groupsToHold, type Coverage, type GroupSize } from '../core/dataset-cache.ts';
import { batchTransferables, type RowBatch } from '../core/table.ts';
import type { Manifest } from '../core/dataset-manifest.ts';
import { CATEGORIES, STATUSES } from '../core/schema.ts';
import { slabTexts, slabsOf, type Slab } from '../core/dataset-export.ts';
import type { Filter } from '../core/filter.ts';
import type { IncidentStore } from '../core/store.ts';
import type { DayRange } from '../core/time.ts';
import type { View } from '../core/geometry.ts';
import { dayRowsTransferables, overviewZoomFor, timelineZoom, type OverviewCells, type OverviewDays } from '../core/overview.ts';

/** Rows held at most (ROW_BUDGET), and rows counted exactly at most (EXACT_ROWS): smaller in tests. */
export interface DatasetLimits {
  budget?: number;
  exact?: number;
  /** Rows to read past which the view's density and count are sent first (PREVIEW_ROWS). */
  preview?: number;
  /** Rows to read and hold past which a view's own rows come first (PART_ROWS). */
  part?: number;
  /** false: no histogram's timeline is read (a worker opened to share an export's slabs). */
  timeline?: boolean;
}

export interface Starting {
  /**
   * The page's map is starting: rows read after a density (see 'too-many') wait for its
   * 'drawn'. Decoded meanwhile, on the cores the map starts on, they put off the frame that
   * shows the density and its count.
   */
  mapStarting?: boolean;
}

export type DatasetRequest =
  | ({ type: 'open'; url: string } & DatasetLimits & Starting)
  | ({ type: 'open'; files: PickedFile[] } & DatasetLimits & Starting)
  /** The page's map has drawn its first frame (see Starting). */
  | { type: 'drawn' }
  /**
   * The page's days and view; `seq` comes back with the answer. `ahead`: wider days and view
   * (holding these) to load instead while they fit in the budget, so that the next slider
   * steps and small pans need no request.
   */
  | { type: 'view'; seq: number; days: DayRange; view: View; zoom: number; ahead?: Coverage }
  /**
   * An export of the incidents the filter shows, for a view whose rows the page does not hold:
   * first its plan (the view's row groups in slabs, see slabsOf), then its slabs, shared out
   * between workers, each written as pieces (no head nor tail: the page writes those).
   */
  | { type: 'export-plan'; job: number; filter: Filter; slabRows?: number }
  | { type: 'export'; job: number; format: 'geojson' | 'csv'; filter: Filter; slabs: ({ slab: number } & Slab<RowGroupRef>)[] }
  /** The page has written one more of the job's pieces: the worker may send one more. */
  | { type: 'export-ack'; job: number }
  | { type: 'export-cancel'; job: number };

export type DatasetMessage =
  | { type: 'opened'; manifest: Manifest; label: string; sha256: string }
  /**
   * The store over the groups `held` (in input order), and the rows of the groups the page
   * does not have yet (transferred). `bytes`: fetched since the dataset was opened. `covers`:
   * the days and view loaded for (the request's `ahead` when it fitted): the store answers
   * any narrower request exactly. `pick`: the store holds the view's rows alone (see
   * sendPart), at these positions among the rows of the groups `held` laid end to end; the
   * page keeps the rows of the other groups it holds, which the next store holds again.
   */
  | { type: 'data'; seq: number; held: string[]; rows: { id: string; batches: RowBatch[] }[]; buffer: ArrayBuffer; bytes: number; rejected: number; covers: Coverage; pick?: Uint32Array }
  /**
   * The view needs more rows than the budget: no rows were read, and the overview cells of
   * the days (transferred; null when the dataset has no overviews) are drawn instead.
   * `reading`: the view fits the budget, but its rows take seconds to read; they follow (a
   * 'data' of the same seq), unless a newer request came meanwhile.
   */
  | { type: 'too-many'; seq: number; rows: number; bytes: number; cells: OverviewCells | null; reading?: boolean }
  /**
   * After 'too-many', when the groups it needs hold at most EXACT_ROWS rows: how many incidents
   * the days and view show, per category and status (index category · STATUSES.length +
   * status), counted by the filter rule without loading the rows. Not sent when a newer
   * request came meanwhile.
   */
  | { type: 'counted'; seq: number; counts: Uint32Array; bytes: number }
  /**
   * An overview's rows (see timelineZoom) over the dataset's whole span (transferred), sent once after
   * `opened`: the histogram's bars, whatever rows are loaded.
   */
  | { type: 'timeline'; rows: OverviewDays }
  /** The groups held already hold everything the request needs, and the page shows them: its data stays. */
  | { type: 'same'; seq: number; bytes: number; covers: Coverage }
  | { type: 'error'; seq: number | null; message: string }
  | { type: 'export-plan'; job: number; slabs: Slab<RowGroupRef>[] }
  /** A piece of a slab of an export: its features (or CSV rows), no comma before the first (the page writes those). */
  | { type: 'export-piece'; job: number; slab: number; text: string; rows: number }
  /** A slab is written: `count` incidents. */
  | { type: 'export-slab'; job: number; slab: number; count: number }
  | { type: 'export-error'; job: number; message: string };

// The scope as it was when the module ran: a test hosts several of these workers in one thread.
const scope = self;
const post = (m: DatasetMessage, transfer: Transferable[] = []) => scope.postMessage(m, { transfer });

let reader: DatasetReader | null = null;
let files: UrlFiles | FolderFiles | null = null;
let budget = ROW_BUDGET;
let exactRows = EXACT_ROWS;
let previewRows = PREVIEW_ROWS;
let partRows = PART_ROWS;
const grouped = new GroupedStore();
let waiting: Extract<DatasetRequest, { type: 'view' }> | null = null;
let busy = false;
/** Whether the page shows the store of the groups held (not an overview, nor nothing yet). */
let storeShown = false;
/** What the page shows when it shows a store of a view's rows alone (see sendPart). */
let partShown: Coverage | null = null;
const partAnswers = (c: Coverage) => partShown !== null && covers(partShown, c.days, c.view);
/** What the rows being read after a density cover (see serve): a request inside gets its own density and count meanwhile. */
let previewed: Coverage | null = null;
/** The density and count being sent meanwhile (densityMeanwhile): the rows wait for them. */
let meanwhile: Promise<void> | null = null;
/** Settles once the page's map has drawn its first frame (see Starting). */
let mapStarted: Promise<void> = Promise.resolve();
let mapDrawn = () => {};
/** Whether the page's map is starting: a view's rows are then read as parts of groups (see serve). */
let starting = false;

const message = (e: unknown) => (e instanceof DatasetError ? e.message : `The dataset could not be read: ${e instanceof Error ? e.message : String(e)}`);

async function serve(request: Extract<DatasetRequest, { type: 'view' }>): Promise<void> {
  if (!reader || !files) return;
  // Read ahead while it fits; padding never makes a view that fits the budget an overview.
  const exact: Coverage = { days: request.days, view: request.view };
  let covers = exact;
  let needed: RowGroupRef[] = [];
  let neededAhead: RowGroupRef[] = [];
  let ids: string[] | null = null;
  for (const ask of request.ahead ? [request.ahead, exact] : [exact]) {
    needed = await reader.rowGroups(ask.days, ask.view);
    if (ask === request.ahead) neededAhead = needed;
    ids = groupsToHold(needed, grouped.recent, budget);
    covers = ask;
    if (ids) break;
  }
  if (ids && covers === exact && request.ahead) covers = await widest(request.ahead, neededAhead, exact, new Set(ids));
  if (!ids) {
    await density(request, needed, false);
    return;
  }
  const toRead = needed.filter((g) => !grouped.has(g.id));
  // The groups of the request's own days and view: `needed` unless those ahead fit.
  const neededNow = covers === request.ahead ? await reader.rowGroups(exact.days, exact.view) : needed;
  // Those the page does not hold: what its answer waits for. Those ahead are read after it.
  const now = neededNow.filter((g) => !grouped.has(g.id));
  if (reader.manifest.overviews.length > 0 && rowsOf(now) > previewRows) {
    // The view's density and exact count first: its rows take seconds to read. A newer
    // request waiting by then is served instead.
    await density(request, neededNow, true);
    if (waiting) return;
    previewed = covers;
  }
  if (storeShown && toRead.length === 0 && ids.length === grouped.held.length && ids.every((id) => grouped.has(id))) {
    // The page holds all this view needs already: nothing to read, and the store stays.
    grouped.touch(ids);
    post({ type: 'same', seq: request.seq, bytes: files.fetched, covers });
    return;
  }
  if (!previewed && now.length > 0 && (starting || covers === request.ahead) && rowsOf(toRead) + rowsOf(grouped.held) > partRows && !partAnswers(exact)) {
    // The view's own rows first, alone (see sendPart). Whole groups put off the first frame
    // while the map starts (a link's opening week at 1M rows: 20,480 rows for 7,972 shown),
    // and a step to a city reaching new weeks of a large dataset decoded whole groups for
    // a few dozen rows, then rebuilt the store over every row held. The whole groups, and
    // those ahead, are read next: for the page's read-ahead once the map has drawn, or here,
    // until a newer request waits. That one gets its own rows first too: a step inside what
    // is being read waited seconds for the whole of it.
    await sendPart(request.seq, neededNow, now, exact);
    if (starting || waiting) return;
    // sendPart left what the worker holds as it was: the groups to read and hold are still these.
    await load(toRead, ids, request.seq, covers, true);
    return;
  }
  if (covers === request.ahead && now.length > 0 && now.length < toRead.length) {
    // Whole groups, the view's first, when its density or its own rows (the read-ahead after
    // the map's first frame) are shown while they are read: what is ahead is read next,
    // unless a newer request waits by then.
    const idsNow = groupsToHold(neededNow, grouped.recent, budget)!;
    await load(now, idsNow, request.seq, await widest(request.ahead, needed, exact, new Set(idsNow)));
    if (waiting) return;
    ids = groupsToHold(needed, grouped.recent, budget)!;
  }
  await load(needed.filter((g) => !grouped.has(g.id)), ids, request.seq, covers);
}

/** density() for a request the rows being read will answer; an error is said when it is served. */
async function densityMeanwhile(request: Extract<DatasetRequest, { type: 'view' }>): Promise<void> {
  // Nothing is sent once the rows are read or the request is served: its answer then stands.
  const current = () => previewed !== null && waiting === request;
  try {
    await density(request, await reader!.rowGroups(request.days, request.view), true, current);
  } catch {
    // Served in full once the rows are read.
  }
}

const rowsOf = (groups: readonly { rows: number }[]) => groups.reduce((n, g) => n + g.rows, 0);

/**
 * Sends the overview cells of the request's days, then the exact counts of its view when its
 * groups (`needed`) hold at most exactRows rows. `reading`: the rows follow, and replace them.
 * Nothing more is sent once `current` says no.
 */
async function density(request: Extract<DatasetRequest, { type: 'view' }>, needed: RowGroupRef[], reading: boolean, current = () => true): Promise<void> {
  const zoom = overviewZoomFor(request.zoom, reader!.manifest.overviews.map((o) => o.zoom));
  const cells = zoom === null ? null : await reader!.overview(zoom, request.days);
  if (!current()) return;
  const transfer = cells ? [cells.x.buffer, cells.y.buffer, cells.category.buffer, cells.status.buffer, cells.count.buffer] : [];
  storeShown = false;
  partShown = null;
  const rows = rowsOf(needed);
  post({ type: 'too-many', seq: request.seq, rows, bytes: files!.fetched, cells, ...(reading ? { reading } : {}) }, transfer);
  if (rows > exactRows) return;
  const counts = await countView(needed, request.days, request.view, request.seq);
  if (counts && current()) post({ type: 'counted', seq: request.seq, counts, bytes: files!.fetched }, [counts.buffer]);
}

/** The id under which the rows of a group read for one view are sent (see sendPart). */
const partOf = (id: string) => `${id}/part`;

/**
 * Sends the page a store of the view's rows alone: those `part`'s days and view show of the
 * groups `needed` that are held, and of those `toRead`, the rows DatasetReader.read gives for
 * them, as partOf(their ids). What the worker holds does not change: building a store over
 * every row held took ~0.4 s in Node at 10M rows, for a step that added a few dozen, and the
 * page then drew every row of the held groups the view touched.
 */
async function sendPart(seq: number, needed: RowGroupRef[], toRead: RowGroupRef[], part: Coverage): Promise<void> {
  const read = await Promise.all(toRead.map(async (g) => ({ ...(await reader!.read(g, part)), id: partOf(g.id) })));
  const ids = needed.map((g) => (grouped.has(g.id) ? g.id : partOf(g.id)));
  const { store, held, pick } = grouped.combine(ids, new Map(read.map((g) => [g.id, g.store])), part);
  send(seq, store.buffer, held, read, part, pick);
}

/**
 * Sends the page a store over the groups `held` (in its input order) and the rows of those just
 * `read` (transferred, with the store). `pick`: the store holds the view's rows alone (see sendPart).
 */
function send(seq: number, buffer: ArrayBuffer, held: readonly GroupSize[], read: readonly GroupRows[], covers: Coverage, pick?: Uint32Array): void {
  const rows = read.map((g) => ({ id: g.id, batches: g.batches }));
  const rejected = read.reduce((n, g) => n + g.rejected, 0);
  storeShown = !pick;
  partShown = pick ? covers : null;
  const message: DatasetMessage = { type: 'data', seq, held: held.map((g) => g.id), rows, buffer, bytes: files!.fetched, rejected, covers, ...(pick ? { pick } : {}) };
  post(message, [buffer, ...(pick ? [pick.buffer] : []), ...rows.flatMap((g) => g.batches.flatMap(batchTransferables))]);
}

/**
 * Reads the groups `toRead`, holds `ids` (those and groups held), and sends the page their
 * store and rows. `ahead`: the page shows the view's rows already (see sendPart); the groups
 * are read one at a time, and a newer request ends the read, sending nothing.
 */
async function load(toRead: RowGroupRef[], ids: string[], seq: number, covers: Coverage, ahead = false): Promise<void> {
  // Each group decoded in a task of its own when the page shows something meanwhile (a density,
  // or the view's own rows): its next request is then seen between them. One inside a density
  // gets its own density and count (densityMeanwhile); after the view's own rows, any ends this read.
  let read: GroupRows[];
  if (previewed || ahead) {
    if (previewed) await mapStarted;
    read = [];
    // After the view's own rows, a newer request ends the read between slices of a group.
    const stop = async () => {
      await new Promise((resolve) => setTimeout(resolve));
      return ahead && waiting !== null;
    };
    for (const g of toRead) {
      if (await stop()) return;
      while (meanwhile) await meanwhile;
      const rows = await reader!.read(g, undefined, stop);
      if (!rows) return;
      read.push(rows);
    }
  } else read = await Promise.all(toRead.map((g) => reader!.read(g)));
  const fresh = new Map<string, IncidentStore>(read.map((g) => [g.id, g.store]));
  // A copy goes to the page: the next view's store is built from this one's columns.
  const buffer = grouped.hold(ids, fresh).buffer.slice(0);
  send(seq, buffer, grouped.held, read, covers);
}

/**
 * What the groups held answer exactly when the days ahead (which need `neededAhead`) did not
 * fit: the view ahead (else the exact one) over the days between the nearest groups it would
 * need and the page does not hold. Any request inside needs only held groups, as pieceMayMatch only grows with its days
 * and view. A week-long window of a large dataset holds whole weeks of rows; without this,
 * every slider step inside them asked the worker again.
 */
async function widest(ahead: Coverage, neededAhead: RowGroupRef[], exact: Coverage, held: Set<string>): Promise<Coverage> {
  for (const view of [ahead.view, exact.view]) {
    const needed = view === ahead.view ? neededAhead : await reader!.rowGroups(ahead.days, view);
    const missing = needed.filter((g) => !held.has(g.id));
    if (missing.some((g) => g.days.to >= exact.days.from && g.days.from <= exact.days.to)) continue;
    let { from, to } = ahead.days;
    for (const g of missing) {
      if (g.days.to < exact.days.from) from = Math.max(from, g.days.to + 1);
      else to = Math.min(to, g.days.from - 1);
    }
    return { days: { from, to }, view };
  }
  return exact;
}

/** Groups counted at once: their reads overlap, and the page's other requests still get through. */
const COUNTING = 6;

/**
 * The view's incidents per category and status, group by group; null once a newer request
 * waits: it is served first, and counts its own view.
 */
async function countView(groups: RowGroupRef[], days: DayRange, view: View, seq: number): Promise<Uint32Array | null> {
  const total = new Uint32Array(CATEGORIES.length * STATUSES.length);
  let next = 0;
  const lane = async (): Promise<boolean> => {
    while (next < groups.length) {
      if (waiting && waiting.seq > seq) return false;
      const counts = await reader!.count(groups[next++], days, view);
      for (let k = 0; k < total.length; k++) total[k] += counts[k];
    }
    return true;
  };
  const lanes = await Promise.all(Array.from({ length: COUNTING }, lane));
  return lanes.every(Boolean) ? total : null;
}

/** Rows read before a slab of the export is written (see slabsOf): about a week of a large dataset's view. */
const EXPORT_SLAB_ROWS = 50_000;
/**
 * Incidents per piece of an export, and pieces sent ahead of the page's writing: enough that a
 * worker reading its next slab, which answers the page's acknowledgements only between row
 * groups, does not leave the page waiting.
 */
const EXPORT_PIECE = 1_000;
const EXPORT_AHEAD = 16;

/** The exports under way: each waits for the page while EXPORT_AHEAD pieces are unwritten. */
const exports = new Map<number, { unwritten: number; cancelled: boolean; wake: (() => void) | null }>();

/**
 * Writes the slabs given, in their order, of the incidents of the filter's days and view that
 * pass it: each group's rows are validated as for the page, filtered by the same rule (facets
 * included), and a slab's incidents are sorted as the store sorts them, then serialised. A
 * slab's pieces go out as the page takes them while the next slab is read: a worker that
 * waited for the page to take a slab before reading the next stood idle meanwhile.
 */
async function exportSlabs(request: Extract<DatasetRequest, { type: 'export' }>): Promise<void> {
  const { job, format, filter } = request;
  const state = { unwritten: 0, cancelled: false, wake: null as (() => void) | null };
  exports.set(job, state);
  const sendSlab = async (slab: number, texts: string[]) => {
    for (let from = 0; from < texts.length; from += EXPORT_PIECE) {
      while (state.unwritten >= EXPORT_AHEAD && !state.cancelled) await new Promise<void>((resolve) => (state.wake = resolve));
      if (state.cancelled) return;
      const piece = texts.slice(from, from + EXPORT_PIECE);
      post({ type: 'export-piece', job, slab, text: piece.join(format === 'csv' ? '' : ','), rows: piece.length });
      state.unwritten++;
    }
    post({ type: 'export-slab', job, slab, count: texts.length });
  };
  // At most one slab read and waiting for the page, besides the one being read.
  let sending: Promise<void> = Promise.resolve();
  try {
    for (const { slab, ...cut } of request.slabs) {
      const texts = await slabTexts(cut, (g) => reader!.incidents(g), filter, format, () => state.cancelled);
      await sending;
      if (!texts || state.cancelled) return;
      sending = sendSlab(slab, texts);
    }
    await sending;
  } catch (e) {
    post({ type: 'export-error', job, message: message(e) });
  } finally {
    exports.delete(job);
  }
}

async function exportPlan(request: Extract<DatasetRequest, { type: 'export-plan' }>): Promise<void> {
  try {
    post({ type: 'export-plan', job: request.job, slabs: slabsOf(await reader!.rowGroups(request.filter.days, request.filter.view), request.slabRows ?? EXPORT_SLAB_ROWS) });
  } catch (e) {
    post({ type: 'export-error', job: request.job, message: message(e) });
  }
}

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (waiting) {
    const request = waiting;
    waiting = null;
    try {
      await serve(request);
    } catch (e) {
      post({ type: 'error', seq: request.seq, message: message(e) });
    } finally {
      previewed = null;
    }
  }
  busy = false;
}

scope.onmessage = async (e: MessageEvent<DatasetRequest>) => {
  const request = e.data;
  if (request.type === 'export-ack' || request.type === 'export-cancel') {
    const state = exports.get(request.job);
    if (!state) return;
    if (request.type === 'export-ack') state.unwritten--;
    else state.cancelled = true;
    state.wake?.();
    state.wake = null;
    return;
  }
  if (request.type === 'drawn') {
    starting = false;
    mapDrawn();
    return;
  }
  if (request.type === 'export-plan') {
    void exportPlan(request);
    return;
  }
  if (request.type === 'export') {
    void exportSlabs(request);
    return;
  }
  if (request.type === 'view') {
    waiting = request;
    // The rows being read answer it once read; its density and count meanwhile. The map's own
    // view, reported as it starts, lies inside the one a link's first request estimated.
    if (busy && previewed && covers(previewed, request.days, request.view)) {
      const sent = densityMeanwhile(request).finally(() => {
        if (meanwhile === sent) meanwhile = null;
      });
      meanwhile = sent;
    }
    void drain();
    return;
  }
  if (request.mapStarting) {
    starting = true;
    mapStarted = new Promise((resolve) => (mapDrawn = resolve));
  }
  try {
    const source = 'url' in request ? new UrlFiles(request.url) : new FolderFiles(request.files);
    const opened = await DatasetReader.open(source);
    reader = opened;
    files = source;
    budget = request.budget ?? ROW_BUDGET;
    exactRows = request.exact ?? EXACT_ROWS;
    previewRows = request.preview ?? PREVIEW_ROWS;
    partRows = request.part ?? PART_ROWS;
    post({ type: 'opened', manifest: opened.manifest, label: source.label, sha256: opened.sha256 });
  } catch (err) {
    post({ type: 'error', seq: null, message: message(err) });
    return;
  }
  const zoom = timelineZoom(reader.manifest.overviews);
  if (zoom === null || request.timeline === false) return;
  try {
    const rows = await reader.overviewDays(zoom);
    post({ type: 'timeline', rows }, dayRowsTransferables(rows));
  } catch {
    // The rows and the map do not need it: the histogram then counts the rows the page holds,
    // and says so. An unreadable overview is said where the map needs it (a 'too-many' view).
  }
};
