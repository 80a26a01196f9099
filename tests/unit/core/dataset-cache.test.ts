import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GroupedStore, covers, readAhead, sameCoverage, type Coverage } from '../../../src/core/dataset-cache.ts';
import { storeOfIncidents } from '../../../src/core/store-builder.ts';
import { validateFeature, type Incident } from '../../../src/core/schema.ts';
import { isoDateOfDay } from '../../../src/core/time.ts';
import { isVisible } from '../../oracle.ts';
import { feature } from '../../fixtures/incident.ts';
import { pieceMayMatch, type PieceStats } from '../../../src/core/dataset-manifest.ts';
import { normalizeView, type Bbox, type View } from '../../../src/core/geometry.ts';

const lon = fc.integer({ min: -360, max: 360 }).map((x) => x / 2);
const lat = fc.integer({ min: -180, max: 180 }).map((y) => y / 2);
const day = fc.integer({ min: 0, max: 60 });
const range = fc.tuple(day, day).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
/** Any view the map reports (its bounds through normalizeView), those across the antimeridian (west > east) included. */
const view = fc.tuple(lon, lat, fc.integer({ min: 0, max: 800 }).map((x) => x / 2), lat).map(([w, a, width, b]): View => normalizeView(w, Math.min(a, b), w + width, Math.max(a, b)));
/** A piece's statistics: a bbox as build-dataset writes it (west ≤ east). */
const piece = fc.tuple(range, lon, lat, lon, lat).map(([days, a, b, c, d]): PieceStats => ({ days, bbox: [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)] as Bbox }));

describe('sameCoverage', () => {
  const asked: Coverage = { days: { from: 10, to: 20 }, view: [44 - 1e-9, 33 - 1e-9, 45 + 1e-9, 34 + 1e-9] };
  it('takes the view a hair inside the one asked for as that one', () => {
    expect(sameCoverage(asked, { from: 10, to: 20 }, [44, 33, 45, 34])).toBe(true);
    expect(sameCoverage(asked, { from: 10, to: 20 }, asked.view)).toBe(true);
  });
  it('refuses other days, a view smaller by more than a hair, and one a hair outside', () => {
    expect(sameCoverage(asked, { from: 10, to: 19 }, [44, 33, 45, 34])).toBe(false);
    expect(sameCoverage(asked, { from: 10, to: 20 }, [44.001, 33, 45, 34])).toBe(false);
    expect(sameCoverage(asked, { from: 10, to: 20 }, [44, 33, 45, 34 + 2e-9])).toBe(false);
  });
});

describe('covers', () => {
  it('never claims a request whose pieces were not all loaded (property)', () => {
    fc.assert(
      fc.property(range, view, range, view, fc.array(piece, { maxLength: 8 }), (cDays, cView, days, v, pieces) => {
        // Two random requests seldom hold one another: the padded one always does.
        for (const covered of [{ days: cDays, view: cView }, readAhead(days, v, { from: 0, to: 60 })] as Coverage[]) {
          if (!covers(covered, days, v)) continue;
          for (const p of pieces) if (pieceMayMatch(p, days, v)) expect(pieceMayMatch(p, covered.days, covered.view)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('covers what it was loaded for', () => {
    fc.assert(fc.property(range, view, (days, v) => covers({ days, view: v }, days, v)));
  });
  it('refuses a window one day past either end', () => {
    const covered: Coverage = { days: { from: 10, to: 20 }, view: [0, 0, 10, 10] };
    expect(covers(covered, { from: 9, to: 12 }, [0, 0, 10, 10])).toBe(false);
    expect(covers(covered, { from: 18, to: 21 }, [0, 0, 10, 10])).toBe(false);
    expect(covers(covered, { from: 10, to: 20 }, [0, 0, 10, 10])).toBe(true);
  });
  it('refuses a view that sticks out by any edge', () => {
    const covered: Coverage = { days: { from: 0, to: 0 }, view: [0, 0, 10, 10] };
    const days = { from: 0, to: 0 };
    expect(covers(covered, days, [-1, 1, 9, 9])).toBe(false);
    expect(covers(covered, days, [1, -1, 9, 9])).toBe(false);
    expect(covers(covered, days, [1, 1, 11, 9])).toBe(false);
    expect(covers(covered, days, [1, 1, 9, 11])).toBe(false);
    expect(covers(covered, days, [1, 1, 9, 9])).toBe(true);
  });
  it('handles views that cross the antimeridian, as the covered view or the asked one', () => {
    const days = { from: 0, to: 0 };
    const across: Coverage = { days, view: [170, -10, -170, 10] };
    expect(covers(across, days, [175, -5, -175, 5])).toBe(true);
    expect(covers(across, days, [172, -5, 178, 5])).toBe(true);
    expect(covers(across, days, [-178, -5, -172, 5])).toBe(true);
    expect(covers(across, days, [165, -5, -175, 5])).toBe(false);
    expect(covers(across, days, [-10, -5, 10, 5])).toBe(false);
    // The world holds every view, the crossing ones too; a crossing view does not hold the world.
    expect(covers({ days, view: [-180, -90, 180, 90] }, days, [175, -5, -175, 5])).toBe(true);
    expect(covers({ days, view: [1, -90, 0, 90] }, days, [-180, -90, 180, 90])).toBe(false);
  });
});

describe('readAhead', () => {
  const span = { from: 0, to: 60 };
  it('covers the request it pads, and stays in the span and the world (property)', () => {
    fc.assert(
      fc.property(range, view, (days, v) => {
        const ahead = readAhead(days, v, span);
        expect(covers(ahead, days, v)).toBe(true);
        expect(ahead.days.from).toBeGreaterThanOrEqual(span.from);
        expect(ahead.days.to).toBeLessThanOrEqual(span.to);
        for (const x of [ahead.view[0], ahead.view[2]]) expect(Math.abs(x)).toBeLessThanOrEqual(180);
        for (const y of [ahead.view[1], ahead.view[3]]) expect(Math.abs(y)).toBeLessThanOrEqual(90);
      }),
      { numRuns: 2000 },
    );
  });
  it('widens a window by its length each side, clamped to the span', () => {
    expect(readAhead({ from: 20, to: 26 }, [0, 0, 10, 10], span).days).toEqual({ from: 13, to: 33 });
    expect(readAhead({ from: 30, to: 30 }, [0, 0, 10, 10], span).days).toEqual({ from: 29, to: 31 });
    expect(readAhead({ from: 2, to: 58 }, [0, 0, 10, 10], span).days).toEqual(span);
  });
  it('widens a view by half its size each side, within the world, across the antimeridian when it must', () => {
    expect(readAhead({ from: 0, to: 0 }, [10, 10, 20, 20], span).view).toEqual([5, 5, 25, 25]);
    expect(readAhead({ from: 0, to: 0 }, [160, 80, 170, 85], span).view).toEqual([155, 77.5, 175, 87.5]);
    expect(readAhead({ from: 0, to: 0 }, [170, -10, 178, 10], span).view).toEqual([166, -20, -178, 20]);
    expect(readAhead({ from: 0, to: 0 }, [175, -10, -175, 10], span).view).toEqual([170, -20, -170, 20]);
    expect(readAhead({ from: 0, to: 0 }, [-100, -60, 100, 60], span).view).toEqual([-180, -90, 180, 90]);
  });
});

describe('GroupedStore.combine', () => {
  /** Incidents on days 0–60 anywhere, some of several days, some polygons (tested by their extent). */
  const incident = fc.tuple(lon, lat, day, fc.integer({ min: 0, max: 5 }), fc.boolean()).map(([x, y, d, span, polygon]) => ({ x, y, d, span, polygon }));
  const build = (spec: { x: number; y: number; d: number; span: number; polygon: boolean }, id: string): Incident => {
    const f = feature({ id, title: `word${id.replace("-", "q")}q`, start: `${isoDateOfDay(d0(spec.d))}T12:00:00Z`, end: `${isoDateOfDay(d0(spec.d + spec.span))}T12:00:00Z` }, [spec.x, spec.y]);
    const x1 = Math.min(180, spec.x + 3);
    const y1 = Math.min(90, spec.y + 3);
    const geometry = spec.polygon ? { type: 'Polygon' as const, coordinates: [[[spec.x, spec.y], [x1, spec.y], [x1, y1], [spec.x, spec.y]]] } : f.geometry;
    return validateFeature({ ...f, geometry }, 0).incident!;
  };
  // Days from 18,000 (2019), where the store's local days are the incident's.
  const d0 = (d: number) => 18_000 + d;

  it("keeps of the groups held only the rows a view shows, all of those read, and says where each lies (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(incident, { maxLength: 30 }), { minLength: 4, maxLength: 4 }), range, view, (specs, days, v) => {
        const groups = specs.map((list, g) => list.map((spec, k) => build(spec, `g${g}-${k}`)));
        const grouped = new GroupedStore();
        const ids = ['a', 'b', 'c', 'd'];
        grouped.hold(ids.slice(0, 3), new Map(ids.slice(0, 3).map((id, g) => [id, storeOfIncidents(groups[g])])));
        const shown: Coverage = { days: { from: d0(days.from), to: d0(days.to) }, view: v };
        // Two held groups out of their order, one held group not asked for, and one read.
        const { store, held, pick } = grouped.combine(['c', 'd', 'a'], new Map([['d', storeOfIncidents(groups[3])]]), shown);
        expect(held.map((g) => g.id)).toEqual(['c', 'a', 'd']);
        const laid = [...groups[2], ...groups[0], ...groups[3]];
        const filter = { ...shown, categories: null, statuses: null };
        const expected = [...groups[2].filter((i) => isVisible(i, filter)), ...groups[0].filter((i) => isVisible(i, filter)), ...groups[3]];
        expect([...pick!].map((p) => laid[p].id)).toEqual(expected.map((i) => i.id));
        expect(store.size).toBe(expected.length);
        // The store's row at each input position is the incident picked there.
        for (let i = 0; i < store.size; i++) {
          const incident = laid[pick![store.order[i]]];
          expect([store.columns.lon[i], store.columns.startDay[i], store.columns.endDay[i]]).toEqual([incident.lon, incident.startDay, incident.endDay]);
        }
        // Its words are the rows' own: each title finds its row alone.
        for (const incident of expected.slice(0, 3)) {
          const mask = store.text.match([incident.properties.title.toLowerCase()]);
          const found = [...store.order].filter((_, i) => mask === null || mask[i] === 1).map((k) => laid[pick![k]].id);
          expect(found).toEqual([incident.id]);
        }
        // What is held does not change.
        expect(grouped.held.map((g) => g.id)).toEqual(['a', 'b', 'c']);
      }),
      { numRuns: 300 },
    );
  });
});
