// The text search index: a sorted dictionary of the words (text.ts) and, per word, the store
// indices that hold it — four typed arrays inside the store's buffer, so it is built in the
// import worker with the store and crosses to the page with it, uncopied. A typed word is a
// prefix: a binary search finds the dictionary's run of words that start with it, and their
// posting lists mark the incidents. Measured against MiniSearch in tests/bench/README.md.

import { eachIndexWord } from './text.ts';

/** The index's arrays, as stored. */
export interface TextArrays {
  chars: Uint16Array; // the dictionary's words, sorted by code unit, back to back
  wordStart: Uint32Array; // T + 1 offsets into chars
  postingStart: Uint32Array; // T + 1 offsets into postings
  postings: Uint32Array; // per word, the store indices holding it, ascending
}

export class TextIndex {
  private last: { words: string; mask: Uint8Array | null } | null = null;

  constructor(
    readonly arrays: TextArrays,
    /** Incidents in the store. */
    readonly size: number,
  ) {}

  /** How many words the dictionary holds. */
  get words(): number {
    return this.arrays.wordStart.length - 1;
  }

  /** The dictionary's k-th word. */
  word(k: number): string {
    const { chars, wordStart } = this.arrays;
    let word = '';
    // A slice at a time: a hostile file's one word may be longer than a call takes arguments.
    for (let a = wordStart[k], end = wordStart[k + 1]; a < end; a += 4096) word += String.fromCharCode(...chars.subarray(a, Math.min(end, a + 4096)));
    return word;
  }

  /**
   * 1 at each store index whose text holds a word starting with every one of `words`, else 0;
   * null when nothing is narrowed (no words, or every incident matches), so the filter keeps
   * its fast path while the first letters of a common word are typed. The last answer is kept:
   * the mask and the legend ask for the same one. The caller must not change it.
   */
  match(words: readonly string[]): Uint8Array | null {
    if (words.length === 0) return null;
    const key = words.join(' ');
    if (this.last?.words === key) return this.last.mask;
    // hits[i] counts the words matched so far; a word only raises those all earlier ones reached.
    const hits = new Uint8Array(this.size);
    const { postingStart, postings } = this.arrays;
    words.forEach((word, w) => {
      const [lo, hi] = this.prefixRange(word);
      for (let p = postingStart[lo], end = postingStart[hi]; p < end; p++) {
        const i = postings[p];
        if (hits[i] === w) hits[i] = w + 1;
      }
    });
    const all = words.length;
    let count = 0;
    for (let i = 0; i < hits.length; i++) count += hits[i] = hits[i] === all ? 1 : 0;
    const mask = count === hits.length ? null : hits;
    this.last = { words: key, mask };
    return mask;
  }

  /** The dictionary's words [lo, hi) that start with prefix. */
  prefixRange(prefix: string): [number, number] {
    const lo = this.firstWhere((k) => this.compare(k, prefix) >= 0);
    const hi = this.firstWhere((k) => this.compare(k, prefix) > 0 && !this.startsWith(k, prefix));
    return [lo, Math.max(lo, hi)];
  }

  private firstWhere(ok: (k: number) => boolean): number {
    let lo = 0;
    let hi = this.words;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ok(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private compare(k: number, s: string): number {
    const { chars, wordStart } = this.arrays;
    const a = wordStart[k];
    const n = wordStart[k + 1] - a;
    for (let j = 0; j < Math.min(n, s.length); j++) {
      const d = chars[a + j] - s.charCodeAt(j);
      if (d !== 0) return d;
    }
    return n - s.length;
  }

  private startsWith(k: number, s: string): boolean {
    const { chars, wordStart } = this.arrays;
    const a = wordStart[k];
    if (wordStart[k + 1] - a < s.length) return false;
    for (let j = 0; j < s.length; j++) if (chars[a + j] !== s.charCodeAt(j)) return false;
    return true;
  }
}

/** Sorted by UTF-16 code unit, as TextIndex compares: not localeCompare. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** TextIndexBuilder.raw(): its words, and each incident's word ids, for addRaw in another thread. */
export interface RawText {
  words: string[];
  ids: Uint32Array;
  rowStart: Uint32Array;
}

/** Collects each incident's words in input order; write() lays them out in store order. */
export class TextIndexBuilder {
  private readonly ids = new Map<string, number>();
  private readonly words: string[] = [];
  private forward = new Uint32Array(1024); // word ids, incident after incident
  private used = 0;
  private rowStart: number[] = [0];
  /** The last row that added each word id: a word twice in one text is posted once. */
  private lastRow = new Int32Array(1024).fill(-1);

  get size(): number {
    return this.rowStart.length - 1;
  }

  /** The next incident's text. */
  addText(text: string): void {
    this.addTexts([text]);
  }

  /**
   * The next incident's texts. Imported rows repeat their actors, places and sources: each
   * text's word ids are kept for the next row that holds it.
   */
  addTexts(texts: readonly string[]): void {
    for (const text of texts) {
      let ids = this.recent.get(text);
      if (ids === undefined) {
        this.found.length = 0;
        eachIndexWord(text, this.collect);
        ids = this.found.map(this.idOf);
        if (this.recent.size >= 4096) this.recent.clear();
        this.recent.set(text, ids);
      }
      for (const id of ids) this.post(id);
    }
    this.rowStart.push(this.used);
  }

  private readonly recent = new Map<string, number[]>();
  private readonly found: string[] = [];
  private readonly collect = (word: string) => void this.found.push(word);

  private readonly idOf = (word: string): number => {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.ids.set(word, id);
      this.words.push(word);
      if (id === this.lastRow.length) {
        const grown = new Int32Array(id * 2).fill(-1);
        grown.set(this.lastRow);
        this.lastRow = grown;
      }
    }
    return id;
  };

  private post(id: number): void {
    const row = this.rowStart.length - 1;
    if (this.lastRow[id] === row) return;
    this.lastRow[id] = row;
    if (this.used === this.forward.length) {
      const grown = new Uint32Array(this.forward.length * 2);
      grown.set(this.forward);
      this.forward = grown;
    }
    this.forward[this.used++] = id;
  }

  /** The incidents at these store indices of another index, in the order given. */
  addFrom(index: TextIndex, storeIndices: ArrayLike<number>): void {
    const { postingStart, postings } = index.arrays;
    const size = index.size;
    // The word numbers of each store index taken, from the postings: only theirs are gathered,
    // as a view's few rows of a store of 200,000 are taken too.
    const taken = new Uint8Array(size);
    for (let j = 0; j < storeIndices.length; j++) taken[storeIndices[j]] = 1;
    const count = new Uint32Array(size + 1);
    for (let p = 0; p < postings.length; p++) if (taken[postings[p]] === 1) count[postings[p] + 1]++;
    for (let i = 0; i < size; i++) count[i + 1] += count[i];
    const start = count.slice();
    const words = new Uint32Array(count[size]);
    for (let k = 0; k < index.words; k++) {
      for (let p = postingStart[k]; p < postingStart[k + 1]; p++) if (taken[postings[p]] === 1) words[start[postings[p]]++] = k;
    }
    // Each word of the other index as this one's id, found once: not a string per posting.
    const idOf = new Int32Array(index.words).fill(-1);
    for (let j = 0; j < storeIndices.length; j++) {
      const i = storeIndices[j];
      for (let p = count[i]; p < count[i + 1]; p++) {
        const k = words[p];
        if (idOf[k] < 0) idOf[k] = this.idOf(index.word(k));
        this.post(idOf[k]);
      }
      this.rowStart.push(this.used);
    }
  }

  raw(): RawText {
    return { words: this.words, ids: this.forward.slice(0, this.used), rowStart: Uint32Array.from(this.rowStart) };
  }

  addRaw(raw: RawText): void {
    const ids = raw.words.map(this.idOf);
    for (let r = 0; r < raw.rowStart.length - 1; r++) {
      for (let p = raw.rowStart[r]; p < raw.rowStart[r + 1]; p++) this.post(ids[raw.ids[p]]);
      this.rowStart.push(this.used);
    }
  }

  /** The byte sizes write() needs, for n incidents (those not added have no words). */
  sizes(): { words: number; chars: number; postings: number } {
    let chars = 0;
    for (const w of this.words) chars += w.length;
    return { words: this.words.length, chars, postings: this.used };
  }

  /** The index, with order[i] = the input position of store index i (those beyond the added have none). */
  write(order: Uint32Array, into: TextArrays): void {
    const T = this.words.length;
    const sorted = this.words.map((_, id) => id).sort((a, b) => byCodeUnit(this.words[a], this.words[b]));
    const rank = new Uint32Array(T);
    sorted.forEach((id, r) => (rank[id] = r));
    const { chars, wordStart, postingStart, postings } = into;
    let at = 0;
    sorted.forEach((id, r) => {
      const w = this.words[id];
      wordStart[r] = at;
      for (let j = 0; j < w.length; j++) chars[at + j] = w.charCodeAt(j);
      at += w.length;
    });
    wordStart[T] = at;
    const forward = this.forward;
    postingStart.fill(0);
    for (let p = 0; p < this.used; p++) postingStart[rank[forward[p]] + 1]++;
    for (let r = 0; r < T; r++) postingStart[r + 1] += postingStart[r];
    const cursor = postingStart.slice(0, T);
    const rows = this.size;
    for (let i = 0; i < order.length; i++) {
      const position = order[i];
      if (position >= rows) continue;
      for (let p = this.rowStart[position]; p < this.rowStart[position + 1]; p++) postings[cursor[rank[forward[p]]]++] = i;
    }
  }
}
