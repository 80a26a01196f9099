import { describe, expect, it } from 'vitest';
import { formatLocal, formatRange, formatUtc, formatWhen } from '../../../src/core/format.ts';

describe('format', () => {
  it('writes a range as one number when its ends agree, else with an en dash', () => {
    expect(formatRange({ min: 0, max: 0 })).toBe('0');
    expect(formatRange({ min: 1, max: 3 })).toBe('1–3');
  });
  it('writes the local time with the offset it happened at, and Z as UTC', () => {
    expect(formatLocal('2019-12-27T19:20:00+03:00')).toBe('2019-12-27 19:20 (UTC+03:00)');
    expect(formatLocal('2020-01-08T06:14:00+03:30')).toBe('2020-01-08 06:14 (UTC+03:30)');
    expect(formatLocal('2020-01-03T00:30:00Z')).toBe('2020-01-03 00:30 (UTC)');
  });
  it('writes epoch ms in UTC to the minute', () => {
    expect(formatUtc(Date.UTC(2020, 0, 2, 21, 30, 59))).toBe('2020-01-02 21:30 UTC');
  });
  it('shows no clock time for day precision, and the hour alone for hour precision', () => {
    expect(formatWhen('2019-12-29T00:00:00+03:00', 'day')).toBe('2019-12-29');
    expect(formatWhen('2020-01-08T23:45:00+03:00', 'hour')).toBe('2020-01-08 23:00 (UTC+03:00)');
    expect(formatWhen('2020-01-08T23:45:00+03:00', 'minute')).toBe('2020-01-08 23:45 (UTC+03:00)');
  });
});
