import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { slabTexts, slabsOf, type SlabGroup } from '../../../src/core/dataset-export.ts';
import { validateFeature, type Incident } from '../../../src/core/schema.ts';
import { feature } from '../../fixtures/incident.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { dayOfIsoDate, isoDateOfDay } from '../../../src/core/time.ts';

const group = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 30 })).map(([from, len, rows]): SlabGroup => ({ rows, starts: { from, to: from + len } }));
/** Groups as a file changed by hand may describe them: some statistics run backwards. */
const anyGroup = fc.oneof(group, group.map((g) => ({ ...g, starts: { from: g.starts.to, to: g.starts.from } })));
const low = (g: SlabGroup) => Math.min(g.starts.from, g.starts.to);
const high = (g: SlabGroup) => Math.max(g.starts.from, g.starts.to);
const rowsOf = (groups: readonly SlabGroup[]) => groups.reduce((n, g) => n + g.rows, 0);

describe('slabsOf', () => {
  it('writes each start day in one slab, in order, reading every group whose days meet it, and no other', () => {
    fc.assert(
      fc.property(fc.array(anyGroup, { maxLength: 40 }), fc.integer({ min: 1, max: 80 }), (groups, rows) => {
        const slabs = slabsOf(groups, rows);
        if (groups.length === 0) {
          expect(slabs).toEqual([]);
          return;
        }
        // Consecutive days from -∞ to +∞: every incident is written by exactly one slab.
        expect(slabs[0].days.from).toBe(-Infinity);
        expect(slabs.at(-1)!.days.to).toBe(Infinity);
        for (let k = 1; k < slabs.length; k++) expect(slabs[k].days.from).toBe(slabs[k - 1].days.to + 1);
        for (const { days, groups: read } of slabs) {
          expect(days.from).toBeLessThanOrEqual(days.to);
          // The slab reads exactly the groups that may hold an incident starting on its days.
          expect(new Set(read)).toEqual(new Set(groups.filter((g) => low(g) <= days.to && high(g) >= days.from)));
        }
        for (const slab of slabs.slice(0, -1)) {
          // A slab closes only once it reads the rows asked for, and reads a group again only
          // past LARGEST (4) times them, when at most half of them cross its last day.
          const held = rowsOf(slab.groups);
          expect(held).toBeGreaterThanOrEqual(rows);
          const crossing = slab.groups.filter((g) => high(g) > slab.days.to);
          if (crossing.length > 0) {
            expect(held).toBeGreaterThanOrEqual(4 * rows);
            expect(rowsOf(crossing)).toBeLessThanOrEqual(rows / 2);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('cuts groups sorted by week into slabs of about the rows asked for, reading each once', () => {
    const weeks = Array.from({ length: 10 }, (_, w) => Array.from({ length: 3 }, () => ({ rows: 10, starts: { from: w * 7, to: w * 7 + 6 } }))).flat();
    expect(slabsOf(weeks, 30).map((s) => s.groups.length)).toEqual(Array(10).fill(3));
    expect(slabsOf(weeks, 31).map((s) => s.groups.length)).toEqual(Array(5).fill(6));
  });

  it("cuts a month whose groups straddle its weeks at the weeks, past four times the rows, reading only the straddling group twice", () => {
    // As DuckDB writes a large dataset: a week of 97 rows, sorted along the curve (every group
    // of it spans the week), cut into groups of 10 rows, one of which holds the end of a week
    // and the start of the next.
    const groups: SlabGroup[] = [];
    for (let at = 0; at < 4 * 97; at += 10) {
      const first = Math.floor(at / 97);
      const last = Math.floor(Math.min(at + 9, 4 * 97 - 1) / 97);
      groups.push({ rows: 10, starts: { from: first * 7, to: last * 7 + 6 } });
    }
    const straddling = groups.filter((g) => g.starts.to - g.starts.from > 6);
    expect(straddling).toHaveLength(3);
    const whole = slabsOf(groups, 100);
    expect(whole).toHaveLength(1);
    const cut = slabsOf(groups, 20);
    expect(cut.map((s) => s.days.to)).toEqual([6, 13, 20, Infinity]);
    expect(cut.map((s) => s.groups.length)).toEqual([10, 11, 11, 10]);
    expect(cut.flatMap((s) => s.groups).filter((g) => !straddling.includes(g))).toHaveLength(groups.length - 3);
  });

  it('keeps groups that all span the whole time in one slab', () => {
    const wide = Array.from({ length: 5 }, (_, k) => ({ rows: 100, starts: { from: k, to: 100 } }));
    expect(slabsOf(wide, 10)).toHaveLength(1);
  });
});

describe('slabTexts', () => {
  it('writes the same file from slabs cut through straddling groups as from one slab of them all', async () => {
    // Eight weeks of 23 incidents each at random times of their week, in groups of 5 (the last of
    // a week also holding the next week's first), each group's rows out of time order.
    const random = mulberry32(3);
    const incidents: Incident[] = [];
    for (let k = 0; k < 8 * 23; k++) {
      const week = Math.floor(k / 23);
      const day = isoDateOfDay(dayOfIsoDate('2020-01-06') + week * 7 + Math.floor(random() * 7));
      const start = `${day}T${String(Math.floor(random() * 24)).padStart(2, '0')}:00:00+03:00`;
      incidents.push(validateFeature(feature({ id: `i${k}`, start, end: start, category: k % 3 ? 'airstrike' : 'protest/riot' }, [40 + random(), 30 + random()]), k).incident!);
    }
    const groups = Array.from({ length: Math.ceil(incidents.length / 5) }, (_, g) => {
      const rows = incidents.slice(g * 5, g * 5 + 5).sort(() => random() - 0.5);
      const days = rows.map((i) => i.startDay);
      return { rows: rows.length, starts: { from: Math.min(...days), to: Math.max(...days) }, incidents: rows };
    });
    const filter = { days: { from: incidents[0].startDay - 100, to: incidents[0].startDay + 100 }, view: [-180, -90, 180, 90] as [number, number, number, number], categories: new Set(['airstrike' as const]), statuses: null };
    const read = async (g: (typeof groups)[number]) => g.incidents;
    const whole = await slabTexts({ days: { from: -Infinity, to: Infinity }, groups }, read, filter, 'geojson', () => false);
    const slabs = slabsOf(groups, 10);
    expect(slabs.length).toBeGreaterThan(2);
    expect(slabs.some((s, k) => k > 0 && s.groups.includes(slabs[k - 1].groups.at(-1)!))).toBe(true);
    const cut = (await Promise.all(slabs.map((s) => slabTexts(s, read, filter, 'geojson', () => false)))).flatMap((t) => t!);
    expect(whole!.length).toBe(incidents.filter((i) => i.category === 'airstrike').length);
    expect(cut).toEqual(whole);
  });
});
