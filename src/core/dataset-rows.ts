// A row of a prepared dataset's Parquet back into the GeoJSON feature the validator reads, the
// same for every reader: the build's own Parquet sources and `npm run export -- --dataset`
// (through DuckDB), and the app's dataset worker (through hyparquet).

import type { Geometry } from 'geojson';
import { wkbToGeometry } from './wkb.ts';

/** Columns the builder derives and writes beside the schema's fields; a source read back drops them. */
export const DERIVED_COLUMNS = ['start_day', 'end_day', 'lon', 'lat', 'bbox', 'hilbert', 'extra', 'geometry', 'src', 'src_index'];

/**
 * A Parquet row (as JSON values, by column name) as a GeoJSON feature for the validator: the
 * `headers` columns as its properties, then, in a file of ours, the foreign ones kept in `extra`.
 */
export function parquetFeature(o: Record<string, unknown>, headers: readonly string[], ours: boolean, wkb: Uint8Array | undefined) {
  const properties: Record<string, unknown> = {};
  for (const h of headers) setProperty(properties, h, o[h]);
  if (ours && typeof o.extra === 'string') {
    const extra = JSON.parse(o.extra) as Record<string, unknown>;
    // A later key wins, as in the row the build read: a foreign column named like a field replaces it.
    for (const key of Object.keys(extra)) setProperty(properties, key, extra[key]);
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

/** Plain assignment keeps the object fast; only "__proto__" would hit the prototype setter, so it is defined. */
function setProperty(properties: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(properties, key, { value, enumerable: true, writable: true, configurable: true });
  else properties[key] = value;
}
