// One part of a large CSV source of npm run build-dataset, read beside the others in a worker
// thread: the machine has two cores, and parsing, validating and staging a row costs several
// microseconds on one. The part is cut where dataset-sources.ts guessed a record starts; a
// part after the first scans the bytes before it first (see core/import/split.ts), to be sure
// of that and to number its rows as one read-through would.

import { parentPort, workerData } from 'node:worker_threads';
import { CsvImporter, type CsvPartResult } from '../core/import/index.ts';
import { findCsvCut } from '../core/import/split.ts';
import { streamCsv, type Dialect } from '../core/import/csv-stream.ts';
import type { Mapping } from '../core/import/columns.ts';
import { Stage, type MonthStats } from './dataset-writer.ts';
import { fileBytes } from './file-bytes.ts';

export interface PartJob {
  path: string;
  /** Byte offsets of the part; the first part starts at 0 and reads the header. */
  start: number;
  end: number;
  headers: string[];
  mapping: Mapping;
  dialect: Required<Dialect>;
  stageDir: string;
  /** The stage files' name (see Stage). */
  name: string;
  src: number;
}

export type PartMessage =
  | { type: 'progress'; bytes: number }
  /** part is null when `start` is not where a record starts. */
  | { type: 'done'; part: CsvPartResult | null; firstRow: number; fatal: string | null; months: [string, MonthStats][]; accepted: number };

const job = workerData as PartJob;
const post = (m: PartMessage) => parentPort!.postMessage(m);
const blob = await fileBytes(job.path);
let firstRow = 1;
let ok = true;
if (job.start > 0) {
  const read = async (from: number, to: number) => new Uint8Array(await blob.slice(from, to).arrayBuffer());
  const cut = await findCsvCut(read, blob.size, job.start, job.dialect.delimiter);
  ok = cut?.offset === job.start;
  firstRow = cut?.firstRow ?? 0;
}
if (!ok) post({ type: 'done', part: null, firstRow, fatal: null, months: [], accepted: 0 });
else {
  const stage = new Stage(job.stageDir, job.name);
  const importer = new CsvImporter({
    mapping: job.mapping,
    ...(job.start > 0 ? { headers: job.headers, firstRow } : {}),
    onAccept: (_cells, row, incident) => stage.add(incident, job.src, 'row', row),
    retain: false,
  });
  const fatal = await streamCsv(blob.slice(job.start, job.end), importer, job.dialect, (bytes) => post({ type: 'progress', bytes }));
  const months = [...stage.close()];
  post({ type: 'done', part: importer.part(), firstRow, fatal, months, accepted: stage.rows });
}
