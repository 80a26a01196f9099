// The incidents' columns in one ArrayBuffer, in the manner of kdbush and flatbush: a spatial
// index, a header and the columns at fixed offsets, sorted by local start day. A worker builds
// it and transfers [buffer]; the page adopts it with the constructor, in O(1). Copying is
// buffer.slice(0). The visible-set rule that reads it lives in filter.ts.

import KDBush from 'kdbush';
import { CATEGORIES } from './schema.ts';
import type { DayRange } from './time.ts';
import { TextIndex, type TextIndexBuilder } from './text-index.ts';

/** The columns of n incidents, one entry per incident. */
export interface IncidentColumns {
  lon: Float64Array; // representative longitude
  lat: Float64Array; // representative latitude
  start: Float64Array; // epoch ms
  end: Float64Array; // epoch ms
  killed: Float64Array; // upper bound of killed, the histogram's other measure
  localStart: Float64Array; // local wall-clock ms of the start, as if UTC (hour bars)
  startDay: Int32Array; // local calendar day (see time.ts)
  endDay: Int32Array;
  category: Uint8Array; // index into CATEGORIES
  status: Uint8Array; // index into STATUSES
}

export type ColumnName = keyof IncidentColumns;
type ColumnType = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

/** In layout order: widest elements first, so every column starts aligned. */
export const COLUMN_TYPES: Readonly<Record<ColumnName, ColumnType>> = {
  lon: Float64Array,
  lat: Float64Array,
  start: Float64Array,
  end: Float64Array,
  killed: Float64Array,
  localStart: Float64Array,
  startDay: Int32Array,
  endDay: Int32Array,
  category: Uint8Array,
  status: Uint8Array,
};
const COLUMN_NAMES = Object.keys(COLUMN_TYPES) as ColumnName[];

export type Bounds = [number, number, number, number];

const MAGIC = 0x1a71a5; // "atlas"
const VERSION = 2;
const NODE_SIZE = 64;

// The header: Float64 slots after the spatial index.
const H_MAGIC = 0; // MAGIC
const H_VERSION = 1; // VERSION
const H_SIZE = 2; // n, incidents
const H_WIDE = 3; // incidents whose extent is not a point
const H_MAX_SPAN = 4; // the longest incident in days
const H_SPAN = 5; // [from, to]: local days covered, NaN for none
const H_EXTENT = 7; // [w, s, e, n] of the points
const H_COUNTS = 11; // incidents per category, CATEGORIES order
const H_TEXT = H_COUNTS + CATEGORIES.length; // [words, chars, postings] of the text index
const HEADER_SLOTS = H_TEXT + 3;

const align8 = (bytes: number) => (bytes + 7) & ~7;

type TextSizes = { words: number; chars: number; postings: number };
const NO_TEXT: TextSizes = { words: 0, chars: 0, postings: 0 };

/** Where each array lies in the buffer, for n incidents of which `wide` have extents. */
function layout(indexBytes: number, n: number, wide: number, text: TextSizes) {
  let at = align8(indexBytes);
  const header = at;
  at += HEADER_SLOTS * 8;
  const columns = {} as Record<ColumnName, number>;
  for (const name of COLUMN_NAMES) {
    columns[name] = at;
    at = align8(at + n * COLUMN_TYPES[name].BYTES_PER_ELEMENT);
  }
  const wideBbox = at; // Float64 [w, s, e, n] per wide incident
  at += wide * 32;
  const order = at; // Uint32: input position of each store index
  at += n * 4;
  const wideIndex = at; // Uint32: store indices of the wide incidents, ascending
  at += wide * 4;
  const isWide = at; // Uint8: 1 at a wide incident's store index
  at = align8(at + n);
  const wordStart = at; // Uint32: the text index (see text-index.ts)
  at += (text.words + 1) * 4;
  const postingStart = at;
  at += (text.words + 1) * 4;
  const postings = at;
  at += text.postings * 4;
  const chars = at; // Uint16
  at = align8(at + text.chars * 2);
  return { header, columns, wideBbox, order, wideIndex, isWide, wordStart, postingStart, postings, chars, bytes: at };
}

export class IncidentStore {
  /** Everything below, and nothing else: transfer it, copy it, adopt it. */
  readonly buffer: ArrayBuffer;
  readonly size: number;
  /** Columns in store order (sorted by startDay, then start). */
  readonly columns: IncidentColumns;
  /** order[i] = the position, in the caller's input, of the incident at store index i. */
  readonly order: Uint32Array;
  /** The longest incident in days: how far before the window a still-running one can start. */
  readonly maxSpanDays: number;
  /** How many incidents of each category (CATEGORIES order) are loaded, whatever the filters. */
  readonly categoryCounts: Uint32Array;
  /** Store indices of incidents whose extent is not a point (few: checked one by one), ascending. */
  readonly wide: Uint32Array;
  /** [w, s, e, n] per wide incident, in the order of `wide`. */
  readonly wideBbox: Float64Array;
  readonly isWide: Uint8Array;
  /** Over the points' positions, by store index. */
  readonly index: KDBush;
  /** [w, s, e, n] of the points. */
  readonly extent: Bounds;
  /** The words of each incident's title, summary, actors, place and source names. */
  readonly text: TextIndex;
  private readonly span: DayRange | null;
  private boundsOnce?: Bounds | null;

  /** Adopts a buffer written by buildStore (here, in a worker, or a copy): no sorting, no indexing. */
  constructor(buffer: ArrayBuffer) {
    const index = KDBush.from(buffer);
    const h = new Float64Array(buffer, align8(index.coords.byteOffset + index.coords.byteLength), HEADER_SLOTS);
    if (h[H_MAGIC] !== MAGIC) throw new Error('Data does not appear to be an incident store.');
    if (h[H_VERSION] !== VERSION) throw new Error(`Got an incident store of version ${h[H_VERSION]}, expected ${VERSION}.`);
    const n = h[H_SIZE];
    const wide = h[H_WIDE];
    const text = { words: h[H_TEXT], chars: h[H_TEXT + 1], postings: h[H_TEXT + 2] };
    const at = layout(h.byteOffset, n, wide, text);
    this.buffer = buffer;
    this.index = index;
    this.size = n;
    this.maxSpanDays = h[H_MAX_SPAN];
    this.span = Number.isNaN(h[H_SPAN]) ? null : { from: h[H_SPAN], to: h[H_SPAN + 1] };
    this.extent = [h[H_EXTENT], h[H_EXTENT + 1], h[H_EXTENT + 2], h[H_EXTENT + 3]];
    this.categoryCounts = Uint32Array.from(h.subarray(H_COUNTS, H_COUNTS + CATEGORIES.length));
    this.columns = Object.fromEntries(COLUMN_NAMES.map((name) => [name, new COLUMN_TYPES[name](buffer, at.columns[name], n)])) as unknown as IncidentColumns;
    this.order = new Uint32Array(buffer, at.order, n);
    this.wide = new Uint32Array(buffer, at.wideIndex, wide);
    this.wideBbox = new Float64Array(buffer, at.wideBbox, wide * 4);
    this.isWide = new Uint8Array(buffer, at.isWide, n);
    this.text = new TextIndex(textArrays(buffer, at, text), n);
  }

  /** The span of local days the incidents cover, or null for none. */
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
  bounds(): Bounds | null {
    if (this.boundsOnce === undefined) this.boundsOnce = this.computeBounds();
    return this.boundsOnce;
  }

  private computeBounds(): Bounds | null {
    if (this.size === 0) return null;
    const b: Bounds = [...this.extent];
    for (let k = 0; k < this.wide.length; k++) {
      b[0] = Math.min(b[0], this.wideBbox[k * 4]);
      b[1] = Math.min(b[1], this.wideBbox[k * 4 + 1]);
      b[2] = Math.max(b[2], this.wideBbox[k * 4 + 2]);
      b[3] = Math.max(b[3], this.wideBbox[k * 4 + 3]);
    }
    return b;
  }

  /** The extent of the incident at store index i when it is not a point, else null. */
  wideBboxAt(i: number): Bounds | null {
    if (this.isWide[i] !== 1) return null;
    const k = lowerBound(this.wide, i);
    const w = this.wideBbox;
    return [w[k * 4], w[k * 4 + 1], w[k * 4 + 2], w[k * 4 + 3]];
  }

  /**
   * The store indices [lo, hi) that can overlap the days: startDay ≤ to, and startDay ≥
   * from − the longest span (an incident starting earlier has ended before the window).
   */
  timeRange(days: DayRange): [number, number] {
    const startDay = this.columns.startDay;
    return [lowerBound(startDay, days.from - this.maxSpanDays), lowerBound(startDay, days.to + 1)];
  }
}

function textArrays(buffer: ArrayBuffer, at: ReturnType<typeof layout>, text: TextSizes) {
  return {
    chars: new Uint16Array(buffer, at.chars, text.chars),
    wordStart: new Uint32Array(buffer, at.wordStart, text.words + 1),
    postingStart: new Uint32Array(buffer, at.postingStart, text.words + 1),
    postings: new Uint32Array(buffer, at.postings, text.postings),
  };
}

/**
 * Sorts and indexes n incidents' columns (any order) into a store. `bboxes` holds the extents
 * of those that are not points, by input position; `text` their words, when searchable.
 */
export function buildStore(input: IncidentColumns, bboxes: ReadonlyMap<number, Bounds> = new Map(), text?: TextIndexBuilder): IncidentStore {
  const n = input.lon.length;
  const order = sortOrder(input);
  // The spatial index over max(1, n) points: kdbush needs one. A store of none never asks it.
  const index = new KDBush(Math.max(1, n), NODE_SIZE, Float64Array);
  for (let i = 0; i < n; i++) index.add(input.lon[order[i]], input.lat[order[i]]);
  if (n === 0) index.add(0, 0);
  index.finish();

  const textSizes = text?.sizes() ?? NO_TEXT;
  const at = layout(index.data.byteLength, n, bboxes.size, textSizes);
  const buffer = new ArrayBuffer(at.bytes);
  new Uint8Array(buffer).set(new Uint8Array(index.data as ArrayBuffer));
  for (const name of COLUMN_NAMES) {
    const from = input[name];
    const to = new COLUMN_TYPES[name](buffer, at.columns[name], n);
    for (let i = 0; i < n; i++) to[i] = from[order[i]];
  }
  new Uint32Array(buffer, at.order, n).set(order);

  const inverse = new Uint32Array(n);
  for (let i = 0; i < n; i++) inverse[order[i]] = i;
  const wide = [...bboxes.keys()].map((position) => inverse[position]).sort((a, b) => a - b);
  const wideIndex = new Uint32Array(buffer, at.wideIndex, wide.length);
  const wideBbox = new Float64Array(buffer, at.wideBbox, wide.length * 4);
  const isWide = new Uint8Array(buffer, at.isWide, n);
  wide.forEach((i, k) => {
    wideIndex[k] = i;
    wideBbox.set(bboxes.get(order[i])!, k * 4);
    isWide[i] = 1;
  });

  const h = new Float64Array(buffer, at.header, HEADER_SLOTS);
  h[H_MAGIC] = MAGIC;
  h[H_VERSION] = VERSION;
  h[H_SIZE] = n;
  h[H_WIDE] = wide.length;
  h.set([textSizes.words, textSizes.chars, textSizes.postings], H_TEXT);
  if (text) text.write(order, textArrays(buffer, at, textSizes));
  let [w, s, e, no] = [Infinity, Infinity, -Infinity, -Infinity];
  let maxSpan = 0;
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (let i = 0; i < n; i++) {
    h[H_COUNTS + input.category[i]]++;
    const startDay = input.startDay[i];
    const endDay = input.endDay[i];
    maxSpan = Math.max(maxSpan, endDay - startDay);
    firstDay = Math.min(firstDay, startDay);
    lastDay = Math.max(lastDay, endDay);
    const x = input.lon[i];
    const y = input.lat[i];
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > no) no = y;
  }
  h[H_MAX_SPAN] = maxSpan;
  h.set(n > 0 ? [firstDay, lastDay] : [NaN, NaN], H_SPAN);
  h.set(n > 0 ? [w, s, e, no] : [0, 0, 0, 0], H_EXTENT);
  return new IncidentStore(buffer);
}

export function allocateColumns(n: number): IncidentColumns {
  return Object.fromEntries(COLUMN_NAMES.map((name) => [name, new COLUMN_TYPES[name](n)])) as unknown as IncidentColumns;
}

/**
 * Sorted by (startDay, start, input position); a presorted input (the usual case for exports)
 * costs one pass. Otherwise a stable counting sort by day — days span far fewer values than
 * there are rows — then each day's run by time, which for day-precision data (ACLED: every
 * row of a day at local midnight) is already in order: several times faster than one
 * comparison sort over all of them.
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

/** First index with a[i] ≥ value. */
function lowerBound(a: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
