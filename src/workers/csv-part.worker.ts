// The second part of a large CSV file, read alongside the import worker, which reads the
// first part and started this one (see src/core/import/split.ts). It posts to that worker,
// never to the page: its rows reach the page only once the two parts are known to combine.
//
// The import worker starts on its part at once, up to a line feed near the middle. This worker
// first scans the bytes before that line feed: that it ends a record (it is not inside a
// quoted field), and how many rows come before it, which numbers this part's rows.

import { CsvImporter, type CsvPartResult } from '../core/import/index.ts';
import { findCsvCut } from '../core/import/split.ts';
import type { Mapping } from '../core/import/columns.ts';
import type { RawColumns } from '../core/store-builder.ts';
import type { RowBatch } from '../core/table.ts';
import { batchTransferables } from '../core/table.ts';
import { streamCsv, type Dialect } from '../core/import/csv-stream.ts';
import { AcceptedRows } from '../core/import/accepted.ts';

export type PartRequest = { file: File; start: number; headers: string[]; mapping: Mapping; dialect: Required<Dialect> };
export type PartMessage =
  | { type: 'progress'; bytes: number }
  | { type: 'rows'; batch: RowBatch }
  /** The part and the number of its first row; null when `start` is not where a record starts. */
  | { type: 'done'; part: CsvPartResult; firstRow: number; raw: RawColumns; fatal: string | null }
  | { type: 'done'; part: null };

const post = (m: PartMessage, transfer: Transferable[] = []) => self.postMessage(m, { transfer });

self.onmessage = async (e: MessageEvent<PartRequest>) => {
  const { file, start, headers, mapping, dialect } = e.data;
  const read = async (from: number, to: number) => new Uint8Array(await file.slice(from, to).arrayBuffer());
  const cut = await findCsvCut(read, file.size, start, dialect.delimiter);
  if (cut?.offset !== start) return post({ type: 'done', part: null });
  const firstRow = cut.firstRow;
  const rows = new AcceptedRows((batch) => post({ type: 'rows', batch }, batchTransferables(batch)));
  const importer = new CsvImporter({ ...rows.options, headers, mapping, firstRow });
  const fatal = await streamCsv(file.slice(start), importer, dialect, (bytes) => post({ type: 'progress', bytes }));
  rows.flush();
  const raw = rows.builder.raw();
  post({ type: 'done', part: importer.part(), firstRow, raw, fatal }, Object.values(raw.columns).map((a) => a.buffer as ArrayBuffer));
};
