// Imported files kept in the Origin Private File System: each file's own bytes under a name
// of ours, and manifest.json listing them (core/library.ts). The manifest is the commit: bytes
// are written first, and a file becomes part of the library only when the manifest names it,
// so a write that fails or is cut off by a reload leaves nothing a reload would read; the next
// start deletes such bytes.
// Every change to the manifest holds one Web Lock, so two tabs never write it over each other.

import { EMPTY_MANIFEST, isStorageName, parseManifest, storageName, withImport, withoutFile, type Manifest, type StoredDataset } from '../core/library.ts';

const FOLDER = 'datasets';
const MANIFEST = 'manifest.json';
const LOCK = 'incident-atlas:library';
/** Held by the tab writing a file's bytes until it commits or gives up: the sweep leaves that file be. */
const draftLock = (file: string) => `incident-atlas:draft:${file}`;

/** Runs `fn` holding the lock; without Web Locks (old browsers) it just runs. */
function withLock<T>(name: string, mode: LockMode, fn: () => Promise<T>): Promise<T> {
  return navigator.locks ? navigator.locks.request(name, { mode }, fn) : fn();
}

/** A file's bytes being written; `written` settles once they are all on disk (or failed). */
export interface Draft {
  file: string;
  written: Promise<void>;
  /** Drops the bytes written so far; the library is as it was. */
  discard(): Promise<void>;
  /** Lets go of the draft's lock, once the manifest names the file. */
  release(): void;
}

export class OpfsLibrary {
  private constructor(private readonly dir: FileSystemDirectoryHandle) {}

  /** The library, or an error saying why this browser cannot keep files (a private window, an old browser). */
  static async open(): Promise<OpfsLibrary> {
    if (!navigator.storage?.getDirectory) throw new Error('this browser has no Origin Private File System');
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(FOLDER, { create: true });
    if (!('createWritable' in FileSystemFileHandle.prototype)) throw new Error('this browser cannot write files from the page');
    return new OpfsLibrary(dir);
  }

  /** What is kept, in import order. Bytes no manifest names (an import cut off) are deleted first. */
  async manifest(): Promise<Manifest> {
    return withLock(LOCK, 'exclusive', async () => {
      const manifest = await this.read();
      await this.sweep(manifest);
      return manifest;
    });
  }

  /** The bytes of a kept file, as a File named as the user's was. */
  async file(entry: StoredDataset): Promise<File> {
    const f = await (await this.dir.getFileHandle(entry.file)).getFile();
    return new File([f], entry.name, { type: f.type });
  }

  /** Starts writing the file's bytes; they belong to the library only after commit(). */
  begin(source: File): Draft {
    const file = storageName(crypto.randomUUID());
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let writable: FileSystemWritableFileStream | null = null;
    let discarded = false;
    const locked = new Promise<void>((resolve) => {
      void withLock(draftLock(file), 'exclusive', () => {
        resolve();
        return held;
      });
    });
    const written = (async () => {
      await locked;
      const handle = await this.dir.getFileHandle(file, { create: true });
      writable = await handle.createWritable();
      // Chunk by chunk, not pipeTo: a write that fails (the quota) fails here, with its reason.
      const reader = source.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || discarded) break;
        await writable.write(value);
      }
      if (!discarded) await writable.close();
    })();
    // A failed write is reported by whoever awaits `written`; this only keeps it from being "unhandled".
    written.catch(() => {});
    return {
      file,
      written,
      discard: async () => {
        discarded = true;
        await written.catch(() => {});
        await (writable as FileSystemWritableFileStream | null)?.abort().catch(() => {});
        await this.dir.removeEntry(file).catch(() => {});
        release();
      },
      release,
    };
  }

  /** Adds the written file to the manifest (a replace drops the others); its draft lock is then let go. */
  async commit(draft: Draft, entry: StoredDataset): Promise<void> {
    await draft.written;
    await withLock(LOCK, 'exclusive', async () => {
      const { manifest, dropped } = withImport(await this.read(), entry);
      await this.write(manifest);
      for (const d of dropped) await this.dir.removeEntry(d.file).catch(() => {});
    });
    // Held until the manifest names the file, the draft lock keeps another tab's sweep off it.
    draft.release();
  }

  /** Forgets one kept file and deletes its bytes. */
  async remove(file: string): Promise<void> {
    await withLock(LOCK, 'exclusive', async () => {
      await this.write(withoutFile(await this.read(), file));
      await this.dir.removeEntry(file).catch(() => {});
    });
  }

  /** Forgets every kept file. */
  async removeAll(): Promise<void> {
    await withLock(LOCK, 'exclusive', async () => {
      const manifest = await this.read();
      await this.write(EMPTY_MANIFEST);
      for (const d of manifest.datasets) await this.dir.removeEntry(d.file).catch(() => {});
    });
  }

  private async read(): Promise<Manifest> {
    try {
      return parseManifest(await (await (await this.dir.getFileHandle(MANIFEST)).getFile()).text());
    } catch {
      return EMPTY_MANIFEST;
    }
  }

  /** createWritable writes beside the file and swaps it in on close: a reader sees the old manifest or the new one. */
  private async write(manifest: Manifest): Promise<void> {
    const writable = await (await this.dir.getFileHandle(MANIFEST, { create: true })).createWritable();
    await writable.write(JSON.stringify(manifest));
    await writable.close();
  }

  private async sweep(manifest: Manifest): Promise<void> {
    const kept = new Set(manifest.datasets.map((d) => d.file));
    const names: string[] = [];
    for await (const name of (this.dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    for (const name of names) {
      if (!isStorageName(name) || kept.has(name)) continue;
      // A draft another tab is still writing holds its lock: only an abandoned one is taken.
      if (!navigator.locks) await this.dir.removeEntry(name).catch(() => {});
      else await navigator.locks.request(draftLock(name), { ifAvailable: true }, async (lock) => {
        if (lock) await this.dir.removeEntry(name).catch(() => {});
      });
    }
  }
}
