// Parses an imported file off the main thread, streaming CSV in chunks with progress; the page
// cancels by terminating the worker. All the rules live in src/core/import.

import { CsvImporter, MAX_FILE_BYTES, combineCsvParts, csvHeadProblem, importBytes, MAX_HEADER_BYTES, sniffBinary, sniffEncoding, sniffFormat, type ImportResult, type RebuildContext, type TextEncoding } from '../core/import/index.ts';
import type { Mapping } from '../core/import/columns.ts';
import { planCsvParts } from '../core/import/split.ts';
import { sha256Hex } from '../core/digest.ts';
import { batchTransferables, type RowBatch } from '../core/table.ts';
import { streamCsv } from '../core/import/csv-stream.ts';
import { AcceptedRows } from '../core/import/accepted.ts';
import type { PartMessage, PartRequest } from './csv-part.worker.ts';

export type ImportRequest = { file: File; mapping?: Mapping };
/** After an import, when the page needs it: a request for that file's digest. */
export type DigestRequest = { digest: true };
export type ImportMessage =
  | { type: 'progress'; fraction: number }
  /** Accepted items, encoded (see table.ts): their buffers are transferred, not copied. */
  | { type: 'rows'; batch: RowBatch }
  /** Forget the rows posted so far: the file is read again, through, by this worker alone. */
  | { type: 'reset' }
  /** The store of the rows above, in the order posted, sorted and indexed here rather than on the page (see IncidentStore). */
  | { type: 'store'; buffer: ArrayBuffer }
  /**
   * result.incidents is empty: the page rebuilds incidents from the rows, with `rebuild`.
   * `parts`: how many workers read the file. `digest`: the file can be hashed on request.
   */
  | { type: 'done'; result: ImportResult; name: string; rebuild: RebuildContext | null; parts: 1 | 2; digest: boolean }
  /** The file's SHA-256, for export provenance: computed on request, after 'done'. */
  | { type: 'digest'; sha256: string };

/**
 * Rows go to the page in batches as they are accepted (CSV: while the file is still being
 * read). The page only keeps them until 'done', so a cancelled import still changes nothing.
 * No incident object crosses to the page: its columns go into the store built here, and the
 * row it came from is posted as UTF-8 bytes, which the page holds without decoding.
 */
const post = (m: ImportMessage, transfer: Transferable[] = []) => self.postMessage(m, { transfer });
const send = (batch: RowBatch) => post({ type: 'rows', batch }, batchTransferables(batch));
let accepted = new AcceptedRows(send);
const progress = (fraction: number) => post({ type: 'progress', fraction: Math.min(0.99, fraction) });
const fatal = (fatal: string): ImportResult => ({ format: null, incidents: [], issues: [], total: 0, fatal, notes: [] });

/**
 * From this size a CSV file is read in two parts, by this worker and a second one, when the
 * machine has two cores: about twice as fast. Below it, starting a worker costs more than it saves.
 */
const TWO_PARTS_FROM_BYTES = 16 * 1024 * 1024;

/** The file's bytes, read with progress; decoded by importBytes, which notes what was not text. */
async function readBytes(file: File): Promise<Uint8Array> {
  const reader = file.stream().getReader();
  const bytes = new Uint8Array(file.size);
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes.set(value.subarray(0, Math.max(0, bytes.length - read)), read);
    read += value.length;
    progress(read / Math.max(1, file.size));
  }
  return bytes.subarray(0, Math.min(read, bytes.length));
}

type Run = { result: ImportResult; rebuild: RebuildContext | null; parts: 1 | 2 };

async function readCsv(file: File, mapping: Mapping | undefined, encoding: TextEncoding): Promise<Run> {
  // The cut between two parts is found by scanning bytes for ASCII: UTF-8 only.
  if (encoding === 'utf-8' && file.size >= TWO_PARTS_FROM_BYTES && (self.navigator.hardwareConcurrency ?? 1) >= 2) {
    const run = await readCsvInTwoParts(file, mapping);
    if (run) return run;
    post({ type: 'reset' });
    accepted = new AcceptedRows(send);
  }
  const importer = new CsvImporter({ ...accepted.options, mapping });
  const failed = await streamCsv(file, importer, {}, (bytes) => progress(bytes / Math.max(1, file.size)), encoding);
  return { result: failed ? fatal(failed) : importer.finish(), rebuild: importer.rebuildContext(), parts: 1 };
}

type SecondPart = Extract<PartMessage, { type: 'done' }> & { batches: RowBatch[] };

/**
 * Where the second part starts: at a line feed after this share of the file that likely ends
 * a record (see likelyCut). The second worker scans the bytes before it first, to be sure and
 * to number its rows, so it gets less to parse. Measured at 1M rows: at 0.47 the second part
 * ended ~1.9 s after the first, at 0.51 ~0.5–1 s after, at 0.54 within ±0.6 s.
 */
const SECOND_PART_FROM = 0.54;

/**
 * This worker reads the file up to a line feed near its middle; a second worker reads the
 * rest and hands its rows and columns here, to follow this part's. Null when the parts do not
 * combine into what one read-through gives (see combineCsvParts): rows of the first part have
 * then been posted, and the caller resets.
 */
async function readCsvInTwoParts(file: File, mapping: Mapping | undefined): Promise<Run | null> {
  const plan = await planCsvParts(file, SECOND_PART_FROM, mapping);
  if (!plan) return null;
  const { dialect, start } = plan;

  const helper = new Worker(new URL('./csv-part.worker.ts', import.meta.url), { type: 'module' });
  try {
    const read = { a: 0, b: 0 };
    const report = () => progress((read.a + read.b) / file.size);
    const second = new Promise<SecondPart | null>((resolve) => {
      const batches: RowBatch[] = [];
      helper.onmessage = (e: MessageEvent<PartMessage>) => {
        const m = e.data;
        if (m.type === 'progress') {
          read.b = m.bytes;
          report();
        } else if (m.type === 'rows') batches.push(m.batch);
        else resolve({ ...m, batches });
      };
      helper.onerror = () => resolve(null);
    });
    const request: PartRequest = { file, start, headers: plan.headers, mapping: plan.mapping, dialect };
    helper.postMessage(request);

    const first = new CsvImporter({ ...accepted.options, mapping: plan.mapping });
    const failed = await streamCsv(file.slice(0, start), first, dialect, (bytes) => {
      read.a = bytes;
      report();
    });
    const b = await second;
    if (failed || !b?.part || b.fatal) return null;
    const ids = function* () {
      for (const batch of b.batches) yield* batch.ids;
    };
    const result = combineCsvParts(first.part(), b.part, b.firstRow, (id) => first.has(id), ids());
    if (!result) return null;
    accepted.flush();
    for (const batch of b.batches) send(batch);
    accepted.builder.addRaw(b.raw);
    return { result, rebuild: first.rebuildContext(), parts: 2 };
  } finally {
    helper.terminate();
  }
}

async function run({ file, mapping }: ImportRequest): Promise<Run> {
  const refuse = (message: string): Run => ({ result: fatal(message), rebuild: null, parts: 1 });
  if (file.size > MAX_FILE_BYTES) {
    return refuse(`The file is ${(file.size / 1024 ** 2).toFixed(0)} MB; this browser tab can import at most ${MAX_FILE_BYTES / 1024 ** 2} MB. Split it, or filter it first (e.g. with npm run export).`);
  }
  if (file.size === 0) return refuse('The file is empty.');
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  const binary = sniffBinary(head);
  if (binary) return refuse(binary);
  // The byte-order mark before anything else: UTF-16 text is full of NUL bytes.
  const encoding = sniffEncoding(head);
  const format = sniffFormat(new TextDecoder(encoding).decode(head), file.name);
  if (format === 'csv') {
    // The header's size bounds the work: a first line too long is refused from its bytes.
    const problem = csvHeadProblem(new Uint8Array(await file.slice(0, MAX_HEADER_BYTES + 1).arrayBuffer()), file.size);
    if (problem) return refuse(problem);
    return readCsv(file, mapping, encoding);
  }
  const result = importBytes(await readBytes(file), file.name, { ...accepted.options, mapping });
  return { result, rebuild: result.format === 'geojson' || result.format === 'ndjson' ? { format: result.format } : null, parts: 1 };
}

let imported: File | null = null;

self.onmessage = async (e: MessageEvent<ImportRequest | DigestRequest>) => {
  if ('digest' in e.data) {
    post({ type: 'digest', sha256: imported ? await imported.arrayBuffer().then(sha256Hex).catch(() => '') : '' });
    return;
  }
  const { result, rebuild, parts } = await run(e.data);
  accepted.flush();
  const count = accepted.builder.size;
  if (count > 0 && !result.fatal) {
    const { buffer } = accepted.builder.build();
    post({ type: 'store', buffer }, [buffer]);
  }
  // This worker may live on to hash the file (see DigestRequest): it lets go of the builder's
  // columns: 58 bytes per row of capacity, which doubles as rows arrive.
  accepted = new AcceptedRows(send);
  const digest = count > 0 && !result.fatal;
  if (digest) imported = e.data.file;
  post({ type: 'done', result: { ...result, incidents: [] }, name: e.data.file.name, rebuild, parts, digest });
};
