import { describe, expect, it } from 'vitest';
import { chooseUnit, histogram, histogramOfStore, MAX_BINS } from '../../../src/core/histogram.ts';
import { storeOfIncidents } from '../../../src/core/store-builder.ts';
import { visibleOf } from '../../../src/core/filter.ts';
import { validateFeature, CATEGORIES, type Incident } from '../../../src/core/schema.ts';
import { DAY_MS, dayOfIsoDate, isoDateOfDay, localMsOfIso } from '../../../src/core/time.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { feature } from '../../fixtures/incident.ts';

const incident = (...args: Parameters<typeof feature>): Incident => validateFeature(feature(...args), 0).incident!;
const span = (from: string, to: string) => ({ from: dayOfIsoDate(from), to: dayOfIsoDate(to) });

describe('histogram', () => {
  it('picks hours for a short span, days, weeks, then months, never over 1000 bins', () => {
    expect(chooseUnit(1).unit).toBe('hour');
    expect(chooseUnit(13).unit).toBe('day');
    expect(chooseUnit(2000).unit).toBe('week');
    expect(chooseUnit(40_000).unit).toBe('month');
    for (const days of [1, 3, 4, 366, 367, 2100, 2101, 100_000, 1_000_000]) {
      const { bins } = histogram([], { from: 0, to: days - 1 }, 'count');
      expect(bins.length).toBeGreaterThanOrEqual(2);
      expect(bins.length).toBeLessThanOrEqual(MAX_BINS);
    }
  });

  it('bins an incident by its local start: 00:30 Baghdad on 3 Jan is in the 3 Jan bar', () => {
    const h = histogram([incident({ start: '2020-01-03T00:30:00+03:00', end: '2020-01-03T00:30:00+03:00' })], span('2020-01-01', '2020-01-08'), 'count');
    expect(h.unit).toBe('day');
    expect(h.bins.map((b) => b.total)).toEqual([0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('stacks by category and sums the upper bound of killed in killed mode', () => {
    const list = [
      incident({ id: 'a', category: 'airstrike', killed: { min: 24, max: 28 } }),
      incident({ id: 'b', category: 'rocket attack', killed: { min: 1, max: 3 } }),
      incident({ id: 'c', category: 'rocket attack' }),
    ];
    const count = histogram(list, span('2019-12-27', '2019-12-28'), 'count');
    expect(count.unit).toBe('hour');
    const bar = count.bins.find((b) => b.total > 0)!;
    expect(bar.values[CATEGORIES.indexOf('airstrike')]).toBe(1);
    expect(bar.values[CATEGORIES.indexOf('rocket attack')]).toBe(2);
    const killed = histogram(list, span('2019-12-27', '2019-12-28'), 'killed');
    expect(killed.max).toBe(31);
  });

  it('leaves out incidents outside the span and covers the span without gaps', () => {
    const h = histogram([incident({ start: '2019-12-01T10:00:00+03:00', end: '2019-12-01T10:00:00+03:00' })], span('2019-12-27', '2020-03-31'), 'count');
    expect(h.max).toBe(0);
    for (let i = 1; i < h.bins.length; i++) expect(h.bins[i].start).toBe(h.bins[i - 1].end);
  });

  it('aligns month bins to calendar months, clipped to the span', () => {
    const h = histogram([], span('2000-01-15', '2004-12-31'), 'count');
    expect(h.unit).toBe('week');
    const m = histogram([], span('1990-01-15', '2010-12-31'), 'count');
    expect(m.unit).toBe('month');
    expect(new Date(m.bins[1].start).toISOString().slice(0, 10)).toBe('1990-02-01');
    expect(new Date(m.bins[0].start).toISOString().slice(0, 10)).toBe('1990-01-15');
  });

  it('puts every incident in the bar whose edges hold its local start, for hour, day, week and month bars', () => {
    const rand = mulberry32(11);
    const base = dayOfIsoDate('2019-06-01');
    for (const days of [2, 40, 900, 5000]) {
      const list = Array.from({ length: 300 }, (_, k) => {
        const day = base - 3 + Math.floor(rand() * (days + 6));
        const hh = String(Math.floor(rand() * 24)).padStart(2, '0');
        const at = `${isoDateOfDay(day)}T${hh}:15:00+03:00`;
        return incident({ id: `h${k}`, start: at, end: at, category: CATEGORIES[k % CATEGORIES.length] });
      });
      const range = { from: base, to: base + days - 1 };
      const h = histogram(list, range, 'count');
      // The reference: a linear scan of the edges, local clock time for hour bars, local day otherwise.
      const expected = h.bins.map(() => 0);
      for (const i of list) {
        const t = h.unit === 'hour' ? localMsOfIso(i.properties.start) : i.startDay * DAY_MS;
        const b = h.bins.findIndex((bin) => bin.start <= t && t < bin.end);
        if (b >= 0) expected[b]++;
      }
      expect(h.bins.map((b) => b.total), `${days} days, ${h.unit} bars`).toEqual(expected);
      expect(expected.reduce((a, b) => a + b, 0)).toBeGreaterThan((300 * days) / (days + 6) / 2);
    }
  });

  it('gives the same bars from the store columns and indices as from the incident objects', () => {
    const rand = mulberry32(12);
    const base = dayOfIsoDate('2019-06-01');
    for (const days of [2, 40, 900, 5000]) {
      const list = Array.from({ length: 400 }, (_, k) => {
        const day = base + Math.floor(rand() * days);
        const at = `${isoDateOfDay(day)}T${String(Math.floor(rand() * 24)).padStart(2, '0')}:40:00-05:00`;
        const killed = Math.floor(rand() * 9);
        return incident({ id: `s${k}`, start: at, end: at, category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)], killed: { min: killed, max: killed + 2 } });
      });
      // Shuffled, so store order differs from the list's.
      list.sort(() => rand() - 0.5);
      const store = storeOfIncidents(list);
      const range = { from: base, to: base + days - 1 };
      // Some categories only, so the indices are a scattered subset of the store.
      const some = new Set(CATEGORIES.slice(0, 3));
      const indices = visibleOf(store, { days: range, view: [-180, -90, 180, 90], categories: some, statuses: null }).slice();
      const same = list.filter((i) => some.has(i.category));
      expect(indices.length).toBe(same.length);
      for (const measure of ['count', 'killed'] as const) {
        expect(histogramOfStore(store, indices, range, measure), `${days} days, ${measure}`).toEqual(histogram(same, range, measure));
      }
    }
  });
});
