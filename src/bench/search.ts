// The text index against MiniSearch on the same seeded texts (npm run bench): build time,
// memory, and the time a keystroke's query takes to become the per-incident mask the map draws.

import MiniSearch from 'minisearch';
import { TextIndexBuilder } from '../core/text-index.ts';
import { buildStore, type IncidentColumns } from '../core/store.ts';
import { fold, indexWords, queryWords } from '../core/text.ts';
import { mulberry32 } from '../core/random.ts';

const ACTORS = ['Military Forces of Iraq (2018-)', 'Islamic State (Iraq)', "Kata'ib Hezbollah", 'Popular Mobilization Forces', 'Protesters (Iraq)', 'Unidentified Armed Group (Iraq)', 'Police Forces of Iraq (2018-)', 'Military Forces of the United States'];
const EVENTS = ['Clashes reported near the town', 'An IED exploded on the road', 'Rockets landed near the base', 'Protesters gathered in the square', 'A drone struck a vehicle', "Shelling hit al-Qa'im district"];
const SOURCES = ['Local source', 'Another source', 'Shafaq News', 'Rudaw', 'Xinhua', 'Al Sumaria'];

/** n incidents' searchable texts, as an ACLED import gives them (title, notes, place, actors, sources). */
export function syntheticTexts(n: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const place = `Place ${Math.floor(rand() * 5000)}`;
    return [`Armed clash in ${place}`, `${pick(EVENTS)}, with ${i % 7} casualties.`, `${place}, Anbar, Iraq`, pick(ACTORS), pick(ACTORS), pick(SOURCES), pick(SOURCES)].join('\n');
  });
}

/** What a user types, a keystroke at a time. */
export const TYPED = "kata'ib place 42";

const bytesOf = (arrays: Record<string, ArrayBufferView>) => Object.values(arrays).reduce((s, a) => s + a.byteLength, 0);

const heapMb = () => {
  (globalThis as unknown as { gc?: () => void }).gc?.();
  return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1024 ** 2;
};

export interface SearchFigures {
  buildMs: number;
  mb: number;
  /** Per keystroke, ms from the query to the mask. */
  keystrokes: number[];
  counts: number[];
}

/** Ours: the index the import worker builds (timed here on the page), then each keystroke's mask. */
export function oursSearch(columns: IncidentColumns, texts: readonly string[]): SearchFigures {
  const t0 = performance.now();
  const builder = new TextIndexBuilder();
  for (const text of texts) builder.addTexts(text.split('\n'));
  const store = buildStore(columns, new Map(), builder);
  const buildMs = performance.now() - t0;
  const keystrokes: number[] = [];
  const counts: number[] = [];
  for (let k = 1; k <= TYPED.length; k++) {
    const t = performance.now();
    const mask = store.text.match(queryWords(TYPED.slice(0, k)));
    keystrokes.push(performance.now() - t);
    counts.push(mask ? mask.reduce((s, x) => s + x, 0) : texts.length);
  }
  return { buildMs, mb: bytesOf(store.text.arrays as unknown as Record<string, ArrayBufferView>) / 1024 ** 2, keystrokes, counts };
}

/**
 * MiniSearch with the same folding, prefix search and every word required, its results made
 * into the same mask. Its memory is the heap it adds, after a collection.
 */
export function miniSearch(texts: readonly string[]): SearchFigures {
  const before = heapMb();
  const t0 = performance.now();
  const index = new MiniSearch<{ id: number; text: string }>({
    fields: ['text'],
    // The same words as ours (text.ts), folded once.
    tokenize: (text) => [...indexWords(text)],
    processTerm: (term) => term,
    searchOptions: { prefix: true, combineWith: 'AND', tokenize: queryWords, processTerm: fold },
  });
  for (let i = 0; i < texts.length; i++) index.add({ id: i, text: texts[i] });
  const buildMs = performance.now() - t0;
  const mb = heapMb() - before;
  const keystrokes: number[] = [];
  const counts: number[] = [];
  for (let k = 1; k <= TYPED.length; k++) {
    const t = performance.now();
    const words = queryWords(TYPED.slice(0, k));
    const mask = new Uint8Array(texts.length);
    if (words.length === 0) mask.fill(1);
    else for (const r of index.search(words.join(' '))) mask[r.id as number] = 1;
    keystrokes.push(performance.now() - t);
    counts.push(mask.reduce((s, x) => s + x, 0));
  }
  return { buildMs, mb, keystrokes, counts };
}
