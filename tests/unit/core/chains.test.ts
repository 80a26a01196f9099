import { describe, expect, it } from 'vitest';
import { arc, chainArcs } from '../../../src/core/chains.ts';
import { validateFeature, type Incident } from '../../../src/core/schema.ts';
import { feature } from '../../fixtures/incident.ts';

const incident = (...args: Parameters<typeof feature>): Incident => validateFeature(feature(...args), 0).incident!;

describe('chains', () => {
  it('draws "A retaliation for B" from B to A, with an arrow', () => {
    const k1 = incident({ id: 'k1' }, [44.28, 35.51]);
    const strike = incident({ id: 'strike', related: [{ type: 'retaliation for', id: 'k1' }] }, [41.14, 34.37]);
    const [a] = chainArcs([k1, strike]).features;
    expect(a.properties).toMatchObject({ from: 'k1', to: 'strike', directed: true });
    expect(a.geometry.coordinates[0]).toEqual([44.28, 35.51]);
    expect(a.geometry.coordinates.at(-1)).toEqual([41.14, 34.37]);
  });
  it('draws a symmetric relation once, without an arrow', () => {
    const a = incident({ id: 'a', related: [{ type: 'same operation as', id: 'b' }] }, [41, 34]);
    const b = incident({ id: 'b', related: [{ type: 'same operation as', id: 'a' }] }, [40.9, 34.4]);
    const arcs = chainArcs([a, b]).features;
    expect(arcs).toHaveLength(1);
    expect(arcs[0].properties.directed).toBe(false);
  });
  it('skips relations to incidents that are not loaded', () => {
    expect(chainArcs([incident({ related: [{ type: 'related to', id: 'ghost' }] })]).features).toEqual([]);
  });
  it('bends the curve so that A→B and B→A do not overlap', () => {
    const there = arc([0, 0], [10, 0]);
    const back = arc([10, 0], [0, 0]);
    expect(there[12][1]).toBeCloseTo(-back[12][1]);
    expect(there[12][1]).not.toBe(0);
  });
});
