// Merges the loaded store and an "add" import's off the page's main thread: sorting and
// indexing 400,000 incidents there held the page ~170 ms in one task.

import { IncidentStore, mergeStores, transferables, type StoreParts } from '../core/store.ts';

export type MergeRequest = { before: StoreParts; added: StoreParts; keep: Uint32Array | null };

self.onmessage = (e: MessageEvent<MergeRequest>) => {
  const { before, added, keep } = e.data;
  const parts = mergeStores(IncidentStore.adopt(before), IncidentStore.adopt(added), keep ?? undefined).parts();
  self.postMessage(parts, { transfer: transferables(parts) });
};
