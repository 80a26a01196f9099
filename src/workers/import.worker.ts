// Parses an imported file off the main thread, streaming CSV in chunks with progress; the page
// cancels by terminating the worker. All the rules live in src/core/import.

import Papa from 'papaparse';
import { CSV_PARSE_CONFIG, CsvImporter, MAX_FILE_BYTES, importText, sniffBinary, sniffFormat, type ImportResult } from '../core/import/index.ts';
import type { Mapping } from '../core/import/columns.ts';
import { sha256Hex } from '../core/digest.ts';
import { StoreBuilder, transferables, type StoreParts } from '../core/store.ts';

export type ImportRequest = { file: File; mapping?: Mapping };
export type ImportMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'incidents'; incidents: ImportResult['incidents'] }
  /** The incidents above, in the order posted, sorted and indexed here rather than on the page. */
  | { type: 'store'; parts: StoreParts }
  | { type: 'done'; result: ImportResult; sha256: string; name: string };

/**
 * Incidents go to the page in batches: the page decodes each message in a task of its own,
 * so one huge structured clone does not freeze it. CSV batches are posted as each chunk is
 * parsed, so the page decodes them while this worker reads on (two cores, both busy); the
 * page applies them only on 'done', so a cancelled import still changes nothing.
 */
const BATCH = 2_000;

const post = (m: ImportMessage, transfer: Transferable[] = []) => self.postMessage(m, { transfer });
let posted = 0;
const builder = new StoreBuilder();
const postIncidents = (incidents: ImportResult['incidents']) => {
  posted += incidents.length;
  builder.add(incidents);
  for (let i = 0; i < incidents.length; i += BATCH) post({ type: 'incidents', incidents: incidents.slice(i, i + BATCH) });
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

function streamCsv(file: File, mapping: Mapping | undefined): Promise<ImportResult> {
  const importer = new CsvImporter({ mapping });
  return new Promise((resolve) => {
    Papa.parse<string[], File>(file, {
      ...CSV_PARSE_CONFIG,
      chunkSize: 4 * 1024 * 1024,
      chunk(results, parser) {
        if (!importer.push(results.data, results.errors)) parser.abort();
        postIncidents(importer.take());
        post({ type: 'progress', fraction: Math.min(0.99, results.meta.cursor / Math.max(1, file.size)) });
      },
      complete: () => resolve(importer.finish()),
      error: (e) => resolve(fatal(`The file could not be read: ${e.message}`)),
    });
  });
}

async function run({ file, mapping }: ImportRequest): Promise<ImportResult> {
  if (file.size > MAX_FILE_BYTES) {
    return fatal(`The file is ${(file.size / 1024 ** 2).toFixed(0)} MB; this browser tab can import at most ${MAX_FILE_BYTES / 1024 ** 2} MB. Split it, or filter it first (e.g. with npm run export).`);
  }
  if (file.size === 0) return fatal('The file is empty.');
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  const binary = sniffBinary(head);
  if (binary) return fatal(binary);
  const format = sniffFormat(new TextDecoder().decode(head), file.name);
  if (format === 'csv') return streamCsv(file, mapping);
  return importText(await readText(file), file.name, { mapping });
}

self.onmessage = async (e: MessageEvent<ImportRequest>) => {
  const result = await run(e.data);
  postIncidents(result.incidents);
  if (posted > 0 && !result.fatal) {
    const parts = builder.build().parts();
    post({ type: 'store', parts }, transferables(parts));
  }
  const sha256 = posted > 0 ? await sha256Hex(await e.data.file.arrayBuffer()) : '';
  post({ type: 'done', result: { ...result, incidents: [] }, sha256, name: e.data.file.name });
};
