// The application state: one class, runes inside. Data flows one way: incidents (validated once)
// × day range × view × filters → the derived visible set that the map, list, count and export share.

import { createContext } from 'svelte';
import type { Category, Incident, Issue, Status } from '../core/schema.ts';
import { byStart, daySpan, visibleIncidents, type DayRange } from '../core/query.ts';
import { WORLD, type View } from '../core/geometry.ts';
import type { Camera } from '../core/url-state.ts';
import { DAY_MS } from '../core/time.ts';

export class AtlasState {
  /** Sorted by start; replaced, never mutated, so it stays a plain (non-proxied) array. */
  incidents = $state.raw<Incident[]>([]);
  days = $state.raw<DayRange>({ from: 0, to: 0 });
  view = $state.raw<View>(WORLD);
  camera = $state.raw<Camera | null>(null);
  categories = $state.raw<ReadonlySet<Category> | null>(null);
  statuses = $state.raw<ReadonlySet<Status> | null>(null);
  selectedId = $state<string | null>(null);
  /** A message for role="alert": a load or import that failed. Current data is kept. */
  error = $state<string | null>(null);
  issues = $state.raw<Issue[]>([]);

  span = $derived<DayRange>(daySpan(this.incidents) ?? { from: Math.floor(Date.now() / DAY_MS), to: Math.floor(Date.now() / DAY_MS) });

  visible = $derived(
    visibleIncidents(this.incidents, { days: this.days, view: this.view, categories: this.categories, statuses: this.statuses }),
  );

  selected = $derived(this.incidents.find((i) => i.id === this.selectedId) ?? null);

  /** Replaces the data; the day range is kept where it still fits, else widened to the new span. */
  setIncidents(incidents: Incident[], days?: DayRange): void {
    this.incidents = [...incidents].sort(byStart);
    const span = this.span;
    this.days = days ?? span;
    if (this.selectedId !== null && !this.incidents.some((i) => i.id === this.selectedId)) this.selectedId = null;
  }

  setDays(days: DayRange): void {
    const from = Math.max(this.span.from, Math.min(days.from, days.to));
    const to = Math.min(this.span.to, Math.max(days.from, days.to));
    if (from !== this.days.from || to !== this.days.to) this.days = { from, to };
  }
}

export const [getAtlas, setAtlas] = createContext<AtlasState>();
