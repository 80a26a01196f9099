// Parses an imported file off the main thread, streaming CSV in chunks with progress; the page
// cancels by terminating the worker. All the rules live in src/core/import.

import Papa from 'papaparse';
import { CSV_PARSE_CONFIG, CsvImporter, MAX_FILE_BYTES, importText, sniffBinary, sniffFormat, type ImportResult, type OnAccept, type RebuildContext } from '../core/import/index.ts';
import type { Mapping } from '../core/import/columns.ts';
import { sha256Hex } from '../core/digest.ts';
import { StoreBuilder, transferables, type StoreParts } from '../core/store.ts';
import { RowEncoder, batchTransferables, type RowBatch } from '../core/table.ts';

export type ImportRequest = { file: File; mapping?: Mapping };
export type ImportMessage =
  | { type: 'progress'; fraction: number }
  /** Accepted items, encoded (see table.ts): their buffers are transferred, not copied. */
  | { type: 'rows'; batch: RowBatch }
  /** The store of the rows above, in the order posted, sorted and indexed here rather than on the page. */
  | { type: 'store'; parts: StoreParts }
  /** result.incidents is empty: the page rebuilds incidents from the rows, with `rebuild`. */
  | { type: 'done'; result: ImportResult; sha256: string; name: string; rebuild: RebuildContext | null };

/**
 * Rows go to the page in batches as they are accepted (CSV: while the file is still being
 * read). The page only keeps them until 'done', so a cancelled import still changes nothing.
 * No incident object crosses to the page: its columns go into the store built here, and the
 * row it came from is posted as UTF-8 bytes, which the page holds without decoding.
 */
const BATCH = 4_096;

const post = (m: ImportMessage, transfer: Transferable[] = []) => self.postMessage(m, { transfer });
const encoder = new RowEncoder();
const builder = new StoreBuilder();
const flush = () => {
  const batch = encoder.flush();
  if (batch) post({ type: 'rows', batch }, batchTransferables(batch));
};
/** Each accepted incident goes into the store's columns and its row into a batch, then dies young. */
const onAccept: OnAccept = (item, index, incident) => {
  builder.addOne(incident);
  encoder.add(item, index, incident.id);
  if (encoder.size >= BATCH) flush();
};
const fatal = (fatal: string): ImportResult => ({ format: null, incidents: [], issues: [], total: 0, fatal, notes: [] });

async function readText(file: File): Promise<string> {
  const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
  const parts: string[] = [];
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    read += value.length;
    post({ type: 'progress', fraction: Math.min(0.99, read / Math.max(1, file.size)) });
  }
  return parts.join('');
}

type Run = { result: ImportResult; rebuild: RebuildContext | null };

function streamCsv(file: File, mapping: Mapping | undefined): Promise<Run> {
  const importer = new CsvImporter({ mapping, onAccept, retain: false });
  const done = (result: ImportResult): Run => ({ result, rebuild: importer.rebuildContext() });
  return new Promise((resolve) => {
    Papa.parse<string[], File>(file, {
      ...CSV_PARSE_CONFIG,
      chunkSize: 4 * 1024 * 1024,
      chunk(results, parser) {
        if (!importer.push(results.data, results.errors)) parser.abort();
        post({ type: 'progress', fraction: Math.min(0.99, results.meta.cursor / Math.max(1, file.size)) });
      },
      complete: () => resolve(done(importer.finish())),
      error: (e) => resolve(done(fatal(`The file could not be read: ${e.message}`))),
    });
  });
}

async function run({ file, mapping }: ImportRequest): Promise<Run> {
  const refuse = (message: string): Run => ({ result: fatal(message), rebuild: null });
  if (file.size > MAX_FILE_BYTES) {
    return refuse(`The file is ${(file.size / 1024 ** 2).toFixed(0)} MB; this browser tab can import at most ${MAX_FILE_BYTES / 1024 ** 2} MB. Split it, or filter it first (e.g. with npm run export).`);
  }
  if (file.size === 0) return refuse('The file is empty.');
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  const binary = sniffBinary(head);
  if (binary) return refuse(binary);
  const format = sniffFormat(new TextDecoder().decode(head), file.name);
  if (format === 'csv') return streamCsv(file, mapping);
  const result = importText(await readText(file), file.name, { mapping, onAccept, retain: false });
  return { result, rebuild: result.format === 'geojson' || result.format === 'ndjson' ? { format: result.format } : null };
}

self.onmessage = async (e: MessageEvent<ImportRequest>) => {
  // The digest (for export provenance) runs alongside the parse: WebCrypto works off this thread.
  const digest = e.data.file.size <= MAX_FILE_BYTES ? e.data.file.arrayBuffer().then(sha256Hex).catch(() => '') : Promise.resolve('');
  const { result, rebuild } = await run(e.data);
  flush();
  const accepted = builder.size;
  if (accepted > 0 && !result.fatal) {
    const parts = builder.build().withVertices().parts();
    post({ type: 'store', parts }, transferables(parts));
  }
  const sha256 = accepted > 0 ? await digest : '';
  post({ type: 'done', result: { ...result, incidents: [] }, sha256, name: e.data.file.name, rebuild });
};
