import { describe, expect, it } from 'vitest';
import { Interner } from '../../src/core/intern.ts';
import { importCsv } from '../../src/core/import/index.ts';

const csv = (rows: number) =>
  [
    'event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,country,admin1,location,latitude,longitude,source,notes,fatalities,__proto__',
    ...Array.from({ length: rows }, (_, i) => `IRQ${i},${1 + (i % 3)} January 2020,1,Battles,Armed clash,Military Forces of Iraq,Iraq,Anbar,Ramadi,33.4,43.3,Local source,Note ${i},0,p${i % 2}`),
  ].join('\n');

describe('interning imported strings', () => {
  it('pools repeated values and leaves every value, and the incident, as it was', () => {
    // Two imports of the same text stand for two structured-cloned copies.
    const original = importCsv(csv(50)).incidents;
    const copies = structuredClone(importCsv(csv(50)).incidents);
    const interner = new Interner();
    const interned = copies.map((i) => interner.incident(i));
    expect(interned).toEqual(original);
    const [a] = interned;
    // Strings compare by value in JS, so sharing itself is not observable here; the pools show
    // that each repeated value was kept once and that distinct ones were not pooled for ever.
    const pools = (interner as unknown as { pools: Map<string, Map<string, string> | null> }).pools;
    expect(pools.get('country')?.size).toBe(1);
    expect(pools.get('event_type')?.size).toBe(1);
    expect(pools.get('start')?.size).toBe(3);
    // A column named __proto__ stays a plain field and the prototype is untouched.
    expect(Object.getPrototypeOf(a.properties)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(a.properties, '__proto__')).toBe(true);
  });

  it('stops pooling a field whose values are nearly all distinct, so memory stays bounded', () => {
    const interner = new Interner(10);
    for (let i = 0; i < 100; i++) expect(interner.string('notes', `note ${i}`)).toBe(`note ${i}`);
    const pools = (interner as unknown as { pools: Map<string, Map<string, string> | null> }).pools;
    expect(pools.get('notes')).toBeNull();
    for (let i = 0; i < 100; i++) interner.string('country', i % 2 ? 'Iraq' : 'Syria');
    expect(pools.get('country')?.size).toBe(2);
  });
});
