// One segment of `npm run export -- --dataset`: the rows of some Parquet files that a WHERE
// keeps, in the export's order, each back through the validator and serialised. The same code
// runs in the main thread (a small export) and in export.worker.ts (a segment of a large one).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBDoubleVector, DuckDBInstance, DuckDBFloatVector, DuckDBListVector, DuckDBStructVector, DuckDBTypeId, DuckDBVarCharVector, JsonDuckDBValueConverter, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { validateFeature, type Incident } from '../core/schema.ts';
import { extraColumns, fieldColumns, parquetFeature } from '../core/dataset-rows.ts';
import { setProperty } from '../core/import/rows.ts';
import { csvRows, geojsonFeatures } from '../core/export.ts';
import { sqlString } from './dataset-writer.ts';

export class UsageError extends Error {}

/** The order of the store: by first day, start time, then as the rows were read. */
export const EXPORT_ORDER = 'ORDER BY start_day, epoch_ms(start::TIMESTAMPTZ), src, src_index';
/**
 * Columns the query filters or sorts on and parquetFeature never reads: left out of the
 * select list so the sort carries less. The query names them, so every dataset has them.
 */
const UNREAD = ['start_day', 'end_day', 'bbox', 'src', 'src_index'];

/** Serialised rows: a GeoJSON piece has no comma before its first feature; the caller joins pieces. */
export interface ExportPiece {
  text: string;
  rows: number;
}

/**
 * DuckDB's memory for one segment's query. A segment of the planned size needs tens of MB; a
 * million rows in one segment sort within it by spilling (at 128 MB DuckDB's sort gave up).
 */
const SEGMENT_MEMORY = '256MB';

type Read = (k: number) => unknown;

const NUMBER_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER]);

/**
 * Row k of a vector as the JSON value JsonDuckDBValueConverter makes of it, read straight from
 * the vector: no DuckDBValue wrappers for structs and lists, no row arrays. The types a prepared
 * dataset holds have their own readers; any other goes through the converter itself.
 */
function jsonReader(v: DuckDBVector): Read {
  if (v instanceof DuckDBVarCharVector) return (k) => v.getItem(k);
  if (v instanceof DuckDBDoubleVector || v instanceof DuckDBFloatVector) {
    return (k) => {
      const x = v.getItem(k);
      // The converter writes a non-finite number as its name, which JSON can hold.
      return x === null || Number.isFinite(x) ? x : String(x);
    };
  }
  if (NUMBER_TYPES.has(v.type.typeId)) return (k) => v.getItem(k);
  if (v instanceof DuckDBStructVector) {
    const names = v.type.entryNames;
    const entries = names.map((_, i) => jsonReader(v.entryVectorAt(i)));
    return (k) => {
      if (!v.isItemValid(k)) return null;
      const o: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) setProperty(o, names[i], entries[i](k));
      return o;
    };
  }
  if (v instanceof DuckDBListVector) {
    const item = jsonReader(v.childVector);
    return (k) => {
      if (v.getItemVector(k) === null) return null;
      const from = v.getEntryOffset(k);
      const list = new Array<unknown>(v.getEntryLength(k));
      for (let j = 0; j < list.length; j++) list[j] = item(from + j);
      return list;
    };
  }
  const type = v.type;
  return (k) => JsonDuckDBValueConverter(v.getItem(k), type, JsonDuckDBValueConverter);
}

/**
 * A DuckDB connection for exportPieces, on one thread, whose sort spills to a folder of its own
 * past a bound: a segment is one day at the least, and a day may hold millions of rows.
 */
export async function openSegmentDb(): Promise<{ db: DuckDBConnection; close: () => void }> {
  const spill = mkdtempSync(join(tmpdir(), 'atlas-export-spill-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: SEGMENT_MEMORY, temp_directory: spill });
  const db = await instance.connect();
  return {
    db,
    close: () => {
      db.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
    },
  };
}

/**
 * The export of the rows of `files` that `where` keeps, streamed from DuckDB a chunk at a time,
 * each row back through the validator.
 */
export async function* exportPieces(db: DuckDBConnection, files: readonly string[], where: string, format: 'geojson' | 'csv'): AsyncGenerator<ExportPiece> {
  if (files.length === 0) return;
  // The geometry as the file's WKB bytes (core/wkb.ts reads them), not DuckDB's GEOMETRY.
  await db.run('SET enable_geoparquet_conversion = false');
  const result = await db.stream(`SELECT * EXCLUDE (${UNREAD.join(', ')}) FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false)
    WHERE ${where} ${EXPORT_ORDER}`);
  const names = result.deduplicatedColumnNames();
  const geometry = names.indexOf('geometry');
  const headers = fieldColumns(names, true);
  const extras = extraColumns(names);
  // What parquetFeature reads of a row: the headers, and the foreign properties.
  const read = names.flatMap((c, i) => (headers.includes(c) || extras.some((x) => x.column === c) || c === 'extra' || c === 'extra_json' ? [i] : []));
  let index = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const columns = read.map((i) => ({ name: names[i], value: jsonReader(chunk.getColumnVector(i)) }));
    const wkb = geometry < 0 ? null : chunk.getColumnVector(geometry);
    const batch: Incident[] = new Array(chunk.rowCount);
    for (let k = 0; k < chunk.rowCount; k++) {
      const o: Record<string, unknown> = {};
      // "__proto__" stays a column, as Object.fromEntries would keep it.
      for (const c of columns) setProperty(o, c.name, c.value(k));
      const { incident, issues } = validateFeature(parquetFeature(o, headers, true, (wkb?.getItem(k) as { bytes?: Uint8Array } | null)?.bytes, extras), index + k);
      if (!incident) throw new UsageError(`--dataset: row ${String(o.id)} of the dataset does not validate: ${issues[0]?.reason}`);
      batch[k] = incident;
    }
    index += batch.length;
    yield { text: format === 'csv' ? csvRows(batch) : geojsonFeatures(batch, true), rows: batch.length };
  }
}
