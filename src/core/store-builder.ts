// Columns filled incident by incident (the import worker's path) or from built stores (an
// "add" import), then sorted and indexed once into an IncidentStore.

import { CATEGORY_INDEX, STATUS_INDEX, type Incident } from './schema.ts';
import { localMsOfIso } from './time.ts';
import { searchableFields } from './text.ts';
import { TextIndexBuilder, type RawText } from './text-index.ts';
import { COLUMN_TYPES, allocateColumns, buildStore, type Bounds, type ColumnName, type IncidentColumns, type IncidentStore } from './store.ts';

const COLUMN_NAMES = Object.keys(COLUMN_TYPES) as ColumnName[];

/** StoreBuilder.raw(): the first n entries of each column are filled. */
export interface RawColumns {
  n: number;
  columns: IncidentColumns;
  bboxes: [number, Bounds][];
  text: RawText;
}

export class StoreBuilder {
  private columns: IncidentColumns;
  private n = 0;
  private readonly bboxes = new Map<number, Bounds>();
  /** null: no text index (a store that is never searched, such as an export's slab without search). */
  private readonly text: TextIndexBuilder | null;

  constructor(capacity = 1024, searchable = true) {
    this.columns = allocateColumns(Math.max(1, capacity));
    this.text = searchable ? new TextIndexBuilder() : null;
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
    this.text?.addTexts(searchableFields(inc));
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
    for (const key of COLUMN_NAMES) {
      const source = store.columns[key];
      const target = this.columns[key];
      for (let j = 0; j < count; j++) target[start + j] = source[from[j]];
    }
    for (let j = 0; j < count; j++) {
      const bbox = store.wideBboxAt(from[j]);
      if (bbox) this.bboxes.set(start + j, bbox);
    }
    this.words().addFrom(store.text, from);
    this.n += count;
    return this;
  }

  /**
   * The columns filled so far, unsorted and unindexed, for addRaw in another thread: the
   * second part of a file read by two workers (see import/split.ts). Its buffers can be
   * transferred; the builder is spent.
   */
  raw(): RawColumns {
    return { n: this.n, columns: this.columns, bboxes: [...this.bboxes], text: this.words().raw() };
  }

  /** Appends raw() of another builder, in its input order. */
  addRaw(raw: RawColumns): this {
    if (this.n + raw.n > this.columns.lon.length) this.grow(this.n + raw.n);
    for (const key of COLUMN_NAMES) (this.columns[key] as Float64Array).set((raw.columns[key] as Float64Array).subarray(0, raw.n), this.n);
    for (const [i, bbox] of raw.bboxes) this.bboxes.set(this.n + i, bbox);
    this.words().addRaw(raw.text);
    this.n += raw.n;
    return this;
  }

  build(): IncidentStore {
    const n = this.n;
    const trimmed = Object.fromEntries(COLUMN_NAMES.map((key) => [key, this.columns[key].subarray(0, n)])) as unknown as IncidentColumns;
    return buildStore(trimmed, this.bboxes, this.text ?? undefined);
  }

  /** The text index, which merging and splitting carry over: only a searchable builder has one. */
  private words(): TextIndexBuilder {
    if (!this.text) throw new Error('StoreBuilder: this builder keeps no text index');
    return this.text;
  }

  private grow(needed: number): void {
    const next = allocateColumns(Math.max(needed, this.columns.lon.length * 2));
    for (const key of COLUMN_NAMES) (next[key] as Float64Array).set(this.columns[key] as Float64Array);
    this.columns = next;
  }
}

/**
 * From validated incidents; non-point incidents keep their extents. Not `searchable`: no text
 * index, so a search finds nothing (indexing the words costs more than the rest of the store).
 */
export function storeOfIncidents(incidents: readonly Incident[], searchable = true): IncidentStore {
  return new StoreBuilder(incidents.length, searchable).add(incidents).build();
}

/**
 * What an "add" import shows: the loaded incidents, then the added store's at input positions
 * `keep` (all of them when omitted), sorted and indexed.
 */
export function mergeStores(before: IncidentStore, added: IncidentStore, keep?: ArrayLike<number>): IncidentStore {
  const count = keep ? keep.length : added.size;
  return new StoreBuilder(before.size + count).addStore(before).addStore(added, keep).build();
}
