import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fold, highlight, HIGHLIGHT_MAX, indexWords, queryWords } from '../../../src/core/text.ts';

const hits = (text: string, query: string) =>
  highlight(text, queryWords(query))
    .filter((p) => p.hit)
    .map((p) => p.text);

describe('fold', () => {
  it('ignores case and diacritics', () => {
    expect(fold('Qāsem SOLEIMANI')).toBe('qasem soleimani');
    expect(fold('Erbil – Hewlêr')).toBe('erbil – hewler');
  });
  it('drops Arabic vowel marks and hamza seats, and the tatweel', () => {
    expect(fold('كَتَائِب')).toBe(fold('كتائب'));
    expect(fold('أبو مهدي')).toBe('ابو مهدي');
    expect(fold('كتـــائب')).toBe(fold('كتائب'));
  });
  it('folds sharp s, final sigma and dotless i', () => {
    expect(fold('Straße')).toBe('strasse');
    expect(fold('ΟΔΟΣ')).toBe(fold('οδοσ'));
    expect(fold('DİYARBAKIR')).toBe(fold('diyarbakir'));
  });
  it('is idempotent (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => fold(fold(s)) === fold(s)));
  });
});

describe('indexWords', () => {
  it('indexes a word with an inner apostrophe or hyphen joined, from each of its parts on', () => {
    expect([...indexWords("Kata'ib al-Qa'im")].sort()).toEqual(['alqaim', 'ib', 'im', 'kataib', 'qaim'].sort());
  });
  it('leaves out leading and trailing apostrophes and hyphens', () => {
    expect([...indexWords("'quoted' -dash-")].sort()).toEqual(['dash', 'quoted']);
  });
  it('keeps Arabic words whole', () => {
    const words = [...indexWords('كتائب حزب الله')];
    expect(words).toHaveLength(3);
    expect(words).toEqual(queryWords('كتائب حزب الله'));
  });
});

describe('queryWords', () => {
  it('joins a typed word over apostrophes and hyphens, so "Kata\'ib" is "kataib"', () => {
    expect(queryWords("Kata'ib Al-Qa'im")).toEqual(['kataib', 'alqaim']);
  });
  it('drops punctuation and duplicates, and keeps at most 32 words', () => {
    expect(queryWords('  rocket, ROCKET!  ')).toEqual(['rocket']);
    expect(queryWords(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))).toHaveLength(32);
  });
  it('finds no words in an empty or all-punctuation query', () => {
    expect(queryWords('')).toEqual([]);
    expect(queryWords(" ' - ; ")).toEqual([]);
  });
});

describe('highlight', () => {
  it('marks the matched start of a word, keeping the text as written', () => {
    expect(hits("Kata'ib Hezbollah headquarters", 'kataib hezb')).toEqual(["Kata'ib", 'Hezb']);
  });
  it('matches the parts of a hyphenated name', () => {
    expect(hits("Strikes near al-Qa'im", 'al qaim')).toEqual(['al', "Qa'im"]);
  });
  it('matches regardless of diacritics and keeps the original letters', () => {
    expect(hits('Qāsem Soleimani', 'qasem')).toEqual(['Qāsem']);
  });
  it('matches Arabic with vowel marks', () => {
    expect(hits('قصف كَتَائِب حزب الله', 'كتائب')).toEqual(['كَتَائِب']);
  });
  it('marks only the first HIGHLIGHT_MAX characters of a huge text, and keeps the rest', () => {
    const huge = 'kataib '.repeat(10_000);
    const parts = highlight(huge, ['kataib']);
    expect(parts.map((p) => p.text).join('')).toBe(huge);
    expect(parts.filter((p) => p.hit).length).toBe(Math.floor((HIGHLIGHT_MAX + 1) / 7));
  });
  it('does not mark the middle of a word', () => {
    expect(hits('Hezbollah', 'bollah')).toEqual([]);
  });
  it('gives back the text unchanged, whatever it holds (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme', maxLength: 6 }), (text, query) => {
        expect(highlight(text, queryWords(query)).map((p) => p.text).join('')).toBe(text);
      }),
    );
  });
  it('marks a word of the text when it is typed, whatever the word (property)', () => {
    const word = fc.stringMatching(/^[A-Za-zÀ-ÖØ-öø-ÿ]{1,8}(?:['-][A-Za-zÀ-ÖØ-öø-ÿ]{1,5})?$/);
    fc.assert(
      fc.property(word, word, (a, b) => {
        const text = `${a} ${b}`;
        expect(highlight(text, queryWords(b)).some((p) => p.hit)).toBe(true);
      }),
    );
  });
});
