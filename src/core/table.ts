// The incidents the page holds, by input position. A million imported rows kept as a million
// incident objects cost the page about 700 MB and seconds of structured-clone decoding. A
// RowTable keeps each accepted item as the row it came from — UTF-8 in a few large buffers
// that the import worker hands over without a copy — and builds an incident only when the
// list, the detail panel, the map or an export asks for it, with the same pure function that
// accepted it. Everything that counts or filters reads the store's columns instead.

import type { Incident } from './schema.ts';

export interface IncidentTable {
  readonly length: number;
  /** The incident at input position i (0 ≤ i < length). */
  get(i: number): Incident;
  /** Its id, without building the incident. */
  id(i: number): string;
  /** Every id in input order, without building incidents or locating each position. */
  eachId(fn: (id: string, i: number) => void): void;
}

/** Incidents already built (the bundled dataset, tests). */
export class ArrayTable implements IncidentTable {
  constructor(readonly incidents: readonly Incident[]) {}
  get length(): number {
    return this.incidents.length;
  }
  get(i: number): Incident {
    return this.incidents[i];
  }
  id(i: number): string {
    return this.incidents[i].id;
  }
  eachId(fn: (id: string, i: number) => void): void {
    this.incidents.forEach((incident, i) => fn(incident.id, i));
  }
}

export const EMPTY_TABLE: IncidentTable = new ArrayTable([]);

/** Accepted items of one import batch, encoded; every array owns its buffer (transferable). */
export interface RowBatch {
  /** The items' encodings (see encodeItem) as UTF-8, back to back. */
  bytes: Uint8Array;
  /** n + 1 byte offsets into bytes. */
  offsets: Uint32Array;
  /** Each item's row, feature or line number, as the import report names it. */
  index: Int32Array;
  ids: string[];
}

/** Turns an accepted item (CSV cells or a GeoJSON feature) and its number back into its incident. */
export type Rebuild = (item: unknown, index: number) => Incident;

const SEP = '\u001f'; // ASCII unit separator
const JSON_MARK = '\u0000';

/**
 * CSV cells joined by the unit separator (a byte per cell, no quoting); anything else — a
 * feature, or cells that contain a separator or a NUL — as JSON behind a NUL mark.
 */
export function encodeItem(item: unknown): string {
  if (Array.isArray(item) && item.length > 0 && item.every((cell) => typeof cell === 'string')) {
    const text = item.join(SEP);
    // Plain when no cell holds a separator or a NUL: then the separators are the cells'
    // boundaries. Two scans of the row rather than two of each cell.
    if (!text.includes(JSON_MARK) && separators(text) === item.length - 1) return text;
  }
  return JSON_MARK + JSON.stringify(item);
}

function separators(text: string): number {
  let n = 0;
  for (let at = text.indexOf(SEP); at >= 0; at = text.indexOf(SEP, at + 1)) n++;
  return n;
}

export function decodeItem(text: string): unknown {
  return text.startsWith(JSON_MARK) ? JSON.parse(text.slice(1)) : text.split(SEP);
}

/** Collects accepted items in the import worker; flush() gives the batch to post. */
export class RowEncoder {
  private readonly encoder = new TextEncoder();
  private bytes = new Uint8Array(1 << 16);
  private offsets: number[] = [0];
  private index: number[] = [];
  private ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(item: unknown, index: number, id: string): void {
    const text = encodeItem(item);
    let at = this.offsets[this.offsets.length - 1];
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (at + text.length * 3 > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + text.length * 3));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    at += this.encoder.encodeInto(text, this.bytes.subarray(at)).written;
    this.offsets.push(at);
    this.index.push(index);
    this.ids.push(id);
  }

  /** The batch so far (null when empty); the encoder starts a new one. */
  flush(): RowBatch | null {
    if (this.ids.length === 0) return null;
    const end = this.offsets[this.offsets.length - 1];
    const batch: RowBatch = { bytes: this.bytes.slice(0, end), offsets: Uint32Array.from(this.offsets), index: Int32Array.from(this.index), ids: this.ids };
    this.offsets = [0];
    this.index = [];
    this.ids = [];
    return batch;
  }
}

/** The buffers of batches, for postMessage's transfer list. */
export function batchTransferables(batch: RowBatch): ArrayBuffer[] {
  return [batch.bytes.buffer as ArrayBuffer, batch.offsets.buffer as ArrayBuffer, batch.index.buffer as ArrayBuffer];
}

/** The part holding position i, given each part's first position (`starts`, ascending, total last), and i's place in it. */
function partOf(starts: readonly number[], i: number): [part: number, offset: number] {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= i) lo = mid;
    else hi = mid - 1;
  }
  return [lo, i - starts[lo]];
}

/** Built incidents kept for reuse: the list and the map ask for the same ones again and again. */
const CACHE = 4096;

export class RowTable implements IncidentTable {
  readonly length: number;
  /** Input position of each batch's first item, and the total at the end. */
  private readonly starts: number[] = [0];
  private readonly decoder = new TextDecoder();
  private readonly cache = new Map<number, Incident>();

  constructor(
    private readonly batches: readonly RowBatch[],
    private readonly rebuild: Rebuild,
  ) {
    for (const b of batches) this.starts.push(this.starts[this.starts.length - 1] + b.ids.length);
    this.length = this.starts[this.starts.length - 1];
  }

  /** [batch, position in it] of input position i. */
  private locate(i: number): [RowBatch, number] {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`no incident at ${i} (table of ${this.length})`);
    const [b, k] = partOf(this.starts, i);
    return [this.batches[b], k];
  }

  id(i: number): string {
    const [batch, k] = this.locate(i);
    return batch.ids[k];
  }

  eachId(fn: (id: string, i: number) => void): void {
    this.batches.forEach((batch, b) => batch.ids.forEach((id, k) => fn(id, this.starts[b] + k)));
  }

  get(i: number): Incident {
    const hit = this.cache.get(i);
    if (hit) return hit;
    const [batch, k] = this.locate(i);
    const text = this.decoder.decode(batch.bytes.subarray(batch.offsets[k], batch.offsets[k + 1]));
    const incident = this.rebuild(decodeItem(text), batch.index[k]);
    if (this.cache.size >= CACHE) this.cache.clear();
    this.cache.set(i, incident);
    return incident;
  }
}

/** Tables one after another: what an "add" import makes of the loaded data and the new. */
export class ConcatTable implements IncidentTable {
  readonly length: number;
  private readonly starts: number[] = [0];

  constructor(private readonly parts: readonly IncidentTable[]) {
    for (const p of parts) this.starts.push(this.starts[this.starts.length - 1] + p.length);
    this.length = this.starts[this.starts.length - 1];
  }

  private locate(i: number): [IncidentTable, number] {
    const [p, k] = partOf(this.starts, i);
    return [this.parts[p], k];
  }

  get(i: number): Incident {
    const [t, k] = this.locate(i);
    return t.get(k);
  }

  id(i: number): string {
    const [t, k] = this.locate(i);
    return t.id(k);
  }

  eachId(fn: (id: string, i: number) => void): void {
    this.parts.forEach((part, p) => part.eachId((id, k) => fn(id, this.starts[p] + k)));
  }
}

/** Some positions of a table, in the order given. */
export class PickTable implements IncidentTable {
  readonly length: number;
  constructor(
    private readonly table: IncidentTable,
    private readonly positions: Uint32Array,
  ) {
    this.length = positions.length;
  }
  get(i: number): Incident {
    return this.table.get(this.positions[i]);
  }
  id(i: number): string {
    return this.table.id(this.positions[i]);
  }
  eachId(fn: (id: string, i: number) => void): void {
    for (let i = 0; i < this.length; i++) fn(this.id(i), i);
  }
}

/** The input position of the incident with this id, or −1. A scan: for a click or a link, not a loop. */
export function indexOfId(table: IncidentTable, id: string): number {
  let found = -1;
  table.eachId((other, i) => {
    if (found < 0 && other === id) found = i;
  });
  return found;
}

/** Every incident, built: for small tables (the native map layers, chains) and exports. */
export function toArray(table: IncidentTable, positions?: ArrayLike<number>): Incident[] {
  if (!positions && table instanceof ArrayTable) return table.incidents.slice();
  const n = positions ? positions.length : table.length;
  const out = new Array<Incident>(n);
  for (let k = 0; k < n; k++) out[k] = table.get(positions ? positions[k] : k);
  return out;
}
