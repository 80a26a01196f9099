import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayNumberOfIso, dayOfIsoDate, isoDateOfDay, parseIsoDateTime, offsetMinutes } from '../../../src/core/time.ts';

describe('time', () => {
  it('dates an incident by the calendar day written in its own offset, not UTC', () => {
    // 00:30 in Baghdad on 3 Jan is still 2 Jan in UTC.
    expect(isoDateOfDay(dayNumberOfIso('2020-01-03T00:30:00+03:00'))).toBe('2020-01-03');
    expect(new Date(parseIsoDateTime('2020-01-03T00:30:00+03:00')).toISOString()).toBe('2020-01-02T21:30:00.000Z');
  });

  it('parses half-hour offsets (Iran, UTC+03:30)', () => {
    expect(new Date(parseIsoDateTime('2020-01-08T06:14:00+03:30')).toISOString()).toBe('2020-01-08T02:44:00.000Z');
  });

  it('parses Z, seconds and fractions', () => {
    expect(parseIsoDateTime('2020-01-01T00:00:00.5Z')).toBe(Date.UTC(2020, 0, 1) + 500);
    expect(parseIsoDateTime('2020-01-01T00:00Z')).toBe(Date.UTC(2020, 0, 1));
  });

  it.each(['2019-02-30T00:00:00Z', '2019-13-01T00:00:00Z', '2019-12-31T24:00:00Z', '2019-12-31T23:60:00Z', '2020-01-01T00:00:00+15:00', '2020-01-01T00:00:00'])(
    'rejects impossible or offset-less date-time %s instead of rolling it over',
    (iso) => expect(parseIsoDateTime(iso)).toBeNaN(),
  );

  it('accepts 29 February in a leap year only', () => {
    expect(dayOfIsoDate('2020-02-29')).not.toBeNaN();
    expect(dayOfIsoDate('2019-02-29')).toBeNaN();
  });

  it('round-trips day numbers and ISO dates', () => {
    for (const d of ['1970-01-01', '2019-12-27', '2020-01-08', '1969-12-31']) expect(isoDateOfDay(dayOfIsoDate(d))).toBe(d);
  });

  it('reads the years 0000–0099 as written, not as 1900–1999', () => {
    for (const d of ['0000-01-01', '0019-01-01', '0099-12-31', '0004-02-29']) expect(isoDateOfDay(dayOfIsoDate(d))).toBe(d);
    expect(dayOfIsoDate('0019-01-01')).toBeLessThan(dayOfIsoDate('1919-01-01'));
  });

  it('agrees with the calendar of Date for every day of years 0–9999', () => {
    const start = Date.UTC(2000, 0, 1) - 2000 * 365.2425 * 86_400_000;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_652_424 }), (k) => {
        const iso = new Date(Math.round(start / 86_400_000) * 86_400_000 + k * 86_400_000).toISOString().slice(0, 10);
        fc.pre(/^\d{4}-/.test(iso));
        expect(isoDateOfDay(dayOfIsoDate(iso))).toBe(iso);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads offsets in minutes', () => {
    expect(offsetMinutes('+03:30')).toBe(210);
    expect(offsetMinutes('-05:00')).toBe(-300);
    expect(offsetMinutes('+03:61')).toBeNaN();
  });
});

describe('month lengths', () => {
  it.each([
    ['1900-02-29', false],
    ['2000-02-29', true],
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2019-04-31', false],
    ['2019-12-31', true],
  ])('%s is a date: %s', (text, valid) => {
    expect(Number.isNaN(dayOfIsoDate(text))).toBe(!valid);
  });
});
