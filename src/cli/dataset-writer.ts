// The DuckDB half of npm run build-dataset: validated incidents are staged as NDJSON, loaded
// into one table, then written as Hive-style GeoParquet (one folder per month, rows along a
// Hilbert curve) and overview aggregates. DuckDB sorts and writes out of core, so the size of
// a dataset is bounded by the disk, not by Node's heap.

import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JsonDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { FIELDS, type Incident } from '../core/schema.ts';
import { isoDateOfDay } from '../core/time.ts';
import { geometryToWkb } from '../core/wkb.ts';
import { hilbertKey } from '../core/hilbert.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type Overview, type Partition, type SourceFile } from '../core/dataset-manifest.ts';
import { BUILDER_KEY } from './dataset-sources.ts';

/**
 * Rows per row group: about 1–2 MB of Parquet for incidents with short texts, so one range
 * request fetches a group, and a city-sized view skips most groups of a month.
 */
export const ROW_GROUP_ROWS = 10_240;
/** Overview cells are the Web Mercator tiles of these zooms: world, region and city views. */
export const OVERVIEW_ZOOMS = [6, 9, 12];

/** Staged lines written per system call. */
const STAGE_BATCH = 4_096;

const FIELD_SET = new Set<string>(FIELDS);

/** Incidents to an NDJSON file DuckDB reads back with the column types of STAGE_COLUMNS. */
export class Stage {
  private readonly fd: number;
  private lines: string[] = [];
  rows = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  add(incident: Incident, source: number, unit: string, index: number): void {
    const p = incident.properties;
    const extra = Object.keys(p).filter((k) => !FIELD_SET.has(k));
    const [xmin, ymin, xmax, ymax] = incident.bbox;
    this.lines.push(
      JSON.stringify({
        id: incident.id,
        title: p.title,
        summary: p.summary,
        category: incident.category,
        status: incident.status,
        start: p.start,
        end: p.end,
        start_day: isoDateOfDay(incident.startDay),
        end_day: isoDateOfDay(incident.endDay),
        time_precision: p.time_precision,
        place: p.place,
        geo_precision: p.geo_precision,
        uncertainty_m: p.uncertainty_m,
        killed: p.killed,
        wounded: p.wounded,
        actors: p.actors,
        sources: p.sources,
        related: p.related,
        extra: extra.length > 0 ? JSON.stringify(Object.fromEntries(extra.map((k) => [k, p[k]]))) : null,
        lon: incident.lon,
        lat: incident.lat,
        bbox: { xmin, ymin, xmax, ymax },
        geometry: Buffer.from(geometryToWkb(incident.geometry)).toString('hex'),
        geometry_type: incident.geometry.type,
        hilbert: hilbertKey(incident.lon, incident.lat),
        src: source,
        src_unit: unit,
        src_index: index,
      }),
    );
    this.rows++;
    if (this.lines.length >= STAGE_BATCH) this.flush();
  }

  flush(): void {
    if (this.lines.length > 0) writeSync(this.fd, this.lines.join('\n') + '\n');
    this.lines = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

const RANGE = 'STRUCT("min" INTEGER, "max" INTEGER)';
const STAGE_COLUMNS: Record<string, string> = {
  id: 'VARCHAR',
  title: 'VARCHAR',
  summary: 'VARCHAR',
  category: 'VARCHAR',
  status: 'VARCHAR',
  start: 'VARCHAR',
  end: 'VARCHAR',
  start_day: 'DATE',
  end_day: 'DATE',
  time_precision: 'VARCHAR',
  place: 'VARCHAR',
  geo_precision: 'VARCHAR',
  uncertainty_m: 'DOUBLE',
  killed: RANGE,
  wounded: RANGE,
  actors: 'VARCHAR[]',
  sources: 'STRUCT(title VARCHAR, publisher VARCHAR, url VARCHAR, published VARCHAR)[]',
  related: 'STRUCT("type" VARCHAR, id VARCHAR)[]',
  extra: 'VARCHAR',
  lon: 'DOUBLE',
  lat: 'DOUBLE',
  bbox: 'STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)',
  geometry: 'VARCHAR',
  geometry_type: 'VARCHAR',
  hilbert: 'UBIGINT',
  src: 'INTEGER',
  src_unit: 'VARCHAR',
  src_index: 'BIGINT',
};

/** The columns of the GeoParquet files, in their order: the schema's fields, then what readers index. */
const OUTPUT_COLUMNS = Object.keys(STAGE_COLUMNS).filter((c) => !['geometry_type', 'src', 'src_unit', 'src_index'].includes(c));

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
}

/**
 * Loads the staged incidents into the table `incidents`, dropping those whose id an earlier
 * file already holds (each file's importer rejected repeats within it), and returns them.
 */
export async function loadStage(db: DuckDBConnection, stage: Stage): Promise<Duplicate[]> {
  const columns = `{${Object.entries(STAGE_COLUMNS)
    .map(([k, v]) => `${ident(k)}: ${sqlString(v)}`)
    .join(', ')}}`;
  await db.run(`CREATE TABLE incidents AS SELECT * REPLACE (from_hex(geometry) AS geometry), strftime(start_day, '%Y-%m') AS month
    FROM read_json(${sqlString(stage.path)}, format = 'newline_delimited', columns = ${columns}, maximum_object_size = 67108864)`);
  const dup = await rows(db, `SELECT id, src, src_unit AS unit, src_index AS "index", first_src AS "firstSrc" FROM (
      SELECT id, src, src_unit, src_index, row_number() OVER w AS n, first_value(src) OVER w AS first_src FROM incidents
      WINDOW w AS (PARTITION BY id ORDER BY src, src_index)) WHERE n > 1 ORDER BY src, src_index`);
  if (dup.length > 0) {
    await db.run(`DELETE FROM incidents WHERE (id, src, src_index) IN (SELECT (id, src, src_index) FROM (
      SELECT id, src, src_index, row_number() OVER (PARTITION BY id ORDER BY src, src_index) AS n FROM incidents) WHERE n > 1)`);
  }
  return dup.map((d) => ({ id: String(d.id), src: Number(d.src), unit: String(d.unit), index: Number(d.index), firstSrc: Number(d.firstSrc) }));
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

/** Writes one GeoParquet file per month under `dir`, and says what each holds. */
export async function writePartitions(db: DuckDBConnection, dir: string, progress: (message: string) => void): Promise<Partition[]> {
  const months = await rows(db, `SELECT month, count(*) AS rows, ${DAYS_SQL}, ${BBOX_SQL}, list(DISTINCT geometry_type ORDER BY geometry_type) AS types FROM incidents GROUP BY month ORDER BY month`);
  const partitions: Partition[] = [];
  for (const [k, m] of months.entries()) {
    const path = `month=${String(m.month)}/part-0.parquet`;
    progress(`writing ${path} (${Number(m.rows).toLocaleString('en')} rows, ${k + 1} of ${months.length})`);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const bbox = bboxOf(m);
    const metadata = `{geo: ${sqlString(geoMetadata(m.types as string[], bbox))}, ${BUILDER_KEY}: ${sqlString(String(MANIFEST_VERSION))}}`;
    await db.run(`COPY (SELECT ${OUTPUT_COLUMNS.map(ident).join(', ')} FROM incidents WHERE month = ${sqlString(String(m.month))} ORDER BY hilbert, id)
      TO ${sqlString(join(dir, path))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, KV_METADATA ${metadata})`);
    const [meta] = await rows(db, `SELECT count(*) AS groups FROM parquet_metadata(${sqlString(join(dir, path))}) WHERE column_id = 0`);
    partitions.push({ path, rows: Number(m.rows), rowGroups: Number(meta.groups), days: { from: String(m.first), to: String(m.last) }, bbox, bytes: statSync(join(dir, path)).size });
  }
  return partitions;
}

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
      FROM incidents GROUP BY ALL ORDER BY day, x, y, category, status)
      TO ${sqlString(join(dir, path))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS * 4})`);
    const [r] = await rows(db, `SELECT count(*) AS n FROM read_parquet(${sqlString(join(dir, path))})`);
    out.push({ zoom, path, rows: Number(r.n), bytes: statSync(join(dir, path)).size });
  }
  return out;
}

/** The manifest of the table as written. */
export async function describe(db: DuckDBConnection, name: string, created: Date, sources: SourceFile[], partitions: Partition[], overviews: Overview[]): Promise<Manifest> {
  const [all] = await rows(db, `SELECT count(*) AS rows, ${DAYS_SQL}, ${BBOX_SQL} FROM incidents`);
  const counts = async (column: string) => Object.fromEntries((await rows(db, `SELECT ${column} AS k, count(*) AS n FROM incidents GROUP BY 1 ORDER BY 1`)).map((r) => [String(r.k), Number(r.n)]));
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
