// Dates as files write them, turned into the schema's ISO 8601 with offset. Never a silent
// shift: an impossible date is an error, not the next valid day.
//
// The rule for a date-time without an offset: it is taken as UTC (+00:00) — the only reading
// that does not depend on the importing machine's zone — and the import report says so once.

import { dayNumberOfIso, isoDateOfDay, isoDateTimeWithOffset, parseIsoDateTime } from '../time.ts';
import type { TimePrecision } from '../schema.ts';
import { memo } from '../memo.ts';

export interface ParsedDate {
  start: string;
  end: string;
  precision: TimePrecision;
  /** True when no offset was given and UTC was assumed. */
  assumedUtc: boolean;
}

export type DateResult = ParsedDate | { error: string };

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function wholeDay(day: number, offset: string): ParsedDate {
  const date = isoDateOfDay(day);
  // A calendar date needs no zone: under the local-day rule it is that day wherever it was.
  return { start: `${date}T00:00:00${offset}`, end: `${date}T23:59:59${offset}`, precision: 'day', assumedUtc: false };
}

function dayOf(y: number, m: number, d: number): number {
  return dayNumberOfIso(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

/**
 * The epoch milliseconds an ISO 8601 date-time can be written for: years 0000 to 9999. A Date
 * reaches ±8.64e15 ms (year 275760), but its ISO string then has a six-digit year, which the
 * schema (and most readers) refuse: such a number is refused here, by name.
 */
/** 0000-01-01T00:00:00Z (Date.UTC reads years 0–99 as 1900–1999, so the number itself). */
const MIN_EPOCH_MS = -62_167_219_200_000;
const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function fromEpoch(number: string, ms: number, unit: 'seconds' | 'milliseconds'): DateResult {
  if (!Number.isFinite(ms) || ms < MIN_EPOCH_MS || ms > MAX_EPOCH_MS) {
    return { error: `epoch time ${number.slice(0, 40)} is out of range: read as ${unit} since 1970, it falls outside the years 0000–9999` };
  }
  const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
  return { start: iso, end: iso, precision: 'minute', assumedUtc: false };
}

/** Epoch seconds and milliseconds are told apart by magnitude: below 10^11 is seconds (until year 5138). */
export const EPOCH_SECONDS_LIMIT = 1e11;

function epoch(text: string, n: number): DateResult {
  return Math.abs(n) < EPOCH_SECONDS_LIMIT ? fromEpoch(text, n * 1000, 'seconds') : fromEpoch(text, n, 'milliseconds');
}

export function parseDate(raw: unknown): DateResult {
  if (typeof raw === 'number') return epoch(String(raw), raw);
  if (typeof raw !== 'string' || raw.trim() === '') return { error: 'missing date' };
  return parseDateText(raw.trim());
}

/** Frozen, since one answer is shared by every row with the same date text. */
const parseDateText = memo((text: string): DateResult => Object.freeze(parseText(text)));

function parseText(text: string): DateResult {

  if (/^-?\d+(\.\d+)?$/.test(text) && !/^\d{4}$/.test(text) && !/^\d{8}$/.test(text)) {
    return epoch(text, Number(text));
  }

  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) {
    const day = dayOf(+m[1], +m[2], +m[3]);
    return Number.isNaN(day) ? { error: `impossible date ${text}` } : wholeDay(day, 'Z');
  }

  if (isoDateTimeWithOffset.test(text)) {
    return Number.isNaN(parseIsoDateTime(text)) ? { error: `impossible date or time ${text}` } : { start: text, end: text, precision: 'minute', assumedUtc: false };
  }
  m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(text);
  if (m) {
    const iso = `${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${m[5] ?? ''}Z`;
    return Number.isNaN(parseIsoDateTime(iso)) ? { error: `impossible date or time ${text}` } : { start: iso, end: iso, precision: 'minute', assumedUtc: true };
  }

  // ACLED's '31 December 2019' (and '31 Dec 2019').
  m = /^(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})$/.exec(text);
  if (m) {
    const name = m[2].toLowerCase();
    const month = MONTHS.findIndex((full) => full === name || (name.length >= 3 && full.startsWith(name)));
    if (month < 0) return { error: `unknown month "${m[2]}"` };
    const day = dayOf(+m[3], month + 1, +m[1]);
    return Number.isNaN(day) ? { error: `impossible date ${text}` } : wholeDay(day, 'Z');
  }
  return { error: `unrecognised date "${text.slice(0, 40)}" (use ISO 8601, e.g. 2019-12-31 or 2019-12-31T19:20:00+03:00)` };
}

