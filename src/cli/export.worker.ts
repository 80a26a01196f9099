// Segments of a large `npm run export -- --dataset`, one at a time, beside the other worker:
// reading, validating and serialising a row costs several microseconds, and the machine has
// two cores. The main thread (export.ts) hands out the segments and writes the pieces in order.

import { parentPort, workerData } from 'node:worker_threads';
import { UsageError, exportPieces, openSegmentDb } from './export-segment.ts';

export interface SegmentJob {
  type: 'segment';
  index: number;
  files: string[];
  where: string;
}

/**
 * To the worker: a segment to export, a piece written (one more may be sent), or the end (the
 * segment under way, if any, is dropped). The worker closes DuckDB and exits by itself:
 * Worker.terminate() during a DuckDB call aborts the whole process.
 */
export type ToWorker = SegmentJob | { type: 'ack' } | { type: 'close' };

/** From the worker: a piece of a segment, the segment's end, or why it stopped. */
export type FromWorker =
  | { type: 'piece'; index: number; bytes: Uint8Array; rows: number }
  | { type: 'done'; index: number }
  | { type: 'error'; index: number; message: string; usage: boolean };

export interface WorkerSetup {
  format: 'geojson' | 'csv';
  /** Pieces that may be sent and not yet written: the main thread holds them all. */
  credit: number;
}

const { format, credit: initialCredit } = workerData as WorkerSetup;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);
const encoder = new TextEncoder();

// One DuckDB thread: the other core runs the other worker.
const { db, close } = await openSegmentDb();
let credit = initialCredit;
const jobs: SegmentJob[] = [];
let closing = false;
let wake: (() => void) | null = null;
const onMessage = (m: ToWorker) => {
  if (m.type === 'ack') credit++;
  else if (m.type === 'close') closing = true;
  else jobs.push(m);
  wake?.();
  wake = null;
};
parentPort!.on('message', onMessage);
const message = () => new Promise<void>((resolve) => (wake = resolve));

for (;;) {
  while (jobs.length === 0 && !closing) await message();
  const job = jobs.shift();
  if (!job) break;
  try {
    for await (const piece of exportPieces(db, job.files, job.where, format)) {
      while (credit === 0 && !closing) await message();
      if (closing) break;
      credit--;
      // Sent as bytes, moved rather than copied: the main thread writes them as they are.
      const bytes = encoder.encode(piece.text);
      post({ type: 'piece', index: job.index, bytes, rows: piece.rows }, [bytes.buffer as ArrayBuffer]);
    }
    if (closing) break;
    post({ type: 'done', index: job.index });
  } catch (e) {
    post({ type: 'error', index: job.index, message: (e as Error).message, usage: e instanceof UsageError });
    break;
  }
}
close();
parentPort!.off('message', onMessage);
