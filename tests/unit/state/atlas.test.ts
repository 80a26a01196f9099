import { describe, expect, it } from 'vitest';
import { AtlasState } from '../../../src/state/atlas.svelte.ts';
import { ArrayTable } from '../../../src/core/table.ts';
import { storeOfIncidents } from '../../../src/core/store-builder.ts';
import { validateFeature, type Category, type Incident } from '../../../src/core/schema.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';
import { feature } from '../../fixtures/incident.ts';

const incident = (id: string, day: string, category: Category = 'airstrike', lonlat: [number, number] = [44.4, 33.3]): Incident => {
  const { incident, issues } = validateFeature(feature({ id, category, start: `${day}T10:00:00+03:00`, end: `${day}T11:00:00+03:00` }, lonlat), 0);
  if (!incident) throw new Error(JSON.stringify(issues));
  return incident;
};
const data = (incidents: Incident[]) => ({ table: new ArrayTable(incidents), store: storeOfIncidents(incidents) });
const day = dayOfIsoDate;
const ids = (atlas: AtlasState) => Array.from(atlas.visible, (i) => atlas.idOf(i));

function loaded(): AtlasState {
  const atlas = new AtlasState();
  atlas.setData(data([incident('c', '2020-01-03'), incident('a', '2020-01-01'), incident('b', '2020-01-02', 'rocket attack')]));
  return atlas;
}

describe('AtlasState', () => {
  it('shows every incident of new data over its whole span, in start order', () => {
    const atlas = loaded();
    expect(atlas.span).toEqual({ from: day('2020-01-01'), to: day('2020-01-03') });
    expect(atlas.days).toEqual(atlas.span);
    expect(ids(atlas)).toEqual(['a', 'b', 'c']);
  });

  it('exports the incidents shown when the export began, though the data is replaced while it is written', () => {
    const atlas = loaded();
    const { count, at } = atlas.exportable();
    expect(at(0).id).toBe('a');
    // More rows arrive (a prepared dataset's rows read ahead): the store's order changes under the export.
    atlas.setData(data([incident('z', '2019-12-01'), incident('c', '2020-01-03'), incident('b', '2020-01-02'), incident('a', '2020-01-01')]), atlas.days);
    expect(Array.from({ length: count }, (_, k) => at(k).id)).toEqual(['a', 'b', 'c']);
  });

  it('narrows the visible set by days, category and status, and counts the legend over any category', () => {
    const atlas = loaded();
    atlas.setDays({ from: day('2020-01-02'), to: day('2020-01-03') });
    expect(ids(atlas)).toEqual(['b', 'c']);
    atlas.toggleCategory('rocket attack', ['airstrike', 'rocket attack']);
    expect(ids(atlas)).toEqual(['c']);
    expect(atlas.inViewAnyCategory.length).toBe(2);
    expect(atlas.inViewAnyDate.length).toBe(2);
    atlas.toggleStatus('confirmed');
    expect(ids(atlas)).toEqual([]);
    atlas.toggleStatus('confirmed');
    atlas.toggleCategory('rocket attack', ['airstrike', 'rocket attack']);
    // All on again is no filter at all.
    expect(atlas.categories).toBeNull();
    expect(atlas.mask).toBeNull();
  });

  it('clamps setDays to the span and orders its ends', () => {
    const atlas = loaded();
    atlas.setDays({ from: day('2021-01-01'), to: day('2019-01-01') });
    expect(atlas.days).toEqual(atlas.span);
    atlas.setDays({ from: day('2020-01-03'), to: day('2020-01-02') });
    expect(atlas.days).toEqual({ from: day('2020-01-02'), to: day('2020-01-03') });
  });

  it('steps playback a day at a time, window or cumulative, and stops at the end', () => {
    const atlas = loaded();
    atlas.setDays({ from: day('2020-01-01'), to: day('2020-01-01') });
    atlas.play();
    expect(atlas.step()).toBe(true);
    expect(atlas.days).toEqual({ from: day('2020-01-02'), to: day('2020-01-02') });
    expect(atlas.step()).toBe(true);
    expect(atlas.step()).toBe(false);
    expect(atlas.playback.playing).toBe(false);
    atlas.playback.mode = 'cumulative';
    atlas.play();
    expect(atlas.days).toEqual({ from: day('2020-01-01'), to: day('2020-01-01') });
    atlas.step();
    expect(atlas.days).toEqual({ from: day('2020-01-01'), to: day('2020-01-02') });
  });

  it('keeps the selection on its incident (by id) when the data changes, and drops it when the incident goes', () => {
    const atlas = loaded();
    atlas.selected = atlas.indexOfId('b');
    expect(atlas.selectedIncident?.id).toBe('b');
    // New data that sorts b elsewhere: the store index changes, the incident stays selected.
    atlas.setData(data([incident('z', '2019-12-01'), incident('b', '2020-01-02'), incident('a', '2020-01-01')]));
    expect(atlas.selectedId).toBe('b');
    expect(atlas.selected).toBe(2);
    atlas.setData(data([incident('a', '2020-01-01')]));
    expect(atlas.selected).toBeNull();
  });

  it('moves the map to data that lies wholly outside the view, and not to data inside it', () => {
    const atlas = loaded();
    atlas.view = [40, 30, 50, 40];
    atlas.showAll(storeOfIncidents([incident('far', '2020-01-01', 'airstrike', [-70, -30])]));
    expect(atlas.fitRequest).toEqual([-70, -30, -70, -30]);
    atlas.fitRequest = null;
    atlas.showAll(storeOfIncidents([incident('near', '2020-01-01')]));
    expect(atlas.fitRequest).toBeNull();
  });

  it('compares with the period just before, through the same facets and view, and counts its cells', () => {
    const atlas = loaded();
    atlas.setDays({ from: day('2020-01-03'), to: day('2020-01-03') });
    expect(atlas.compared).toBeNull();
    expect(atlas.cells).toBeNull();
    atlas.compareWithPrevious();
    expect(atlas.comparison).toEqual({ from: day('2020-01-02'), to: day('2020-01-02') });
    expect(Array.from(atlas.compared!, (i) => atlas.idOf(i))).toEqual(['b']);
    expect(atlas.cells!.selected.reduce((a, b) => a + b, 0)).toBe(1);
    expect(atlas.cells!.comparison.reduce((a, b) => a + b, 0)).toBe(1);
    // A category switched off leaves the compared set too, but not the legend's count of it.
    atlas.toggleCategory('rocket attack', ['airstrike', 'rocket attack']);
    expect(atlas.compared!.length).toBe(0);
    expect(atlas.comparedAnyCategory!.length).toBe(1);
    // The view is shared: a view away from the incidents empties both.
    atlas.view = [0, 0, 1, 1];
    expect(atlas.comparedAnyCategory!.length).toBe(0);
    expect(atlas.inViewAnyCategory.length).toBe(0);
  });

  it('takes a comparison period in either order, and clears it', () => {
    const atlas = loaded();
    atlas.setComparison({ from: day('2020-01-02'), to: day('2020-01-01') });
    expect(atlas.comparison).toEqual({ from: day('2020-01-01'), to: day('2020-01-02') });
    expect(Array.from(atlas.compared!, (i) => atlas.idOf(i))).toEqual(['a', 'b']);
    atlas.comparison = null;
    expect(atlas.compared).toBeNull();
  });
});
