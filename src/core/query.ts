// The visible set: the one rule that the map, the list, the count and the export all share.

import type { Category, Incident, Status } from './schema.ts';
import { bboxIntersectsView, type View } from './geometry.ts';

/** An inclusive range of local calendar days (days since 1970-01-01). */
export interface DayRange {
  from: number;
  to: number;
}

export interface Filters {
  days: DayRange;
  view: View;
  /** null = all categories. */
  categories: ReadonlySet<Category> | null;
  /** null = all statuses. */
  statuses: ReadonlySet<Status> | null;
}

/**
 * An incident is visible when its local-day interval [startDay, endDay] overlaps the selected
 * days (both ends inclusive: an incident on the last selected day is shown) and its extent
 * touches the map view.
 */
export function overlapsDays(i: Pick<Incident, 'startDay' | 'endDay'>, days: DayRange): boolean {
  return i.startDay <= days.to && i.endDay >= days.from;
}

export function isVisible(i: Incident, f: Filters): boolean {
  return (
    overlapsDays(i, f.days) &&
    bboxIntersectsView(i.bbox, f.view) &&
    (f.categories === null || f.categories.has(i.category)) &&
    (f.statuses === null || f.statuses.has(i.status))
  );
}

/** The visible incidents, in the order given (callers keep incidents sorted by start). */
export function visibleIncidents(incidents: readonly Incident[], f: Filters): Incident[] {
  return incidents.filter((i) => isVisible(i, f));
}

/** The span of local days the incidents cover, or null for none. */
export function daySpan(incidents: readonly Incident[]): DayRange | null {
  if (incidents.length === 0) return null;
  let from = Infinity;
  let to = -Infinity;
  for (const i of incidents) {
    if (i.startDay < from) from = i.startDay;
    if (i.endDay > to) to = i.endDay;
  }
  return { from, to };
}
