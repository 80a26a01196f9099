// Seeded synthetic incidents for the benchmark: the same seed gives the same work in every run.

import { CATEGORIES } from '../core/schema.ts';
import { allocateColumns, type IncidentColumns } from '../core/store.ts';
import { mulberry32 } from '../core/random.ts';

export const FIRST_DAY = 17_897; // 2019-01-01
export const DAYS = 365;

/** n incidents over Iraq, Syria and western Iran across 2019, in start order. */
export function syntheticColumns(n: number, seed: number): IncidentColumns {
  const rand = mulberry32(seed);
  const c: IncidentColumns = allocateColumns(n);
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
    c.killed[i] = rand() < 0.3 ? Math.floor(rand() * 5) : 0;
    c.localStart[i] = c.start[i] + 3 * 3_600_000; // Iraq, UTC+3
  }
  return c;
}
