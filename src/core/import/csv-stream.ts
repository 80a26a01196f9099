// What the import workers and build-dataset do with CSV: stream part of a file through papaparse,
// in chunks, into a CsvImporter (whose accepted rows go to an AcceptedRows, accepted.ts).

import Papa from 'papaparse';
import type { Bytes } from './bytes.ts';
import { CSV_PARSE_CONFIG, TextDecoding, type CsvImporter, type TextEncoding } from './index.ts';

export type Dialect = { delimiter?: string; newline?: '\r' | '\n' | '\r\n' };

/** Bytes read and decoded per chunk. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Parses `blob` into `importer`, telling `progress` the bytes read. Resolves with an error
 * message when the file cannot be read, else null (also when the importer stopped it).
 *
 * The bytes are decoded here (see TextDecoding), not by papaparse: read a slice at a time,
 * its decoding cut a character split between two slices into two U+FFFD, and it could not
 * tell the importer which rows held bytes that are not text. papaparse reads the text as a
 * Node-style stream of strings, which it parses as they come, keeping a row cut between two.
 */
export function streamCsv(blob: Bytes, importer: CsvImporter, dialect: Dialect, progress: (bytes: number) => void, encoding: TextEncoding = 'utf-8'): Promise<string | null> {
  return new Promise((resolve) => {
    const listeners = new Map<string, (value?: unknown) => void>();
    let stopped = false;
    const input = {
      readable: true,
      read() {},
      on(event: string, listener: (value?: unknown) => void) {
        listeners.set(event, listener);
      },
      removeListener(event: string) {
        listeners.delete(event);
      },
      pause() {},
      resume() {},
    };
    Papa.parse<string[], File>(input as unknown as File, {
      ...CSV_PARSE_CONFIG,
      ...dialect,
      chunk(results, parser) {
        if (!importer.push(results.data, results.errors)) {
          stopped = true;
          parser.abort();
        }
      },
      complete: () => resolve(null),
      error: (e) => resolve(`The file could not be read: ${e.message}`),
    });
    const decoding = new TextDecoding(encoding);
    void (async () => {
      try {
        for (let start = 0; start < blob.size && !stopped; start += CHUNK_BYTES) {
          const end = Math.min(blob.size, start + CHUNK_BYTES);
          const text = decoding.decode(new Uint8Array(await blob.slice(start, end).arrayBuffer()), end === blob.size);
          importer.decoded(decoding.state);
          if (text !== '' && !stopped) listeners.get('data')?.(text);
          progress(end);
        }
        if (!stopped) listeners.get('end')?.();
      } catch (e) {
        listeners.get('error')?.(e instanceof Error ? e : new Error(String(e)));
      }
    })();
  });
}
