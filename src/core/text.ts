// Text search's one definition of a word. Folding ignores case, diacritics and Arabic vowel
// marks; a word is a run of letters and digits that may hold apostrophes or hyphens inside it
// ("Kata'ib", "al-Qa'im"). Such a word is indexed without them from each of its parts on
// ("alqaim", "qaim", "im"), so typing it joined or from any part finds it. A typed word matches
// the start of an indexed word: "hezb" finds "Hezbollah" while the word is still being typed.
// The index (text-index.ts) and the highlighter below both follow these rules, so what is
// highlighted is what matched.

import type { Incident } from './schema.ts';

const INNER = "'’ʼʻ‘`´\\-‐‑"; // apostrophes and hyphens that may join the parts of a word
const WORD = new RegExp(`[\\p{L}\\p{N}]+(?:[${INNER}][\\p{L}\\p{N}]+)*`, 'gu');
const INNER_ONE = new RegExp(`[${INNER}]`, 'u');
const INNER_ALL = new RegExp(`[${INNER}]`, 'gu');
/** The same, in text not yet folded, where marks may sit inside a word. */
const RAW_WORD = new RegExp(`[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}]*(?:[${INNER}][\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}]*)*`, 'gu');
const MARKS = /\p{M}/gu;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * What NFKD, dropping marks and lower-casing leave different though a reader takes them as the
 * same letter: German sharp s, Greek final sigma, Turkish dotless i, and Arabic's alef maqsura,
 * teh marbuta and the tatweel that only stretches a line.
 */
const FOLDS: Readonly<Record<string, string>> = { ß: 'ss', ς: 'σ', ı: 'i', ى: 'ي', ة: 'ه', ـ: '' };
const FOLDABLE = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'gu');

/** Lower case, no diacritics, no Arabic vowel marks. The same string may change length. */
export function fold(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase().replace(FOLDABLE, (c) => FOLDS[c]);
}

/** The words of folded text as the index holds them: joined, and from each later part on. */
export function indexWords(text: string, out: Set<string> = new Set()): Set<string> {
  for (const [word] of fold(text).matchAll(WORD)) {
    if (!INNER_ONE.test(word)) {
      out.add(word);
      continue;
    }
    const parts = word.split(INNER_ALL);
    for (let j = 0; j < parts.length; j++) out.add(parts.slice(j).join(''));
  }
  return out;
}

/** At most this many words of a query count: a pasted page is not a search. */
export const MAX_QUERY_WORDS = 32;

/** The typed words, folded and joined ("Al-Qa'im" → "alqaim"); duplicates dropped. */
export function queryWords(query: string): string[] {
  const words = new Set<string>();
  for (const [word] of fold(query).matchAll(WORD)) {
    words.add(word.replace(INNER_ALL, ''));
    if (words.size === MAX_QUERY_WORDS) break;
  }
  return [...words];
}

/** The text of an incident that search reads: title, summary, actors, place, source names. */
export function searchableText(incident: Incident): string {
  const p = incident.properties;
  const parts = [p.title, p.summary, p.place, ...p.actors];
  for (const s of p.sources) parts.push(s.title, s.publisher);
  return parts.join('\n');
}

/** A piece of a text to show, marked when a typed word matched there. */
export interface TextPart {
  text: string;
  hit: boolean;
}

/**
 * The text cut into plain and matched pieces, for showing as text (never as HTML): each place
 * where a typed word matches the start of a word, joined or a part, is a hit.
 */
export function highlight(text: string, words: readonly string[]): TextPart[] {
  if (words.length === 0 || text === '') return [{ text, hit: false }];
  // The folded text without inner apostrophes and hyphens, and for each of its code units the
  // code unit of `text` it came from; `starts` marks where a word or a part begins.
  let folded = '';
  const from: number[] = [];
  const starts = new Set<number>();
  for (const m of text.matchAll(RAW_WORD)) {
    let partStart = true;
    for (let k = 0; k < m[0].length; ) {
      const cp = m[0].codePointAt(k)!;
      const ch = String.fromCodePoint(cp);
      const at = m.index + k;
      k += ch.length;
      if (INNER_ONE.test(ch)) {
        partStart = true;
        continue;
      }
      const f = fold(ch);
      if (f === '') continue;
      if (partStart) starts.add(folded.length);
      partStart = false;
      for (let j = 0; j < f.length; j++) from.push(at);
      folded += f;
    }
    folded += ' ';
    from.push(m.index + m[0].length);
  }
  from.push(text.length);
  const hit = new Uint8Array(text.length);
  for (const word of words) {
    for (let at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + 1)) {
      if (!starts.has(at)) continue;
      // The last folded unit's source character, through its end.
      const end = from[at + word.length - 1];
      const endChar = String.fromCodePoint(text.codePointAt(end)!);
      hit.fill(1, from[at], end + endChar.length);
    }
  }
  const parts: TextPart[] = [];
  let begin = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i === text.length || hit[i] !== hit[begin]) {
      parts.push({ text: text.slice(begin, i), hit: hit[begin] === 1 });
      begin = i;
    }
  }
  return parts;
}
