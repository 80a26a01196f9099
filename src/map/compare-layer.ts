// Where incidents rose or fell between the two periods: the grid cells of core/compare.ts as a
// MapLibre fill layer, under every layer of ours, so the points stay drawn over them.

import type { ExpressionSpecification, GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { cellBounds, changeClass, type CellCounts } from '../core/compare.ts';
import { CHANGE_COLORS, changeColor } from './palette.ts';

const SOURCE = 'compare-cells';
/** The lowest layer of incident-map.ts: the cells go under it. */
const BELOW = 'area-filter-fill';
const NONE: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** The cells as polygons, each with its change class. */
export function cellFeatures(counts: CellCounts): FeatureCollection<Polygon> {
  const features: Feature<Polygon>[] = [];
  for (let s = 0; s < counts.selected.length; s++) {
    const [w, south, e, n] = cellBounds(counts.cells[2 * s], counts.cells[2 * s + 1], counts.z);
    features.push({
      type: 'Feature',
      properties: { change: changeClass(counts.selected[s], counts.comparison[s], counts.maxChange), selected: counts.selected[s], comparison: counts.comparison[s] },
      geometry: { type: 'Polygon', coordinates: [[[w, south], [e, south], [e, n], [w, n], [w, south]]] },
    });
  }
  return { type: 'FeatureCollection', features };
}

const fillColor = ['match', ['get', 'change'], ...CHANGE_COLORS.flatMap((_, k) => [k - (CHANGE_COLORS.length - 1) / 2, changeColor(k - (CHANGE_COLORS.length - 1) / 2)]), '#f7f7f7'] as unknown as ExpressionSpecification;

export class CompareLayer {
  private cells: FeatureCollection = NONE;
  private readonly map: MapLibreMap;
  private readonly dark: boolean;

  constructor(map: MapLibreMap, theme: 'light' | 'dark') {
    this.map = map;
    this.dark = theme === 'dark';
    // A style change wipes sources and layers: put ours back every time a style loads.
    map.on('style.load', this.install);
    if (map.isStyleLoaded()) this.install();
  }

  /** The cells to draw, or null for no comparison. */
  setCells(counts: CellCounts | null): void {
    this.cells = counts ? cellFeatures(counts) : NONE;
    (this.map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(this.cells);
  }

  destroy(): void {
    this.map.off('style.load', this.install);
  }

  private readonly install = () => {
    const map = this.map;
    if (map.getSource(SOURCE)) return;
    map.addSource(SOURCE, { type: 'geojson', data: this.cells });
    const before = map.getLayer(BELOW) ? BELOW : undefined;
    map.addLayer({ id: 'compare-cells-fill', type: 'fill', source: SOURCE, paint: { 'fill-color': fillColor, 'fill-opacity': 0.6 } }, before);
    map.addLayer({ id: 'compare-cells-line', type: 'line', source: SOURCE, paint: { 'line-color': this.dark ? '#f0f0f0' : '#333333', 'line-opacity': 0.35, 'line-width': 0.6 } }, before);
  };
}
