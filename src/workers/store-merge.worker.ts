// Merges the loaded store and an "add" import's off the page's main thread: sorting and
// indexing hundreds of thousands of incidents there would hold the page in one long task.

import { IncidentStore } from '../core/store.ts';
import { mergeStores } from '../core/store-builder.ts';

/** Both stores' buffers (copies: the page keeps drawing its own), and the added incidents to keep. */
export type MergeRequest = { before: ArrayBuffer; added: ArrayBuffer; keep: Uint32Array | null };

self.onmessage = (e: MessageEvent<MergeRequest>) => {
  const { before, added, keep } = e.data;
  const { buffer } = mergeStores(new IncidentStore(before), new IncidentStore(added), keep ?? undefined);
  self.postMessage(buffer, { transfer: [buffer] });
};
