// The only module that talks to MapLibre. It holds no application state: it draws what it is
// given and reports the view, clicks and hovers back, as store indices. Every point is drawn by
// the GPU layer (gpu/points-layer.ts); MapLibre's own layers draw only annotations: labels,
// uncertainty circles and shapes where few incidents are visible, the selected and hovered
// incident, and chains.

import { Map as MapLibreMap, NavigationControl, ScaleControl, AttributionControl, Popup, setWorkerUrl } from 'maplibre-gl';
import type { ExpressionSpecification, GeoJSONSource, MapMouseEvent, StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';
import { circle } from '@turf/turf';
import type { Incident } from '../core/schema.ts';
import type { DayRange } from '../core/time.ts';
import type { IncidentStore } from '../core/store.ts';
import { visibleIndices, type FacetMask } from '../core/filter.ts';
import { normalizeView, type View } from '../core/geometry.ts';
import type { Camera } from '../core/url-state.ts';
import type { DensityCell } from '../core/overview.ts';
import { CATEGORY_COLORS } from './palette.ts';
import { COUNTRY_LETTER_SPACING, LABEL_LAYERS, labelText, type LabelLang } from './style.ts';
import { GpuPointsLayer } from './gpu/points-layer.ts';
import { GpuWarmUpLayer } from './gpu/warm-up-layer.ts';
import { prefersReducedMotion } from './motion.ts';
import { AreaDrawing, type DrawCallbacks } from './area-draw.ts';

setWorkerUrl(workerUrl);

/** The exported HTML viewer runs MapLibre's worker from a blob: URL of the copy it carries. */
export function useMapWorker(url: string): void {
  setWorkerUrl(url);
}

export interface IncidentMapOptions {
  container: HTMLElement;
  style: StyleSpecification | string;
  camera: Camera | null;
  onViewChange: (view: View, camera: Camera) => void;
  /** A store index, or null for none. */
  onSelect: (index: number | null) => void;
  onHover: (index: number | null) => void;
  /**
   * A vertex of the area dragged: the area's polygons with it moved (core/area-edit.ts). Without
   * it (the embed), the area is shown but cannot be drawn or edited.
   */
  onAreaEdit?: (polygons: number[][][][]) => void;
  theme: 'light' | 'dark';
  lang: LabelLang;
}

/** The data drawn: the store (points, picking) and how to build an incident at a store index (annotations). */
export interface MapData {
  store: IncidentStore;
  incident: (index: number) => Incident;
}

/** The region of the default dataset: Iraq, Syria and western Iran. */
const HOME: [[number, number], [number, number]] = [
  [36.0, 29.0],
  [52.5, 38.5],
];

/** How close, in pixels, a click or hover must be to a point to hit it. */
const PICK_RADIUS_PX = 8;

/**
 * Up to this many incidents visible, each is annotated: its title (from zoom 6), the circle of
 * its uncertainty radius, its line or polygon. Above it, only the selected and hovered one:
 * hundreds of overlapping circles are one blot, and each costs frame time.
 */
export const ANNOTATE_MAX = 200;

const ANNOTATIONS = 'incident-annotations';
const AREA = 'area-filter';
const FOCUS = 'incident-focus';
const ARCS = 'incident-arcs';
const ARC_LAYERS = ['incident-arc-lines', 'incident-arc-arrows'] as const;
const NONE: FeatureCollection = { type: 'FeatureCollection', features: [] };
const DENSITY = 'incident-density';

/** A right-pointing arrowhead as raw RGBA pixels: no canvas needed, so no font or DOM quirks. */
function arrowImage(size: number, color: [number, number, number]) {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Inside the triangle (0,0)–(size,size/2)–(0,size), with a one-pixel soft edge.
      const half = size / 2;
      const inside = half * (1 - (x + 0.5) / size) - Math.abs(y + 0.5 - half);
      const a = Math.max(0, Math.min(1, inside + 0.5));
      data.set([color[0], color[1], color[2], Math.round(a * 255)], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

const colorByCategory = ['match', ['get', 'category'], ...Object.entries(CATEGORY_COLORS).flat(), '#7A7A7A'] as unknown as ExpressionSpecification;

/**
 * An incident's annotations: its point (for the label and, when focused, the ring), and the
 * circle of its uncertainty radius or its own line or polygon.
 */
function annotations(i: Incident): Feature<Geometry>[] {
  const properties = { title: i.properties.title, category: i.category };
  const features: Feature<Geometry>[] = [{ type: 'Feature', geometry: { type: 'Point', coordinates: [i.lon, i.lat] }, properties }];
  if (i.geometry.type !== 'Point') features.push({ type: 'Feature', geometry: i.geometry, properties });
  else if (i.properties.geo_precision !== 'site' && i.properties.uncertainty_m > 0) {
    features.push(circle([i.lon, i.lat], i.properties.uncertainty_m / 1000, { steps: 48, units: 'kilometers', properties }));
  }
  return features;
}

function collection(incidents: Incident[]): FeatureCollection {
  return { type: 'FeatureCollection', features: incidents.flatMap(annotations) };
}

export class IncidentMap {
  readonly map: MapLibreMap;
  private data: MapData | null = null;
  private days: DayRange = { from: 0, to: 0 };
  private mask: FacetMask = null;
  private annotated: FeatureCollection = NONE;
  private focus: FeatureCollection = NONE;
  private hovered: number | null = null;
  private arcs: FeatureCollection = NONE;
  private area: FeatureCollection = NONE;
  private density: FeatureCollection = NONE;
  private arcsVisible = true;
  private lang: LabelLang;
  private gpu: GpuPointsLayer | null = null;
  private hoverFrame = 0;
  private readonly hover: Popup;
  private readonly drawing: AreaDrawing | null;
  private readonly options: IncidentMapOptions;
  /** Resolves once the first complete frame is drawn. */
  readonly drawn: Promise<void>;

  constructor(options: IncidentMapOptions) {
    this.options = options;
    this.lang = options.lang;
    const { container, style, camera } = options;
    this.map = new MapLibreMap({
      container,
      style,
      ...(camera ? { center: [camera.lon, camera.lat], zoom: camera.zoom } : { bounds: HOME }),
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      maxPitch: 0,
      renderWorldCopies: true,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.disableRotation();
    this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
    this.map.addControl(new AttributionControl({ compact: false }), 'bottom-right');
    this.hover = new Popup({ closeButton: false, closeOnClick: false, offset: 10, className: 'incident-hover' });

    // A style change wipes sources and layers: put ours back every time a style loads.
    this.map.on('style.load', this.installLayers);
    this.map.on('moveend', this.reportView);
    this.map.on('load', this.reportView);
    this.map.on('click', this.onClick);
    // After the map's own click handler, which then sees a click that closes a ring as the drawing's.
    this.drawing = options.onAreaEdit ? new AreaDrawing(this.map, options.onAreaEdit) : null;
    // A hook for people and tests alike: the first complete frame has been drawn.
    this.drawn = new Promise((resolve) =>
      this.map.once('idle', () => {
        container.setAttribute('data-ready', 'true');
        resolve();
      }),
    );
    this.map.on('mousemove', this.onMove);
    this.map.getCanvas().addEventListener('mouseleave', this.onLeave);
  }

  /** New data: a new points layer, drawn with the filter last set. */
  setData(data: MapData): void {
    this.data = data;
    this.installGpu();
  }

  /** The selected days (a uniform) and the facets' mask (see core/filter.ts). */
  setFilter(days: DayRange, mask: FacetMask): void {
    this.days = days;
    this.mask = mask;
    this.gpu?.setFilter(days, mask);
  }

  /** The visible set (store indices): annotated when it is small. */
  setVisible(visible: Uint32Array): void {
    const data = this.data;
    const next = data && visible.length <= ANNOTATE_MAX ? collection(Array.from(visible, data.incident)) : NONE;
    // A slider drag over a large set stays without annotations: no setData, no re-tiling, per step.
    if (next === NONE && this.annotated === NONE) return;
    this.annotated = next;
    (this.map.getSource(ANNOTATIONS) as GeoJSONSource | undefined)?.setData(next);
  }

  /** The selected and hovered incidents (store indices): ringed, labelled and circled whatever the count. */
  setFocus(selected: number | null, hovered: number | null): void {
    this.hovered = hovered;
    const data = this.data;
    const focused = [...new Set([selected, hovered])].filter((i): i is number => i !== null && data !== null && i < data.store.size);
    this.focus = data ? { type: 'FeatureCollection', features: focused.flatMap((i) => annotations(data.incident(i)).map((f) => ({ ...f, properties: { ...f.properties, selected: i === selected } }))) } : NONE;
    (this.map.getSource(FOCUS) as GeoJSONSource | undefined)?.setData(this.focus);
  }

  /**
   * Overview cells of a prepared dataset (core/overview.ts), drawn when a view holds too many
   * incidents to load: each tile in its most frequent category's colour, more opaque with more
   * incidents. Null: none.
   */
  setDensity(cells: readonly DensityCell[] | null): void {
    this.density = cells
      ? {
          type: 'FeatureCollection',
          features: cells.map(({ bbox: [w, s, e, n], count, category }) => ({
            type: 'Feature',
            properties: { category, count },
            geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
          })),
        }
      : NONE;
    (this.map.getSource(DENSITY) as GeoJSONSource | undefined)?.setData(this.density);
  }

  /** The area filter's outline (core/area.ts, unwrapped across the antimeridian), or null. */
  setArea(area: Polygon | MultiPolygon | null): void {
    this.area = area ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: area }] } : NONE;
    (this.map.getSource(AREA) as GeoJSONSource | undefined)?.setData(this.area);
    this.drawing?.setArea(area);
  }

  /** Draws a new area with the mouse until it is closed or cancelled (map/area-draw.ts). */
  drawArea(callbacks: DrawCallbacks): void {
    this.onLeave();
    this.drawing?.start(callbacks);
  }

  stopDrawing(): void {
    this.drawing?.stop();
  }

  setArcs(arcs: FeatureCollection, visible: boolean): void {
    this.arcs = arcs;
    this.arcsVisible = visible;
    (this.map.getSource(ARCS) as GeoJSONSource | undefined)?.setData(arcs);
    if (!this.map.getLayer(ARC_LAYERS[0])) return;
    for (const id of ARC_LAYERS) this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }

  /** Basemap labels in a language (a remote style's own label layers are left as they are). */
  setLang(lang: LabelLang): void {
    this.lang = lang;
    for (const id of LABEL_LAYERS) {
      if (!this.map.getLayer(id)) continue;
      this.map.setLayoutProperty(id, 'text-field', labelText(lang));
      if (id === 'country-labels') this.map.setLayoutProperty(id, 'text-letter-spacing', COUNTRY_LETTER_SPACING[lang]);
    }
  }

  /** Shows an extent [w, s, e, n] with some margin. */
  fitBounds(b: [number, number, number, number]): void {
    this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 10, duration: prefersReducedMotion() ? 0 : 800 });
  }

  /** Moves the camera to an incident, keeping the zoom if it is already close. */
  flyTo(incident: Incident): void {
    this.map.easeTo({ center: [incident.lon, incident.lat], zoom: Math.max(this.map.getZoom(), 7), duration: prefersReducedMotion() ? 0 : 800 });
  }

  /**
   * The map canvas right after a fresh frame: WebGL clears its buffer once a frame is shown, so
   * it is read inside the render event rather than kept with preserveDrawingBuffer (a cost on
   * every frame).
   */
  captureFrame(draw: (canvas: HTMLCanvasElement) => void): void {
    // A large window fills in over several frames (gpu/points-layer.ts): capture the complete one.
    // The area's outline is part of the picture; its drag handles are not.
    this.drawing?.setShown(false);
    const capture = () => {
      if (this.gpu && !this.gpu.complete) return this.map.once('render', capture);
      draw(this.map.getCanvas());
      this.drawing?.setShown(true);
    };
    this.map.once('render', capture);
    this.map.triggerRepaint();
  }

  /**
   * captureFrame once every source has loaded what was last set: a video frame shows the
   * annotations of its own dates, not those of the frame before, however slow the machine.
   */
  captureSettledFrame(draw: (canvas: HTMLCanvasElement) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const capture = (canvas: HTMLCanvasElement) => {
        try {
          resolve(draw(canvas));
        } catch (e) {
          reject(e);
        }
      };
      // 'idle' comes at the end of the frame that settled, in its task: that frame can be read as it is.
      this.map.once('idle', () => (this.gpu && !this.gpu.complete ? this.captureFrame(capture) : capture(this.map.getCanvas())));
      this.map.triggerRepaint();
    });
  }

  /** The attribution of the current style's sources, as plain text. */
  attribution(): string {
    const sources = Object.values(this.map.getStyle()?.sources ?? {});
    const texts = sources.map((s) => ('attribution' in s ? s.attribution : undefined)).filter((a): a is string => !!a);
    // Remote styles may carry HTML in attributions: keep the text only (drawn with fillText).
    return [...new Set(texts.map((t) => t.replace(/<[^>]*>/g, '').trim()))].join(' · ');
  }

  destroy(): void {
    cancelAnimationFrame(this.hoverFrame);
    this.drawing?.destroy();
    this.map.getCanvas().removeEventListener('mouseleave', this.onLeave);
    this.hover.remove();
    this.map.remove();
  }

  /** The points layer for the current store: over the areas, under chains, rings and labels. */
  private installGpu(): void {
    if (this.gpu && this.map.getLayer(this.gpu.id)) this.map.removeLayer(this.gpu.id);
    this.gpu = null;
    if (!this.data || !this.map.getLayer('incident-arc-lines')) return;
    this.gpu = new GpuPointsLayer(this.data.store, this.options.theme);
    this.gpu.setFilter(this.days, this.mask);
    this.map.addLayer(this.gpu, 'incident-arc-lines');
  }

  /** The store index of the visible incident drawn nearest to a pixel, within PICK_RADIUS_PX, or null. */
  private pick(x: number, y: number): number | null {
    if (!this.data) return null;
    const { store } = this.data;
    const a = this.map.unproject([x - PICK_RADIUS_PX, y + PICK_RADIUS_PX]);
    const b = this.map.unproject([x + PICK_RADIUS_PX, y - PICK_RADIUS_PX]);
    const hits = visibleIndices(store, this.days, normalizeView(a.lng, a.lat, b.lng, b.lat), this.mask);
    const { lon, lat } = store.columns;
    let best = -1;
    let bestDistance = Infinity;
    for (const k of hits) {
      const p = this.map.project([lon[k], lat[k]]);
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d < bestDistance) [best, bestDistance] = [k, d];
    }
    return best >= 0 && bestDistance <= PICK_RADIUS_PX ** 2 ? best : null;
  }

  private readonly installLayers = () => {
    const map = this.map;
    const dark = this.options.theme === 'dark';
    // After the first complete frame, so that start-up does not wait for it.
    map.once('idle', () => {
      if (!map.getLayer(GpuWarmUpLayer.ID)) map.addLayer(new GpuWarmUpLayer());
    });
    this.setLang(this.lang);
    map.addSource(ANNOTATIONS, { type: 'geojson', data: this.annotated });
    map.addSource(FOCUS, { type: 'geojson', data: this.focus });
    map.addSource(ARCS, { type: 'geojson', data: this.arcs });
    map.addSource(AREA, { type: 'geojson', data: this.area });
    map.addSource(DENSITY, { type: 'geojson', data: this.density });
    map.addLayer({
      id: DENSITY,
      type: 'fill',
      source: DENSITY,
      paint: { 'fill-color': colorByCategory, 'fill-opacity': ['interpolate', ['linear'], ['ln', ['max', 1, ['get', 'count']]], 0, 0.25, 9, 0.85] },
    });
    // Under everything of ours: a wash over what is outside is too dark to read the basemap through.
    map.addLayer({ id: 'area-filter-fill', type: 'fill', source: AREA, paint: { 'fill-color': dark ? '#8ab8f5' : '#1f5fa8', 'fill-opacity': 0.08 } });
    map.addLayer({ id: 'area-filter-line', type: 'line', source: AREA, paint: { 'line-color': dark ? '#8ab8f5' : '#1f5fa8', 'line-width': 2 } });
    const ink: [number, number, number] = dark ? [230, 230, 230] : [40, 40, 40];
    if (!map.hasImage('arc-arrow')) map.addImage('arc-arrow', arrowImage(16, ink));
    const visibility = this.arcsVisible ? 'visible' : 'none';
    const isPoint: ExpressionSpecification = ['==', ['geometry-type'], 'Point'];
    for (const [source, name] of [[ANNOTATIONS, 'annotation'], [FOCUS, 'focus']]) {
      map.addLayer({ id: `incident-${name}-fill`, type: 'fill', source, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': colorByCategory, 'fill-opacity': 0.14 } });
      map.addLayer({ id: `incident-${name}-line`, type: 'line', source, filter: ['!', isPoint], paint: { 'line-color': colorByCategory, 'line-width': 1.5, 'line-dasharray': [2, 2] } });
    }
    map.addLayer({ id: 'incident-arc-lines', type: 'line', source: ARCS, layout: { visibility, 'line-cap': 'round' }, paint: { 'line-color': `rgb(${ink.join(',')})`, 'line-opacity': 0.55, 'line-width': 1.6 } });
    map.addLayer({
      id: 'incident-arc-arrows',
      type: 'symbol',
      source: ARCS,
      filter: ['==', ['get', 'directed'], true],
      layout: { visibility, 'symbol-placement': 'line-center', 'icon-image': 'arc-arrow', 'icon-size': 0.8, 'icon-rotation-alignment': 'map', 'icon-allow-overlap': true, 'icon-ignore-placement': true },
      paint: { 'icon-opacity': 0.8 },
    });
    // The selected and hovered incidents: the point again, ringed in ink over the GPU layer's.
    map.addLayer({
      id: 'incident-focus-points',
      type: 'circle',
      source: FOCUS,
      filter: isPoint,
      paint: {
        'circle-color': colorByCategory,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 5, 10, 9],
        'circle-stroke-color': dark ? '#ffffff' : '#000000',
        'circle-stroke-width': ['case', ['get', 'selected'], 3.5, 2.5],
      },
    });
    for (const [source, name] of [[ANNOTATIONS, 'annotation'], [FOCUS, 'focus']]) {
      map.addLayer({
        id: `incident-${name}-labels`,
        type: 'symbol',
        source,
        filter: isPoint,
        minzoom: name === 'focus' ? 0 : 6,
        layout: { 'text-field': ['get', 'title'], 'text-font': ['sans-serif'], 'text-size': 11, 'text-anchor': 'top', 'text-offset': [0, 0.9], 'text-max-width': 12, 'text-optional': true },
        paint: { 'text-color': dark ? '#f0f0f0' : '#1a1a1a', 'text-halo-color': dark ? '#16191d' : '#ffffff', 'text-halo-width': 1.4 },
      });
    }
    this.drawing?.install(dark);
    this.installGpu();
  };

  private readonly reportView = () => {
    const b = this.map.getBounds();
    const c = this.map.getCenter().wrap();
    this.options.onViewChange(normalizeView(b.getWest(), b.getSouth(), b.getEast(), b.getNorth()), { zoom: this.map.getZoom(), lat: c.lat, lon: c.lng });
  };

  private readonly onClick = (e: MapMouseEvent) => {
    if (this.drawing?.active) return;
    this.options.onSelect(this.pick(e.point.x, e.point.y));
  };

  /** Hover, picked through the store's index once per animation frame. */
  private readonly onMove = (e: MapMouseEvent) => {
    if (this.hoverFrame || this.drawing?.active) return;
    this.hoverFrame = requestAnimationFrame(() => {
      this.hoverFrame = 0;
      const hit = this.pick(e.point.x, e.point.y);
      if (hit === null || !this.data) {
        if (this.hovered !== null) this.onLeave();
        return;
      }
      this.map.getCanvas().style.cursor = 'pointer';
      if (hit !== this.hovered) this.options.onHover(hit);
      const incident = this.data.incident(hit);
      // setText, never setHTML: titles come from data and may be hostile.
      this.hover.setLngLat([incident.lon, incident.lat]).setText(incident.properties.title).addTo(this.map);
    });
  };

  private readonly onLeave = () => {
    this.map.getCanvas().style.cursor = '';
    this.hover.remove();
    this.options.onHover(null);
  };
}
