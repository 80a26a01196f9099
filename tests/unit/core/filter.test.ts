import { describe, expect, it } from 'vitest';
import { validateFeature, type Incident } from '../../../src/core/schema.ts';
import { visibleOf, type Filter } from '../../../src/core/filter.ts';
import { storeOfIncidents } from '../../../src/core/store-builder.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';
import { WORLD } from '../../../src/core/geometry.ts';
import { feature } from '../../fixtures/incident.ts';

const incident = (...args: Parameters<typeof feature>): Incident => {
  const { incident, issues } = validateFeature(feature(...args), 0);
  if (!incident) throw new Error(JSON.stringify(issues));
  return incident;
};
const days = (from: string, to: string) => ({ from: dayOfIsoDate(from), to: dayOfIsoDate(to) });
const all = { view: WORLD, categories: null, statuses: null };
/** The ids the app's rule shows, in start order. */
const visibleIncidents = (incidents: Incident[], f: Filter) => {
  const store = storeOfIncidents(incidents);
  return Array.from(visibleOf(store, f), (k) => incidents[store.order[k]]);
};
const overlapsDays = (i: Incident, d: Filter['days']) => visibleIncidents([i], { ...all, days: d }).length === 1;
const daySpan = (incidents: Incident[]) => storeOfIncidents(incidents).daySpan();

describe('the visible set', () => {
  const embassy = incident({ id: 'embassy', start: '2019-12-31T10:00:00+03:00', end: '2020-01-01T15:00:00+03:00' });

  it('includes an incident on either edge day of the range (inclusive bounds)', () => {
    expect(overlapsDays(embassy, days('2020-01-01', '2020-01-05'))).toBe(true);
    expect(overlapsDays(embassy, days('2019-12-25', '2019-12-31'))).toBe(true);
  });
  it('excludes an incident that ends the day before the range', () => {
    expect(overlapsDays(embassy, days('2020-01-02', '2020-01-05'))).toBe(false);
  });
  it('includes a multi-day incident when the range sits inside it', () => {
    const long = incident({ start: '2019-12-01T00:00:00+03:00', end: '2020-02-01T00:00:00+03:00' });
    expect(overlapsDays(long, days('2020-01-01', '2020-01-01'))).toBe(true);
  });
  it('dates the airport strike (00:30 Baghdad, 2 Jan UTC) on 3 Jan', () => {
    const airport = incident({ start: '2020-01-03T00:30:00+03:00', end: '2020-01-03T00:30:00+03:00' });
    expect(visibleIncidents([airport], { ...all, days: days('2020-01-03', '2020-01-03') })).toHaveLength(1);
    expect(visibleIncidents([airport], { ...all, days: days('2020-01-02', '2020-01-02') })).toHaveLength(0);
  });
  it('leaves out incidents outside the view', () => {
    const tehran = incident({ id: 'tehran' }, [51.1, 35.56]);
    const baghdad = incident({ id: 'baghdad' }, [44.39, 33.3]);
    const view: [number, number, number, number] = [44, 33, 45, 34];
    expect(visibleIncidents([tehran, baghdad], { ...all, view, days: days('2019-12-27', '2019-12-27') }).map((i) => i.id)).toEqual(['baghdad']);
  });
  it('filters by category and status', () => {
    const a = incident({ id: 'a', category: 'airstrike' });
    const b = incident({ id: 'b', category: 'rocket attack', status: 'disputed' });
    const d = days('2019-12-27', '2019-12-27');
    expect(visibleIncidents([a, b], { ...all, days: d, categories: new Set(['airstrike'] as const) }).map((i) => i.id)).toEqual(['a']);
    expect(visibleIncidents([a, b], { ...all, days: d, statuses: new Set(['disputed'] as const) }).map((i) => i.id)).toEqual(['b']);
  });
  it('spans from the first start day to the last end day', () => {
    expect(daySpan([embassy, incident({ start: '2020-01-08T06:14:00+03:30', end: '2020-01-08T06:14:00+03:30' })])).toEqual(days('2019-12-31', '2020-01-08'));
    expect(daySpan([])).toBeNull();
  });
});
