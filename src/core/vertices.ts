// The GPU points layer's vertex arrays, from the store's columns (in store order). Pure, so the
// import worker builds them with the store and the page only uploads them.

import type { IncidentColumns } from './store.ts';

export interface PointVertices {
  /** [x, y] in Web Mercator 0..1 per point, interleaved. */
  position: Float32Array;
  /** [local start day, local end day] per point, interleaved. */
  days: Float32Array;
  /** category | status << 4 per point. */
  kind: Uint8Array;
}

/** [x, y] in Web Mercator 0..1 as float32, interleaved; latitudes beyond ±85.05° are clamped. */
export function mercatorPositions(lon: Float64Array, lat: Float64Array): Float32Array {
  const out = new Float32Array(lon.length * 2);
  for (let i = 0; i < lon.length; i++) {
    const phi = (Math.max(-85.051129, Math.min(85.051129, lat[i])) * Math.PI) / 180;
    out[2 * i] = (lon[i] + 180) / 360;
    out[2 * i + 1] = 0.5 - Math.log((1 + Math.sin(phi)) / (1 - Math.sin(phi))) / (4 * Math.PI);
  }
  return out;
}

export function pointVertices(c: IncidentColumns): PointVertices {
  const n = c.lon.length;
  const days = new Float32Array(n * 2);
  const kind = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    days[2 * i] = c.startDay[i];
    days[2 * i + 1] = c.endDay[i];
    kind[i] = c.category[i] | (c.status[i] << 4);
  }
  return { position: mercatorPositions(c.lon, c.lat), days, kind };
}
