// Text for people: ranges, local and UTC times. Pure, so the list, panel and tests agree.

import type { Range } from './schema.ts';
import { offsetOfIso } from './time.ts';

export function formatRange(r: Range): string {
  return r.min === r.max ? String(r.min) : `${r.min}–${r.max}`;
}

/** '2019-12-27T19:20:00+03:00' → '2019-12-27 19:20 (UTC+03:00)': the time as it was where it happened. */
export function formatLocal(iso: string): string {
  const offset = offsetOfIso(iso);
  const zone = offset === null || offset === 'Z' ? 'UTC' : `UTC${offset}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} (${zone})`;
}

export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Whole-day precision shows no clock time: '2019-12-29'. */
export function formatWhen(iso: string, precision: 'minute' | 'hour' | 'day'): string {
  if (precision === 'day') return iso.slice(0, 10);
  const local = formatLocal(iso);
  return precision === 'hour' ? local.replace(/(\d{2}):\d{2} /, '$1:00 ') : local;
}

/** A count of incidents as the page says it: "about" when it is the overview's estimate. */
export function formatIncidents(n: number, exact = true): string {
  return `${exact ? '' : 'about '}${n.toLocaleString('en')} incident${exact && n === 1 ? '' : 's'}`;
}
