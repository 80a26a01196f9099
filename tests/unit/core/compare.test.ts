import { describe, expect, it } from 'vitest';
import {
  CHANGE_STEPS,
  COMPARISON_CSV_COLUMNS,
  cellBounds,
  cellZoom,
  changeClass,
  changeSteps,
  comparisonCsv,
  comparisonFileName,
  countCells,
  formatChange,
  formatComparisonParam,
  parseComparisonParam,
  previousPeriod,
} from '../../../src/core/compare.ts';
import { allocateColumns, buildStore, type IncidentStore } from '../../../src/core/store.ts';
import { facetMask, visibleIndices } from '../../../src/core/filter.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { CATEGORIES } from '../../../src/core/schema.ts';
import { WORLD } from '../../../src/core/geometry.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';

const days = (from: string, to: string) => ({ from: dayOfIsoDate(from), to: dayOfIsoDate(to) });

/** n points at the given positions (or random ones), one a day from day 0, categories in turn. */
function storeOf(points: [number, number][]): IncidentStore {
  const c = allocateColumns(points.length);
  points.forEach(([lon, lat], i) => {
    c.lon[i] = lon;
    c.lat[i] = lat;
    c.startDay[i] = c.endDay[i] = i % 30;
    c.start[i] = c.end[i] = c.localStart[i] = (i % 30) * 86_400_000;
    c.category[i] = i % CATEGORIES.length;
  });
  return buildStore(c);
}

/** The oracle: the cell whose bounds hold the point, found by trying every cell. West and north edges belong to the cell. */
function bruteCell(lon: number, lat: number, z: number): [number, number] {
  const size = 2 ** z;
  let cx = -1;
  let cy = -1;
  for (let x = 0; x < size; x++) {
    const [w, , e] = cellBounds(x, 0, z);
    if (lon >= w && (lon < e || x === size - 1)) cx = x;
  }
  for (let y = 0; y < size; y++) {
    const [, s, , n] = cellBounds(0, y, z);
    if ((lat <= n || y === 0) && (lat > s || y === size - 1)) {
      cy = y;
      break;
    }
  }
  return [cx, cy];
}

function bruteCounts(store: IncidentStore, a: ArrayLike<number>, b: ArrayLike<number>, z: number): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const add = (indices: ArrayLike<number>, which: 0 | 1) => {
    for (const i of Array.from(indices)) {
      const key = bruteCell(store.columns.lon[i], store.columns.lat[i], z).join('/');
      const c = out.get(key) ?? [0, 0];
      c[which]++;
      out.set(key, c);
    }
  };
  add(a, 0);
  add(b, 1);
  return out;
}

function asMap(counts: ReturnType<typeof countCells>): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (let s = 0; s < counts.selected.length; s++) out.set(`${counts.cells[2 * s]}/${counts.cells[2 * s + 1]}`, [counts.selected[s], counts.comparison[s]]);
  return out;
}

describe('the previous period', () => {
  it('has the same length and ends the day before the selected one starts', () => {
    expect(previousPeriod(days('2020-01-01', '2020-01-08'))).toEqual(days('2019-12-24', '2019-12-31'));
  });
  it('of a single day is the day before', () => {
    expect(previousPeriod(days('2020-03-01', '2020-03-01'))).toEqual(days('2020-02-29', '2020-02-29'));
  });
});

describe('?cmp=', () => {
  it('reads a period and writes it back the same', () => {
    const r = parseComparisonParam('2019-12-24..2019-12-31');
    expect(r).toEqual({ days: days('2019-12-24', '2019-12-31') });
    expect(formatComparisonParam(days('2019-12-24', '2019-12-31'))).toBe('2019-12-24..2019-12-31');
  });
  it('takes a one-day period', () => {
    expect(parseComparisonParam('2020-01-03..2020-01-03')).toEqual({ days: days('2020-01-03', '2020-01-03') });
  });
  it.each([
    ['', 'is not a period'],
    ['2019-12-24', 'is not a period'],
    ['2019-12-24..', 'is not a period'],
    ['2019-12-24...2019-12-31', 'is not a period'],
    [' 2019-12-24..2019-12-31', 'is not a period'],
    ['2019-02-30..2019-03-01', 'does not exist'],
    ['2019-13-01..2019-12-01', 'does not exist'],
    ['2020-01-08..2020-01-01', 'ends before it starts'],
    ['1000-01-01..2999-01-01', 'longer than a hundred years'],
    ['<img src=x onerror=alert(1)>', 'is not a period'],
  ])('refuses %j with a message that it %s', (raw, why) => {
    const r = parseComparisonParam(raw);
    expect('error' in r && r.error).toContain(why);
  });
  it('quotes at most 40 characters of a long value', () => {
    const r = parseComparisonParam('x'.repeat(10_000));
    expect('error' in r && r.error.length).toBeLessThan(120);
  });
});

describe('the change', () => {
  it.each([
    [12, 8, '+4 (+50%)'],
    [6, 8, '−2 (−25%)'],
    [8, 8, '0 (0%)'],
    [3, 0, '+3 (new)'],
    [0, 0, '0'],
    [0, 5, '−5 (−100%)'],
    [1, 3, '−2 (−67%)'],
    [2500, 1000, '+1,500 (+150%)'],
  ])('from %i against %i reads %s', (selected, comparison, text) => {
    expect(formatChange(selected, comparison)).toBe(text);
  });
  it('classes are symmetric, 0 only for no change, and the largest change is the last class', () => {
    expect(changeClass(5, 5, 10)).toBe(0);
    expect(changeClass(20, 10, 10)).toBe(CHANGE_STEPS);
    expect(changeClass(0, 10, 10)).toBe(-CHANGE_STEPS);
    expect(changeClass(11, 10, 10)).toBe(1);
    expect(changeClass(10, 11, 10)).toBe(-1);
    expect(changeClass(1, 0, 0)).toBe(0);
  });
  it("each class's key entry holds exactly the changes of that class", () => {
    for (let max = 1; max <= 40; max++) {
      const steps = changeSteps(max);
      for (let d = 1; d <= max; d++) {
        const entry = steps.find(({ least, most }) => d >= least && d <= most)!;
        expect(changeClass(d, 0, max), `${d} of ${max}`).toBe(entry.step);
        expect(changeClass(0, d, max)).toBe(-entry.step);
      }
      expect(steps.at(-1)!.most).toBe(max);
    }
  });
});

describe('cells', () => {
  it('are 3 zoom levels below the map, whole, never negative', () => {
    expect(cellZoom(5.7)).toBe(8);
    expect(cellZoom(0)).toBe(3);
    expect(cellZoom(-1)).toBe(2);
    expect(cellZoom(Number.NaN)).toBe(3);
    expect(cellZoom(40)).toBe(24);
  });
  it('tile the world: neighbours share edges, the grid reaches ±180 and Web Mercator’s ±85.05°', () => {
    const z = 4;
    expect(cellBounds(0, 0, z)[0]).toBe(-180);
    expect(cellBounds(15, 0, z)[2]).toBe(180);
    expect(cellBounds(0, 0, z)[3]).toBeCloseTo(85.0511, 4);
    expect(cellBounds(0, 15, z)[1]).toBeCloseTo(-85.0511, 4);
    expect(cellBounds(3, 7, z)[1]).toBe(cellBounds(3, 8, z)[3]);
    expect(cellBounds(3, 7, z)[2]).toBe(cellBounds(4, 7, z)[0]);
  });
  it('put a point on the equator or on a meridian edge in the cell to its south and east', () => {
    const store = storeOf([
      [0, 0],
      [-180, 10],
      [180, -10],
      [45, 89.9],
      [45, -90],
    ]);
    const all = Uint32Array.from([0, 1, 2, 3, 4]);
    const counts = countCells(store, all, new Uint32Array(0), 2);
    expect(asMap(counts)).toEqual(bruteCounts(store, all, new Uint32Array(0), 2));
  });
  it('count both periods as a brute-force search over every cell does (random points and periods)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rand = mulberry32(seed);
      const n = 1 + Math.floor(rand() * 300);
      // Some over the whole world, some crowded into a few cells, as real incidents are.
      const points = Array.from({ length: n }, (): [number, number] =>
        rand() < 0.5 ? [rand() * 360 - 180, rand() * 180 - 90] : [44 + rand() * 0.5, 33 + rand() * 0.5],
      );
      const store = storeOf(points);
      const z = Math.floor(rand() * 7);
      const first = Math.floor(rand() * 30);
      const a = { from: first, to: first + Math.floor(rand() * 10) };
      const b = previousPeriod(a);
      const mask = facetMask(store, { categories: new Set(CATEGORIES.filter(() => rand() < 0.7)), statuses: null });
      const selected = visibleIndices(store, a, WORLD, mask);
      const comparison = visibleIndices(store, b, WORLD, mask);
      const counts = countCells(store, selected, comparison, z);
      const expected = bruteCounts(store, selected, comparison, z);
      expect(asMap(counts), `seed ${seed}`).toEqual(expected);
      const changes = [...expected.values()].map(([x, y]) => Math.abs(x - y));
      expect(counts.maxChange).toBe(Math.max(0, ...changes));
    }
  });
  it('count incidents far apart at a fine grid (more cells than flat arrays hold) as the brute force does', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const rand = mulberry32(seed);
      const points = Array.from({ length: 8 }, (): [number, number] => [rand() * 360 - 180, rand() * 170 - 85]);
      // One on the equator and one on a meridian edge: the cases the formula could get a row off.
      points.push([0, 0], [-90, 0.5]);
      const store = storeOf(points);
      const all = Uint32Array.from(points.keys());
      const half = all.filter((i) => i % 2 === 0);
      const z = 18;
      expect(asMap(countCells(store, all, half, z)), `seed ${seed}`).toEqual(bruteCounts(store, all, half, z));
    }
  });
  it('lists cells north to south, then west to east', () => {
    const store = storeOf([
      [10, -10],
      [-10, -10],
      [10, 10],
    ]);
    const counts = countCells(store, [0, 1, 2], [], 3);
    const order = Array.from({ length: counts.selected.length }, (_, k) => [counts.cells[2 * k + 1], counts.cells[2 * k]]);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(order).toHaveLength(3);
  });
  it('does not throw on no incidents', () => {
    const counts = countCells(storeOf([]), new Uint32Array(0), new Uint32Array(0), 5);
    expect(counts.cells.length).toBe(0);
    expect(counts.maxChange).toBe(0);
  });
});

describe('the comparison CSV', () => {
  /** RFC 4180, enough for these files: quoted cells with doubled quotes. */
  const parse = (text: string) =>
    text
      .trimEnd()
      .split('\r\n')
      .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"')));

  it('holds the totals, each category with an incident in either period, and each cell, with changes', () => {
    const store = storeOf([
      [44.4, 33.3],
      [44.4, 33.3],
      [51.4, 35.7],
    ]);
    const categories = { selected: CATEGORIES.map((_, k) => (k === 0 ? 2 : 0)), comparison: CATEGORIES.map((_, k) => (k === 1 ? 1 : 0)) };
    const cells = countCells(store, [0, 1], [2], 5);
    const rows = parse(comparisonCsv({ selectedDays: days('2020-01-01', '2020-01-08'), comparisonDays: days('2019-12-24', '2019-12-31'), categories, totals: { selected: 2, comparison: 1 }, cells }));
    expect(rows[0]).toEqual([...COMPARISON_CSV_COLUMNS]);
    expect(rows[1]).toEqual(['total', '2020-01-01..2020-01-08 vs 2019-12-24..2019-12-31', '', '', '', '', '2', '1', '1', '100.0']);
    expect(rows.filter((r) => r[0] === 'category')).toEqual([
      ['category', CATEGORIES[0], '', '', '', '', '2', '0', '2', 'new'],
      ['category', CATEGORIES[1], '', '', '', '', '0', '1', '-1', '-100.0'],
    ]);
    const cellRows = rows.filter((r) => r[0] === 'cell');
    expect(cellRows).toHaveLength(2);
    for (const r of cellRows) {
      const [w, s, e, n] = r.slice(2, 6).map(Number);
      const inside = [0, 1, 2].filter((i) => store.columns.lon[i] >= w && store.columns.lon[i] < e && store.columns.lat[i] > s && store.columns.lat[i] <= n);
      expect(inside.length).toBeGreaterThan(0);
      expect(Number(r[6]) + Number(r[7])).toBe(inside.length);
      expect(r[1]).toMatch(/^5\/\d+\/\d+$/);
    }
  });
  it('names the file after both periods', () => {
    expect(comparisonFileName(days('2020-01-01', '2020-01-08'), days('2019-12-24', '2019-12-31'))).toBe('comparison_2020-01-01_2020-01-08_vs_2019-12-24_2019-12-31.csv');
  });
});
