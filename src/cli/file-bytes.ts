// A file's bytes for the readers of build-dataset, as the part of Blob they use. Node 20's
// fs.openAsBlob gives a file of 4 GiB or more its size modulo 2^32: a 6.1 GB CSV file was read
// as its first 1.8 GB, and the build said nothing of the rest.

import { open, stat } from 'node:fs/promises';
import type { Bytes } from '../core/import/bytes.ts';

export type { Bytes };

/** Bytes `start` to `end` of the file at `path`, read when asked, each read on a descriptor of its own. */
class FileSlice implements Bytes {
  constructor(
    private readonly path: string,
    private readonly start: number,
    readonly size: number,
  ) {}

  slice(start = 0, end = this.size): Bytes {
    const from = clamp(start, this.size);
    return new FileSlice(this.path, this.start + from, Math.max(0, clamp(end, this.size) - from));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = new Uint8Array(this.size);
    const file = await open(this.path, 'r');
    try {
      for (let at = 0; at < bytes.length; ) {
        const { bytesRead } = await file.read(bytes, at, bytes.length - at, this.start + at);
        // The file got shorter since it was opened: the bytes read are what there is.
        if (bytesRead === 0) return bytes.buffer.slice(0, at);
        at += bytesRead;
      }
    } finally {
      await file.close();
    }
    return bytes.buffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }
}

/** A slice bound, as Blob.slice reads one: negative from the end, then clamped to the size. */
const clamp = (at: number, size: number) => Math.min(size, Math.max(0, at < 0 ? size + at : at));

/** The file at `path`, whatever its size; rejects as fs.stat does (ENOENT, EACCES, …). */
export async function fileBytes(path: string): Promise<Bytes> {
  const s = await stat(path);
  return new FileSlice(path, 0, s.size);
}
