// The overview aggregates of a prepared dataset (overview/zoom=Z/part-0.parquet: incidents per
// Web Mercator tile, first day, category and status) for a view that holds too many incidents
// to load one by one: the cells of the date window, summed over its days, then filtered by the
// category and status toggles and the view. Counts from cells are "about": a cell counts an
// incident by its first day and its point, not by the filter rule of core/filter.ts.

import { CATEGORIES, STATUSES, type Category, type Status } from './schema.ts';
import { bboxIntersectsView, type Bbox, type View } from './geometry.ts';

/** Cells of one overview zoom, summed over the days asked for: one entry per tile, category and status. */
export interface OverviewCells {
  zoom: number;
  x: Uint32Array;
  y: Uint32Array;
  /** Indices into CATEGORIES and STATUSES. */
  category: Uint8Array;
  status: Uint8Array;
  count: Float64Array;
}

/** Overview rows the histogram's timeline may read: the whole span's, held by the page. */
export const TIMELINE_ROWS = 100_000;

/**
 * The overview the histogram's timeline is read from: the finest holding at most
 * TIMELINE_ROWS rows, else the coarsest. A fine overview of a large dataset holds about a row
 * per incident (1M rows at zoom 6 for 1M incidents spread over the world): read at every
 * opening, it cost a megabyte, a second of the worker's and a long task of the page's.
 */
export function timelineZoom(overviews: readonly { zoom: number; rows: number }[]): number | null {
  let finest: { zoom: number; rows: number } | null = null;
  let coarsest: { zoom: number; rows: number } | null = null;
  for (const o of overviews) {
    if (o.rows <= TIMELINE_ROWS && (!finest || o.zoom > finest.zoom)) finest = o;
    if (!coarsest || o.zoom < coarsest.zoom) coarsest = o;
  }
  return (finest ?? coarsest)?.zoom ?? null;
}

/**
 * The overview zoom to draw at a map zoom: the one nearest to 4.5 levels finer, so a cell is
 * about 20 px across (a tile of zoom Z is 512 · 2^(z − Z) px wide at map zoom z).
 */
export function overviewZoomFor(mapZoom: number, zooms: readonly number[]): number | null {
  let best: number | null = null;
  for (const z of zooms) if (best === null || Math.abs(z - (mapZoom + 4.5)) < Math.abs(best - (mapZoom + 4.5))) best = z;
  return best;
}

/** The extent [w, s, e, n] in degrees of the Web Mercator tile x, y at zoom z. */
export function tileBbox(z: number, x: number, y: number): Bbox {
  const n = 2 ** z;
  const lat = (t: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * t) / n))) * 180) / Math.PI;
  return [(x / n) * 360 - 180, lat(y + 1), ((x + 1) / n) * 360 - 180, lat(y)];
}

/**
 * Whether the tile x, y of zoom z meets the view: the one rule by which overview counts (the
 * map's cells, the "about N", the histogram's bars) take a tile as in the view.
 */
export function tileInView(z: number, x: number, y: number, view: View): boolean {
  return bboxIntersectsView(tileBbox(z, x, y), view);
}

/**
 * Rows of one overview zoom as they are, day by day, with only the vocabularies mapped to
 * indices: the histogram's source over a dataset's whole span. The zoom timelineZoom picks is
 * small (at most TIMELINE_ROWS rows, or the coarsest), so it is read once.
 */
export interface OverviewDays {
  zoom: number;
  x: Uint32Array;
  y: Uint32Array;
  /** The incidents' first day (days since 1970-01-01, local). */
  day: Int32Array;
  /** Indices into CATEGORIES and STATUSES. */
  category: Uint8Array;
  status: Uint8Array;
  count: Float64Array;
  /** Sum of the upper bounds of killed. */
  killed: Float64Array;
  /**
   * Rows run tile by tile: tile t's rows are starts[t] to starts[t + 1] (exclusive), so a view
   * tests each tile once and skips the rows of tiles outside it.
   */
  starts: Int32Array;
}

/** Collects overview rows into an OverviewDays, growing its arrays: the worker's half. */
export class DayRows {
  private n = 0;
  private cap = 0;
  private out: OverviewDays;

  constructor(readonly zoom: number) {
    this.out = this.allocate(1024);
  }

  add(x: number, y: number, day: number, category: string, status: string, count: number, killed: number): void {
    const c = CATEGORIES.indexOf(category as Category);
    const s = STATUSES.indexOf(status as Status);
    if (c < 0 || s < 0 || !(count > 0) || !Number.isFinite(day)) return;
    if (this.n === this.cap) this.out = this.allocate(this.cap * 2);
    const o = this.out;
    const k = this.n++;
    o.x[k] = x;
    o.y[k] = y;
    o.day[k] = day;
    o.category[k] = c;
    o.status[k] = s;
    o.count[k] = count;
    // A missing killed is no one known killed, as the importer reads it.
    o.killed[k] = Number.isFinite(killed) && killed > 0 ? killed : 0;
  }

  /** The rows, in tile order (the sort is the worker's, once, not the page's at each view). */
  rows(): OverviewDays {
    const o = this.out;
    const side = 2 ** this.zoom;
    const key = (k: number) => o.y[k] * side + o.x[k];
    const order = Int32Array.from({ length: this.n }, (_, k) => k).sort((a, b) => key(a) - key(b) || a - b);
    const pick = <T extends Uint32Array | Int32Array | Uint8Array | Float64Array>(a: T, b: T): T => {
      for (let j = 0; j < order.length; j++) b[j] = a[order[j]];
      return b;
    };
    const n = this.n;
    const out: OverviewDays = {
      zoom: this.zoom,
      x: pick(o.x, new Uint32Array(n)),
      y: pick(o.y, new Uint32Array(n)),
      day: pick(o.day, new Int32Array(n)),
      category: pick(o.category, new Uint8Array(n)),
      status: pick(o.status, new Uint8Array(n)),
      count: pick(o.count, new Float64Array(n)),
      killed: pick(o.killed, new Float64Array(n)),
      starts: new Int32Array(0),
    };
    const starts: number[] = [];
    for (let j = 0; j < n; j++) if (j === 0 || out.x[j] !== out.x[j - 1] || out.y[j] !== out.y[j - 1]) starts.push(j);
    starts.push(n);
    out.starts = Int32Array.from(starts);
    return out;
  }

  private allocate(cap: number): OverviewDays {
    const grow = <T extends Uint32Array | Int32Array | Uint8Array | Float64Array>(a: T | undefined, b: T): T => {
      if (a) b.set(a.subarray(0, this.n) as never);
      return b;
    };
    const o = this.out as OverviewDays | undefined;
    this.cap = cap;
    return {
      zoom: this.zoom,
      x: grow(o?.x, new Uint32Array(cap)),
      y: grow(o?.y, new Uint32Array(cap)),
      day: grow(o?.day, new Int32Array(cap)),
      category: grow(o?.category, new Uint8Array(cap)),
      status: grow(o?.status, new Uint8Array(cap)),
      count: grow(o?.count, new Float64Array(cap)),
      killed: grow(o?.killed, new Float64Array(cap)),
      starts: new Int32Array(0),
    };
  }
}

/** The transferable buffers of an OverviewDays. */
export const dayRowsTransferables = (d: OverviewDays): ArrayBuffer[] => [d.x.buffer, d.y.buffer, d.day.buffer, d.category.buffer, d.status.buffer, d.count.buffer, d.killed.buffer, d.starts.buffer] as ArrayBuffer[];

/** Sums rows (x, y, category, status, count) into cells: the worker's half. */
export class CellSums {
  private readonly sums = new Map<number, number>();

  constructor(readonly zoom: number) {}

  add(x: number, y: number, category: string, status: string, count: number): void {
    const c = CATEGORIES.indexOf(category as Category);
    const s = STATUSES.indexOf(status as Status);
    if (c < 0 || s < 0 || !(count > 0)) return;
    // x, y < 2^12 at zoom 12, then category and status: one exact integer key.
    const key = ((y * 2 ** 12 + x) * CATEGORIES.length + c) * STATUSES.length + s;
    this.sums.set(key, (this.sums.get(key) ?? 0) + count);
  }

  cells(): OverviewCells {
    const n = this.sums.size;
    const out: OverviewCells = { zoom: this.zoom, x: new Uint32Array(n), y: new Uint32Array(n), category: new Uint8Array(n), status: new Uint8Array(n), count: new Float64Array(n) };
    let k = 0;
    for (const [key, count] of this.sums) {
      out.status[k] = key % STATUSES.length;
      out.category[k] = Math.floor(key / STATUSES.length) % CATEGORIES.length;
      const xy = Math.floor(key / (STATUSES.length * CATEGORIES.length));
      out.x[k] = xy % 2 ** 12;
      out.y[k] = Math.floor(xy / 2 ** 12);
      out.count[k] = count;
      k++;
    }
    return out;
  }
}

/** One tile's incidents as shown: the total, and the category with the most (its colour). */
export interface DensityCell {
  bbox: Bbox;
  count: number;
  category: Category;
}

/**
 * The cells in the view with the toggles applied, one per tile; their total, the "about N";
 * and per category what the legend counts: as shown, any category.
 */
export function densityInView(
  cells: OverviewCells,
  view: View,
  categories: ReadonlySet<Category> | null,
  statuses: ReadonlySet<Status> | null,
): { cells: DensityCell[]; total: number; perCategory: Float64Array } {
  const tiles = new Map<number, Float64Array>();
  for (let k = 0; k < cells.count.length; k++) {
    if (statuses && !statuses.has(STATUSES[cells.status[k]])) continue;
    const key = cells.y[k] * 2 ** cells.zoom + cells.x[k];
    let tile = tiles.get(key);
    if (!tile) tiles.set(key, (tile = new Float64Array(CATEGORIES.length)));
    tile[cells.category[k]] += cells.count[k];
  }
  const out: DensityCell[] = [];
  const perCategory = new Float64Array(CATEGORIES.length);
  let total = 0;
  for (const [key, tile] of tiles) {
    const tx = key % 2 ** cells.zoom;
    const ty = Math.floor(key / 2 ** cells.zoom);
    if (!tileInView(cells.zoom, tx, ty, view)) continue;
    const bbox = tileBbox(cells.zoom, tx, ty);
    let count = 0;
    let top = -1;
    for (let c = 0; c < CATEGORIES.length; c++) {
      perCategory[c] += tile[c];
      if (categories && !categories.has(CATEGORIES[c])) continue;
      count += tile[c];
      if (tile[c] > 0 && (top < 0 || tile[c] > tile[top])) top = c;
    }
    if (top < 0) continue;
    out.push({ bbox, count, category: CATEGORIES[top] });
    total += count;
  }
  return { cells: out, total, perCategory };
}

/**
 * What the worker's exact counts of a view (per category and status, index category ·
 * STATUSES.length + status) show with the toggles: the total, and per category what the
 * legend counts (as densityInView: the statuses applied, any category).
 */
export function countsShown(counts: Uint32Array, categories: ReadonlySet<Category> | null, statuses: ReadonlySet<Status> | null): { total: number; perCategory: number[] } {
  const perCategory = CATEGORIES.map(() => 0);
  let total = 0;
  CATEGORIES.forEach((c, k) => {
    for (let j = 0; j < STATUSES.length; j++) if (!statuses || statuses.has(STATUSES[j])) perCategory[k] += counts[k * STATUSES.length + j];
    if (!categories || categories.has(c)) total += perCategory[k];
  });
  return { total, perCategory };
}
