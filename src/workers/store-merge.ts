// The page's side of store-merge.worker.ts.

import { IncidentStore, mergeStores, transferables, type StoreParts } from '../core/store.ts';
import type { MergeRequest } from './store-merge.worker.ts';

/** Below this many incidents in all, merging on the page (~25 ms) costs less than starting a worker. */
const IN_WORKER_FROM = 50_000;

/**
 * A store's parts as copies the page can transfer: the page keeps drawing and querying the
 * store itself until the merged one arrives. Copying typed arrays here and transferring the
 * copies took a few ms at 400,000 incidents; structured-cloning them took ~46 ms.
 * Its vertices are left out: a store's go to the GPU layer once, and the merge builds its own.
 */
function copied(store: IncidentStore): StoreParts {
  const p = store.parts();
  const columns = Object.fromEntries(Object.entries(p.columns).map(([key, a]) => [key, a.slice()])) as unknown as StoreParts['columns'];
  return { ...p, columns, order: p.order.slice(), categoryCounts: p.categoryCounts.slice(), wide: p.wide.slice(), wideBbox: p.wideBbox.slice(), isWide: p.isWide.slice(), index: p.index.slice(0), vertices: undefined };
}

/** mergeStores, in a worker for large stores. */
export function mergeOffThread(before: IncidentStore, added: IncidentStore, keep: Uint32Array | null): Promise<IncidentStore> {
  if (before.size + (keep ? keep.length : added.size) < IN_WORKER_FROM) return Promise.resolve(mergeStores(before, added, keep ?? undefined));
  const worker = new Worker(new URL('./store-merge.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<IncidentStore>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<StoreParts>) => resolve(IncidentStore.adopt(e.data));
    worker.onerror = (e) => reject(new Error(e.message || 'the merge worker failed'));
    const request: MergeRequest = { before: copied(before), added: copied(added), keep: keep?.slice() ?? null };
    const transfer = [...transferables(request.before), ...transferables(request.added), ...(request.keep ? [request.keep.buffer as ArrayBuffer] : [])];
    worker.postMessage(request, { transfer });
  }).finally(() => worker.terminate());
}
