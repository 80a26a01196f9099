// The page's side of store-merge.worker.ts.

import { IncidentStore } from '../core/store.ts';
import { mergeStores } from '../core/store-builder.ts';
import type { MergeRequest } from './store-merge.worker.ts';

/** Below this many incidents in all, merging on the page costs less than starting a worker. */
const IN_WORKER_FROM = 50_000;

/** mergeStores, in a worker for large stores. */
export function mergeOffThread(before: IncidentStore, added: IncidentStore, keep: Uint32Array | null): Promise<IncidentStore> {
  if (before.size + (keep ? keep.length : added.size) < IN_WORKER_FROM) return Promise.resolve(mergeStores(before, added, keep ?? undefined));
  const worker = new Worker(new URL('./store-merge.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<IncidentStore>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<ArrayBuffer>) => resolve(new IncidentStore(e.data));
    worker.onerror = (e) => reject(new Error(e.message || 'the merge worker failed'));
    // Copies, transferred: the page keeps drawing and querying both stores until the merged one arrives.
    const request: MergeRequest = { before: before.buffer.slice(0), added: added.buffer.slice(0), keep: keep?.slice() ?? null };
    worker.postMessage(request, { transfer: [request.before, request.added, ...(request.keep ? [request.keep.buffer as ArrayBuffer] : [])] });
  }).finally(() => worker.terminate());
}
