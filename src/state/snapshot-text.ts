// What a picture of the map says beside it (map/snapshot.ts): the same for Export PNG and for
// each frame of Export video, read from the state at the moment it is drawn.

import { CATEGORIES } from '../core/schema.ts';
import { isoDateOfDay } from '../core/time.ts';
import type { SnapshotText } from '../map/snapshot.ts';
import type { AtlasState } from './atlas.svelte.ts';

export function snapshotText(atlas: AtlasState, attribution: string, dark: boolean): SnapshotText {
  const count = atlas.visible.length;
  const perCategory = atlas.store.countByCategory(atlas.visible);
  return {
    title: `Incident Atlas — ${count.toLocaleString('en')} incident${count === 1 ? '' : 's'}`,
    dates: `${isoDateOfDay(atlas.days.from)} to ${isoDateOfDay(atlas.days.to)} (local dates)`,
    categories: CATEGORIES.map((category, c) => ({ category, count: perCategory[c] })).filter((c) => c.count > 0),
    attribution,
    dark,
  };
}
