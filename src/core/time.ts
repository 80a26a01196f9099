// Calendar arithmetic on ISO 8601 strings without the Date parser's silent roll-overs
// (Date.parse('2019-02-30') is 2 March in some engines): every component is range-checked.
// The parsers run for every imported row, so they remember recent answers (see memo.ts).

import { memo } from './memo.ts';

export const DAY_MS = 86_400_000;

/** An inclusive range of local calendar days (days since 1970-01-01). */
export interface DayRange {
  from: number;
  to: number;
}

/** A full date-time with an explicit offset (Z or ±hh:mm). */
export const isoDateTimeWithOffset =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const isoDate = /^(\d{4})-(\d{2})-(\d{2})/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Gregorian month length; arithmetic, since it runs for every imported row. */
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, by arithmetic (H. Hinnant's
 * days_from_civil): Date.UTC would read the years 0–99 as 1900–1999.
 */
function dayNumber(y: number, m: number, d: number): number {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

/**
 * The local calendar day of an ISO string, as days since 1970-01-01: the date as written,
 * in the string's own offset. 2020-01-03T00:30+03:00 is day 2020-01-03 although it is
 * still 2 January in UTC — incidents are dated where they happened, as ACLED dates events.
 */
export const dayNumberOfIso = memo((iso: string): number => {
  const m = isoDate.exec(iso);
  if (!m) return NaN;
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
});

/** Epoch milliseconds of an ISO date-time with offset, or NaN if any component is impossible. */
export const parseIsoDateTime = memo((iso: string): number => {
  const m = isoDateTimeWithOffset.exec(iso);
  if (!m) return NaN;
  const day = dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (Number.isNaN(day) || hh > 23 || mm > 59 || ss > 59) return NaN;
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const offset = m[8] === 'Z' ? 0 : offsetMinutes(m[8]);
  if (Number.isNaN(offset)) return NaN;
  return day * DAY_MS + ((hh * 60 + mm - offset) * 60 + ss) * 1000 + fraction;
});

/** '+03:30' → 210; NaN for an offset no zone uses (beyond ±14:00). */
export function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return NaN;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59 || minutes > 14 * 60) return NaN;
  return m[1] === '-' ? -minutes : minutes;
}

/** The offset part of an ISO date-time ('+03:00', 'Z'), or null. */
export function offsetOfIso(iso: string): string | null {
  return isoDateTimeWithOffset.exec(iso)?.[8] ?? null;
}

/** Days since 1970-01-01 → 'YYYY-MM-DD'. */
export const isoDateOfDay = memo((day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10));

/** 'YYYY-MM-DD' (exactly) → day number, NaN if malformed or impossible. */
export function dayOfIsoDate(text: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? dayNumberOfIso(text) : NaN;
}

/**
 * The wall-clock time where the incident happened, as if it were UTC: 19:20 at UTC+3 → 19:20Z.
 * Calendar bins computed on it agree with the local-day rule.
 */
export const localMsOfIso = memo((iso: string): number => {
  const ms = parseIsoDateTime(iso);
  const offset = offsetOfIso(iso);
  return offset === null || offset === 'Z' ? ms : ms + offsetMinutes(offset) * 60_000;
});
