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

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const INNER_CODES = new Set([...INNER.replace('\\', '')].map((c) => c.charCodeAt(0)));

/** Whether the code unit at i of folded text is part of a word: a letter or a digit. */
function isWordUnit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
  // A surrogate pair is one character: ask about the pair, from either half.
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) return LETTER_OR_DIGIT.test(text.slice(i - 1, i + 1));
  return LETTER_OR_DIGIT.test(c >= 0xd800 && c <= 0xdbff ? text.slice(i, i + 2) : text[i]);
}

/**
 * The words of text as the index holds them: joined, and from each later part on. A scan of
 * code units rather than a Unicode regular expression: the import worker runs it on every row.
 */
export function eachIndexWord(text: string, add: (word: string) => void): void {
  const t = fold(text);
  const n = t.length;
  let i = 0;
  while (i < n) {
    if (!isWordUnit(t, i)) {
      i++;
      continue;
    }
    // A word: runs of letters and digits joined by single inner apostrophes or hyphens.
    let parts: string[] | null = null;
    let start = i;
    for (;;) {
      while (i < n && isWordUnit(t, i)) i++;
      if (i + 1 < n && INNER_CODES.has(t.charCodeAt(i)) && isWordUnit(t, i + 1)) {
        (parts ??= []).push(t.slice(start, i));
        start = ++i;
        continue;
      }
      break;
    }
    const last = t.slice(start, i);
    if (parts === null) add(last);
    else {
      parts.push(last);
      for (let j = 0; j < parts.length; j++) add(parts.slice(j).join(''));
    }
  }
}

/** The words of text as the index holds them, each once. */
export function indexWords(text: string): Set<string> {
  const out = new Set<string>();
  eachIndexWord(text, (word) => out.add(word));
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

/** The texts of an incident that search reads: title, summary, place, actors, source names. */
export function searchableFields(incident: Incident): string[] {
  const p = incident.properties;
  const parts = [p.title, p.summary, p.place, ...p.actors];
  for (const s of p.sources) parts.push(s.title, s.publisher);
  return parts;
}

export const searchableText = (incident: Incident): string => searchableFields(incident).join('\n');

/** How much of a text is searched for matches to mark. */
export const HIGHLIGHT_MAX = 20_000;

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
  // An imported title may be a megabyte, and the list shows 500: beyond a page, plain text.
  if (text.length > HIGHLIGHT_MAX) return [...highlight(text.slice(0, HIGHLIGHT_MAX), words), { text: text.slice(HIGHLIGHT_MAX), hit: false }];
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
