// A columnar incident store for the visible-set query at analyst scale (10^5–10^6 rows):
// flat typed arrays sorted by local start day, a binary-searched time index and a KDBush
// spatial index over points. A query writes indices into one reused buffer: no object per
// incident is created, so a slider drag does not churn the garbage collector.

import KDBush from 'kdbush';
import { CATEGORIES, CATEGORY_INDEX, STATUSES, STATUS_INDEX, type Incident } from './schema.ts';
import type { DayRange, Filters } from './query.ts';
import type { View } from './geometry.ts';
import { localMsOfIso } from './time.ts';
import { pointVertices, type PointVertices } from './vertices.ts';

/** The columns of n incidents, in any order; the store sorts them. */
export interface IncidentColumns {
  lon: Float64Array; // representative longitude
  lat: Float64Array; // representative latitude
  start: Float64Array; // epoch ms
  end: Float64Array; // epoch ms
  startDay: Int32Array; // local calendar day (see time.ts)
  endDay: Int32Array;
  category: Uint8Array; // index into CATEGORIES
  status: Uint8Array; // index into STATUSES
  killed: Float64Array; // upper bound of killed, the histogram's other measure
  localStart: Float64Array; // local wall-clock ms of the start, as if UTC (hour bars)
}


const ALL = 0xffffffff;
const ALL_STATUSES = (1 << STATUSES.length) - 1;

/** Bit i set when vocabulary[i] is in the set; all bits for "no filter" (null). Unsigned. */
export function mask<T extends string>(set: ReadonlySet<T> | null, vocabulary: readonly T[]): number {
  if (set === null) return ALL;
  let m = 0;
  vocabulary.forEach((v, i) => {
    if (set.has(v)) m |= 1 << i;
  });
  return m >>> 0;
}

export class IncidentStore {
  readonly size: number;
  /** Columns in store order (sorted by startDay, then start). */
  readonly columns: IncidentColumns;
  /** order[i] = the position, in the caller's input, of the incident at store index i. */
  readonly order: Uint32Array;
  /** The longest incident in days: how far before the window a still-running one can start. */
  readonly maxSpanDays: number;
  /** How many incidents of each category (CATEGORIES order) are loaded, whatever the filters. */
  readonly categoryCounts: Uint32Array;
  /** Incidents whose extent is not a point (lines, polygons), with their extents: few, checked one by one. */
  private readonly wide: Uint32Array;
  private readonly wideBbox: Float64Array; // [w, s, e, n] per wide incident
  private readonly isWide: Uint8Array;
  private readonly index: KDBush;
  /** Data extent, for the choice between a time-first and a space-first query. */
  private readonly extent: [number, number, number, number];
  private readonly buffer: Uint32Array;

  constructor(input: IncidentColumns, bboxes?: Map<number, [number, number, number, number]>) {
    const n = input.lon.length;
    this.size = n;
    this.order = sortOrder(input);
    this.columns = permute(input, this.order);
    const c = this.columns;
    let maxSpan = 0;
    let lastDay = -Infinity;
    let [w, s, e, no] = [Infinity, Infinity, -Infinity, -Infinity];
    this.categoryCounts = new Uint32Array(CATEGORIES.length);
    for (let i = 0; i < n; i++) {
      this.categoryCounts[c.category[i]]++;
      maxSpan = Math.max(maxSpan, c.endDay[i] - c.startDay[i]);
      if (c.endDay[i] > lastDay) lastDay = c.endDay[i];
      if (c.lon[i] < w) w = c.lon[i];
      if (c.lon[i] > e) e = c.lon[i];
      if (c.lat[i] < s) s = c.lat[i];
      if (c.lat[i] > no) no = c.lat[i];
    }
    this.maxSpanDays = maxSpan;
    this.span = n > 0 ? { from: c.startDay[0], to: lastDay } : null;
    this.extent = n > 0 ? [w, s, e, no] : [0, 0, 0, 0];

    const inverse = new Uint32Array(n);
    for (let i = 0; i < n; i++) inverse[this.order[i]] = i;
    const wide = [...(bboxes?.keys() ?? [])].map((original) => inverse[original]).sort((a, b) => a - b);
    this.wide = Uint32Array.from(wide);
    this.wideBbox = new Float64Array(wide.length * 4);
    this.isWide = new Uint8Array(n);
    wide.forEach((i, k) => {
      this.wideBbox.set(bboxes!.get(this.order[i])!, k * 4);
      this.isWide[i] = 1;
    });

    this.index = new KDBush(Math.max(1, n), 64, Float64Array);
    for (let i = 0; i < n; i++) this.index.add(c.lon[i], c.lat[i]);
    if (n === 0) this.index.add(0, 0);
    this.index.finish();
    this.buffer = new Uint32Array(n);
  }

  /** From validated incidents (the app's path); non-point incidents keep their extents. */
  static fromIncidents(incidents: readonly Incident[]): IncidentStore {
    return new StoreBuilder(incidents.length).add(incidents).build();
  }

  /**
   * The built store as typed arrays, for a worker to hand to the page: sorting and indexing a
   * million incidents is then done off the page's main thread (see adopt, transferables).
   */
  parts(): StoreParts {
    const { columns, order, maxSpanDays, categoryCounts, wide, wideBbox, isWide, extent } = this;
    return { columns, order, maxSpanDays, categoryCounts, wide, wideBbox, isWide, extent, index: this.index.data as ArrayBuffer, span: this.span, vertices: this.vertices };
  }

  /** A store from parts() of one built elsewhere: no sorting, no indexing, O(1). */
  static adopt(parts: StoreParts): IncidentStore {
    const store = Object.create(IncidentStore.prototype) as IncidentStore;
    const n = parts.order.length;
    return Object.assign(store, { ...parts, size: n, index: KDBush.from(parts.index), buffer: new Uint32Array(n) });
  }

  /** The GPU layer's vertex arrays when they were built with the store (by the import worker). */
  private vertices?: PointVertices;

  /** Builds them now (in the worker, before parts()). */
  withVertices(): this {
    this.vertices = pointVertices(this.columns);
    return this;
  }

  /** Hands them over once (the GPU layer uploads and drops them), or undefined. */
  takeVertices(): PointVertices | undefined {
    const v = this.vertices;
    this.vertices = undefined;
    return v;
  }

  /** The span of local days the incidents cover (found while the store is built), or null for none. */
  private readonly span: DayRange | null;
  /** Computed on first use. */
  private boundsOnce?: [number, number, number, number] | null;

  daySpan(): DayRange | null {
    return this.span;
  }

  /** How many of the incidents at these store indices fall in each category (CATEGORIES order). */
  countByCategory(indices: ArrayLike<number>): Uint32Array {
    const n = new Uint32Array(CATEGORIES.length);
    const category = this.columns.category;
    for (let k = 0; k < indices.length; k++) n[category[indices[k]]]++;
    return n;
  }

  /** [w, s, e, n] around every incident's extent (points and wide ones), or null for none. */
  bounds(): [number, number, number, number] | null {
    if (this.boundsOnce === undefined) this.boundsOnce = this.computeBounds();
    return this.boundsOnce;
  }

  private computeBounds(): [number, number, number, number] | null {
    if (this.size === 0) return null;
    const b: [number, number, number, number] = [...this.extent];
    for (let k = 0; k < this.wide.length; k++) {
      b[0] = Math.min(b[0], this.wideBbox[k * 4]);
      b[1] = Math.min(b[1], this.wideBbox[k * 4 + 1]);
      b[2] = Math.max(b[2], this.wideBbox[k * 4 + 2]);
      b[3] = Math.max(b[3], this.wideBbox[k * 4 + 3]);
    }
    return b;
  }

  /** The extent of the incident at store index i when it is not a point, else null. */
  wideBboxAt(i: number): [number, number, number, number] | null {
    if (this.isWide[i] !== 1) return null;
    let lo = 0;
    let hi = this.wide.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.wide[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    const w = this.wideBbox;
    return [w[lo * 4], w[lo * 4 + 1], w[lo * 4 + 2], w[lo * 4 + 3]];
  }

  /**
   * Store indices (ascending, so in start order) of the incidents visible under the filters:
   * local days overlapping the range (inclusive), extent touching the view, category and
   * status allowed. The result is a view into a buffer that the next query overwrites.
   */
  query(f: Filters): Uint32Array {
    const c = this.columns;
    const catMask = mask(f.categories, CATEGORIES);
    const statusMask = mask(f.statuses, STATUSES);
    const out = this.buffer;
    if (this.holdsAll(f, catMask, statusMask)) {
      // Everything loaded is shown (right after an import, say): no test per incident.
      for (let i = 0; i < this.size; i++) out[i] = i;
      return out.subarray(0, this.size);
    }
    const [lo, hi] = this.timeRange(f.days);
    const [w, s, e, n] = f.view;
    const crosses = w > e;
    let count = 0;
    const keep = (i: number) =>
      c.endDay[i] >= f.days.from && c.startDay[i] <= f.days.to && (catMask >>> c.category[i]) & 1 && (statusMask >>> c.status[i]) & 1;

    if (this.spatialFirst(f.view, hi - lo)) {
      const ranges = crosses ? [[w, s, 180, n], [-180, s, e, n]] : [[w, s, e, n]];
      for (const [x0, y0, x1, y1] of ranges) {
        for (const i of this.index.range(x0, y0, x1, y1)) if (!this.isWide[i] && keep(i)) out[count++] = i;
      }
      count = this.addWide(out, count, f.view, keep);
      out.subarray(0, count).sort();
      return out.subarray(0, count);
    }
    // The hot loop, over every incident the time index could not rule out: plain typed-array
    // reads in locals, no closure, so it is fast before the JIT has warmed up too.
    const { startDay, endDay, category, status, lon, lat } = c;
    const { from, to } = f.days;
    const isWide = this.isWide;
    for (let i = lo; i < hi; i++) {
      if (endDay[i] < from || startDay[i] > to || isWide[i] === 1) continue;
      if (((catMask >>> category[i]) & 1) === 0 || ((statusMask >>> status[i]) & 1) === 0) continue;
      const y = lat[i];
      if (y < s || y > n) continue;
      const x = lon[i];
      if (crosses ? x < w && x > e : x < w || x > e) continue;
      out[count++] = i;
    }
    count = this.addWide(out, count, f.view, keep);
    if (this.wide.length > 0) out.subarray(0, count).sort();
    return out.subarray(0, count);
  }

  /** Whether the filters keep every incident: all days, a view around all of them, every category present and status. */
  private holdsAll(f: Filters, catMask: number, statusMask: number): boolean {
    const span = this.daySpan();
    if (!span || f.days.from > span.from || f.days.to < span.to) return false;
    if ((statusMask & ALL_STATUSES) !== ALL_STATUSES) return false;
    for (let c = 0; c < CATEGORIES.length; c++) if (this.categoryCounts[c] > 0 && ((catMask >>> c) & 1) === 0) return false;
    const [w, s, e, n] = f.view;
    const b = this.bounds()!;
    return w <= e && w <= b[0] && s <= b[1] && e >= b[2] && n >= b[3];
  }

  /**
   * The store indices [lo, hi) that can overlap the days: startDay ≤ to, and startDay ≥
   * from − the longest span (an incident starting earlier has ended before the window).
   */
  timeRange(days: DayRange): [number, number] {
    const startDay = this.columns.startDay;
    return [lowerBound(startDay, days.from - this.maxSpanDays), upperBound(startDay, days.to)];
  }

  /** Space first when the view holds far fewer points than the time window (zoomed in). */
  private spatialFirst(view: View, timeCandidates: number): boolean {
    const [ew, es, ee, en] = this.extent;
    const dataArea = Math.max(1e-9, (ee - ew) * (en - es));
    const [w, s, e, n] = view;
    const width = w > e ? Math.max(0, Math.min(180, ee) - Math.max(w, ew)) + Math.max(0, Math.min(e, ee) - Math.max(-180, ew)) : Math.max(0, Math.min(e, ee) - Math.max(w, ew));
    const height = Math.max(0, Math.min(n, en) - Math.max(s, es));
    const estimate = (this.size * width * height) / dataArea;
    return estimate * 8 < timeCandidates;
  }

  private addWide(out: Uint32Array, count: number, view: View, keep: (i: number) => unknown): number {
    const [w, s, e, n] = view;
    for (let k = 0; k < this.wide.length; k++) {
      const i = this.wide[k];
      if (!keep(i)) continue;
      const [bw, bs, be, bn] = this.wideBbox.subarray(k * 4, k * 4 + 4);
      if (bs > n || bn < s) continue;
      if (w <= e ? be < w || bw > e : be < w && bw > e) continue;
      out[count++] = i;
    }
    return count;
  }
}

/** What parts() hands over; every array owns its buffer, so all of them can be transferred. */
export interface StoreParts {
  columns: IncidentColumns;
  order: Uint32Array;
  maxSpanDays: number;
  categoryCounts: Uint32Array;
  wide: Uint32Array;
  wideBbox: Float64Array;
  isWide: Uint8Array;
  extent: [number, number, number, number];
  /** KDBush's own buffer. */
  index: ArrayBuffer;
  span: DayRange | null;
  vertices?: PointVertices;
}

/** StoreBuilder.raw(): the first n entries of each column are filled. */
export interface RawColumns {
  n: number;
  columns: IncidentColumns;
  bboxes: [number, [number, number, number, number]][];
}

/** The buffers of parts(), for postMessage's transfer list. */
export function transferables(parts: StoreParts): ArrayBuffer[] {
  const v = parts.vertices;
  const arrays = [...Object.values(parts.columns), parts.order, parts.categoryCounts, parts.wide, parts.wideBbox, parts.isWide, ...(v ? [v.position, v.days, v.kind] : [])];
  return [...new Set([...arrays.map((a) => a.buffer as ArrayBuffer), parts.index])];
}

/**
 * parts() with every array copied and the vertices left out (a store's go to the GPU layer
 * once): the copies can be transferred, and the store stays whole where it is. An "add"
 * import keeps drawing and querying the loaded store while a worker merges. Copying with
 * slice() and transferring took a few ms at 400,000 incidents; structured cloning ~46 ms.
 * Every typed array and buffer is copied, so a field added to StoreParts is copied too.
 */
export function copiedParts(store: IncidentStore): StoreParts {
  const copy = (v: unknown): unknown => (ArrayBuffer.isView(v) ? (v as Uint8Array).slice() : v instanceof ArrayBuffer ? v.slice(0) : v);
  const { columns, ...rest } = store.parts();
  return {
    ...(Object.fromEntries(Object.entries(rest).map(([key, v]) => [key, copy(v)])) as Omit<StoreParts, 'columns'>),
    columns: Object.fromEntries(Object.entries(columns).map(([key, a]) => [key, copy(a)])) as unknown as IncidentColumns,
    vertices: undefined,
  };
}

/**
 * Columns filled batch by batch, as incidents arrive (the import worker's path), then sorted
 * and indexed once by build().
 */
export class StoreBuilder {
  private columns: IncidentColumns;
  private n = 0;
  private readonly bboxes = new Map<number, [number, number, number, number]>();

  constructor(capacity = 1024) {
    this.columns = allocateColumns(Math.max(1, capacity));
  }

  /** Incidents added so far. */
  get size(): number {
    return this.n;
  }

  add(incidents: readonly Incident[]): this {
    for (let k = 0; k < incidents.length; k++) this.addOne(incidents[k]);
    return this;
  }

  addOne(inc: Incident): this {
    if (this.n === this.columns.lon.length) this.grow(this.n + 1);
    const c = this.columns;
    const i = this.n++;
    c.lon[i] = inc.lon;
    c.lat[i] = inc.lat;
    c.start[i] = inc.start;
    c.end[i] = inc.end;
    c.startDay[i] = inc.startDay;
    c.endDay[i] = inc.endDay;
    c.category[i] = CATEGORY_INDEX[inc.category];
    c.status[i] = STATUS_INDEX[inc.status];
    c.killed[i] = inc.properties.killed.max;
    c.localStart[i] = localMsOfIso(inc.properties.start);
    const b = inc.bbox;
    if (b[0] !== b[2] || b[1] !== b[3]) this.bboxes.set(i, [b[0], b[1], b[2], b[3]]);
    return this;
  }

  /**
   * A built store's incidents at these input positions (all, in input order, when omitted):
   * an "add" import merges the loaded store and the new one without their incident objects.
   */
  addStore(store: IncidentStore, positions?: ArrayLike<number>): this {
    const count = positions ? positions.length : store.size;
    if (this.n + count > this.columns.lon.length) this.grow(this.n + count);
    const inverse = new Uint32Array(store.size);
    for (let k = 0; k < store.size; k++) inverse[store.order[k]] = k;
    // The store index of each incident taken, then one tight loop per column.
    const from = new Uint32Array(count);
    for (let j = 0; j < count; j++) from[j] = inverse[positions ? positions[j] : j];
    const start = this.n;
    for (const key of Object.keys(this.columns) as (keyof IncidentColumns)[]) {
      const source = store.columns[key];
      const target = this.columns[key];
      for (let j = 0; j < count; j++) target[start + j] = source[from[j]];
    }
    for (let j = 0; j < count; j++) {
      const bbox = store.wideBboxAt(from[j]);
      if (bbox) this.bboxes.set(start + j, bbox);
    }
    this.n += count;
    return this;
  }

  /**
   * The columns filled so far, unsorted and unindexed, for addRaw in another thread: the
   * second part of a file read by two workers (see import/split.ts). Its buffers can be
   * transferred; the builder is spent.
   */
  raw(): RawColumns {
    return { n: this.n, columns: this.columns, bboxes: [...this.bboxes] };
  }

  /** Appends raw() of another builder, in its input order. */
  addRaw(raw: RawColumns): this {
    if (this.n + raw.n > this.columns.lon.length) this.grow(this.n + raw.n);
    for (const key of Object.keys(this.columns) as (keyof IncidentColumns)[]) {
      (this.columns[key] as Float64Array).set((raw.columns[key] as Float64Array).subarray(0, raw.n), this.n);
    }
    for (const [i, bbox] of raw.bboxes) this.bboxes.set(this.n + i, bbox);
    this.n += raw.n;
    return this;
  }

  build(): IncidentStore {
    const c = this.columns;
    const n = this.n;
    const trimmed = Object.fromEntries(Object.entries(c).map(([key, a]) => [key, a.subarray(0, n)])) as unknown as IncidentColumns;
    return new IncidentStore(trimmed, this.bboxes);
  }

  private grow(needed: number): void {
    const next = allocateColumns(Math.max(needed, this.columns.lon.length * 2));
    for (const key of Object.keys(next) as (keyof IncidentColumns)[]) (next[key] as Float64Array).set(this.columns[key] as Float64Array);
    this.columns = next;
  }
}

/**
 * What an "add" import shows: the loaded incidents, then the added store's at input positions
 * `keep` (all of them when omitted), sorted, indexed and with the GPU layer's vertices, as the
 * import worker builds a store.
 */
export function mergeStores(before: IncidentStore, added: IncidentStore, keep?: ArrayLike<number>): IncidentStore {
  const count = keep ? keep.length : added.size;
  return new StoreBuilder(before.size + count).addStore(before).addStore(added, keep).build().withVertices();
}

export function allocateColumns(n: number): IncidentColumns {
  return {
    lon: new Float64Array(n),
    lat: new Float64Array(n),
    start: new Float64Array(n),
    end: new Float64Array(n),
    startDay: new Int32Array(n),
    endDay: new Int32Array(n),
    category: new Uint8Array(n),
    status: new Uint8Array(n),
    killed: new Float64Array(n),
    localStart: new Float64Array(n),
  };
}

/**
 * Sorted by (startDay, start, input position); a presorted input (the usual case for exports)
 * costs one pass. Otherwise a stable counting sort by day — days span far fewer values than
 * there are rows — then each day's run by time, which for day-precision data (ACLED: every
 * row of a day at local midnight) is already in order. At 1M unsorted rows this is several
 * times faster than one comparison sort over all of them.
 */
export function sortOrder(c: Pick<IncidentColumns, 'startDay' | 'start'>): Uint32Array {
  const n = c.startDay.length;
  const { startDay, start } = c;
  const order = new Uint32Array(n);
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    const d = startDay[i];
    if (d < min) min = d;
    if (d > max) max = d;
    if (i > 0 && (d < startDay[i - 1] || (d === startDay[i - 1] && start[i] < start[i - 1]))) sorted = false;
  }
  if (sorted) return order;
  const byTime = (a: number, b: number) => start[a] - start[b] || a - b;
  const range = max - min + 1;
  if (range > 4 * n + 1024) {
    // Days spread wider than the rows (a few incidents over millennia): one comparison sort.
    return order.sort((a, b) => startDay[a] - startDay[b] || byTime(a, b));
  }
  const next = new Uint32Array(range + 1);
  for (let i = 0; i < n; i++) next[startDay[i] - min + 1]++;
  for (let d = 1; d <= range; d++) next[d] += next[d - 1];
  for (let i = 0; i < n; i++) order[next[startDay[i] - min]++] = i;
  // next[d] is now the end of day d's run, which is the start of day d + 1's.
  let from = 0;
  for (let d = 0; d < range; d++) {
    const to = next[d];
    for (let k = from + 1; k < to; k++) {
      if (start[order[k]] < start[order[k - 1]]) {
        order.subarray(from, to).sort(byTime);
        break;
      }
    }
    from = to;
  }
  return order;
}

function permute(c: IncidentColumns, order: Uint32Array): IncidentColumns {
  const out = allocateColumns(order.length);
  for (const key of Object.keys(c) as (keyof IncidentColumns)[]) {
    const from = c[key];
    const to = out[key];
    for (let i = 0; i < order.length; i++) to[i] = from[order[i]];
  }
  return out;
}

/** First index with a[i] ≥ value. */
function lowerBound(a: Int32Array, value: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a[i] > value. */
function upperBound(a: Int32Array, value: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
