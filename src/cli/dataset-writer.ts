// The DuckDB half of npm run build-dataset: validated incidents are staged as CSV, one file
// per month (and per reader: see dataset-part.worker.ts), then each month's files are read,
// sorted by week and along a Hilbert curve and written as one GeoParquet file of the
// Hive-style folder, and the overview aggregates are read back from those. No table of the whole dataset is
// built: each month is read once and sorted on its own, out of core when it must be, so the
// size of a dataset is bounded by the disk, not by memory.

import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isoDateOfDay } from '../core/time.ts';
import { JsonDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import type { Geometry } from 'geojson';
import { FIELDS, type Incident } from '../core/schema.ts';
import { geometryToWkb } from '../core/wkb.ts';
import { hilbertKey } from '../core/hilbert.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type Overview, type Partition, type SourceFile } from '../core/dataset-manifest.ts';
import { EXTRA_PREFIX } from '../core/dataset-rows.ts';

/** File metadata key that marks a Parquet file written by the builder. */
export const BUILDER_KEY = 'incident_atlas';
/**
 * Rows per row group: a few hundred KB of Parquet for incidents with short texts, so one range
 * request fetches a group's column, and a city-sized view skips most groups of a week. DuckDB
 * writes each column of a group as one page, so a view that needs a few rows of a group
 * decodes all of its rows: smaller groups answer a step into a city sooner; larger ones keep
 * the footers and the requests of a view over months fewer, and compress a little better.
 */
export const ROW_GROUP_ROWS = 4_096;
/** Rows per row group of an overview, which is read by day for a window, never for a small area. */
const OVERVIEW_GROUP_ROWS = 40_960;
/**
 * zstd's level for the partitions: a small group compresses a little worse than a large one,
 * and the default level (3) left a dataset of 4,096-row groups ~5% larger than one of 10,240;
 * this level makes up for it, at some more of the build's time. Reading is no slower.
 */
const ZSTD_LEVEL = 7;
/**
 * The week (Monday to Sunday) of a staged row's first day, the first sort key of a partition:
 * rows run by week, then along the Hilbert curve, so a row group's statistics bound both its
 * days and its area. Sorted by the curve alone, every group of a month spanned the whole month,
 * and a week's window read the month; sorted by day alone, a city's view read every group of
 * its days. A week holds ~1 row group at 1M incidents over two years, ~100 at 100M.
 */
const WEEK_SQL = 'floor((staged.start_day + 3) / 7)';
/**
 * Overview cells are the Web Mercator tiles of these zooms: the histogram's timeline over the
 * whole span (2: 16 tiles, a few rows a day however many incidents), then world, region and
 * city views.
 */
export const OVERVIEW_ZOOMS = [2, 6, 9, 12];

/** Staged bytes written per system call, per month: a dataset may span hundreds of months. */
const STAGE_BUFFER = 1 << 18;

const FIELD_SET = new Set<string>(FIELDS);

/**
 * Code units that JSON escapes in a string (a lone surrogate among them, so any surrogate takes
 * JSON.stringify's way), or that a CSV field must double.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** A lone surrogate, which UTF-8 cannot carry: a row with one keeps its foreign properties as JSON text, which escapes it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A string's JSON inside a quoted CSV field (quotes doubled); most strings need no escaping. */
function jsonStringInField(v: string): string {
  return NEEDS_ESCAPE.test(v) ? JSON.stringify(v).replaceAll('"', '""') : `""${v}""`;
}

/** Each foreign key's JSON, quotes already doubled for the CSV field: a file repeats its keys on every row. */
const keyFields = new Map<string, string>();

/** Foreign keys that get a column each at most; past them, rows keep theirs as JSON text. */
export const EXTRA_KEYS = 256;

/**
 * The foreign keys of a stage's rows that get a column each (`extra.KEY`, see outputSql), in an
 * order that every row written there follows. A row goes there when all its foreign values are
 * strings (a CSV file's always are) and its keys come in that order; a key met for the first
 * time is placed after the row's previous key. Any other row keeps its foreign properties as
 * JSON text in `extra_json`, so that every row reads back with its own keys, in its own order,
 * and its values as they were. As one JSON text per row, the foreign columns were a third of a
 * dataset's bytes: the keys repeat on every row, and one column of each kind compresses far
 * better than rows of all of them.
 */
export class KeyOrder {
  readonly keys: string[] = [];
  /**
   * The keys in the order first taken: each one's field of a staged line (see Stage), which
   * stays where it is when a key is placed before it in `keys`.
   */
  readonly slots: string[] = [];
  private readonly at = new Map<string, number>();
  private readonly slotOf = new Map<string, number>();
  /** Keys in lower case: DuckDB's column names ignore case, and would rename one of two. */
  private readonly folded = new Set<string>();

  /** Whether a row with these foreign keys (in its order) goes to the columns; its new keys are taken in when it does. */
  take(keys: readonly string[]): boolean {
    let last = -1;
    let fresh = 0;
    for (const key of keys) {
      const k = this.at.get(key);
      if (k === undefined) {
        // "__proto__" and "" are left to the text, where any key is at home.
        if (key === '' || key === '__proto__' || LONE_SURROGATE.test(key) || this.folded.has(key.toLowerCase())) return false;
        fresh++;
      } else if (k <= last) return false;
      else last = k;
    }
    if (fresh === 0) return true;
    if (this.keys.length + fresh > EXTRA_KEYS || new Set(keys.map((k) => k.toLowerCase())).size < keys.length) return false;
    let after = -1;
    for (const key of keys) {
      const k = this.at.get(key);
      if (k !== undefined) after = k;
      else {
        this.keys.splice(++after, 0, key);
        this.slotOf.set(key, this.slots.length);
        this.slots.push(key);
        this.folded.add(key.toLowerCase());
        for (let i = after; i < this.keys.length; i++) this.at.set(this.keys[i], i);
      }
    }
    return true;
  }

  /** A taken key's slot. */
  slot(key: string): number {
    return this.slotOf.get(key)!;
  }
}

/**
 * One order of the keys that follows each stage's order (a stage's keys may be one file's
 * columns, or one part's of a file), keys first met first where the orders leave a choice;
 * null when the orders contradict each other, name two keys that differ only in case, or hold
 * more than EXTRA_KEYS keys: every row then keeps its foreign properties as JSON text.
 */
export function mergeKeyOrders(orders: readonly (readonly string[])[]): string[] | null {
  const first = new Map<string, number>();
  const after = new Map<string, Set<string>>();
  const before = new Map<string, number>();
  for (const order of orders) {
    for (let i = 0; i < order.length; i++) {
      const key = order[i];
      if (!first.has(key)) {
        first.set(key, first.size);
        after.set(key, new Set());
        before.set(key, 0);
      }
      if (i > 0 && !after.get(order[i - 1])!.has(key)) {
        after.get(order[i - 1])!.add(key);
        before.set(key, before.get(key)! + 1);
      }
    }
  }
  if (first.size > EXTRA_KEYS || new Set([...first.keys()].map((k) => k.toLowerCase())).size < first.size) return null;
  const out: string[] = [];
  const ready = [...first.keys()].filter((k) => before.get(k) === 0);
  while (ready.length > 0) {
    let pick = 0;
    for (let i = 1; i < ready.length; i++) if (first.get(ready[i])! < first.get(ready[pick])!) pick = i;
    const key = ready.splice(pick, 1)[0];
    out.push(key);
    for (const next of after.get(key)!) {
      before.set(next, before.get(next)! - 1);
      if (before.get(next) === 0) ready.push(next);
    }
  }
  return out.length === first.size ? out : null;
}

/**
 * Collects a row's foreign keys and values when every value is a string that a column holds as
 * it is (no lone surrogate, which UTF-8 cannot carry); false as soon as one is not.
 */
function foreignStrings(p: Record<string, unknown>, keys: string[], values: string[]): boolean {
  for (const key in p) {
    if (FIELD_SET.has(key) || !Object.prototype.hasOwnProperty.call(p, key)) continue;
    const v = p[key];
    if (typeof v !== 'string') {
      // A value JSON has no text for (undefined) is no property at all, as in extraJson.
      if (JSON.stringify(v) === undefined) continue;
      return false;
    }
    if (!v.isWellFormed()) return false;
    keys.push(key);
    values.push(v);
  }
  return true;
}

/**
 * The foreign properties as one JSON object, in their order, written directly as a quoted CSV
 * field; '' (NULL) when there are none. Escaping the whole object afterwards cost more than
 * building it: most values are plain strings, which need no escaping.
 */
function extraJson(p: Record<string, unknown>): string {
  let field = '';
  for (const key in p) {
    if (FIELD_SET.has(key) || !Object.prototype.hasOwnProperty.call(p, key)) continue;
    const v = p[key];
    let value: string;
    if (typeof v === 'string') value = jsonStringInField(v);
    else {
      const json = JSON.stringify(v);
      if (json === undefined) continue;
      value = json.replaceAll('"', '""');
    }
    let k = keyFields.get(key);
    if (k === undefined) {
      k = `${jsonStringInField(key)}:`;
      if (keyFields.size < 4096) keyFields.set(key, k);
    }
    field += (field === '' ? '"{' : ',') + k + value;
  }
  return field === '' ? '' : `${field}}"`;
}

/** A list of strings as a quoted CSV field of its JSON, as extraJson writes a value. */
function stringsField(list: readonly string[]): string {
  let field = '"[';
  for (let i = 0; i < list.length; i++) field += (i === 0 ? '' : ',') + jsonStringInField(list[i]);
  return `${field}]"`;
}

/** A point's WKB, written directly: the common case, and the cost of the general writer's setup. */
const pointWkb = Buffer.alloc(21);
pointWkb[0] = 1;
pointWkb.writeUInt32LE(1, 1);
function wkb(g: Geometry): Uint8Array {
  if (g.type === 'Point' && g.coordinates.length === 2) {
    pointWkb.writeDoubleLE(g.coordinates[0], 5);
    pointWkb.writeDoubleLE(g.coordinates[1], 13);
    return pointWkb;
  }
  return geometryToWkb(g);
}

/** What the stage saw of one month's incidents: the partition's figures, before duplicates go. */
export interface MonthStats {
  rows: number;
  /** Day numbers: the first start day and the last end day. */
  first: number;
  last: number;
  bbox: [number, number, number, number];
  types: string[];
  /** The fewest slot fields (see Stage.slotFields) a staged line of the month has. */
  fields: number;
}

export function mergeStats(into: Map<string, MonthStats>, from: Iterable<[string, MonthStats]>): void {
  for (const [month, m] of from) {
    const s = into.get(month);
    if (!s) {
      into.set(month, { ...m, bbox: [...m.bbox], types: [...m.types] });
      continue;
    }
    s.rows += m.rows;
    s.first = Math.min(s.first, m.first);
    s.last = Math.max(s.last, m.last);
    s.bbox = [Math.min(s.bbox[0], m.bbox[0]), Math.min(s.bbox[1], m.bbox[1]), Math.max(s.bbox[2], m.bbox[2]), Math.max(s.bbox[3], m.bbox[3])];
    s.types = [...new Set([...s.types, ...m.types])].sort();
    s.fields = Math.min(s.fields, m.fields);
  }
}

const HEX = Buffer.from('0123456789abcdef');

/**
 * A file written through a buffer, a line at a time, each field encoded straight into the
 * buffer: each line built as one string is a rope of some fifty pieces, flattened and then
 * encoded, which costs more than parsing and validating its row. Created on its first line,
 * so that no empty file is left for DuckDB to read.
 */
class LineFile {
  private fd = -1;
  private buffer = Buffer.allocUnsafe(STAGE_BUFFER);
  private at = 0;

  constructor(private readonly path: string) {}

  /** Makes room for `bytes` more bytes. A line may straddle two writes: the file is one stream. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    this.flush();
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes);
  }

  /** Text as it is, in UTF-8. */
  text(s: string): this {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(s.length * 3);
    this.at += this.buffer.write(s, this.at);
    return this;
  }

  /** A string as a CSV field: always quoted, so that an empty string is not read back as NULL. */
  quoted(s: string): this {
    // A doubled quote takes 2 bytes, any other code unit at most 3.
    this.room(s.length * 3 + 2);
    const b = this.buffer;
    b[this.at++] = 0x22;
    this.at += b.write(s.indexOf('"') < 0 ? s : s.replaceAll('"', '""'), this.at);
    b[this.at++] = 0x22;
    return this;
  }

  /** A number as JavaScript writes it, then a comma. */
  number(n: number): this {
    if (n >>> 0 !== n) return this.text(String(n)).comma();
    // Most numbers of a line are whole (days, counts, the curve's key): their digits, with no string made.
    this.room(11);
    const b = this.buffer;
    let end = this.at + (n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10);
    this.at = end + 1;
    b[end] = 0x2c;
    do {
      b[--end] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    return this;
  }

  comma(): this {
    this.room(1);
    this.buffer[this.at++] = 0x2c;
    return this;
  }

  /** Bytes in hexadecimal. */
  hex(bytes: Uint8Array): this {
    this.room(bytes.length * 2);
    const b = this.buffer;
    let at = this.at;
    for (const x of bytes) {
      b[at++] = HEX[x >> 4];
      b[at++] = HEX[x & 15];
    }
    this.at = at;
    return this;
  }

  private flush(): void {
    if (this.at === 0) return;
    if (this.fd < 0) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'w');
    }
    writeSync(this.fd, this.buffer, 0, this.at);
    this.at = 0;
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
  }
}

/**
 * The lists of one kind (sources, related) that a stage's rows refer to, each written once to
 * `dir/KIND/NAME.csv` as its number and JSON: a file names the same few sources on most rows,
 * and the importer shares one frozen list between them (see core/import/rows.ts), so most rows
 * stage a number instead of the list's JSON, and DuckDB parses each list once, not per row.
 * Lists are remembered weakly: one the importer has let go of is written again when it comes
 * back, which costs a line, never a wrong answer.
 */
class ListFile {
  private readonly file: LineFile;
  private readonly refs = new WeakMap<object, number>();
  private next = 0;

  constructor(path: string) {
    this.file = new LineFile(path);
  }

  /** The list's number as a CSV field; '' (NULL) for an empty list. */
  ref(list: readonly object[]): string {
    if (list.length === 0) return '';
    let ref = this.refs.get(list);
    if (ref === undefined) {
      ref = this.next++;
      this.file.number(ref).quoted(JSON.stringify(list)).text('\n');
      if (Object.isFrozen(list)) this.refs.set(list, ref);
    }
    return String(ref);
  }

  close(): void {
    this.file.close();
  }
}

/**
 * Incidents to CSV files of flat columns (STAGE_CSV) that DuckDB reads in parallel, one file
 * per month of the first day, named `dir/month=YYYY-MM/NAME.csv`: ranges and the bbox as
 * plain numbers, lists as JSON or as the number of a list in `dir/sources/NAME.csv` or
 * `dir/related/NAME.csv`, days as day numbers, geometry as WKB in hex, a point's bbox left
 * empty. A row's foreign properties follow as one field per key (see slotFields) when they fit
 * the columns (see KeyOrder), else as JSON text in `extra_json`: one JSON object per row would
 * repeat its keys on every line, and DuckDB would parse each again. A whole row as JSON costs
 * its build and its stringify, and DuckDB's JSON reader several times its CSV reader. Each
 * row's id and origin also go to the small
 * `dir/ids/NAME.csv`, so that looking for repeated ids does not read every staged byte.
 */
export class Stage {
  private readonly months = new Map<string, { key: string; file: LineFile; stats: MonthStats }>();
  private readonly ids: LineFile;
  private readonly sources: ListFile;
  private readonly related: ListFile;
  private readonly extraKeys = new KeyOrder();
  private readonly rowKeys: string[] = [];
  private readonly rowValues: string[] = [];
  private readonly slotCells: number[] = [];
  /** The month of the last row's first day: rows of a file mostly come in runs of days. */
  private lastDay = NaN;
  private lastMonth: { key: string; file: LineFile; stats: MonthStats } | null = null;
  rows = 0;

  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.ids = new LineFile(join(dir, 'ids', `${name}.csv`));
    this.sources = new ListFile(join(dir, 'sources', `${name}.csv`));
    this.related = new ListFile(join(dir, 'related', `${name}.csv`));
  }

  private month(key: string): { key: string; file: LineFile; stats: MonthStats } {
    let m = this.months.get(key);
    if (!m) {
      m = { key, file: new LineFile(join(this.dir, `month=${key}`, `${this.name}.csv`)), stats: { rows: 0, first: Infinity, last: -Infinity, bbox: [Infinity, Infinity, -Infinity, -Infinity], types: [], fields: Infinity } };
      this.months.set(key, m);
    }
    return m;
  }

  add(incident: Incident, source: number, unit: string, index: number): void {
    const p = incident.properties;
    const [xmin, ymin, xmax, ymax] = incident.bbox;
    this.rowKeys.length = 0;
    this.rowValues.length = 0;
    const columns = foreignStrings(p, this.rowKeys, this.rowValues) && this.extraKeys.take(this.rowKeys);
    const day = incident.startDay;
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.lastMonth = this.month(isoDateOfDay(day).slice(0, 7));
    }
    const m = this.lastMonth!;
    const f = m.file;
    f.quoted(incident.id).comma().quoted(p.title).comma().quoted(p.summary).comma().quoted(incident.category).comma().quoted(incident.status).comma();
    f.quoted(p.start).comma().quoted(p.end).comma().number(incident.startDay).number(incident.endDay);
    f.quoted(p.time_precision).comma().quoted(p.place).comma().quoted(p.geo_precision).comma();
    f.number(p.uncertainty_m).number(p.killed.min).number(p.killed.max).number(p.wounded.min).number(p.wounded.max);
    f.text(stringsField(p.actors)).comma().text(this.sources.ref(p.sources)).comma().text(this.related.ref(p.related)).comma();
    if (!columns) f.text(extraJson(p));
    f.comma().number(incident.lon).number(incident.lat);
    // A point's bbox is its lon/lat: left empty, and read back as them (see STAGE_COLUMNS).
    if (xmin === incident.lon && xmax === xmin && ymin === incident.lat && ymax === ymin) f.text(',,,,');
    else f.number(xmin).number(ymin).number(xmax).number(ymax);
    f.hex(wkb(incident.geometry)).comma().text(incident.geometry.type).comma();
    f.number(hilbertKey(incident.lon, incident.lat)).number(source).text(unit).comma().text(String(index));
    const fields = columns ? this.slotFields(f) : 0;
    f.text('\n');
    this.ids.quoted(incident.id).comma().number(source).text(unit).comma().number(index).text(m.key).text('\n');
    this.rows++;
    const s = m.stats;
    s.rows++;
    if (incident.startDay < s.first) s.first = incident.startDay;
    if (incident.endDay > s.last) s.last = incident.endDay;
    if (xmin < s.bbox[0]) s.bbox[0] = xmin;
    if (ymin < s.bbox[1]) s.bbox[1] = ymin;
    if (xmax > s.bbox[2]) s.bbox[2] = xmax;
    if (ymax > s.bbox[3]) s.bbox[3] = ymax;
    if (!s.types.includes(incident.geometry.type)) s.types = [...s.types, incident.geometry.type].sort();
    if (fields < s.fields) s.fields = fields;
  }

  /**
   * The row's foreign values as fields after the others, each in its key's slot (see
   * KeyOrder.slots), one field for every slot the stage has so far: a slot the row lacks is
   * left empty (NULL). Lines written before a key was first met are shorter, and DuckDB pads
   * them, but it reads a month of padded lines in one thread: a blank cell (no property) must
   * not make a line short. Returns how many fields it wrote.
   */
  private slotFields(f: LineFile): number {
    const { rowKeys: keys, rowValues: values } = this;
    const slots = this.extraKeys.slots;
    let i = 0;
    // A CSV file's rows hold every key, in the order first taken, but for their blank cells.
    for (; i < keys.length && slots[i] === keys[i]; i++) f.comma().quoted(values[i]);
    if (i < keys.length) {
      // The keys left have the slots from i on: those before are the keys written.
      const at = this.slotCells;
      at.length = 0;
      for (let k = i; k < keys.length; k++) at[this.extraKeys.slot(keys[k])] = k;
      for (; i < at.length; i++) {
        f.comma();
        if (at[i] !== undefined) f.quoted(values[at[i]]);
      }
    }
    for (; i < slots.length; i++) f.comma();
    return slots.length;
  }

  /** Writes what is left and closes the files; returns each month's figures. */
  close(): Map<string, MonthStats> {
    const stats = new Map<string, MonthStats>();
    for (const [key, m] of this.months) {
      m.file.close();
      stats.set(key, m.stats);
    }
    this.months.clear();
    this.ids.close();
    this.sources.close();
    this.related.close();
    const keys = new LineFile(join(this.dir, 'keys', `${this.name}.csv`));
    this.extraKeys.keys.forEach((key, i) => keys.number(i).quoted(key).comma().text(`${this.extraKeys.slot(key)}\n`));
    keys.close();
    return stats;
  }
}

const RANGE = 'STRUCT("min" INTEGER, "max" INTEGER)';
/**
 * from_json's shapes of the two lists of structs, which the partitions hold as JSON text (the
 * JSON logical type), each list normalised to these keys in this order. Typed, a list of
 * structs was the costliest column to read in the browser: hyparquet assembles each field of
 * each element on its own, then the structs from them. As JSON, a list is one value, parsed
 * once per distinct list of a row group's dictionary.
 */
const LIST_SHAPES = { source: [{ title: 'VARCHAR', publisher: 'VARCHAR', url: 'VARCHAR', published: 'VARCHAR' }], related: [{ type: 'VARCHAR', id: 'VARCHAR' }] };
/** The staged CSV's columns, in the order Stage.add writes them; the foreign values' fields (`x0`, `x1` …) follow. */
const STAGE_CSV: Record<string, string> = {
  id: 'VARCHAR',
  title: 'VARCHAR',
  summary: 'VARCHAR',
  category: 'VARCHAR',
  status: 'VARCHAR',
  start: 'VARCHAR',
  end: 'VARCHAR',
  start_day: 'INTEGER',
  end_day: 'INTEGER',
  time_precision: 'VARCHAR',
  place: 'VARCHAR',
  geo_precision: 'VARCHAR',
  uncertainty_m: 'DOUBLE',
  killed_min: 'INTEGER',
  killed_max: 'INTEGER',
  wounded_min: 'INTEGER',
  wounded_max: 'INTEGER',
  actors: 'VARCHAR',
  sources: 'BIGINT',
  related: 'BIGINT',
  extra_json: 'VARCHAR',
  lon: 'DOUBLE',
  lat: 'DOUBLE',
  xmin: 'DOUBLE',
  ymin: 'DOUBLE',
  xmax: 'DOUBLE',
  ymax: 'DOUBLE',
  geometry: 'VARCHAR',
  geometry_type: 'VARCHAR',
  hilbert: 'UBIGINT',
  src: 'INTEGER',
  src_unit: 'VARCHAR',
  src_index: 'BIGINT',
};

/** The table's columns: the staged ones, nested back into the schema's shapes. */
const STAGE_COLUMNS: Record<string, string> = {
  id: 'id',
  title: 'title',
  summary: 'summary',
  category: 'category',
  status: 'status',
  start: 'start',
  end: '"end"',
  start_day: "DATE '1970-01-01' + start_day",
  end_day: "DATE '1970-01-01' + end_day",
  time_precision: 'time_precision',
  place: 'place',
  geo_precision: 'geo_precision',
  uncertainty_m: 'uncertainty_m',
  killed: `{'min': killed_min, 'max': killed_max}::${RANGE}`,
  wounded: `{'min': wounded_min, 'max': wounded_max}::${RANGE}`,
  actors: `from_json(actors, '["VARCHAR"]')`,
  sources: `coalesce(source_lists.list, '[]'::JSON)`,
  related: `coalesce(related_lists.list, '[]'::JSON)`,
  extra: '',
  extra_json: 'extra_json',
  lon: 'lon',
  lat: 'lat',
  bbox: "{'xmin': coalesce(xmin, lon), 'ymin': coalesce(ymin, lat), 'xmax': coalesce(xmax, lon), 'ymax': coalesce(ymax, lat)}",
  geometry: 'from_hex(geometry)',
  geometry_type: 'geometry_type',
  src: 'src',
  src_unit: 'src_unit',
  src_index: 'src_index',
};

/**
 * The columns of the GeoParquet files, in their order: the schema's fields, then what readers
 * index, then where each row came from (the source's position in the manifest and the row,
 * feature or line number): the app orders incidents that start at the same time as they were
 * read, and an export from the dataset (src/cli/export.ts) orders them so too.
 */
const OUTPUT_COLUMNS = Object.keys(STAGE_COLUMNS).filter((c) => !['geometry_type', 'src_unit'].includes(c));

/** Where the foreign properties of the stage's column rows are: see Stage and extraKeys. */
interface ForeignFields {
  /** One order of every stage's keys (mergeKeyOrders); null when they contradict each other. */
  order: string[] | null;
  /** Each stage's keys, in its order, with their slot: field `x{slot}` of its lines. */
  stages: Map<string, { key: string; slot: number }[]>;
  /** Slot fields a line may have: the most any stage has. */
  width: number;
}

/**
 * The SELECT list of a partition (OUTPUT_COLUMNS). The foreign properties of the rows staged for
 * columns go to a VARCHAR column per key of `foreign.order` (see KeyOrder), named EXTRA_PREFIX +
 * key, and the other rows' stay JSON text in `extra_json`; with no order (keys met in orders that
 * contradict each other), the column rows' are written as JSON text too. Columns, not one
 * struct: hyparquet builds a struct a row at a time, which made reading a row ~10% slower; the
 * bytes are the same.
 */
function outputSql(foreign: ForeignFields): string {
  // A key's field: the same slot in every stage that has it, unless another key holds that slot somewhere.
  const field = (key: string) => {
    const at = [...foreign.stages].flatMap(([stage, keys]) => keys.filter((k) => k.key === key).map((k) => ({ stage, slot: k.slot })));
    const slots = new Set(at.map((a) => a.slot));
    if (slots.size === 1) {
      const [slot] = slots;
      if (![...foreign.stages.values()].some((keys) => keys.some((k) => k.slot === slot && k.key !== key))) return `x${slot}`;
    }
    return `CASE staged.stage ${at.map((a) => `WHEN ${sqlString(a.stage)} THEN x${a.slot}`).join(' ')} END`;
  };
  // Each stage's column rows as the JSON text extraJson writes: keys in the stage's order, those a row lacks left out.
  const json = () => {
    const cases = [...foreign.stages].filter(([, keys]) => keys.length > 0).map(([stage, keys]) => `WHEN ${sqlString(stage)} THEN nullif('{' || concat_ws(',', ${keys.map((k) => `${sqlString(`${JSON.stringify(k.key)}:`)} || to_json(x${k.slot})::VARCHAR`).join(', ')}) || '}', '{}')`);
    return cases.length === 0 ? 'extra_json' : `coalesce(extra_json, CASE staged.stage ${cases.join(' ')} END)`;
  };
  const sql = (c: string) => (c === 'extra_json' && foreign.order === null ? json() : STAGE_COLUMNS[c]);
  return OUTPUT_COLUMNS.flatMap((c) => (c !== 'extra' ? [`${sql(c)} AS ${ident(c)}`] : (foreign.order ?? []).map((k) => `${field(k)} AS ${ident(EXTRA_PREFIX + k)}`))).join(', ');
}

/** What each stage wrote to `keys/`: its keys in its order, with their slots, and one order of them all. */
async function extraKeys(db: DuckDBConnection, stageDir: string): Promise<ForeignFields> {
  if (!existsSync(join(stageDir, 'keys'))) return { order: [], stages: new Map(), width: 0 };
  const found = await rows(db, `SELECT ${STAGE_NAME} AS stage, list({'key': key, 'slot': slot} ORDER BY pos) AS keys FROM ${csvSql(join(stageDir, 'keys', '*.csv'), { pos: 'INTEGER', key: 'VARCHAR', slot: 'INTEGER' }, true)} GROUP BY ALL`);
  // Sources in their order, a file's parts in theirs: keys met first come first where orders leave a choice.
  const rank = (stage: string) => (/^s(\d+)(?:-p(\d+))?$/.exec(stage) ?? []).slice(1).map((n) => Number(n ?? -1));
  found.sort((a, b) => {
    const [x, y] = [rank(String(a.stage)), rank(String(b.stage))];
    return x[0] - y[0] || x[1] - y[1];
  });
  const stages = new Map(found.map((r) => [String(r.stage), (r.keys as { key: string; slot: number }[]).map((k) => ({ key: String(k.key), slot: Number(k.slot) }))]));
  const width = Math.max(0, ...[...stages.values()].flatMap((keys) => keys.map((k) => k.slot + 1)));
  return { order: mergeKeyOrders([...stages.values()].map((keys) => keys.map((k) => k.key))), stages, width };
}

/** A string as an SQL literal, for DuckDB: the one quoting of the command-line tools. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function rows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await db.runAndReadAll(sql);
  const names = reader.deduplicatedColumnNames();
  return reader.convertRows(JsonDuckDBValueConverter).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
}

/** An incident of a later file whose id an earlier file (or earlier in the same staging) already gave. */
export interface Duplicate {
  id: string;
  src: number;
  unit: string;
  index: number;
  firstSrc: number;
  /** The stage's month it was in. */
  month: string;
}

/** Staged CSV files (a path or a glob) as DuckDB reads them, with these columns. */
function csvSql(files: string, columns: Record<string, string>, filename = false, padded = false): string {
  const types = `{${Object.entries(columns)
    .map(([k, v]) => `${ident(k)}: ${sqlString(v)}`)
    .join(', ')}}`;
  return `read_csv(${sqlString(files)}, auto_detect = false, header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, hive_partitioning = false, filename = ${filename}, null_padding = ${padded}, parallel = ${!padded}, columns = ${types})`;
}

/** A stage's name (see Stage) from the path of one of its files. */
const STAGE_NAME = 'parse_filename(filename, true)';

/** What Stage writes to `ids/`. */
const STAGE_IDS = { id: 'VARCHAR', src: 'INTEGER', src_unit: 'VARCHAR', src_index: 'BIGINT', month: 'VARCHAR' };

/**
 * Finds the staged incidents whose id an earlier row already holds (of an earlier file, or of
 * another part of the same file: each part's importer rejected repeats within it), keeps them
 * in the table `dups` for writePartitions to leave out, and returns them.
 */
export async function findDuplicates(db: DuckDBConnection, stageDir: string): Promise<Duplicate[]> {
  const staged = `SELECT * FROM ${csvSql(join(stageDir, 'ids', '*.csv'), STAGE_IDS)}`;
  await db.run(`CREATE TEMP TABLE staged_ids AS ${staged}`);
  // A hash aggregate finds the ids that repeat; the window then says which came first.
  await db.run(`CREATE OR REPLACE TABLE dups AS SELECT id, src, src_unit, src_index, month, first_src FROM (
      SELECT *, row_number() OVER w AS n, first_value(src) OVER w AS first_src FROM staged_ids
      WHERE id IN (SELECT id FROM staged_ids GROUP BY id HAVING count(*) > 1) WINDOW w AS (PARTITION BY id ORDER BY src, src_index)) WHERE n > 1`);
  await db.run('DROP TABLE staged_ids');
  const dup = await rows(db, 'SELECT id, src, src_unit AS unit, src_index AS "index", first_src AS "firstSrc", month FROM dups ORDER BY src, src_index');
  return dup.map((d) => ({ id: String(d.id), src: Number(d.src), unit: String(d.unit), index: Number(d.index), firstSrc: Number(d.firstSrc), month: String(d.month) }));
}

/** GeoParquet 1.1 file metadata: WKB geometry, its types and bbox, and the bbox covering column. */
function geoMetadata(types: string[], bbox: number[]): string {
  return JSON.stringify({
    version: '1.1.0',
    primary_column: 'geometry',
    columns: {
      geometry: {
        encoding: 'WKB',
        geometry_types: types,
        bbox,
        covering: { bbox: { xmin: ['bbox', 'xmin'], ymin: ['bbox', 'ymin'], xmax: ['bbox', 'xmax'], ymax: ['bbox', 'ymax'] } },
      },
    },
  });
}

const BBOX_SQL = 'min(bbox.xmin) AS w, min(bbox.ymin) AS s, max(bbox.xmax) AS e, max(bbox.ymax) AS n';
const DAYS_SQL = "strftime(min(start_day), '%Y-%m-%d') AS first, strftime(max(end_day), '%Y-%m-%d') AS last";
const bboxOf = (r: Record<string, unknown>) => [r.w, r.s, r.e, r.n].map(Number) as [number, number, number, number];

/**
 * Months written at once, each on its own connection: one month's COPY (reading its staged
 * CSV, sorting, compressing) leaves part of two cores idle. Each month sorts in memory, or
 * spills, within the one memory limit of the instance.
 */
export const WRITE_LANES = 2;

/**
 * Writes one GeoParquet file per month under `dir` from the staged months (without the
 * duplicates findDuplicates kept), up to `lanes.length` months at once, and says what each
 * holds, in month order.
 */
export async function writePartitions(lanes: readonly DuckDBConnection[], dir: string, stageDir: string, staged: Map<string, MonthStats>, duplicates: readonly Duplicate[], progress: (message: string) => void): Promise<Partition[]> {
  const months = [...staged.keys()].sort();
  // Each distinct list parsed once, joined to the rows by their stage and number. Tables, not
  // temporary ones, which only their own connection sees.
  for (const kind of ['source', 'related'] as const) {
    const dir = kind === 'source' ? 'sources' : 'related';
    await lanes[0].run(`CREATE OR REPLACE TABLE ${kind}_lists (stage VARCHAR, ref BIGINT, list JSON)`);
    if (!existsSync(join(stageDir, dir))) continue;
    await lanes[0].run(`INSERT INTO ${kind}_lists SELECT ${STAGE_NAME}, ref, to_json(from_json(json, ${sqlString(JSON.stringify(LIST_SHAPES[kind]))}))
      FROM ${csvSql(join(stageDir, dir, '*.csv'), { ref: 'BIGINT', json: 'VARCHAR' }, true)}`);
  }
  const foreign = await extraKeys(lanes[0], stageDir);
  const written: (Partition | null)[] = [];
  let next = 0;
  await Promise.all(
    lanes.map(async (db) => {
      for (let k = next++; k < months.length; k = next++) {
        progress(`writing month=${months[k]}/part-0.parquet (${staged.get(months[k])!.rows.toLocaleString('en')} rows, ${k + 1} of ${months.length})`);
        written[k] = await writeMonth(db, dir, stageDir, months[k], staged.get(months[k])!, duplicates, foreign);
      }
    }),
  );
  return written.filter((p): p is Partition => p !== null);
}

/** One month's GeoParquet file; null when its duplicates were all it held. */
async function writeMonth(db: DuckDBConnection, dir: string, stageDir: string, month: string, stats: MonthStats, duplicates: readonly Duplicate[], foreign: ForeignFields): Promise<Partition | null> {
  const columns = { ...STAGE_CSV, ...Object.fromEntries(Array.from({ length: foreign.width }, (_, i) => [`x${i}`, 'VARCHAR'])) };
  // A line with fewer slot fields than the widest is padded with NULLs, which DuckDB reads in one thread.
  const source = `(SELECT * EXCLUDE (filename), ${STAGE_NAME} AS stage FROM ${csvSql(join(stageDir, `month=${month}`, '*.csv'), columns, true, stats.fields < foreign.width)} WHERE (id, src, src_index) NOT IN (SELECT (id, src, src_index) FROM dups WHERE month = ${sqlString(month)}))`;
  const joined = `${source} AS staged LEFT JOIN source_lists ON source_lists.stage = staged.stage AND source_lists.ref = staged.sources
    LEFT JOIN related_lists ON related_lists.stage = staged.stage AND related_lists.ref = staged.related`;
  let m = stats;
  let first = isoDateOfDay(m.first);
  let last = isoDateOfDay(m.last);
  if (duplicates.some((d) => d.month === month)) {
    // Without its duplicates the month may hold less: its figures come from what is left.
    const [r] = await rows(db, `SELECT count(*) AS rows, strftime(DATE '1970-01-01' + min(start_day), '%Y-%m-%d') AS first, strftime(DATE '1970-01-01' + max(end_day), '%Y-%m-%d') AS last,
      min(coalesce(xmin, lon)) AS w, min(coalesce(ymin, lat)) AS s, max(coalesce(xmax, lon)) AS e, max(coalesce(ymax, lat)) AS n, list(DISTINCT geometry_type ORDER BY geometry_type) AS types FROM ${source}`);
    if (Number(r.rows) === 0) return null;
    m = { ...m, rows: Number(r.rows), bbox: bboxOf(r), types: r.types as string[] };
    first = String(r.first);
    last = String(r.last);
  }
  const path = `month=${month}/part-0.parquet`;
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  const metadata = `{geo: ${sqlString(geoMetadata(m.types, m.bbox))}, ${BUILDER_KEY}: ${sqlString(String(MANIFEST_VERSION))}}`;
  await db.run(`COPY (SELECT ${outputSql(foreign)} FROM ${joined} ORDER BY ${WEEK_SQL}, staged.hilbert, staged.id)
    TO ${sqlString(join(dir, path))} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${ZSTD_LEVEL}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, KV_METADATA ${metadata})`);
  const [meta] = await rows(db, `SELECT count(*) AS groups FROM parquet_metadata(${sqlString(join(dir, path))}) WHERE column_id = 0`);
  return { path, rows: m.rows, rowGroups: Number(meta.groups), days: { from: first, to: last }, bbox: m.bbox, bytes: statSync(join(dir, path)).size };
}

/** The partitions written, as DuckDB reads them. */
const written = (dir: string) => `read_parquet(${sqlString(join(dir, 'month=*', '*.parquet'))}, hive_partitioning = false)`;

/** Web Mercator tile x and y of lon/lat at zoom z, in SQL, clamped to the tile grid. */
function tileSql(z: number): { x: string; y: string } {
  const n = 2 ** z;
  const lat = 'radians(least(85.05112878, greatest(-85.05112878, lat)))';
  return {
    x: `least(${n - 1}, greatest(0, floor((lon + 180) / 360 * ${n})))::INTEGER`,
    y: `least(${n - 1}, greatest(0, floor((1 - ln(tan(${lat}) + 1 / cos(${lat})) / pi()) / 2 * ${n})))::INTEGER`,
  };
}

/**
 * Incidents and the killed figure (the upper bound) per tile, first day, category and status,
 * at each zoom of OVERVIEW_ZOOMS: what a view holding too many incidents to draw draws instead.
 */
export async function writeOverviews(db: DuckDBConnection, dir: string, progress: (message: string) => void): Promise<Overview[]> {
  const out: Overview[] = [];
  for (const zoom of OVERVIEW_ZOOMS) {
    const path = `overview/zoom=${zoom}/part-0.parquet`;
    progress(`writing ${path}`);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const { x, y } = tileSql(zoom);
    await db.run(`COPY (SELECT ${x} AS x, ${y} AS y, start_day AS day, category, status, count(*)::UINTEGER AS count, sum(killed.max)::UBIGINT AS killed
      FROM ${written(dir)} GROUP BY ALL ORDER BY day, x, y, category, status)
      TO ${sqlString(join(dir, path))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${OVERVIEW_GROUP_ROWS})`);
    const [r] = await rows(db, `SELECT count(*) AS n FROM read_parquet(${sqlString(join(dir, path))})`);
    out.push({ zoom, path, rows: Number(r.n), bytes: statSync(join(dir, path)).size });
  }
  return out;
}

/** The manifest of the table as written. */
export async function describe(db: DuckDBConnection, dir: string, name: string, created: Date, sources: SourceFile[], partitions: Partition[], overviews: Overview[]): Promise<Manifest> {
  const [all] = await rows(db, `SELECT count(*) AS rows, ${DAYS_SQL}, ${BBOX_SQL} FROM ${written(dir)}`);
  const counts = async (column: string) => Object.fromEntries((await rows(db, `SELECT ${column} AS k, count(*) AS n FROM ${written(dir)} GROUP BY 1 ORDER BY 1`)).map((r) => [String(r.k), Number(r.n)]));
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name,
    created: created.toISOString(),
    sources,
    rows: Number(all.rows),
    days: { from: String(all.first), to: String(all.last) },
    bbox: bboxOf(all),
    vocabularies: { category: await counts('category'), status: await counts('status') },
    partitions,
    overviews,
  };
}
