// Drawing the area filter with the mouse, and editing it by dragging a vertex. It holds only the
// ring being drawn or the vertex being dragged; the area itself is the app's, checked by
// core/area.ts like a pasted one: a refused ring or edit leaves the area and its handles as they
// were. Everything is drawn by MapLibre layers over the points: a few dozen features at most.

import type { GeoJSONSource, Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { areaVertices, drawnPolygons, moveVertex, type VertexRef } from '../core/area-edit.ts';

export interface DrawCallbacks {
  /** The points placed so far, after each one added or removed. */
  onProgress: (points: number) => void;
  /** The ring closed (double-click, Enter, or a click on its first point), as polygons for areaOfPolygons. */
  onClose: (polygons: number[][][][]) => void;
  /** Escape, or drawing stopped from outside. */
  onCancel: () => void;
}

const DRAFT = 'area-draft';
const LAYERS = ['area-draft-line', 'area-draft-points'] as const;
/** How near, in pixels, a click must be to the first point to close on it, or to a vertex to grab it. */
const HIT_PX = 8;
/** A click this near the last point is a double-click's second, not a new point. */
const SAME_PX = 4;
const NONE: FeatureCollection = { type: 'FeatureCollection', features: [] };

type LonLat = [number, number];

export class AreaDrawing {
  private readonly map: MapLibreMap;
  private readonly onEdit: (polygons: number[][][][]) => void;
  private callbacks: DrawCallbacks | null = null;
  private points: LonLat[] = [];
  private cursor: LonLat | null = null;
  private area: Polygon | MultiPolygon | null = null;
  private dragging: { at: VertexRef; to: LonLat | null; ends: LonLat[] } | null = null;
  private overHandle = false;

  constructor(map: MapLibreMap, onEdit: (polygons: number[][][][]) => void) {
    this.map = map;
    this.onEdit = onEdit;
    map.on('click', this.onClick);
    map.on('dblclick', this.onDoubleClick);
    map.on('mousemove', this.onMove);
    map.on('mousedown', this.onDown);
    map.getCanvas().addEventListener('keydown', this.onKey);
  }

  /** Whether a ring is being drawn or a vertex dragged: the map's own clicks and hovers wait. */
  get active(): boolean {
    return this.callbacks !== null || this.dragging !== null;
  }

  /** Sources and layers, put back after every style load; on top, so handles can be grabbed. */
  install(dark: boolean): void {
    const ink = dark ? '#8ab8f5' : '#1f5fa8';
    this.map.addSource(DRAFT, { type: 'geojson', data: this.features() });
    this.map.addLayer({ id: LAYERS[0], type: 'line', source: DRAFT, filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': ink, 'line-width': 2, 'line-dasharray': [2, 1.5] } });
    this.map.addLayer({
      id: LAYERS[1],
      type: 'circle',
      source: DRAFT,
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': ['case', ['get', 'first'], 6, 4], 'circle-color': dark ? '#16191d' : '#ffffff', 'circle-stroke-color': ink, 'circle-stroke-width': 2 },
    });
  }

  /** Starts a new ring: clicks add points, the map's double-click zoom waits, keys go to the map. */
  start(callbacks: DrawCallbacks): void {
    this.callbacks = callbacks;
    this.points = [];
    this.cursor = null;
    this.dragging = null;
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    // Enter and Escape are read where the map's own keys are, so arrows keep panning while drawing.
    this.map.getCanvas().focus();
    this.render();
  }

  stop(): void {
    if (!this.callbacks) return;
    this.callbacks = null;
    this.points = [];
    this.cursor = null;
    this.map.doubleClickZoom.enable();
    this.map.getCanvas().style.cursor = '';
    this.render();
  }

  /** The area applied (unwrapped, as the map draws it), whose vertices can be dragged; or null. */
  setArea(area: Polygon | MultiPolygon | null): void {
    this.area = area;
    this.render();
  }

  /** Shows or hides the handles and the ring being drawn (hidden for a picture of the map). */
  setShown(shown: boolean): void {
    for (const id of LAYERS) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', shown ? 'visible' : 'none');
  }

  destroy(): void {
    this.map.getCanvas().removeEventListener('keydown', this.onKey);
    window.removeEventListener('mouseup', this.onUp);
  }

  private features(): FeatureCollection {
    const point = (p: LonLat, first = false): Feature => ({ type: 'Feature', properties: { first }, geometry: { type: 'Point', coordinates: p } });
    const line = (coordinates: LonLat[]): Feature => ({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates } });
    if (this.callbacks) {
      const path = this.cursor ? [...this.points, this.cursor] : this.points;
      const features = this.points.map((p, k) => point(p, k === 0 && this.points.length >= 3));
      if (path.length >= 2) features.push(line(path.length >= 3 ? [...path, path[0]] : path));
      return { type: 'FeatureCollection', features };
    }
    if (!this.area) return NONE;
    const handles = areaVertices(this.area).map(({ lon, lat }) => point([lon, lat]));
    const d = this.dragging;
    // While dragging, the two edges at the vertex follow the mouse; the area changes on release.
    if (d?.to) handles.push(line([d.ends[0], d.to, d.ends[1]]));
    return { type: 'FeatureCollection', features: handles };
  }

  private render(): void {
    (this.map.getSource(DRAFT) as GeoJSONSource | undefined)?.setData(this.features());
  }

  private px(p: LonLat) {
    return this.map.project(p);
  }

  /** The area's vertex drawn nearest to a pixel, within HIT_PX, or null. */
  private handleAt(x: number, y: number): { at: VertexRef; ends: LonLat[] } | null {
    if (!this.area) return null;
    let best: VertexRef | null = null;
    let bestDistance = HIT_PX ** 2;
    for (const v of areaVertices(this.area)) {
      const p = this.px([v.lon, v.lat]);
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d <= bestDistance) [best, bestDistance] = [v.at, d];
    }
    if (!best) return null;
    const [p, r, k] = best;
    const rings = this.area.type === 'Polygon' ? this.area.coordinates : this.area.coordinates[p];
    const ring = rings[r];
    const n = ring.length - 1;
    return { at: best, ends: [ring[(k + n - 1) % n] as LonLat, ring[k + 1] as LonLat] };
  }

  private close(): void {
    const callbacks = this.callbacks;
    if (!callbacks) return;
    const polygons = drawnPolygons(this.points);
    this.stop();
    callbacks.onClose(polygons);
  }

  private readonly onClick = (e: MapMouseEvent) => {
    if (!this.callbacks) return;
    const { x, y } = e.point;
    const near = (p: LonLat | undefined, px: number) => p !== undefined && (this.px(p).x - x) ** 2 + (this.px(p).y - y) ** 2 <= px ** 2;
    if (this.points.length >= 3 && near(this.points[0], HIT_PX)) return this.close();
    if (near(this.points[this.points.length - 1], SAME_PX)) return;
    this.points.push([e.lngLat.lng, e.lngLat.lat]);
    this.render();
    this.callbacks.onProgress(this.points.length);
  };

  private readonly onDoubleClick = (e: MapMouseEvent) => {
    if (!this.callbacks) return;
    e.preventDefault();
    this.close();
  };

  private readonly onMove = (e: MapMouseEvent) => {
    const here: LonLat = [e.lngLat.lng, e.lngLat.lat];
    if (this.callbacks) {
      this.cursor = here;
      this.render();
    } else if (this.dragging) {
      this.dragging.to = here;
      this.render();
    } else {
      const over = this.handleAt(e.point.x, e.point.y) !== null;
      if (over !== this.overHandle) this.map.getCanvas().style.cursor = over ? 'move' : '';
      this.overHandle = over;
    }
  };

  private readonly onDown = (e: MapMouseEvent) => {
    if (this.callbacks || e.originalEvent.button !== 0) return;
    const handle = this.handleAt(e.point.x, e.point.y);
    if (!handle) return;
    // The vertex moves instead of the map.
    e.preventDefault();
    this.dragging = { ...handle, to: null };
    window.addEventListener('mouseup', this.onUp, { once: true });
  };

  private readonly onUp = () => {
    const d = this.dragging;
    this.dragging = null;
    this.render();
    if (d?.to && this.area) this.onEdit(moveVertex(this.area, d.at, d.to[0], d.to[1]));
  };

  private readonly onKey = (e: KeyboardEvent) => {
    const callbacks = this.callbacks;
    if (!callbacks) return;
    if (e.key === 'Enter') this.close();
    else if (e.key === 'Escape') {
      this.stop();
      callbacks.onCancel();
    } else if (e.key === 'Backspace' && this.points.length > 0) {
      this.points.pop();
      this.render();
      callbacks.onProgress(this.points.length);
    } else return;
    e.preventDefault();
  };
}
