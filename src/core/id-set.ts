// The ids an import has accepted, to reject a repeated one. A Set<string> of a million ids
// keeps a million strings alive: each is copied by the young-generation collector, promoted,
// and remembered by the old set that points at it. Measured in Node on 200k ACLED-style rows,
// that set cost ~2 µs a row, a third of the importer's time. Here the ids' characters are
// copied into typed arrays that the collector never traces, and the id string dies young.

const EMPTY = 0;

/** FNV-1a over UTF-16 code units (exported for the tests, which need two ids that collide). */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** A set of strings in typed arrays: open addressing, linear probing, the characters back to back. */
export class IdSet {
  /** Entry number + 1 at each slot; EMPTY where there is none. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 11);
  /** Entry k's characters are chars[starts[k] .. starts[k + 1]). */
  private starts = new Uint32Array((1 << 11) + 1);
  private chars = new Uint16Array(1 << 14);
  private n = 0;

  get size(): number {
    return this.n;
  }

  has(id: string): boolean {
    return this.find(id, hashId(id)) >= 0;
  }

  /** Adds id; false when it was already there. */
  add(id: string): boolean {
    const h = hashId(id);
    const slot = this.find(id, h);
    if (slot >= 0) return false;
    if ((this.n + 1) * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
      this.insert(id, h, this.free(h));
    } else this.insert(id, h, -slot - 1);
    return true;
  }

  /** The slot holding id (≥ 0), or −(the free slot where it would go) − 1. */
  private find(id: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const entry = this.slots[s];
      if (entry === EMPTY) return -s - 1;
      if (this.hashes[entry - 1] === h && this.equals(entry - 1, id)) return s;
    }
  }

  private free(h: number): number {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
    return s;
  }

  private equals(k: number, id: string): boolean {
    const from = this.starts[k];
    if (this.starts[k + 1] - from !== id.length) return false;
    for (let i = 0; i < id.length; i++) if (this.chars[from + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private insert(id: string, h: number, slot: number): void {
    const k = this.n++;
    if (k + 1 >= this.hashes.length) {
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const starts = new Uint32Array(hashes.length + 1);
      starts.set(this.starts);
      this.starts = starts;
    }
    const from = this.starts[k];
    if (from + id.length > this.chars.length) {
      const chars = new Uint16Array(Math.max(this.chars.length * 2, from + id.length));
      chars.set(this.chars);
      this.chars = chars;
    }
    for (let i = 0; i < id.length; i++) this.chars[from + i] = id.charCodeAt(i);
    this.starts[k + 1] = from + id.length;
    this.hashes[k] = h;
    this.slots[slot] = k + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let k = 0; k < this.n; k++) this.slots[this.free(this.hashes[k])] = k + 1;
  }
}
