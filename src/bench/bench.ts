// The benchmark page (npm run bench drives it): our path — columnar store, GPU points — beside
// the baseline — a MapLibre GeoJSON source with setFilter, and Array.filter with turf's
// booleanPointInPolygon — on the same seeded data, in the same browser.

import { Map as MapLibreMap, setWorkerUrl, type ExpressionSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { booleanPointInPolygon, bboxPolygon } from '@turf/turf';
import type { Feature, FeatureCollection, Point } from 'geojson';
import { buildStore, type IncidentColumns, type IncidentStore } from '../core/store.ts';
import { facetMask, visibleIndices } from '../core/filter.ts';
import { areaOfPolygons, type Area } from '../core/area.ts';
import { CATEGORIES, STATUSES } from '../core/schema.ts';
import { isoDateOfDay } from '../core/time.ts';
import type { View } from '../core/geometry.ts';
import { GpuPointsLayer } from '../map/gpu/points-layer.ts';
import { CompareLayer } from '../map/compare-layer.ts';
import { cellZoom, countCells, previousPeriod, type CellCounts } from '../core/compare.ts';
import { CATEGORY_COLORS } from '../map/palette.ts';
import { syntheticColumns, FIRST_DAY } from './synthetic.ts';
import { miniSearch, oursSearch, syntheticTexts, type SearchFigures } from './search.ts';

setWorkerUrl(workerUrl);
// Styles through the CSSOM: the Content-Security-Policy allows no inline style attributes.
document.body.style.margin = '0';
Object.assign(document.getElementById('map')!.style, { position: 'absolute', inset: '0' });

type Mode = 'ours' | 'baseline' | 'deck';
const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? 10_000);
const mode = (params.get('mode') ?? 'ours') as Mode;
const seed = Number(params.get('seed') ?? 1);
// deck.gl (mode=deck, src/bench/deck.ts) is loaded only on that mode's pages: the others neither
// download nor parse it.
const deck = mode === 'deck' ? await import('./deck.ts') : null;

const map = new MapLibreMap({
  container: 'map',
  style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#f3f0e8' } }] },
  bounds: [
    [36, 29],
    [52, 38],
  ],
  attributionControl: false,
});
const loaded = new Promise<void>((resolve) => map.once('load', () => resolve()));
const idle = () => new Promise<void>((resolve) => map.once('idle', () => resolve()));
const rendered = () => new Promise<void>((resolve) => map.once('render', () => resolve()));

let columns: IncidentColumns;
let store: IncidentStore;
let layer: GpuPointsLayer;
let cellsLayer: CompareLayer | undefined;
let features: Feature<Point, { id: string; startDay: number; endDay: number; category: string; status: string }>[];

function viewOf(): View {
  const b = map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}

function dayFilter(from: number, to: number): ExpressionSpecification {
  return ['all', ['<=', ['get', 'startDay'], to], ['>=', ['get', 'endDay'], from]];
}

/** The export both paths write: one Feature per visible incident. */
function featureJson(i: number): string {
  const c = columns;
  return `{"type":"Feature","id":"s${i}","geometry":{"type":"Point","coordinates":[${c.lon[i]},${c.lat[i]}]},"properties":{"id":"s${i}","startDay":${c.startDay[i]},"endDay":${c.endDay[i]},"category":"${CATEGORIES[c.category[i]]}","status":"${STATUSES[c.status[i]]}"}}`;
}

const bench = {
  /** Data generated (not timed), then timed from handing it to the map to the first idle frame. */
  async load(): Promise<number> {
    await loaded;
    columns = syntheticColumns(n, seed);
    if (mode === 'baseline') {
      features = Array.from({ length: n }, (_, i) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [columns.lon[i], columns.lat[i]] },
        properties: { id: `s${i}`, startDay: columns.startDay[i], endDay: columns.endDay[i], category: CATEGORIES[columns.category[i]], status: STATUSES[columns.status[i]] },
      }));
    }
    const t0 = performance.now();
    if (mode === 'ours') {
      store = buildStore(columns);
      layer = new GpuPointsLayer(store, 'light');
      map.addLayer(layer);
    } else {
      map.addSource('points', { type: 'geojson', data: { type: 'FeatureCollection', features } });
      map.addLayer({
        id: 'points',
        type: 'circle',
        source: 'points',
        paint: {
          'circle-radius': 4,
          'circle-color': ['match', ['get', 'category'], ...Object.entries(CATEGORY_COLORS).flat(), '#777'] as unknown as ExpressionSpecification,
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 1,
        },
      });
    }
    await idle();
    // A large window fills in over several frames, and MapLibre is idle after the first:
    // ours is timed to the frame that shows every point.
    while (mode === 'ours' && !layer.complete) await rendered();
    return performance.now() - t0;
  },
  /**
   * A filter change to the first frame that shows it. Ours: the next frame, since the window is
   * a uniform read by that frame. The baseline's next frames still show old tiles until the
   * worker has re-filtered them, so for it that frame is the one at 'idle'.
   */
  async filter(from: number, to: number): Promise<number> {
    const t0 = performance.now();
    if (mode === 'ours') {
      // MapLibre fires 'idle' in the same task as 'render': listen for both before the frame.
      const settled = idle();
      layer.setFilter({ from, to }, null);
      await rendered();
      const ms = performance.now() - t0;
      await settled;
      return ms;
    }
    map.setFilter('points', dayFilter(from, to));
    await idle();
    return performance.now() - t0;
  },
  /** The same frame again with nothing changed: the floor for a filter change. */
  async redraw(): Promise<number> {
    const settled = idle();
    const t0 = performance.now();
    map.triggerRepaint();
    await rendered();
    const ms = performance.now() - t0;
    await settled;
    return ms;
  },
  query(from: number, to: number): { ms: number; count: number } {
    const view = viewOf();
    const t0 = performance.now();
    let count: number;
    if (mode === 'ours') count = visibleIndices(store, { from, to }, view, null).length;
    else {
      const polygon = bboxPolygon(view);
      count = features.filter((f) => f.properties.startDay <= to && f.properties.endDay >= from && booleanPointInPolygon(f, polygon)).length;
    }
    return { ms: performance.now() - t0, count };
  },
  export(from: number, to: number): { ms: number; bytes: number } {
    const view = viewOf();
    const t0 = performance.now();
    let text: string;
    if (mode === 'ours') {
      const visible = visibleIndices(store, { from, to }, view, null);
      const parts = new Array<string>(visible.length);
      for (let k = 0; k < visible.length; k++) parts[k] = featureJson(store.order[visible[k]]);
      text = `{"type":"FeatureCollection","features":[${parts.join(',')}]}`;
    } else {
      const polygon = bboxPolygon(view);
      const visible = features.filter((f) => f.properties.startDay <= to && f.properties.endDay >= from && booleanPointInPolygon(f, polygon));
      const fc: FeatureCollection = { type: 'FeatureCollection', features: visible };
      text = JSON.stringify(fc);
    }
    return { ms: performance.now() - t0, bytes: text.length };
  },
  /**
   * Setting an area (a pentagon, moved a little each time) to the frame that shows it, and the
   * count inside it for the list. Ours: the area facet's mask, the visible set, the next frame.
   * The baseline: Array.filter with turf's booleanPointInPolygon for the list, and MapLibre's
   * own 'within' filter for the map, to its idle frame.
   */
  async area(k: number): Promise<{ ms: number; count: number }> {
    const d = k * 0.1;
    const ring = [[40 + d, 31], [46 + d, 30.5], [49 + d, 34], [44 + d, 37], [39 + d, 35]];
    const view = viewOf();
    const days = { from: FIRST_DAY, to: FIRST_DAY + 400 };
    const t0 = performance.now();
    let count: number;
    if (mode === 'ours') {
      const area = (areaOfPolygons([[ring]]) as { area: Area }).area;
      const settled = idle();
      const mask = facetMask(store, { categories: null, statuses: null, area });
      count = visibleIndices(store, days, view, mask).length;
      layer.setFilter(days, mask);
      await rendered();
      const ms = performance.now() - t0;
      await settled;
      return { ms, count };
    }
    const polygon = { type: 'Polygon' as const, coordinates: [[...ring, ring[0]]] };
    const viewPolygon = bboxPolygon(view);
    count = features.filter((f) => booleanPointInPolygon(f, polygon) && booleanPointInPolygon(f, viewPolygon)).length;
    map.setFilter('points', ['within', polygon] as unknown as ExpressionSpecification);
    await idle();
    return { ms: performance.now() - t0, count };
  },
  /**
   * Moving the compared period (switching the comparison on is the same work: the selected
   * period's set is already there) to the frame that shows its cells. Selected: `width` days,
   * moved k days a run; compared: the period just before. Ours, as the app does it: the compared
   * period's visible set (twice: the map's and the legend's, as AtlasState asks), its category
   * counts, both periods per cell (core/compare.ts), the cells' fill layer to MapLibre's idle.
   * The baseline: Array.filter over every incident with turf's booleanPointInPolygon for the
   * view, category counts and cells in a string-keyed object; the same fill layer.
   */
  async compare(k: number, width: number): Promise<{ ms: number; counting: number; counts: number[] }> {
    const view = viewOf();
    const z = cellZoom(map.getZoom());
    const days = { from: FIRST_DAY + width + k, to: FIRST_DAY + 2 * width - 1 + k };
    const before = previousPeriod(days);
    cellsLayer ??= new CompareLayer(map, 'light');
    let cells: CellCounts;
    let counted: number;
    let t0: number;
    if (mode === 'ours') {
      const selected = visibleIndices(store, days, view, null);
      t0 = performance.now();
      const compared = visibleIndices(store, before, view, null);
      counted = visibleIndices(store, before, view, null).length;
      store.countByCategory(compared);
      cells = countCells(store, selected, compared, z);
    } else {
      const viewPolygon = bboxPolygon(view);
      const inPeriod = (p: { from: number; to: number }) => features.filter((f) => f.properties.startDay <= p.to && f.properties.endDay >= p.from && booleanPointInPolygon(f, viewPolygon));
      const selected = inPeriod(days);
      t0 = performance.now();
      const compared = inPeriod(before);
      counted = compared.length;
      const perCategory: Record<string, number> = {};
      for (const f of compared) perCategory[f.properties.category] = (perCategory[f.properties.category] ?? 0) + 1;
      const size = 2 ** z;
      const perCell: Record<string, [number, number]> = {};
      const add = (list: typeof features, which: 0 | 1) => {
        for (const f of list) {
          const [lon, lat] = f.geometry.coordinates;
          const sin = Math.sin((lat * Math.PI) / 180);
          const key = `${Math.floor(((lon + 180) / 360) * size)}/${Math.floor((0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size)}`;
          (perCell[key] ??= [0, 0])[which]++;
        }
      };
      add(selected, 0);
      add(compared, 1);
      const entries = Object.entries(perCell);
      cells = {
        z,
        cells: Uint32Array.from(entries.flatMap(([key]) => key.split('/').map(Number))),
        selected: Uint32Array.from(entries, ([, c]) => c[0]),
        comparison: Uint32Array.from(entries, ([, c]) => c[1]),
        maxChange: Math.max(0, ...entries.map(([, c]) => Math.abs(c[0] - c[1]))),
      };
    }
    // Split in two: the counting, then MapLibre (its worker tiles the cells, then a frame).
    const counting = performance.now() - t0;
    const settled = idle();
    cellsLayer.setCells(cells);
    await settled;
    return { ms: performance.now() - t0, counting, counts: [counted, cells.selected.length] };
  },
  /** The text index on seeded texts: ours, or MiniSearch as the baseline (see search.ts). */
  searchIndex(): SearchFigures {
    const texts = syntheticTexts(n, seed);
    return mode === 'ours' ? oursSearch(syntheticColumns(n, seed), texts) : miniSearch(texts);
  },
  firstDay: FIRST_DAY,
  isoDateOfDay,
  /** Used JS heap in MB after a full collection (Chromium with --expose-gc and precise memory info). */
  heap(): number {
    (globalThis as unknown as { gc?: () => void }).gc?.();
    return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 1024 ** 2;
  },
};

(globalThis as unknown as { bench: unknown }).bench = deck
  ? { ...deck.deckBench({ map, loaded, generate: () => syntheticColumns(n, seed), colors: CATEGORIES.map((c) => CATEGORY_COLORS[c]) }), redraw: bench.redraw, firstDay: bench.firstDay, isoDateOfDay, heap: bench.heap }
  : bench;
document.body.dataset.ready = 'true';
