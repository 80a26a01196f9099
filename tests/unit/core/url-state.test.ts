import { describe, expect, it } from 'vitest';
import { formatCamera, parseCamera, parseDayRange, withParams } from '../../../src/core/url-state.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';

const span = { from: dayOfIsoDate('2019-12-27'), to: dayOfIsoDate('2020-01-08') };

describe('URL state', () => {
  it('restores a valid date range', () => {
    expect(parseDayRange('?from=2019-12-31&to=2020-01-03', span)).toEqual({ from: dayOfIsoDate('2019-12-31'), to: dayOfIsoDate('2020-01-03') });
  });
  it('clamps dates outside the data to its span', () => {
    expect(parseDayRange('?from=1999-01-01&to=2030-01-01', span)).toEqual(span);
  });
  it.each(['?from=2019-02-30', '?from=NaN&to=<script>', '?from=2020-01-05&to=2019-12-30', '?to=' + 'x'.repeat(20000)])('falls back to the span for %s', (search) => {
    const r = parseDayRange(search, span);
    expect(r.from === span.from || r.to === span.to).toBe(true);
    expect(r.from).toBeLessThanOrEqual(r.to);
  });
  it('takes a date the link does not give from the fallback, and clamps the ones it gives to the span', () => {
    const fallback = { from: dayOfIsoDate('2020-01-05'), to: span.to };
    expect(parseDayRange('', span, fallback)).toEqual(fallback);
    expect(parseDayRange('?to=2020-01-06', span, fallback)).toEqual({ from: fallback.from, to: dayOfIsoDate('2020-01-06') });
    expect(parseDayRange('?from=1999-01-01', span, fallback)).toEqual({ from: span.from, to: span.to });
    expect(parseDayRange('?from=2020-01-07&to=2020-01-06', span, fallback)).toEqual(fallback);
  });
  it('parses #map=zoom/lat/lon and rejects out-of-range or oversized hashes', () => {
    expect(parseCamera('#map=7.5/33.3/44.4')).toEqual({ zoom: 7.5, lat: 33.3, lon: 44.4 });
    for (const h of ['#map=30/0/0', '#map=5/95/0', '#map=5/0/200', '#map=NaN/0/0', '#map=' + '1'.repeat(100_000), '']) expect(parseCamera(h)).toBeNull();
  });
  it('round-trips the camera at the precision of its zoom', () => {
    const c = { zoom: 9, lat: 33.298912345, lon: 44.396112345 };
    const back = parseCamera(formatCamera(c))!;
    expect(Math.abs(back.lat - c.lat)).toBeLessThan(360 / (256 * 2 ** 9));
  });
  it('keeps other query parameters when writing the range', () => {
    expect(withParams('?style=x', { from: '2019-12-27', to: '2020-01-08' })).toBe('?style=x&from=2019-12-27&to=2020-01-08');
  });
});

describe('the selection in the URL (issue #22, case 6)', () => {
  it('writes a short id as itself and a long one as a short hash, resolved by hashing the loaded ids', async () => {
    const { selectionParam, resolveSelection, MAX_URL_ID } = await import('../../../src/core/url-state.ts');
    const huge = 'x'.repeat(1024 * 1024);
    const ids = ['a', 'IRQ1001', huge, 'y'.repeat(MAX_URL_ID + 1)];
    expect(selectionParam('IRQ1001')).toBe('IRQ1001');
    expect(selectionParam(null)).toBeNull();
    const written = selectionParam(huge)!;
    expect(written).toMatch(/^h:[0-9a-f]{16}$/);
    const search = withParams('', { sel: written, from: '2020-01-01' });
    expect(search.length).toBeLessThan(100);
    const has = (id: string) => ids.includes(id);
    expect(resolveSelection(new URLSearchParams(search).get('sel'), has, () => ids)).toBe(huge);
    expect(resolveSelection(selectionParam(ids[3]), has, () => ids)).toBe(ids[3]);
    expect(resolveSelection('IRQ1001', has, () => ids)).toBe('IRQ1001');
    expect(resolveSelection('h:0000000000000000', has, () => ids)).toBeNull();
    expect(resolveSelection('missing', has, () => ids)).toBeNull();
    // A short id that looks like a hash is still itself.
    expect(resolveSelection('h:abc', (id) => id === 'h:abc', () => ['h:abc'])).toBe('h:abc');
    expect(selectionParam('h:abc')).toBe('h:abc');
  });
});
