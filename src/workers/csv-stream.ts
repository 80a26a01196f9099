// What both import workers do with CSV: stream part of a file through papaparse, in chunks,
// into a CsvImporter whose accepted rows go into a store builder and encoded row batches.

import Papa from 'papaparse';
import { CSV_PARSE_CONFIG, TextDecoding, type CsvImporter, type ImportOptions, type OnAccept, type TextEncoding } from '../core/import/index.ts';
import { StoreBuilder } from '../core/store-builder.ts';
import { RowEncoder, type RowBatch } from '../core/table.ts';

/** Accepted rows per posted batch. */
const BATCH = 4_096;

/**
 * Where accepted rows go: each incident's columns into the builder, its row into a batch,
 * then it dies young. A batch is handed to `send` when full and on flush().
 */
export class AcceptedRows {
  readonly builder = new StoreBuilder();
  private readonly encoder = new RowEncoder();

  constructor(private readonly send: (batch: RowBatch) => void) {}

  readonly onAccept: OnAccept = (item, index, incident) => {
    this.builder.addOne(incident);
    this.encoder.add(item, index, incident.id);
    if (this.encoder.size >= BATCH) this.flush();
  };

  /**
   * The importer options that send accepted rows here, the workers' way: incidents are not
   * collected, and lack the extra columns the page rebuilds from the rows.
   */
  get options(): ImportOptions {
    return { onAccept: this.onAccept, retain: false, extraColumns: false };
  }

  flush(): void {
    const batch = this.encoder.flush();
    if (batch) this.send(batch);
  }
}

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
export function streamCsv(blob: Blob, importer: CsvImporter, dialect: Dialect, progress: (bytes: number) => void, encoding: TextEncoding = 'utf-8'): Promise<string | null> {
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
