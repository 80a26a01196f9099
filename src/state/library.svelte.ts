// What this browser keeps of the imported files, and what a permalink needs. The Importer tells
// the library about each dataset it applies; the library writes a new file's bytes to the
// Origin Private File System (src/storage/opfs.ts), lists every dataset for the Datasets panel,
// and holds the datasets a link names (?ds=) until they are all loaded. Failing to save is
// never failing to import: the data stays on screen, marked "not saved", with the reason.

import { createContext } from 'svelte';
import { datasetsParam, missingDatasets, parseDatasetsParam, type LinkedDataset, type StoredDataset } from '../core/library.ts';
import type { Dataset } from '../core/export.ts';
import type { DayRange } from '../core/time.ts';
import { parseDayRange, parseParam, resolveSelection } from '../core/url-state.ts';
import type { Draft, OpfsLibrary } from '../storage/opfs.ts';
import type { AtlasState } from './atlas.svelte.ts';

export type SaveState = 'bundled' | 'saving' | 'saved' | 'not saved';

/** A loaded dataset as the Datasets panel lists it. */
export interface DatasetInfo {
  rows: number;
  rejected: number;
  days: DayRange | null;
  state: SaveState;
  /** Why it was not saved, in words. */
  reason?: string;
  /** Its file in the library, once saved. */
  file?: string;
}

/** What the Importer knows once a dataset is on screen. */
export interface Applied {
  rows: number;
  rejected: number;
  days: DayRange | null;
  mode: 'add' | 'replace';
  mapping?: StoredDataset['mapping'];
}

/** A failure to write, in words a user can act on. */
export function saveFailure(e: unknown): string {
  const name = e instanceof DOMException ? e.name : '';
  if (name === 'QuotaExceededError') return 'the browser’s storage for this site is full; remove a dataset to make room';
  if (name === 'SecurityError' || name === 'NotAllowedError') return 'this browser does not let the page keep files (a private window?)';
  return e instanceof Error ? e.message : String(e);
}

export class Library {
  /** Why imports are not kept in this browser (shown as a note), or null when they are. */
  unavailable = $state<string | null>(null);
  /** Per loaded dataset; replaced whole on change. */
  info = $state.raw<ReadonlyMap<Dataset, DatasetInfo>>(new Map());
  /** Bytes used and allowed for this site, as the browser estimates them. */
  usage = $state.raw<{ used: number; quota: number } | null>(null);
  /** The datasets the opening link named; cleared once they are all loaded. */
  wanted = $state.raw<LinkedDataset[]>([]);
  /** True while kept files are read back after a reload. */
  restoring = $state(false);
  /** What the link asks for and is not loaded. */
  readonly missing: LinkedDataset[];
  /** ?ds= for what is loaded. */
  readonly param: string | null;
  /** Re-reads the bundled and kept datasets: after a Remove. Set by the page's start-up. */
  reopen: () => Promise<void> = async () => {};
  private storage: OpfsLibrary | null = null;
  /** The saves in progress, one after another, so the manifest lists files in the order applied. */
  private saving: Promise<void> = Promise.resolve();
  /** The opening link's query, applied again once its missing datasets arrive. */
  private linkSearch = '';

  constructor(private readonly atlas: AtlasState) {
    this.missing = $derived(missingDatasets(this.wanted, atlas.datasets));
    this.param = $derived(datasetsParam(atlas.datasets));
  }

  /** Opens the browser's storage; returns what it keeps, in import order (none when it cannot keep anything). */
  async open(opener: () => Promise<OpfsLibrary>): Promise<StoredDataset[]> {
    try {
      this.storage = await opener();
      const { datasets } = await this.storage.manifest();
      void this.refreshUsage();
      return datasets;
    } catch (e) {
      this.storage = null;
      this.unavailable = `Imported files will not be kept after this tab closes: ${saveFailure(e)}.`;
      return [];
    }
  }

  /** The bytes of a kept file. */
  read(entry: StoredDataset): Promise<File> {
    if (!this.storage) return Promise.reject(new Error('no storage'));
    return this.storage.file(entry);
  }

  /** The opening link: which datasets it needs, and its query to apply once they are here. */
  follow(search: string): void {
    this.linkSearch = search;
    this.wanted = parseDatasetsParam(new URLSearchParams(search.length > 10_000 ? '' : search).get('ds'));
  }

  /**
   * A dataset is on screen. A new import is saved: hashed, then its bytes written and the
   * manifest committed, one file at a time in the order applied. Written after it is shown, not
   * while it is parsed, the file costs the import nothing; a reload meanwhile only loses it.
   * A restored one is listed as saved; the bundled one as bundled.
   */
  async applied(dataset: Dataset, applied: Applied, how: { file: File | null; stored?: StoredDataset; bundled?: boolean }, sha: () => Promise<void>): Promise<void> {
    const base = { rows: applied.rows, rejected: applied.rejected, days: applied.days };
    if (how.bundled) this.set(dataset, { ...base, state: 'bundled' });
    else if (how.stored) this.set(dataset, { ...base, state: 'saved', file: how.stored.file });
    else if (!this.storage) this.set(dataset, { ...base, state: 'not saved', reason: 'this browser cannot keep files' });
    else {
      this.set(dataset, { ...base, state: 'saving' });
      const storage = this.storage;
      // save() reports its own failures: the chain never rejects.
      const file = how.file;
      if (file) this.saving = this.saving.then(() => this.save(storage, dataset, applied, file, sha));
    }
    await sha();
    if (this.wanted.length > 0 && !this.restoring && this.missing.length === 0) this.applyLink();
  }

  private async save(storage: OpfsLibrary, dataset: Dataset, applied: Applied, file: File, sha: () => Promise<void>): Promise<void> {
    const base = { rows: applied.rows, rejected: applied.rejected, days: applied.days };
    let draft: Draft | null = null;
    try {
      await sha();
      // Replaced or removed meanwhile: nothing to keep.
      if (!this.atlas.datasets.includes(dataset)) return;
      if (!dataset.sha256) throw new Error('its SHA-256 could not be computed');
      draft = storage.begin(file);
      const entry: StoredDataset = { file: draft.file, name: dataset.name, size: file.size, sha256: dataset.sha256, importedAt: new Date().toISOString(), accepted: applied.rows, rejected: applied.rejected, mode: applied.mode, days: applied.days };
      if (applied.mapping) entry.mapping = applied.mapping;
      await storage.commit(draft, entry);
      this.set(dataset, { ...base, state: 'saved', file: draft.file });
    } catch (e) {
      await draft?.discard();
      const reason = saveFailure(e);
      this.set(dataset, { ...base, state: 'not saved', reason });
      this.atlas.error = `${dataset.name} is shown but not saved in this browser: ${reason}. It is gone once this tab closes.`;
    }
    void this.refreshUsage();
  }

  /** Applies the opening link's dates and selection to the data now loaded, and lets the URL follow the state again. */
  applyLink(): void {
    const search = this.linkSearch;
    if (new URLSearchParams(search).has('from') || new URLSearchParams(search).has('to')) this.atlas.days = parseDayRange(search, this.atlas.span);
    const ids = () => {
      const all: string[] = [];
      this.atlas.table.eachId((id) => all.push(id));
      return all;
    };
    const sel = resolveSelection(parseParam(search, 'sel'), (id) => this.atlas.indexOfId(id) !== null, ids);
    if (sel !== null) this.atlas.selected = this.atlas.indexOfId(sel);
    if (this.missing.length === 0) this.wanted = [];
  }

  /** Removes a dataset from the screen and, when kept, from the browser. */
  async remove(dataset: Dataset): Promise<void> {
    const file = this.info.get(dataset)?.file;
    try {
      if (file && this.storage) await this.storage.remove(file);
    } catch (e) {
      this.atlas.error = `${dataset.name} could not be removed from this browser: ${saveFailure(e)}`;
      return;
    }
    // What is not kept is gone from the page once it reloads what is.
    await this.reopen();
    void this.refreshUsage();
  }

  /** Removes every imported dataset, kept or not: the bundled dataset alone remains. */
  async removeAll(): Promise<void> {
    try {
      await this.storage?.removeAll();
    } catch (e) {
      this.atlas.error = `The imported data could not be removed from this browser: ${saveFailure(e)}`;
      return;
    }
    await this.reopen();
    void this.refreshUsage();
  }

  async refreshUsage(): Promise<void> {
    try {
      const { usage, quota } = await navigator.storage.estimate();
      this.usage = { used: usage ?? 0, quota: quota ?? 0 };
    } catch {
      this.usage = null;
    }
  }

  private set(dataset: Dataset, info: DatasetInfo): void {
    const next = new Map([...this.info].filter(([d]) => this.atlas.datasets.includes(d)));
    next.set(dataset, info);
    this.info = next;
  }
}

export const [getLibrary, setLibrary] = createContext<Library>();
