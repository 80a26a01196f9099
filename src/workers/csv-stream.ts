// What both import workers do with CSV: stream part of a file through papaparse, in chunks,
// into a CsvImporter whose accepted rows go into a store builder and encoded row batches.

import Papa from 'papaparse';
import { CSV_PARSE_CONFIG, type CsvImporter, type ImportOptions, type OnAccept } from '../core/import/index.ts';
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

/**
 * Parses `blob` into `importer`, telling `progress` the bytes read. Resolves with an error
 * message when the file cannot be read, else null (also when the importer stopped it).
 */
export function streamCsv(blob: Blob, importer: CsvImporter, dialect: Dialect, progress: (bytes: number) => void): Promise<string | null> {
  return new Promise((resolve) => {
    // papaparse reads any Blob (it slices and reads it like a File); its types say File.
    Papa.parse<string[], File>(blob as File, {
      ...CSV_PARSE_CONFIG,
      ...dialect,
      chunkSize: 4 * 1024 * 1024,
      chunk(results, parser) {
        if (!importer.push(results.data, results.errors)) parser.abort();
        progress(results.meta.cursor);
      },
      complete: () => resolve(null),
      error: (e) => resolve(`The file could not be read: ${e.message}`),
    });
  });
}
