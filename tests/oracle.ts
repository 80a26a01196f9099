// The visible-set rule written plainly over incident objects: the oracle that tests hold
// src/core/filter.ts against. The app never calls it.

import type { Incident } from '../src/core/schema.ts';
import { bboxIntersectsView } from '../src/core/geometry.ts';
import type { DayRange } from '../src/core/time.ts';
import type { Filter } from '../src/core/filter.ts';

/**
 * An incident is visible when its local-day interval [startDay, endDay] overlaps the selected
 * days (both ends inclusive: an incident on the last selected day is shown) and its extent
 * touches the map view.
 */
export function overlapsDays(i: Pick<Incident, 'startDay' | 'endDay'>, days: DayRange): boolean {
  return i.startDay <= days.to && i.endDay >= days.from;
}

export function isVisible(i: Incident, f: Filter): boolean {
  return (
    overlapsDays(i, f.days) &&
    bboxIntersectsView(i.bbox, f.view) &&
    (f.categories === null || f.categories.has(i.category)) &&
    (f.statuses === null || f.statuses.has(i.status))
  );
}

/** The visible incidents, in the order given (callers keep incidents sorted by start). */
export function visibleIncidents(incidents: readonly Incident[], f: Filter): Incident[] {
  return incidents.filter((i) => isVisible(i, f));
}
