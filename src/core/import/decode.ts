// Bytes to text, as the import reads them: the encoding from the byte-order mark (UTF-8
// unless the file says UTF-16), and a count of what the decoder could not read. A file's
// invalid bytes become U+FFFD (the decoder is not fatal: one bad byte should not lose a
// file); the count tells the report how many of them there were, apart from any U+FFFD the
// file really holds.

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a file from its first bytes: a UTF-16 byte-order mark, or, without one, a
 * start where at least a quarter of the bytes are NUL and nearly all of them on the odd (LE)
 * or even (BE) bytes: ASCII text saved as UTF-16. Anything else is read as UTF-8.
 */
export function sniffEncoding(head: Uint8Array): TextEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const sample = head.subarray(0, 4096 - (Math.min(head.length, 4096) % 2));
  let odd = 0;
  let even = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] !== 0) continue;
    if (i % 2) odd++;
    else even++;
  }
  if ((odd + even) * 4 >= sample.length && sample.length >= 4) {
    if (odd >= 0.9 * (odd + even)) return 'utf-16le';
    if (even >= 0.9 * (odd + even)) return 'utf-16be';
  }
  return 'utf-8';
}

/** U+FFFD as each encoding writes it: these bytes are a replacement character the file holds. */
const REPLACEMENT: Record<TextEncoding, number[]> = { 'utf-8': [0xef, 0xbf, 0xbd], 'utf-16le': [0xfd, 0xff], 'utf-16be': [0xff, 0xfd] };

/** How many times `seq` occurs in `bytes`. */
function occurrences(bytes: Uint8Array, seq: readonly number[]): number {
  let n = 0;
  for (let i = bytes.indexOf(seq[0]); i >= 0 && i + seq.length <= bytes.length; i = bytes.indexOf(seq[0], i + 1)) {
    let k = 1;
    while (k < seq.length && bytes[i + k] === seq[k]) k++;
    if (k === seq.length) n++;
  }
  return n;
}

/** A streaming decoder that also notes NUL characters and the bytes it could not decode. */
export class TextDecoding {
  /** What was found so far, for the importer (see Decoded in ./index.ts). */
  get state(): { encoding: TextEncoding; replaced: number; genuine: number; nul: boolean } {
    return { encoding: this.encoding, replaced: this.replaced, genuine: this.genuine, nul: this.nul };
  }

  private readonly decoder: TextDecoder;
  /** Sequences of bytes the decoder replaced with U+FFFD (none: every byte was text). */
  replaced = 0;
  /** U+FFFD characters the file really holds (encoded as such). */
  genuine = 0;
  /** The text holds a NUL character (U+0000). */
  nul = false;
  /** The last bytes of the previous chunk: a U+FFFD the file holds may be cut between two. */
  private tail = new Uint8Array(0);

  constructor(readonly encoding: TextEncoding) {
    // Not fatal; the byte-order mark is dropped.
    this.decoder = new TextDecoder(encoding);
  }

  /** The text of the next bytes; `end`: these are the last. */
  decode(bytes: Uint8Array, end = false): string {
    const text = this.decoder.decode(bytes, { stream: !end });
    if (!this.nul && text.indexOf('\0') >= 0) this.nul = true;
    const seq = REPLACEMENT[this.encoding];
    // Native scans for the rare case: only text with a U+FFFD needs its bytes counted.
    if (text.indexOf('\ufffd') >= 0) {
      let decoded = 0;
      for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) decoded++;
      const joined = new Uint8Array(this.tail.length + bytes.length);
      joined.set(this.tail);
      joined.set(bytes, this.tail.length);
      const genuine = occurrences(joined, seq);
      this.genuine += genuine;
      this.replaced += Math.max(0, decoded - genuine);
    }
    // A U+FFFD cut between chunks comes out with the next chunk's text: counted then, with these bytes.
    this.tail = bytes.slice(Math.max(0, bytes.length - (seq.length - 1)));
    return text;
  }
}
