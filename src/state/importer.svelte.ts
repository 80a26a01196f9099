// The import job: every file is read through core/import into a table of rows and a store,
// by the import worker (src/workers/import.worker.ts) or, for the bundled dataset, on the page
// (see open). This class owns the worker's protocol, adding or replacing, the merge of an
// "add", Cancel, and each file's SHA-256 for export provenance and permalinks. Each dataset
// applied is handed to the Library, which keeps a new file's bytes in the browser. The panel
// (ImportPanel.svelte) only shows it.

import { createContext } from 'svelte';
import { formatIssue, type Issue } from '../core/schema.ts';
import { rebuilder, type ImportResult } from '../core/import/index.ts';
import { importGeoJsonData } from '../core/import/accepted.ts';
import { sha256Hex } from '../core/digest.ts';
import type { Mapping, Role } from '../core/import/columns.ts';
import type { Dataset } from '../core/export.ts';
import { IncidentStore } from '../core/store.ts';
import { ConcatTable, PickTable, RowTable, type IncidentTable, type RowBatch } from '../core/table.ts';
import { IdSet } from '../core/id-set.ts';
import { eachInSlices } from '../core/slices.ts';
import type { DayRange } from '../core/time.ts';
import { mergeOffThread } from '../workers/store-merge.ts';
import type { DigestRequest, ImportMessage, ImportRequest } from '../workers/import.worker.ts';
import type { AtlasState, Data } from './atlas.svelte.ts';
import type { Applied, Library } from './library.svelte.ts';
import type { StoredDataset } from '../core/library.ts';

export type ImportMode = 'add' | 'replace';

export interface ImportReport {
  name: string;
  imported: number;
  issues: Issue[];
  notes: string[];
  /** How many workers read the file. */
  parts: number;
}

export interface ImportOptions {
  mapping?: Mapping;
  /** What provenance and messages call the file, when not its own name. */
  name?: string;
  /** The bundled dataset's way: no report, its problems shown as the page's alert. */
  quiet?: boolean;
  /** The day range to show once the data's span is known (a permalink's). */
  days?: (span: DayRange) => DayRange;
  /** A file the browser kept, read again after a reload: its name, columns, mode and SHA-256 are known. */
  restore?: StoredDataset;
}

/** How a listed dataset's SHA-256 is computed: by its worker, when an export first names it. */
interface Digest {
  compute: () => Promise<unknown>;
  release: () => void;
  running: Promise<unknown> | null;
}

export type SpawnWorker = () => Worker;

/** Resolves when the page is next idle (at most a few seconds on), or at once where there is no such notion (Node). */
const idle = () => new Promise<void>((resolve) => ('requestIdleCallback' in globalThis ? requestIdleCallback(() => resolve(), { timeout: 3000 }) : resolve()));

const importWorker: SpawnWorker = () => new Worker(new URL('../workers/import.worker.ts', import.meta.url), { type: 'module' });

export class Importer {
  mode = $state<ImportMode>('add');
  /** The fraction read, 'merging' while an added file merges with the data shown, or null. */
  progress = $state<number | 'merging' | null>(null);
  report = $state<ImportReport | null>(null);
  /** A CSV file whose location and date columns the user must choose. */
  pending = $state<{ file: File; headers: string[]; mapping: Mapping; ambiguous: Role[] } | null>(null);
  private worker: Worker | null = null;
  /** Counts imports started and cancelled: a job is current while the count is its own. */
  private job = 0;
  private readonly digests = new Map<Dataset, Digest>();

  constructor(
    private readonly atlas: AtlasState,
    private readonly spawn: SpawnWorker = importWorker,
    private readonly library: Library | null = null,
  ) {}

  /** Reads a file in the worker, then adds it to the data shown or replaces it. Resolves when done, cancelled or failed. */
  start(file: File, options: ImportOptions = {}): Promise<void> {
    this.cancel();
    this.pending = null;
    this.progress = 0;
    const job = ++this.job;
    const w = this.spawn();
    this.worker = w;
    // Held as the worker sent them (bytes, not objects) until 'done'.
    let batches: RowBatch[] = [];
    let store: IncidentStore | undefined;
    // Its SHA-256 arrives when an export first asks for it (see whenDigested).
    const stored = options.restore;
    const name = stored?.name ?? options.name ?? file.name;
    const dataset: Dataset = { name, sha256: stored?.sha256 ?? '' };
    let digested = () => {};
    return new Promise<void>((resolve) => {
      w.onmessage = (e: MessageEvent<ImportMessage>) => {
        const m = e.data;
        if (m.type === 'progress') this.progress = m.fraction;
        else if (m.type === 'rows') batches.push(m.batch);
        else if (m.type === 'reset') batches = [];
        else if (m.type === 'store') store = new IncidentStore(m.buffer);
        else if (m.type === 'digest') {
          dataset.sha256 = m.sha256;
          digested();
        } else {
          const data = m.rebuild && store ? { table: new RowTable(batches, rebuilder(m.rebuild)), store } : null;
          // A worker that can hash the file is no longer the import in progress: kept, it hashes
          // the file when an export first needs it, for as long as the file's data is listed.
          if (m.digest) this.worker = null;
          void this.finish(job, file, m.result, dataset, data, m.parts, options).then((applied) => {
            resolve();
            if (!m.digest) return;
            const sha = new Promise<void>((done) => (digested = done)).finally(() => w.terminate());
            if (!this.atlas.datasets.includes(dataset) || dataset.sha256) digested();
            else
              this.digests.set(dataset, {
                compute: () => {
                  w.postMessage({ digest: true } satisfies DigestRequest);
                  return sha;
                },
                release: () => digested(),
                running: null,
              });
            if (applied) void this.library?.applied(dataset, applied, { file, stored, bundled: options.quiet }, () => this.digest(dataset));
          });
        }
      };
      w.onerror = (e) => {
        digested();
        resolve();
        if (job !== this.job) return;
        this.stop();
        this.atlas.error = `Import of ${name} failed: ${e.message}. The data shown is unchanged.`;
      };
      w.postMessage({ file, mapping: stored?.mapping ?? options.mapping } satisfies ImportRequest);
    });
  }

  /**
   * Reads a GeoJSON file already in memory on the page, with the worker's code and into what
   * the worker would hand over: for the bundled dataset, so that start-up fetches no worker.
   */
  async open(bytes: ArrayBuffer, name: string, options: ImportOptions = {}): Promise<void> {
    this.cancel();
    const job = ++this.job;
    const { result, data } = importGeoJsonData(new TextDecoder().decode(bytes));
    const dataset: Dataset = { name, sha256: await sha256Hex(bytes) };
    const applied = await this.finish(job, null, result, dataset, data, 1, options);
    if (applied) await this.library?.applied(dataset, applied, { file: null, bundled: true }, async () => {});
  }

  /** Stops the import or merge in progress; the data shown stays as it was. */
  cancel(): void {
    if (this.worker || this.progress !== null) {
      this.job++;
      this.stop();
    }
  }

  /** Resolves once every listed dataset's SHA-256 is known, computing those not yet asked for. */
  async whenDigested(): Promise<void> {
    const pending = this.atlas.datasets.flatMap((dataset) => {
      const digest = this.digests.get(dataset);
      if (!digest) return [];
      digest.running ??= digest.compute();
      return [digest.running];
    });
    await Promise.allSettled(pending);
  }

  /**
   * Resolves once this dataset's SHA-256 is known, computing it now: a permalink names every
   * dataset by it, and the library files a new one under it. Consumers of the list then see it.
   */
  private async digest(dataset: Dataset): Promise<void> {
    const digest = this.digests.get(dataset);
    if (!digest) return;
    const had = dataset.sha256;
    // Hashing as the first frames of a large import are drawn competes with them for the cores;
    // once the page is idle it does not (an export asking first starts it at once).
    if (!digest.running) await idle();
    digest.running ??= digest.compute();
    await digest.running;
    if (!had && dataset.sha256 && this.atlas.datasets.includes(dataset)) this.atlas.datasets = [...this.atlas.datasets];
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = null;
    this.progress = null;
  }

  /** Shows the result; resolves to what was applied, or null when nothing was (cancelled, failed, nothing valid). */
  private async finish(job: number, file: File | null, result: ImportResult, dataset: Dataset, data: Data | null, parts: number, options: ImportOptions): Promise<Applied | null> {
    if (job !== this.job) return null;
    this.stop();
    const atlas = this.atlas;
    if (result.needsMapping && file) {
      this.pending = { file, ...result.needsMapping, mapping: { ...result.needsMapping.guess } };
      return null;
    }
    if (result.fatal) {
      atlas.error = `${dataset.name}: ${result.fatal} The data shown is unchanged.`;
      this.report = null;
      return null;
    }
    // Added to the part of a prepared dataset a view loaded, a file would be dropped at the next
    // view change: it replaces the dataset instead, and the report says so.
    const closing = atlas.prepared && data ? atlas.datasets[0]?.name : undefined;
    const mode = closing !== undefined ? 'replace' : (options.restore?.mode ?? (options.quiet ? 'replace' : this.mode));
    let rejected: Issue[] = [];
    if (data) {
      // Adding merges with the data shown, off the main thread: the bar stays, and Cancel
      // (or another file) drops the merge.
      this.progress = 'merging';
      try {
        const done = await this.apply(data, mode, dataset, () => job !== this.job, options.days);
        if (done === null) return null;
        rejected = done;
      } catch (e) {
        atlas.error = `Import of ${dataset.name} failed: ${e instanceof Error ? e.message : String(e)}. The data shown is unchanged.`;
        return null;
      } finally {
        if (job === this.job) this.progress = null;
      }
    }
    const issues = [...result.issues, ...rejected];
    const imported = (data?.table.length ?? 0) - rejected.length;
    const applied: Applied | null = imported > 0 && data ? { rows: imported, rejected: issues.length, days: data.store.daySpan(), mode, mapping: options.mapping } : null;
    if (options.quiet) {
      atlas.error = issues.length > 0 ? issues.map((i) => formatIssue(i, dataset.name)).join('\n') : null;
      return applied;
    }
    const notes = closing !== undefined && applied ? [`The prepared dataset ${closing} was closed: an import replaces it. Open it again to return to it.`, ...result.notes] : result.notes;
    this.report = { name: dataset.name, imported, issues, notes, parts };
    atlas.error = imported === 0 ? `${dataset.name}: nothing could be imported (${issues.length.toLocaleString('en')} rejected). The data shown is unchanged.` : null;
    return applied;
  }

  /**
   * Adds imported data to the data shown, or replaces it. Nothing valid: nothing changes. On
   * add, an id already loaded is rejected (reported), never overwritten; the new ids are found
   * a slice per task and the stores merged in a worker, while the data shown stays. The slider
   * bounds grow to the new span; a selection covering the whole old span grows with it.
   * Resolves to the rejected ids, or null when `cancelled()` said so before the end.
   */
  async apply(data: Data, mode: ImportMode, dataset: Dataset, cancelled: () => boolean = () => false, days?: (span: DayRange) => DayRange): Promise<Issue[] | null> {
    const { table, store } = data;
    const atlas = this.atlas;
    if (table.length === 0) return [];
    if (mode === 'replace') {
      atlas.showAll(store);
      for (const digest of this.digests.values()) digest.release();
      this.digests.clear();
      atlas.datasets = [dataset];
      const span = store.daySpan();
      atlas.setData(data, days && span ? days(span) : undefined);
      return [];
    }
    const before = { table: atlas.table, store: atlas.store };
    // Characters in typed arrays, not a Set of strings: less for the collector to trace.
    const loaded = new IdSet();
    if (!(await eachInSlices(before.table.length, (i) => loaded.add(before.table.id(i)), cancelled))) return null;
    const rejected: Issue[] = [];
    const fresh: number[] = [];
    const scanned = await eachInSlices(
      table.length,
      (i) => {
        const id = table.id(i);
        if (!loaded.has(id)) fresh.push(i);
        else rejected.push({ index: -1, field: 'id', reason: `"${id}" is already loaded; the loaded incident is kept` });
      },
      cancelled,
    );
    if (!scanned) return null;
    if (fresh.length === 0) return rejected;
    const keep = fresh.length === table.length ? null : Uint32Array.from(fresh);
    const merged = await mergeOffThread(before.store, store, keep);
    if (cancelled()) return null;
    // Other data came meanwhile (the bundled dataset, still loading at an early import): add to that.
    if (atlas.table !== before.table) return this.apply(data, mode, dataset, cancelled, days);
    atlas.showAll(store);
    const wasFull = atlas.days.from === atlas.span.from && atlas.days.to === atlas.span.to;
    atlas.datasets = [...atlas.datasets, dataset];
    const added: IncidentTable = keep ? new PickTable(table, keep) : table;
    atlas.setData({ table: new ConcatTable([before.table, added]), store: merged }, atlas.days);
    if (wasFull || before.table.length === 0) atlas.days = atlas.span;
    return rejected;
  }
}

export const [getImporter, setImporter] = createContext<Importer>();
