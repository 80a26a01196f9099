// A row of a prepared dataset's Parquet back into the GeoJSON feature the validator reads, the
// same for every reader: the build's own Parquet sources and `npm run export -- --dataset`
// (through DuckDB), and the app's dataset worker (through hyparquet).

import type { Geometry } from 'geojson';
import { wkbToGeometry } from './wkb.ts';
import { setProperty } from './import/rows.ts';

/** Columns the builder derives and writes beside the schema's fields; a source read back drops them. */
export const DERIVED_COLUMNS = ['start_day', 'end_day', 'lon', 'lat', 'bbox', 'hilbert', 'extra', 'extra_json', 'geometry', 'src', 'src_index'];

/** The name of a file of ours' column that holds one foreign key's values: the prefix, then the key. */
export const EXTRA_PREFIX = 'extra.';

/** A foreign key's column, and the key. */
export interface ExtraColumn {
  column: string;
  key: string;
}

/** The foreign keys' columns among a file of ours' columns, in their order. */
export const extraColumns = (names: readonly string[]): ExtraColumn[] => names.filter((c) => c.startsWith(EXTRA_PREFIX)).map((column) => ({ column, key: column.slice(EXTRA_PREFIX.length) }));

/** The columns whose values are a feature's fields: in a file of ours, neither the derived nor the foreign ones. */
export const fieldColumns = (names: readonly string[], ours: boolean): string[] => (ours ? names.filter((c) => !DERIVED_COLUMNS.includes(c) && !c.startsWith(EXTRA_PREFIX)) : [...names]);

/**
 * A Parquet row (as JSON values, by column name) as a GeoJSON feature for the validator: the
 * `headers` columns as its properties, then, in a file of ours, the foreign ones: a column each
 * (`extras`), or JSON text (`extra_json`; `extra` in a dataset built before the columns).
 * A 64-bit integer (hyparquet reads one as a bigint, which JSON cannot hold) becomes a number.
 */
export function parquetFeature(o: Record<string, unknown>, headers: readonly string[], ours: boolean, wkb: Uint8Array | undefined, extras: readonly ExtraColumn[] = ours ? extraColumns(Object.keys(o)) : []) {
  const properties: Record<string, unknown> = {};
  for (const h of headers) {
    const v = o[h];
    setProperty(properties, h, typeof v === 'bigint' ? Number(v) : ours && typeof v === 'string' && JSON_LISTS.has(h) ? parsedList(v) : v);
  }
  if (ours) {
    // A later key wins, as in the row the build read: a foreign column named like a field replaces it.
    const { extra, extra_json: text } = o;
    // A dataset built before the columns holds every row's foreign properties as JSON text in `extra`.
    if (typeof extra === 'string') assignJson(properties, extra);
    for (const { column, key } of extras) {
      // NULL is a key the row does not have: a row with a null value is kept as text.
      const v = o[column];
      if (v !== null && v !== undefined) setProperty(properties, key, v);
    }
    if (typeof text === 'string') assignJson(properties, text);
  }
  let geometry: Geometry | null;
  try {
    geometry = wkb ? wkbToGeometry(wkb) : null;
  } catch {
    // The validator then rejects the row for its missing geometry, with its row number.
    geometry = null;
  }
  return { type: 'Feature', id: properties.id ?? undefined, geometry, properties };
}

/** A JSON object's keys and values as properties, in its order. */
function assignJson(properties: Record<string, unknown>, text: string): void {
  const o = JSON.parse(text) as Record<string, unknown>;
  for (const key of Object.keys(o)) setProperty(properties, key, o[key]);
}

/**
 * The lists of structs that a file of ours holds as JSON text (see cli/dataset-writer.ts):
 * hyparquet parses a JSON column itself, DuckDB hands over its text.
 */
const JSON_LISTS = new Set(['sources', 'related']);

/** A list's JSON text parsed; text that is not JSON stays text, which the validator refuses with the row's number. */
function parsedList(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
