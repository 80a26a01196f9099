// Runs a worker module in this (Node) thread: its `self` is a port whose messages reach the
// page's Worker object as they would from a real worker, structured-cloned, buffers
// transferred. The worker's own code runs, with its real protocol; nothing is re-enacted.

import { vi } from 'vitest';
// Evaluated before any `self` exists, so papaparse reads files as on a page (FileReader), not
// with a worker's FileReaderSync, which Node lacks.
import 'papaparse';

/** What papaparse needs of FileReader, which Node lacks: text read a chunk at a time. */
class NodeFileReader {
  onload: ((e: { target: { result: string } }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  readAsText(blob: Blob): void {
    blob.text().then(
      (result) => this.onload?.({ target: { result } }),
      (e) => this.onerror?.(e),
    );
  }
}
if (!('FileReader' in globalThis)) vi.stubGlobal('FileReader', NodeFileReader);

type Listener = ((e: MessageEvent) => void) | null;

/** Something with a Worker's face, for code that spawns workers (see Importer's SpawnWorker). */
export function hostWorker(load: () => Promise<unknown>): Worker {
  const inbox: unknown[] = [];
  let ready = false;
  let terminated = false;
  const page = {
    onmessage: null as Listener,
    onerror: null as ((e: ErrorEvent) => void) | null,
    postMessage(data: unknown, transfer?: Transferable[] | { transfer?: Transferable[] }) {
      const list = Array.isArray(transfer) ? transfer : (transfer?.transfer ?? []);
      const copy = structuredClone(data, { transfer: list as Transferable[] });
      if (ready) deliver(copy);
      else inbox.push(copy);
    },
    terminate() {
      terminated = true;
    },
  };
  const self = {
    onmessage: null as Listener,
    navigator: { hardwareConcurrency: 1 },
    postMessage(data: unknown, options?: { transfer?: Transferable[] } | Transferable[]) {
      const list = Array.isArray(options) ? options : (options?.transfer ?? []);
      const copy = structuredClone(data, { transfer: list as Transferable[] });
      // A task later, as a real worker's message arrives.
      setTimeout(() => !terminated && page.onmessage?.({ data: copy } as MessageEvent));
    },
  };
  const deliver = (data: unknown) => setTimeout(() => !terminated && self.onmessage?.({ data } as MessageEvent));
  vi.stubGlobal('self', self);
  vi.resetModules();
  void load().then(
    () => {
      ready = true;
      inbox.splice(0).forEach(deliver);
    },
    (e: Error) => page.onerror?.({ message: e.message } as ErrorEvent),
  );
  return page as unknown as Worker;
}
