// Seeded synthetic incidents for the benchmark: the same seed gives the same work in every run.

import { CATEGORIES } from '../core/schema.ts';
import type { IncidentColumns } from '../core/store.ts';

export const FIRST_DAY = 17_897; // 2019-01-01
export const DAYS = 365;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n incidents over Iraq, Syria and western Iran across 2019, in start order. */
export function syntheticColumns(n: number, seed: number): IncidentColumns {
  const rand = mulberry32(seed);
  const c: IncidentColumns = {
    lon: new Float64Array(n),
    lat: new Float64Array(n),
    start: new Float64Array(n),
    end: new Float64Array(n),
    startDay: new Int32Array(n),
    endDay: new Int32Array(n),
    category: new Uint8Array(n),
    status: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const day = FIRST_DAY + Math.floor((i / n) * DAYS);
    const span = rand() < 0.1 ? 1 + Math.floor(rand() * 4) : 0;
    c.lon[i] = 36 + rand() * 16;
    c.lat[i] = 29 + rand() * 9;
    c.startDay[i] = day;
    c.endDay[i] = day + span;
    c.start[i] = day * 86_400_000 + Math.floor(rand() * 86_400_000);
    c.end[i] = c.start[i] + span * 86_400_000;
    c.category[i] = Math.floor(rand() * CATEGORIES.length);
    c.status[i] = rand() < 0.1 ? 1 : 0;
  }
  return c;
}
