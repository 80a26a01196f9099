import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateFeature, type Incident } from '../../../src/core/schema.ts';
import { mergeStores, storeOfIncidents, StoreBuilder } from '../../../src/core/store-builder.ts';
import { IncidentStore } from '../../../src/core/store.ts';
import { highlight, queryWords, searchableText } from '../../../src/core/text.ts';
import { feature } from '../../fixtures/incident.ts';
import type { IncidentProperties } from '../../../src/core/schema.ts';

const incident = (overrides: Partial<IncidentProperties>): Incident => {
  const { incident, issues } = validateFeature(feature(overrides), 0);
  if (!incident) throw new Error(JSON.stringify(issues));
  return incident;
};

/** The ids whose text matches the query, as the store's index finds them. */
function found(store: IncidentStore, incidents: Incident[], query: string): string[] {
  const mask = store.text.match(queryWords(query));
  if (!mask) return incidents.map((i) => i.id).sort();
  return [...mask.keys()].filter((i) => mask[i] === 1).map((i) => incidents[store.order[i]].id).sort();
}

const incidents = [
  incident({ id: 'kh', title: "Strikes on Kata'ib Hezbollah", place: "al-Qa'im, Anbar", start: '2019-12-29T16:00:00+03:00', end: '2019-12-29T16:00:00+03:00' }),
  incident({ id: 'k1', title: 'Rocket attack on K-1 air base', actors: ['Islamic Resistance'], sources: [{ title: 'Report', publisher: 'Reuters', url: null, published: null }] }),
  incident({ id: 'ar', title: 'قصف مقر كَتَائِب حزب الله', summary: 'Résumé en français', start: '2020-01-01T10:00:00+03:00', end: '2020-01-01T10:00:00+03:00' }),
];

describe('the text index', () => {
  const store = storeOfIncidents(incidents);

  it('finds "kataib" in "Kata\'ib" and "al qaim" in "al-Qa\'im"', () => {
    expect(found(store, incidents, 'kataib')).toEqual(['kh']);
    expect(found(store, incidents, 'al qaim')).toEqual(['kh']);
  });
  it('needs every word typed', () => {
    expect(found(store, incidents, 'rocket hezbollah')).toEqual([]);
    expect(found(store, incidents, 'rocket base')).toEqual(['k1']);
  });
  it('reads the place, actors and source names', () => {
    expect(found(store, incidents, 'anbar')).toEqual(['kh']);
    expect(found(store, incidents, 'islamic')).toEqual(['k1']);
    expect(found(store, incidents, 'reuters')).toEqual(['k1']);
  });
  it('matches Arabic script with Arabic script, vowel marks or not', () => {
    expect(found(store, incidents, 'كتائب')).toEqual(['ar']);
    expect(found(store, incidents, 'كَتَائِب حزب')).toEqual(['ar']);
  });
  it('ignores case and diacritics', () => {
    expect(found(store, incidents, 'RESUME FRANCAIS')).toEqual(['ar']);
  });
  it('matches the start of a word, not its middle', () => {
    expect(found(store, incidents, 'hezb')).toEqual(['kh']);
    expect(found(store, incidents, 'bollah')).toEqual([]);
  });
  it('gives null for no words, so nothing is narrowed', () => {
    expect(store.text.match([])).toBeNull();
  });
  it('survives a copy of the buffer (as a worker sends it)', () => {
    expect(found(new IncidentStore(store.buffer.slice(0)), incidents, 'kataib')).toEqual(['kh']);
  });
  it('keeps the words of both stores through an "add" merge', () => {
    const a = storeOfIncidents(incidents.slice(0, 1));
    const b = storeOfIncidents(incidents.slice(1));
    const merged = mergeStores(a, b);
    expect(found(merged, incidents, 'kataib')).toEqual(['kh']);
    expect(found(merged, incidents, 'reuters')).toEqual(['k1']);
    expect(found(merged, incidents, 'كتائب')).toEqual(['ar']);
  });
  it('keeps the words of a part read by another worker (addRaw)', () => {
    const first = new StoreBuilder().add(incidents.slice(0, 2));
    const second = new StoreBuilder().add(incidents.slice(2));
    const store2 = first.addRaw(second.raw()).build();
    expect(found(store2, incidents, 'كتائب')).toEqual(['ar']);
    expect(found(store2, incidents, 'hezbollah')).toEqual(['kh']);
  });
  it('has an empty index for a store of none', () => {
    expect(storeOfIncidents([]).text.match(['x'])).toBeNull();
  });
  it('gives null when every incident matches, so nothing is narrowed', () => {
    expect(store.text.match(['k'])).not.toBeNull();
    expect(storeOfIncidents(incidents.slice(0, 1)).text.match(['kata'])).toBeNull();
  });

  it('finds exactly the incidents whose highlighted text shows every word (property)', () => {
    const word = fc.constantFrom("Kata'ib", 'Hezbollah', 'al-Qaim', 'Qāsem', 'rocket', 'Résumé', 'كتائب', 'حزب', 'base', 'K-1');
    fc.assert(
      fc.property(fc.array(fc.array(word, { maxLength: 5 }), { minLength: 1, maxLength: 8 }), fc.array(word, { minLength: 1, maxLength: 3 }), (texts, typed) => {
        const list = texts.map((t, k) => incident({ id: `i${k}`, title: t.join(' ') || 'x', summary: 'x', place: 'x', actors: [], sources: [{ title: 'x', publisher: 'x', url: null, published: null }] }));
        const query = typed.join(' ');
        const words = queryWords(query);
        const expected = list.filter((i) => words.every((w) => highlight(searchableText(i), [w]).some((p) => p.hit))).map((i) => i.id).sort();
        expect(found(storeOfIncidents(list), list, query)).toEqual(expected);
      }),
    );
  });
});
