import { describe, expect, it } from 'vitest';
import { IncidentStore, buildStore, allocateColumns, sortOrder } from '../../../src/core/store.ts';
import { StoreBuilder, mergeStores, storeOfIncidents } from '../../../src/core/store-builder.ts';
import { visibleOf, type Filter as Filters } from '../../../src/core/filter.ts';
import { visibleIncidents } from '../../oracle.ts';
import { CATEGORIES, STATUSES, validateFeature, type Incident } from '../../../src/core/schema.ts';
import { isoDateOfDay } from '../../../src/core/time.ts';
import type { View } from '../../../src/core/geometry.ts';
import { feature } from '../../fixtures/incident.ts';
import { mulberry32 } from '../../../src/core/random.ts';

const BASE_DAY = 18_250; // 2019-12-20

function randomIncidents(n: number, seed: number): Incident[] {
  const rand = mulberry32(seed);
  const out: Incident[] = [];
  for (let i = 0; i < n; i++) {
    const day = BASE_DAY + Math.floor(rand() * 40);
    const span = rand() < 0.1 ? Math.floor(rand() * 10) : 0;
    const offset = ['+03:00', 'Z', '-05:00', '+14:00'][Math.floor(rand() * 4)];
    const hh = String(Math.floor(rand() * 24)).padStart(2, '0');
    const lon = rand() < 0.1 ? (rand() < 0.5 ? 179.9 : -179.9) : -180 + rand() * 360;
    const lat = -85 + rand() * 170;
    const props = {
      id: `r${i}`,
      category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)],
      status: STATUSES[Math.floor(rand() * 2)],
      start: `${isoDateOfDay(day)}T${hh}:00:00${offset}`,
      end: `${isoDateOfDay(day + span)}T${hh}:30:00${offset}`,
    };
    const f = feature(props, [lon, lat]);
    // Some are polygons: the store must test their extent, not just their centre.
    const g =
      rand() < 0.05
        ? { type: 'Polygon' as const, coordinates: [[[lon, lat], [Math.min(180, lon + 5), lat], [Math.min(180, lon + 5), Math.min(90, lat + 5)], [lon, lat]]] }
        : f.geometry;
    out.push(validateFeature({ ...f, geometry: g }, i).incident!);
  }
  return out;
}

function randomFilters(rand: () => number): Filters {
  const a = BASE_DAY - 2 + Math.floor(rand() * 45);
  const b = a + Math.floor(rand() * 10);
  const w = -180 + rand() * 360;
  const width = rand() * 120;
  const e = w + width > 180 ? w + width - 360 : w + width; // may cross the antimeridian
  const s = -90 + rand() * 120;
  const view: View = rand() < 0.1 ? [-180, -90, 180, 90] : [w, s, e, Math.min(90, s + rand() * 60)];
  const pick = <T extends string>(all: readonly T[]) => (rand() < 0.5 ? null : new Set(all.filter(() => rand() < 0.6)));
  return { days: { from: a, to: b }, view, categories: pick(CATEGORIES), statuses: pick(STATUSES) };
}

const ids = (store: IncidentStore, list: Incident[], f: Filters) => [...visibleOf(store, f)].map((i) => list[store.order[i]].id);

describe('IncidentStore', () => {
  const list = randomIncidents(3000, 7);
  const store = storeOfIncidents(list);

  it('answers filters that keep everything (or all but a little) like brute force', () => {
    const span = store.daySpan()!;
    const b = store.bounds()!;
    const all = { days: span, view: [-180, -90, 180, 90] as View, categories: null, statuses: null };
    const some = (f: Filters) => visibleIncidents(list, f).map((i) => i.id).sort();
    const cases: Filters[] = [
      all,
      { ...all, categories: new Set(CATEGORIES), statuses: new Set(STATUSES) },
      { ...all, view: [b[0], b[1], b[2], b[3]] },
      // Each just short of everything: one day, a sliver of the view, a category, a status.
      { ...all, days: { from: span.from + 1, to: span.to } },
      { ...all, days: { from: span.from, to: span.to - 1 } },
      { ...all, view: [b[0] + 0.01, b[1], b[2], b[3]] },
      { ...all, view: [b[0], b[1], b[2], b[3] - 0.01] },
      { ...all, categories: new Set(CATEGORIES.slice(1)) },
      { ...all, statuses: new Set(STATUSES.slice(1)) },
      { ...all, view: [170, -90, 160, 90] }, // crosses the antimeridian, misses 160..170
    ];
    expect(ids(store, list, all)).toHaveLength(list.length);
    for (const f of cases) expect(ids(store, list, f).sort(), JSON.stringify({ ...f, categories: f.categories && [...f.categories], statuses: f.statuses && [...f.statuses] })).toEqual(some(f));
  });

  it('returns exactly the brute-force visible set, in start order, on random filters', () => {
    const rand = mulberry32(42);
    for (let q = 0; q < 400; q++) {
      const f = randomFilters(rand);
      const expected = visibleIncidents(list, f).map((i) => i.id);
      expect(new Set(ids(store, list, f))).toEqual(new Set(expected));
      expect(ids(store, list, f)).toHaveLength(expected.length);
    }
  });

  it('agrees with brute force on small views over long windows (the space-first path)', () => {
    const rand = mulberry32(9);
    for (let q = 0; q < 300; q++) {
      const w = -180 + rand() * 359;
      const s = -85 + rand() * 160;
      const f: Filters = { days: { from: BASE_DAY - 20, to: BASE_DAY + 60 }, view: [w, s, Math.min(180, w + rand() * 15), s + rand() * 15], categories: null, statuses: rand() < 0.5 ? null : new Set(['disputed'] as const) };
      expect(new Set(ids(store, list, f))).toEqual(new Set(visibleIncidents(list, f).map((i) => i.id)));
    }
  });

  it('returns clusters when the query crosses the antimeridian', () => {
    const f: Filters = { days: { from: 0, to: 1e6 }, view: [179, -90, -179, 90], categories: null, statuses: null };
    const got = ids(store, list, f);
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got)).toEqual(new Set(visibleIncidents(list, f).map((i) => i.id)));
  });

  it('includes incidents on the first and last selected day, and long ones running through', () => {
    const edge = randomIncidents(200, 3);
    const s = storeOfIncidents(edge);
    for (const day of [BASE_DAY, BASE_DAY + 20, BASE_DAY + 39]) {
      const f: Filters = { days: { from: day, to: day }, view: [-180, -90, 180, 90], categories: null, statuses: null };
      expect(new Set(ids(s, edge, f))).toEqual(new Set(visibleIncidents(edge, f).map((i) => i.id)));
    }
  });

  it('keeps results in ascending store order (start order)', () => {
    const r = visibleOf(store, { days: { from: 0, to: 1e6 }, view: [-10, -10, 10, 10], categories: null, statuses: null });
    for (let i = 1; i < r.length; i++) expect(r[i]).toBeGreaterThan(r[i - 1]);
  });

  it('counts each category over all incidents, whatever the filters', () => {
    const expected = CATEGORIES.map((c) => list.filter((i) => i.category === c).length);
    expect([...store.categoryCounts]).toEqual(expected);
    expect(expected.filter((k) => k > 0).length).toBeGreaterThan(1);
  });

  it('does not throw on zero items', () => {
    const empty = storeOfIncidents([]);
    expect(visibleOf(empty, { days: { from: 0, to: 1e6 }, view: [-180, -90, 180, 90], categories: null, statuses: null })).toHaveLength(0);
  });

  it('returns nothing for a window before all data or an empty category set', () => {
    expect(visibleOf(store, { days: { from: 0, to: 10 }, view: [-180, -90, 180, 90], categories: null, statuses: null })).toHaveLength(0);
    expect(visibleOf(store, { days: { from: 0, to: 1e6 }, view: [-180, -90, 180, 90], categories: new Set(), statuses: null })).toHaveLength(0);
  });
});

describe('store order', () => {
  /** The definition: by day, then time, then input position. */
  const reference = (startDay: Int32Array, start: Float64Array) =>
    Array.from(startDay.keys()).sort((a, b) => startDay[a] - startDay[b] || start[a] - start[b] || a - b);

  const cases: [string, (rand: () => number, i: number, n: number) => [number, number]][] = [
    ['shuffled days, times within each day', (rand) => [Math.floor(rand() * 30), Math.floor(rand() * 5)]],
    ['day precision: every time of a day equal', (rand) => { const d = Math.floor(rand() * 30); return [d, d * 10]; }],
    ['days spread over millennia (sparse)', (rand) => [Math.floor(rand() * 1e7) - 5e6, Math.floor(rand() * 3)]],
    ['presorted', (_, i) => [Math.floor(i / 7), i % 7]],
    ['reversed', (_, i, n) => [n - i, 0]],
  ];
  for (const [name, make] of cases) {
    it(`is (day, time, input position) order: ${name}`, () => {
      for (const n of [0, 1, 2, 50, 2_000]) {
        const rand = mulberry32(n + name.length);
        const startDay = new Int32Array(n);
        const start = new Float64Array(n);
        for (let i = 0; i < n; i++) [startDay[i], start[i]] = make(rand, i, n);
        expect([...sortOrder({ startDay, start })]).toEqual(reference(startDay, start));
      }
    });
  }
});

describe('a store as one buffer', () => {
  it('is adopted from its buffer, transferred as a worker posts it, and answers every query alike', () => {
    const list = randomIncidents(2500, 21);
    const direct = storeOfIncidents(list);
    const builder = new StoreBuilder(16);
    for (let i = 0; i < list.length; i += 333) builder.add(list.slice(i, i + 333));
    const { buffer } = builder.build();
    // What postMessage does with a transfer list: the page gets the buffer, the worker's is detached.
    const received = structuredClone(buffer, { transfer: [buffer] });
    expect(buffer.byteLength).toBe(0);
    const adopted = new IncidentStore(received);
    expect(adopted.size).toBe(direct.size);
    expect(adopted.daySpan()).toEqual(direct.daySpan());
    expect(adopted.bounds()).toEqual(direct.bounds());
    expect([...adopted.order]).toEqual([...direct.order]);
    expect([...adopted.categoryCounts]).toEqual([...direct.categoryCounts]);
    expect(adopted.wide.length).toBeGreaterThan(0);
    const rand = mulberry32(5);
    for (let k = 0; k < 200; k++) {
      const f = randomFilters(rand);
      expect([...visibleOf(adopted, f)]).toEqual([...visibleOf(direct, f)]);
    }
  });

  it('is copied with buffer.slice(0): the copy answers alike and the original stays whole', () => {
    const store = storeOfIncidents(randomIncidents(500, 22));
    const copy = new IncidentStore(store.buffer.slice(0));
    structuredClone(copy.buffer, { transfer: [copy.buffer] });
    expect(copy.buffer.byteLength).toBe(0);
    const f = randomFilters(mulberry32(1));
    expect([...visibleOf(store, f)]).toEqual([...visibleOf(storeOfIncidents(randomIncidents(500, 22)), f)]);
  });

  it('refuses a buffer that is not a store, with a message that says so', () => {
    const store = storeOfIncidents(randomIncidents(10, 23));
    const broken = store.buffer.slice(0);
    // The spatial index is intact; the store's header after it is not.
    new Float64Array(broken, store.columns.lon.byteOffset - 8, 1)[0] = 0;
    // The header: 11 slots, a count per category, the text index's 3 sizes.
    const header = store.columns.lon.byteOffset - 8 * (11 + store.categoryCounts.length + 3);
    new Float64Array(broken, header, 1)[0] = 42;
    expect(() => new IncidentStore(broken)).toThrow('Data does not appear to be an incident store.');
    expect(() => new IncidentStore(new ArrayBuffer(64))).toThrow();
  });

  it('holds zero incidents', () => {
    const empty = buildStore(allocateColumns(0));
    expect(empty.size).toBe(0);
    expect(empty.daySpan()).toBeNull();
    expect(new IncidentStore(empty.buffer.slice(0)).size).toBe(0);
  });
});

describe('merging stores (an "add" import)', () => {
  it('equals a store built from the kept incidents of both, in the same order', () => {
    const loaded = randomIncidents(900, 31);
    const added = randomIncidents(700, 32).map((i) => ({ ...i, id: `n${i.id}` }));
    // Some of the added are dropped (ids already loaded), in scattered positions.
    const rand = mulberry32(8);
    const keep = Uint32Array.from(added.map((_, k) => k).filter(() => rand() < 0.8));
    const merged = new StoreBuilder(8)
      .addStore(storeOfIncidents(loaded))
      .addStore(storeOfIncidents(added), keep)
      .build();
    const direct = storeOfIncidents([...loaded, ...[...keep].map((k) => added[k])]);
    expect(merged.size).toBe(direct.size);
    expect([...merged.order]).toEqual([...direct.order]);
    for (const key of Object.keys(direct.columns) as (keyof typeof direct.columns)[]) {
      expect([...merged.columns[key]], key).toEqual([...direct.columns[key]]);
    }
    for (let k = 0; k < 200; k++) {
      const f = randomFilters(rand);
      expect([...visibleOf(merged, f)]).toEqual([...visibleOf(direct, f)]);
    }
  });

  it('merges copies of both stores and leaves the stores shown untouched (store-merge.ts sends copies)', () => {
    const loaded = randomIncidents(600, 41);
    const added = randomIncidents(500, 42).map((i) => ({ ...i, id: `n${i.id}` }));
    const keep = Uint32Array.from(added.map((_, k) => k).filter((k) => k % 3 !== 1));
    const [before, extra] = [storeOfIncidents(loaded), storeOfIncidents(added)];
    const merged = mergeStores(new IncidentStore(before.buffer.slice(0)), new IncidentStore(extra.buffer.slice(0)), keep);
    const direct = storeOfIncidents([...loaded, ...[...keep].map((k) => added[k])]);
    expect(new Uint8Array(merged.buffer)).toEqual(new Uint8Array(direct.buffer));
    expect(before.size).toBe(600);
    expect(new Uint8Array(before.buffer)).toEqual(new Uint8Array(storeOfIncidents(loaded).buffer));
    // Nothing to keep: only the loaded ones.
    expect(mergeStores(before, extra, new Uint32Array(0)).size).toBe(600);
  });

  it('appends the raw columns of a builder in another thread (a file read in two parts) as if built in one', () => {
    const list = randomIncidents(1500, 34);
    const a = new StoreBuilder(4).add(list.slice(0, 600));
    // Through structured clone, as postMessage hands it over.
    const b = structuredClone(new StoreBuilder(4).add(list.slice(600)).raw());
    const merged = a.addRaw(b).build();
    const direct = storeOfIncidents(list);
    expect(direct.wide.length).toBeGreaterThan(0);
    expect(new Uint8Array(merged.buffer)).toEqual(new Uint8Array(direct.buffer));
  });

  it('knows its day span and the extent of points and wide incidents alike', () => {
    const list = randomIncidents(600, 33);
    const store = storeOfIncidents(list);
    expect(store.daySpan()).toEqual({ from: Math.min(...list.map((i) => i.startDay)), to: Math.max(...list.map((i) => i.endDay)) });
    expect(store.bounds()).toEqual([
      Math.min(...list.map((i) => i.bbox[0])),
      Math.min(...list.map((i) => i.bbox[1])),
      Math.max(...list.map((i) => i.bbox[2])),
      Math.max(...list.map((i) => i.bbox[3])),
    ]);
    expect(storeOfIncidents([]).daySpan()).toBeNull();
    expect(storeOfIncidents([]).bounds()).toBeNull();
  });
});
