// The URL mirrors the whole state so a link restores it (main.ts reads it back). Both pages,
// the app and the embed, keep it up to date, so "Open in Incident Atlas" carries the same state.

import { isoDateOfDay } from '../core/time.ts';
import { formatCamera, selectionParam, withParams } from '../core/url-state.ts';
import { formatAreaParam } from '../core/area.ts';
import { formatComparisonParam } from '../core/compare.ts';
import type { AtlasState } from './atlas.svelte.ts';
import type { Library } from './library.svelte.ts';

/** The query string and hash for the state, from the current ones (unknown parameters kept). */
export function permalink(atlas: AtlasState, search: string, hash: string, library: Library | null = null): { search: string; hash: string } {
  return {
    search: withParams(search, {
      from: isoDateOfDay(atlas.days.from),
      to: isoDateOfDay(atlas.days.to),
      cat: atlas.categories,
      status: atlas.statuses,
      q: atlas.search.trim() ? atlas.search : null,
      area: atlas.area ? formatAreaParam(atlas.area) : null,
      cmp: atlas.comparison ? formatComparisonParam(atlas.comparison) : null,
      sel: selectionParam(atlas.selectedId),
      play: atlas.playback.mode === 'window' ? null : atlas.playback.mode,
      speed: atlas.playback.speed === 1 ? null : String(atlas.playback.speed),
      measure: atlas.measure === 'count' ? null : atlas.measure,
      chains: atlas.showChains ? 'on' : null,
      lang: atlas.lang === 'en' ? null : atlas.lang,
      ds: library ? library.param : null,
    }),
    hash: atlas.camera ? formatCamera(atlas.camera) : hash,
  };
}

/** Keeps the address bar on the state; replaceState keeps history clean. Call from a component. */
export function mirrorStateInUrl(atlas: AtlasState, library: Library | null = null): void {
  $effect(() => {
    // While a dataset the link names is missing, the URL stays the link: reloading or copying it
    // still says what it needs. A prepared dataset's view that holds too many to load has no rows, and a state.
    if ((atlas.table.length === 0 && !atlas.prepared) || (library && library.missing.length > 0)) return;
    const { search, hash } = permalink(atlas, location.search, location.hash, library);
    if (search !== location.search || hash !== location.hash) history.replaceState(history.state, '', `${location.pathname}${search}${hash}`);
  });
}
