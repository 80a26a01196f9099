// Reads a prepared dataset (npm run build-dataset) a piece at a time: the manifest, then the
// footers of the partitions a view and date window touch, then only the row groups whose
// statistics may match — by the skipping rule of dataset-manifest.ts. Rows become incidents
// through the importer's own validator and AcceptedRows, so what reaches the page is what an
// import of the same features would give. Bytes come from a DatasetFiles: a server (range
// requests) in the browser, a folder the user picked, or the disk in a Node test.

import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type Compressors, type FileMetaData, type ParquetParsers } from 'hyparquet';
import { decompress as zstd } from 'fzstd';
import { partitionStats, pieceInside, pieceMayMatch, validateManifest, type Manifest, type PieceStats } from './dataset-manifest.ts';
import { validateAll, type ImportOptions, type ImportResult, type SeenIds } from './import/index.ts';
import { AcceptedRows } from './import/accepted.ts';
import { DERIVED_COLUMNS, extraColumns, fieldColumns, parquetFeature, type ExtraColumn } from './dataset-rows.ts';
import { sha256Hex } from './digest.ts';
import type { DayRange } from './time.ts';
import { bboxIntersectsView, type View } from './geometry.ts';
import { CATEGORIES, STATUSES, type Incident } from './schema.ts';
import type { RowBatch } from './table.ts';
import type { IncidentStore } from './store.ts';
import type { Coverage } from './dataset-cache.ts';
import { CellSums, DayRows, type OverviewCells, type OverviewDays } from './overview.ts';

/** A problem with the dataset's files (missing, malformed, truncated, no range requests): said as the alert says it. */
export class DatasetError extends Error {}

/** Where a dataset's bytes come from; paths are relative to the folder of manifest.json. */
export interface DatasetFiles {
  /** What provenance calls the dataset's place: the manifest's URL, or the folder's name. */
  readonly label: string;
  /** A whole small file (manifest.json). */
  whole(path: string): Promise<ArrayBuffer>;
  /** A file of `bytes` bytes (as the manifest says), read by ranges. */
  ranged(path: string, bytes: number): AsyncBuffer;
}

/**
 * DuckDB writes zstd pages; hyparquet decodes snappy itself and takes other codecs as functions.
 * fzstd is given no output buffer: it compares a given one with a number (`w == 1`), which
 * turns the whole buffer into a string for every page. Without one it allocates the frame's
 * content size, and hyparquet checks the length against the page header.
 */
const COMPRESSORS: Compressors = { ZSTD: (input) => zstd(input) };

/**
 * DATE as its day number, as the filter counts days; geometry as its WKB bytes, which
 * parquetFeature reads as every reader of a dataset does.
 */
const PARSERS: Partial<ParquetParsers> = {
  dateFromDays: (days: number) => days,
  geometryFromBytes: (bytes: Uint8Array) => bytes,
};

/** The footer is read with one request of this many bytes from the end, when it fits. */
const FOOTER_BYTES = 64 * 1024;
/** Rows validated between two calls of read()'s `stop`: a newer request then waits for a slice of a group, not the whole. */
const SLICE_ROWS = 2_048;

/** A row group of a partition, with what its statistics say. */
export interface RowGroupRef extends PieceStats {
  /** 'partition:group', stable for the dataset: the page's cache key. */
  id: string;
  partition: number;
  group: number;
  rows: number;
  /** First row of the group in its file. */
  rowStart: number;
  /** Smallest and largest start day of its incidents (an export orders rows by them); its `days` without statistics. */
  starts: DayRange;
}

/** The rows of one row group, as an import would hand them over: encoded rows and their store. */
export interface GroupRows {
  id: string;
  batches: RowBatch[];
  store: IncidentStore;
  /** Rows the validator refused (a file changed by hand, or written by another tool). */
  rejected: number;
}

const asNumber = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN);

/** Min (or max) statistic of the column at this path in a row group, or NaN when absent. */
function statistic(metadata: FileMetaData, group: number, path: string, which: 'min' | 'max'): number {
  const column = metadata.row_groups[group].columns.find((c) => c.meta_data?.path_in_schema.join('.') === path);
  const s = column?.meta_data?.statistics;
  return asNumber(which === 'min' ? (s?.min_value ?? s?.min) : (s?.max_value ?? s?.max));
}

/**
 * What a row group's statistics say of its incidents, or, without statistics, the partition's
 * own days and bbox: never narrower than the truth, so a group is skipped only when no row of
 * it can match.
 */
export function rowGroupStats(metadata: FileMetaData, group: number, fallback: PieceStats): PieceStats {
  const days = { from: statistic(metadata, group, 'start_day', 'min'), to: statistic(metadata, group, 'end_day', 'max') };
  const bbox = [statistic(metadata, group, 'bbox.xmin', 'min'), statistic(metadata, group, 'bbox.ymin', 'min'), statistic(metadata, group, 'bbox.xmax', 'max'), statistic(metadata, group, 'bbox.ymax', 'max')] as const;
  return {
    days: Number.isFinite(days.from) && Number.isFinite(days.to) ? days : fallback.days,
    bbox: bbox.every(Number.isFinite) ? [bbox[0], bbox[1], bbox[2], bbox[3]] : fallback.bbox,
  };
}

/** A Parquet row of a prepared dataset back into the GeoJSON feature it was built from, as the command line reads it (core/dataset-rows.ts). */
export function rowToFeature(row: Record<string, unknown>, headers: readonly string[] = fieldColumns(Object.keys(row), true), extras: readonly ExtraColumn[] = extraColumns(Object.keys(row))): ReturnType<typeof parquetFeature> {
  return parquetFeature(row, headers, true, row.geometry instanceof Uint8Array ? row.geometry : undefined, extras);
}

/**
 * Whether a partition holds points only, as its GeoParquet metadata says (the builder writes
 * the geometry types it staged), and has the lon and lat columns, which are then the extent.
 */
export function pointsOnly(metadata: FileMetaData): boolean {
  const geo = metadata.key_value_metadata?.find((kv) => kv.key === 'geo')?.value;
  const names = new Set(metadata.schema.map((e) => e.name));
  if (!geo || !names.has('lon') || !names.has('lat')) return false;
  try {
    const types = (JSON.parse(geo) as { columns?: { geometry?: { geometry_types?: unknown } } }).columns?.geometry?.geometry_types;
    return Array.isArray(types) && types.length === 1 && types[0] === 'Point';
  } catch {
    return false;
  }
}

/**
 * Index of a category and of a status in their vocabularies. Maps, not schema.ts's records: a
 * hostile value such as "constructor" must find nothing.
 */
const CATEGORY_OF = new Map<unknown, number>(CATEGORIES.map((c, k) => [c, k]));
const STATUS_OF = new Map<unknown, number>(STATUSES.map((s, k) => [s, k]));

/** Derived columns that a feature is made of; the others (days, bbox, curve, source) only serve pruning and the build. */
const FEATURE_DERIVED = ['extra', 'extra_json', 'geometry'];

/**
 * The top-level columns rowToFeature reads: the schema's fields (whatever a file holds, so a
 * foreign column still reaches the validator), `extra` and `geometry`. The derived columns
 * are not fetched nor decoded.
 */
export function featureColumns(metadata: FileMetaData): string[] {
  const out: string[] = [];
  const root = metadata.schema[0];
  for (let i = 1, child = 0; child < (root.num_children ?? 0); child++) {
    const name = metadata.schema[i].name;
    if (!DERIVED_COLUMNS.includes(name) || FEATURE_DERIVED.includes(name)) out.push(name);
    i = nextSibling(metadata, i);
  }
  return out;
}

/** The schema element after element i and all its descendants. */
function nextSibling(metadata: FileMetaData, i: number): number {
  let pending = 1;
  while (pending > 0) pending += (metadata.schema[i++].num_children ?? 0) - 1;
  return i;
}

export class DatasetReader {
  private readonly footers = new Map<number, Promise<FileMetaData>>();
  private readonly overviewFooters = new Map<number, Promise<FileMetaData>>();

  private constructor(
    readonly files: DatasetFiles,
    readonly manifest: Manifest,
    /** SHA-256 of manifest.json's bytes: provenance names the dataset by it. */
    readonly sha256: string,
  ) {}

  /** Reads and validates manifest.json; a DatasetError says what is wrong with it. */
  static async open(files: DatasetFiles): Promise<DatasetReader> {
    const bytes = await files.whole('manifest.json');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new DatasetError(`${files.label}: manifest.json is not valid JSON. Is this a prepared dataset (npm run build-dataset)?`);
    }
    const check = validateManifest(json);
    if (check.error !== undefined) throw new DatasetError(`${files.label}: ${check.error}`);
    return new DatasetReader(files, check.manifest, await sha256Hex(bytes));
  }

  /** A partition's footer, read once. */
  footer(partition: number): Promise<FileMetaData> {
    let footer = this.footers.get(partition);
    if (!footer) {
      const p = this.manifest.partitions[partition];
      footer = parquetMetadataAsync(this.files.ranged(p.path, p.bytes), { parsers: PARSERS, initialFetchSize: Math.min(FOOTER_BYTES, p.bytes) }).then(
        (metadata) => {
          const rows = metadata.row_groups.reduce((n, g) => n + Number(g.num_rows), 0);
          if (rows !== p.rows) throw new DatasetError(`${this.files.label}: ${p.path} holds ${rows} rows, not the ${p.rows} of manifest.json: the folder was changed after it was built.`);
          return metadata;
        },
        (e: unknown) => {
          throw e instanceof DatasetError ? e : new DatasetError(`${this.files.label}: ${p.path} is not a readable Parquet file (${(e as Error).message}); it may be truncated.`);
        },
      );
      // A failed read is not kept: the next request tries again.
      footer.catch(() => this.footers.delete(partition));
      this.footers.set(partition, footer);
    }
    return footer;
  }

  /** The row groups that may hold an incident of these days and view: partitions by the manifest, then groups by their statistics. */
  async rowGroups(days: DayRange, view: View): Promise<RowGroupRef[]> {
    const partitions = this.manifest.partitions.map((p, i) => ({ i, stats: partitionStats(p) })).filter(({ stats }) => pieceMayMatch(stats, days, view));
    const footers = await Promise.all(partitions.map(({ i }) => this.footer(i)));
    const out: RowGroupRef[] = [];
    partitions.forEach(({ i, stats }, k) => {
      let rowStart = 0;
      footers[k].row_groups.forEach((g, group) => {
        const rows = Number(g.num_rows);
        const s = rowGroupStats(footers[k], group, stats);
        if (rows > 0 && pieceMayMatch(s, days, view)) {
          const starts = { from: statistic(footers[k], group, 'start_day', 'min'), to: statistic(footers[k], group, 'start_day', 'max') };
          out.push({ id: `${i}:${group}`, partition: i, group, rows, rowStart, ...s, starts: Number.isFinite(starts.from) && Number.isFinite(starts.to) ? starts : s.days });
        }
        rowStart += rows;
      });
    });
    return out;
  }

  /**
   * The rows of a row group, validated as an import validates features. With `days` and
   * `view`, only those of its rows they may show (the test count() applies): a part of the
   * group, read when an answer cannot wait for the whole. `stop` is awaited between slices of
   * SLICE_ROWS rows: when it says true, the read ends, and gives null.
   */
  read(ref: RowGroupRef, part?: Coverage): Promise<GroupRows>;
  read(ref: RowGroupRef, part: Coverage | undefined, stop: () => Promise<boolean>): Promise<GroupRows | null>;
  async read(ref: RowGroupRef, part?: Coverage, stop?: () => Promise<boolean>): Promise<GroupRows | null> {
    const batches: RowBatch[] = [];
    const accepted = new AcceptedRows((batch) => batches.push(batch));
    const result = await this.validated(ref, accepted.options, part, stop);
    if (!result) return null;
    accepted.flush();
    return { id: ref.id, batches, store: accepted.builder.build(), rejected: result.issues.length };
  }

  /** The incidents of a row group, validated as read() validates them: for an export, which writes them at once. */
  async incidents(ref: RowGroupRef): Promise<Incident[]> {
    return (await this.validated(ref, {})).incidents;
  }

  private async validated(ref: RowGroupRef, options: ImportOptions, part?: Coverage): Promise<ImportResult>;
  private async validated(ref: RowGroupRef, options: ImportOptions, part?: Coverage, stop?: () => Promise<boolean>): Promise<ImportResult | null>;
  private async validated(ref: RowGroupRef, options: ImportOptions, part?: Coverage, stop?: () => Promise<boolean>): Promise<ImportResult | null> {
    const metadata = await this.footer(ref.partition);
    const columns = featureColumns(metadata);
    const headers = fieldColumns(columns, true);
    const extras = extraColumns(columns);
    const result: ImportResult = { format: 'geojson', incidents: [], issues: [], total: 0, notes: [] };
    const seen: SeenIds = new Map();
    if (part && !pieceInside(ref, part.days, part.view)) {
      const offsets: number[] = [];
      await this.eachShown(ref, metadata, part.days, part.view, [], (_row, k) => offsets.push(k));
      if (offsets.length === 0) return result;
      // Only the rows from the first shown to the last are assembled; each is numbered as the file's row.
      const first = offsets[0];
      const span = { ...ref, rowStart: ref.rowStart + first, rows: offsets[offsets.length - 1] + 1 - first };
      const rows = await this.groupRows<Record<string, unknown>>(span, metadata, columns, 'object');
      for (const k of offsets) validateAll([rowToFeature(rows[k - first], headers, extras)], 'feature', ref.rowStart + k + 1, result, seen, options);
      return result;
    }
    const rows = await this.groupRows<Record<string, unknown>>(ref, metadata, columns, 'object');
    for (let start = 0; start < rows.length; start += SLICE_ROWS) {
      if (start > 0 && stop && (await stop())) return null;
      // Numbered as the file's rows from 1, as build-dataset numbers a Parquet source's rows.
      validateAll(rows.slice(start, start + SLICE_ROWS).map((row) => rowToFeature(row, headers, extras)), 'feature', ref.rowStart + start + 1, result, seen, options);
    }
    return result;
  }

  /**
   * How many of a row group's incidents these days and view show, per category and status
   * (index category · STATUSES.length + status), by the rule of core/filter.ts on the days and
   * bbox columns: the count of a view too large to load, read without its rows. A group whose
   * statistics lie inside the days and view reads only its category and status columns.
   */
  async count(ref: RowGroupRef, days: DayRange, view: View): Promise<Uint32Array> {
    const metadata = await this.footer(ref.partition);
    const counts = new Uint32Array(CATEGORIES.length * STATUSES.length);
    const add = (row: unknown[]) => {
      const c = CATEGORY_OF.get(row[0]);
      const s = STATUS_OF.get(row[1]);
      // A value outside the vocabularies is a row the validator refuses: the page would not show it.
      if (c !== undefined && s !== undefined) counts[c * STATUSES.length + s]++;
    };
    const columns = ['category', 'status'];
    if (pieceInside(ref, days, view)) for (const row of await this.groupRows<unknown[]>(ref, metadata, columns, 'array')) add(row);
    else await this.eachShown(ref, metadata, days, view, columns, add);
    return counts;
  }

  /**
   * The group's rows that these days and view may show, by the rule of core/filter.ts on the
   * days and extent columns, each with the `columns` asked (in their order) and its offset in
   * the group.
   */
  private async eachShown(ref: RowGroupRef, metadata: FileMetaData, days: DayRange, view: View, columns: string[], each: (row: unknown[], offset: number) => void): Promise<void> {
    // A point's extent is its point: a file of points only is tested on lon and lat, two
    // columns where the bbox is four, and no struct to assemble.
    const points = pointsOnly(metadata);
    const n = columns.length;
    const rows = await this.groupRows<unknown[]>(ref, metadata, [...columns, 'start_day', 'end_day', ...(points ? ['lon', 'lat'] : ['bbox'])], 'array');
    const bbox: [number, number, number, number] = [0, 0, 0, 0];
    rows.forEach((row, k) => {
      if (!(asNumber(row[n + 1]) >= days.from && asNumber(row[n]) <= days.to)) return;
      if (points) {
        bbox[0] = bbox[2] = asNumber(row[n + 2]);
        bbox[1] = bbox[3] = asNumber(row[n + 3]);
      } else {
        const b = row[n + 2] as { xmin: unknown; ymin: unknown; xmax: unknown; ymax: unknown } | null;
        if (!b) return;
        bbox[0] = asNumber(b.xmin);
        bbox[1] = asNumber(b.ymin);
        bbox[2] = asNumber(b.xmax);
        bbox[3] = asNumber(b.ymax);
      }
      if (bboxIntersectsView(bbox, view)) each(row, k);
    });
  }

  /** Some columns of a row group's rows, as objects or as arrays in the columns' order; a DatasetError names the group. */
  private groupRows<R>(ref: RowGroupRef, metadata: FileMetaData, columns: string[], rowFormat: 'object' | 'array'): Promise<R[]> {
    const p = this.manifest.partitions[ref.partition];
    return new Promise<R[]>((resolve, reject) => {
      const options = { file: this.files.ranged(p.path, p.bytes), metadata, columns, rowStart: ref.rowStart, rowEnd: ref.rowStart + ref.rows, compressors: COMPRESSORS, parsers: PARSERS };
      const read = rowFormat === 'object' ? parquetRead({ ...options, rowFormat, onComplete: (rows) => resolve(rows as R[]) }) : parquetRead({ ...options, onComplete: (rows) => resolve(rows as R[]) });
      read.catch((e: unknown) => reject(e instanceof DatasetError ? e : new DatasetError(`${this.files.label}: ${p.path}, row group ${ref.group}: ${(e as Error).message}`)));
    });
  }

  /**
   * The overview cells of this zoom in these days, summed over the days: only the row groups
   * whose `day` statistics overlap them are read (rows run by day).
   */
  async overview(zoom: number, days: DayRange): Promise<OverviewCells> {
    const sums = new CellSums(zoom);
    await this.overviewRows(zoom, days, ['x', 'y', 'day', 'category', 'status', 'count'], ([x, y, day, category, status, count]) => {
      const d = asNumber(day);
      if (d >= days.from && d <= days.to) sums.add(asNumber(x), asNumber(y), String(category), String(status), asNumber(count));
    });
    return sums.cells();
  }

  /** Every row of the overview of this zoom, day by day, with `killed`: the histogram of the whole span. */
  async overviewDays(zoom: number): Promise<OverviewDays> {
    const rows = new DayRows(zoom);
    await this.overviewRows(zoom, null, ['x', 'y', 'day', 'category', 'status', 'count', 'killed'], ([x, y, day, category, status, count, killed]) =>
      rows.add(asNumber(x), asNumber(y), asNumber(day), String(category), String(status), asNumber(count), asNumber(killed)),
    );
    return rows.rows();
  }

  /** Reads the columns of the overview of this zoom, in the row groups that may hold these days (all, for null). */
  private async overviewRows(zoom: number, days: DayRange | null, columns: string[], each: (row: unknown[]) => void): Promise<void> {
    const k = this.manifest.overviews.findIndex((o) => o.zoom === zoom);
    if (k < 0) throw new DatasetError(`${this.files.label}: manifest.json lists no overview at zoom ${zoom}`);
    const o = this.manifest.overviews[k];
    const file = this.files.ranged(o.path, o.bytes);
    let footer = this.overviewFooters.get(k);
    if (!footer) {
      footer = parquetMetadataAsync(file, { parsers: PARSERS, initialFetchSize: Math.min(FOOTER_BYTES, o.bytes) }).catch((e: unknown) => {
        this.overviewFooters.delete(k);
        throw e instanceof DatasetError ? e : new DatasetError(`${this.files.label}: ${o.path} is not a readable Parquet file (${(e as Error).message}); it may be truncated.`);
      });
      this.overviewFooters.set(k, footer);
    }
    const metadata = await footer;
    let rowStart = 0;
    for (const [group, g] of metadata.row_groups.entries()) {
      const rows = Number(g.num_rows);
      const from = statistic(metadata, group, 'day', 'min');
      const to = statistic(metadata, group, 'day', 'max');
      // Without statistics a group is read: skipping it could hide incidents.
      if (rows > 0 && (days === null || !(to < days.from || from > days.to))) {
        const data = await new Promise<unknown[][]>((resolve, reject) => {
          parquetRead({ file, metadata, rowStart, rowEnd: rowStart + rows, columns, compressors: COMPRESSORS, parsers: PARSERS, onComplete: resolve }).catch((e: unknown) =>
            reject(new DatasetError(`${this.files.label}: ${o.path}, row group ${group}: ${(e as Error).message}`)),
          );
        });
        for (const row of data) each(row);
      }
      rowStart += rows;
    }
  }
}
