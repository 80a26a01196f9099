// The only module that talks to MapLibre. It holds no application state: it draws what it is
// given and reports the view, clicks and hovers back through callbacks.

import { Map as MapLibreMap, NavigationControl, ScaleControl, AttributionControl, Popup, setWorkerUrl } from 'maplibre-gl';
import type { ExpressionSpecification, GeoJSONSource, MapLayerMouseEvent, StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';
import { circle } from '@turf/turf';
import type { Category, Incident, Status } from '../core/schema.ts';
import type { DayRange } from '../core/query.ts';
import { normalizeView, type View } from '../core/geometry.ts';
import type { Camera } from '../core/url-state.ts';
import { CATEGORY_COLORS } from './palette.ts';
import { GpuPointsLayer, GpuWarmUpLayer } from './gpu-points.ts';
import { prefersReducedMotion } from './motion.ts';
import type { IncidentStore } from '../core/store.ts';
import { EMPTY_TABLE, indexOfId, toArray, type IncidentTable } from '../core/table.ts';
import { mapInSlices } from '../core/slices.ts';

setWorkerUrl(workerUrl);

export interface IncidentMapOptions {
  container: HTMLElement;
  style: StyleSpecification | string;
  camera: Camera | null;
  onViewChange: (view: View, camera: Camera) => void;
  onSelect: (id: string | null) => void;
  onHover: (id: string | null) => void;
  theme: 'light' | 'dark';
}

export interface MapFilter {
  days: DayRange;
  categories: ReadonlySet<Category> | null;
  statuses: ReadonlySet<Status> | null;
}

/** The region of the default dataset: Iraq, Syria and western Iran. */
const HOME: [[number, number], [number, number]] = [
  [36.0, 29.0],
  [52.5, 38.5],
];

/**
 * Above this many incidents the points are drawn by the GPU layer (gpu-points.ts): measured
 * here, MapLibre's setFilter on a GeoJSON source takes ~70 ms to the next frame at 10k points
 * and ~280 ms at 100k, the GPU layer one redraw (~25–35 ms). Below it, the native layers keep
 * labels and uncertainty circles.
 */
export const GPU_THRESHOLD = 10_000;
/** How close, in pixels, a click or hover must be to a GPU-drawn point to hit it. */
const PICK_RADIUS_PX = 8;

const POINTS = 'incident-points';
const AREAS = 'incident-areas';
/** The selected and hovered incidents' circles, when not every incident has one (CIRCLES_MAX). */
const FOCUS = 'incident-focus-areas';
const ARCS = 'incident-arcs';
const LAYERS = ['incident-area-fill', 'incident-area-line', 'incident-focus-fill', 'incident-focus-line', 'incident-points', 'incident-labels'] as const;
const ARC_LAYERS = ['incident-arc-lines', 'incident-arc-arrows'] as const;

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

const colorByCategory = [
  'match',
  ['get', 'category'],
  ...Object.entries(CATEGORY_COLORS).flat(),
  '#7A7A7A',
] as unknown as ExpressionSpecification;

function pointFeatures(incidents: readonly Incident[]): FeatureCollection<Point> {
  return {
    type: 'FeatureCollection',
    features: incidents.map((i) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [i.lon, i.lat] },
      properties: { id: i.id, title: i.properties.title, category: i.category, status: i.status, startDay: i.startDay, endDay: i.endDay },
    })),
  };
}

/**
 * Up to this many incidents loaded, every town- or region-precision one is drawn with the
 * circle of its uncertainty radius; above it, only the selected and the hovered one. Measured
 * with software WebGL at zoom 5, every frame (so every slider step and hover) took ~60 ms
 * without circles, ~180 ms with those of 1,000 incidents and ~1.3 s with those of 10,000,
 * which by then overlap into one blot.
 */
export const CIRCLES_MAX = 200;

function areaProperties(i: Incident) {
  return { id: i.id, category: i.category, status: i.status, startDay: i.startDay, endDay: i.endDay };
}

/** Lines and polygons, drawn as they are. */
function shapeFeatures(incidents: readonly Incident[]): Feature<Geometry>[] {
  return incidents.filter((i) => i.geometry.type !== 'Point').map((i) => ({ type: 'Feature', geometry: i.geometry, properties: areaProperties(i) }));
}

/** Town- and region-precision points get a circle of their uncertainty radius instead of a false pin-point. */
function circleFeatures(incidents: readonly Incident[]): Feature<Geometry>[] {
  return incidents
    .filter((i) => i.geometry.type === 'Point' && i.properties.geo_precision !== 'site' && i.properties.uncertainty_m > 0)
    .map((i) => circle([i.lon, i.lat], i.properties.uncertainty_m / 1000, { steps: 48, units: 'kilometers', properties: areaProperties(i) }));
}

function collection(features: Feature<Geometry>[]): FeatureCollection {
  return { type: 'FeatureCollection', features };
}

function daysOverlap(startKey: string, endKey: string, days: DayRange): ExpressionSpecification[] {
  return [
    ['<=', ['get', startKey], days.to],
    ['>=', ['get', endKey], days.from],
  ];
}

/** An arc shows when both of its incidents are in the selected days. */
function arcFilterExpression(f: MapFilter): ExpressionSpecification {
  return ['all', ...daysOverlap('fromStartDay', 'fromEndDay', f.days), ...daysOverlap('toStartDay', 'toEndDay', f.days)];
}

function filterExpression(f: MapFilter): ExpressionSpecification {
  const parts = daysOverlap('startDay', 'endDay', f.days);
  if (f.categories) parts.push(['in', ['get', 'category'], ['literal', [...f.categories]]]);
  if (f.statuses) parts.push(['in', ['get', 'status'], ['literal', [...f.statuses]]]);
  return ['all', ...parts];
}

export class IncidentMap {
  readonly map: MapLibreMap;
  private incidents: IncidentTable = EMPTY_TABLE;
  /**
   * Every incident, built once per data change, for a set the native layers draw; null for a
   * GPU-drawn one. (Built twice, for the points and the areas, it was ~60% of applying 10,000.)
   */
  private all: Incident[] | null = [];
  /** Counts setIncidents calls: a build that is no longer the newest is dropped. */
  private job = 0;
  private filter: MapFilter | null = null;
  private selected: string | null = null;
  private hovered: string | null = null;
  private arcs: FeatureCollection = { type: 'FeatureCollection', features: [] };
  private arcsVisible = true;
  private store: IncidentStore | null = null;
  private gpu: GpuPointsLayer | null = null;
  private hoverFrame = 0;
  private readonly hover: Popup;
  private readonly options: IncidentMapOptions;

  constructor(options: IncidentMapOptions) {
    this.options = options;
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
    // A hook for people and tests alike: the first complete frame has been drawn.
    this.map.once('idle', () => container.setAttribute('data-ready', 'true'));
    this.map.on('mousemove', POINTS, this.onHover);
    this.map.on('mouseleave', POINTS, this.onLeave);
    this.map.on('mousemove', this.onGpuHover);
    this.map.getCanvas().addEventListener('mouseleave', this.onLeave);
  }

  private get large(): boolean {
    return this.incidents.length > GPU_THRESHOLD;
  }

  /** Native point features: all of them, or for a GPU-drawn set only the selected and hovered. */
  private nativePoints(): FeatureCollection<Point> {
    return pointFeatures(this.all ?? this.focused());
  }

  /** The selected and hovered incidents. */
  private focused(): Incident[] {
    // A scan, not an index of every id: it runs only when the selection or hover changes.
    const ids = new Set([this.selected, this.hovered].filter((id): id is string => id !== null));
    const positions = [...ids].map((id) => indexOfId(this.incidents, id)).filter((i) => i >= 0);
    return toArray(this.incidents, positions);
  }

  /** Lines, polygons and, for a few incidents, uncertainty circles; none for a GPU-drawn set. */
  private areas(): FeatureCollection {
    const all = this.all;
    if (!all) return collection([]);
    return collection([...shapeFeatures(all), ...(all.length <= CIRCLES_MAX ? circleFeatures(all) : [])]);
  }

  private focusAreas(): FeatureCollection {
    return collection(this.incidents.length > CIRCLES_MAX ? circleFeatures(this.focused()) : []);
  }

  private installGpu(): void {
    if (this.gpu && this.map.getLayer(this.gpu.id)) this.map.removeLayer(this.gpu.id);
    this.gpu = null;
    if (!this.large || !this.store || !this.map.getLayer(POINTS)) return;
    this.gpu = new GpuPointsLayer(this.store, this.options.theme);
    this.map.addLayer(this.gpu, POINTS);
    if (this.filter) this.gpu.setFilter(this.filter.days, this.filter.categories, this.filter.statuses);
  }

  /** The incident drawn nearest to a pixel, within PICK_RADIUS_PX, among those shown. */
  private pick(x: number, y: number): Incident | null {
    if (!this.store || !this.filter) return null;
    const a = this.map.unproject([x - PICK_RADIUS_PX, y + PICK_RADIUS_PX]);
    const b = this.map.unproject([x + PICK_RADIUS_PX, y - PICK_RADIUS_PX]);
    const view = normalizeView(a.lng, a.lat, b.lng, b.lat);
    const hits = this.store.query({ days: this.filter.days, view, categories: this.filter.categories, statuses: this.filter.statuses });
    // Nearest by the store's columns; only the winner is built from its row.
    const { lon, lat } = this.store.columns;
    let best = -1;
    let bestDistance = Infinity;
    for (const k of hits) {
      const p = this.map.project([lon[k], lat[k]]);
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d < bestDistance) [best, bestDistance] = [k, d];
    }
    return best >= 0 && bestDistance <= PICK_RADIUS_PX ** 2 ? this.incidents.get(this.store.order[best]) : null;
  }

  setArcs(arcs: FeatureCollection, visible: boolean): void {
    this.arcs = arcs;
    this.arcsVisible = visible;
    (this.map.getSource(ARCS) as GeoJSONSource | undefined)?.setData(arcs);
    if (!this.map.getLayer(ARC_LAYERS[0])) return;
    for (const id of ARC_LAYERS) this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }

  /** Highlights the incident hovered in the list (or on the map). */
  setHovered(id: string | null): void {
    if (!this.map.getSource(POINTS)) {
      this.hovered = id;
      return;
    }
    if (this.hovered !== null) this.map.setFeatureState({ source: POINTS, id: this.hovered }, { hover: false });
    this.hovered = id;
    this.updateFocus();
    if (id !== null) this.map.setFeatureState({ source: POINTS, id }, { hover: true });
  }

  /**
   * Shows new data. A set the native layers draw is built first, a slice per task (see
   * mapInSlices): building 10,000 imported incidents from their rows held the page ~120 ms in
   * one task. Until it is built the map keeps showing the data before, hover and clicks
   * included; then it swaps, in one task. Data that comes meanwhile replaces the build.
   */
  setIncidents(incidents: IncidentTable, store: IncidentStore): void {
    const job = ++this.job;
    if (incidents.length > GPU_THRESHOLD) return this.showIncidents(incidents, store, null);
    void mapInSlices(incidents.length, (i) => incidents.get(i), () => job !== this.job).then((all) => {
      if (all && job === this.job) this.showIncidents(incidents, store, all);
    });
  }

  private showIncidents(incidents: IncidentTable, store: IncidentStore, all: Incident[] | null): void {
    this.incidents = incidents;
    this.all = all;
    this.store = store;
    (this.map.getSource(POINTS) as GeoJSONSource | undefined)?.setData(this.nativePoints());
    // Uncertainty circles are for reading a few incidents closely, not for a million.
    (this.map.getSource(AREAS) as GeoJSONSource | undefined)?.setData(this.areas());
    (this.map.getSource(FOCUS) as GeoJSONSource | undefined)?.setData(this.focusAreas());
    this.installGpu();
  }

  /**
   * After the selection or hover changed: a GPU-drawn set shows those incidents' points
   * natively, and a set above CIRCLES_MAX their circles. Found once for both: finding them
   * scans the table's ids.
   */
  private updateFocus(): void {
    const points = this.large;
    const circles = this.incidents.length > CIRCLES_MAX;
    if (!points && !circles) return;
    const focused = this.focused();
    if (points) (this.map.getSource(POINTS) as GeoJSONSource | undefined)?.setData(pointFeatures(focused));
    if (circles) (this.map.getSource(FOCUS) as GeoJSONSource | undefined)?.setData(collection(circleFeatures(focused)));
  }

  setFilter(filter: MapFilter): void {
    this.filter = filter;
    if (!this.map.getLayer(POINTS)) return;
    const expression = filterExpression(filter);
    for (const id of LAYERS) this.map.setFilter(id, expression);
    for (const id of ARC_LAYERS) this.map.setFilter(id, arcFilterExpression(filter));
    this.gpu?.setFilter(filter.days, filter.categories, filter.statuses);
  }

  setSelected(id: string | null): void {
    if (this.selected !== null && this.map.getSource(POINTS)) this.map.setFeatureState({ source: POINTS, id: this.selected }, { selected: false });
    this.selected = id;
    this.updateFocus();
    if (id !== null && this.map.getSource(POINTS)) this.map.setFeatureState({ source: POINTS, id }, { selected: true });
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
    // A large window fills in over several frames (gpu-points.ts): capture the complete one.
    const capture = () => (this.gpu && !this.gpu.complete ? this.map.once('render', capture) : draw(this.map.getCanvas()));
    this.map.once('render', capture);
    this.map.triggerRepaint();
  }

  /** The attribution of the current style's sources, as plain text. */
  attribution(): string {
    const sources = Object.values(this.map.getStyle()?.sources ?? {});
    const texts = sources.map((s) => ('attribution' in s ? s.attribution : undefined)).filter((a): a is string => !!a);
    // Remote styles may carry HTML in attributions: keep the text only (drawn with fillText).
    return [...new Set(texts.map((t) => t.replace(/<[^>]*>/g, '').trim()))].join(' · ');
  }

  setStyle(style: StyleSpecification | string): void {
    this.map.setStyle(style);
  }

  destroy(): void {
    cancelAnimationFrame(this.hoverFrame);
    this.map.getCanvas().removeEventListener('mouseleave', this.onLeave);
    this.hover.remove();
    this.map.remove();
  }

  private readonly installLayers = () => {
    const map = this.map;
    // After the first complete frame, so that start-up does not wait for it.
    map.once('idle', () => {
      if (!map.getLayer(GpuWarmUpLayer.ID)) map.addLayer(new GpuWarmUpLayer());
    });
    map.addSource(AREAS, { type: 'geojson', data: this.areas() });
    map.addSource(FOCUS, { type: 'geojson', data: this.focusAreas() });
    map.addSource(POINTS, { type: 'geojson', data: this.nativePoints(), promoteId: 'id' });
    map.addSource(ARCS, { type: 'geojson', data: this.arcs });
    const ink: [number, number, number] = this.options.theme === 'dark' ? [230, 230, 230] : [40, 40, 40];
    if (!map.hasImage('arc-arrow')) map.addImage('arc-arrow', arrowImage(16, ink));
    const inkCss = `rgb(${ink.join(',')})`;
    const visibility = this.arcsVisible ? 'visible' : 'none';
    map.addLayer({
      id: 'incident-arc-lines',
      type: 'line',
      source: ARCS,
      layout: { visibility, 'line-cap': 'round' },
      paint: { 'line-color': inkCss, 'line-opacity': 0.55, 'line-width': 1.6 },
    });
    map.addLayer({
      id: 'incident-arc-arrows',
      type: 'symbol',
      source: ARCS,
      filter: ['==', ['get', 'directed'], true],
      layout: {
        visibility,
        'symbol-placement': 'line-center',
        'icon-image': 'arc-arrow',
        'icon-size': 0.8,
        'icon-rotation-alignment': 'map',
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
      paint: { 'icon-opacity': 0.8 },
    });
    for (const [source, name] of [[AREAS, 'area'], [FOCUS, 'focus']]) {
      map.addLayer({
        id: `incident-${name}-fill`,
        type: 'fill',
        source,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': colorByCategory, 'fill-opacity': 0.14 },
      });
      map.addLayer({
        id: `incident-${name}-line`,
        type: 'line',
        source,
        paint: { 'line-color': colorByCategory, 'line-width': 1.5, 'line-dasharray': [2, 2] },
      });
    }
    map.addLayer({
      id: POINTS,
      type: 'circle',
      source: POINTS,
      paint: {
        'circle-color': colorByCategory,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 5, 10, 9],
        'circle-stroke-color': [
          'case',
          ['boolean', ['feature-state', 'selected'], false],
          this.options.theme === 'dark' ? '#ffffff' : '#000000',
          ['boolean', ['feature-state', 'hover'], false],
          this.options.theme === 'dark' ? '#ffffff' : '#000000',
          this.options.theme === 'dark' ? '#16191d' : '#ffffff',
        ],
        'circle-stroke-width': [
          'case',
          ['boolean', ['feature-state', 'selected'], false],
          3.5,
          ['boolean', ['feature-state', 'hover'], false],
          2.5,
          1.5,
        ],
      },
    });
    map.addLayer({
      id: 'incident-labels',
      type: 'symbol',
      source: POINTS,
      minzoom: 6,
      layout: {
        'text-field': ['get', 'title'],
        'text-font': ['sans-serif'],
        'text-size': 11,
        'text-anchor': 'top',
        'text-offset': [0, 0.9],
        'text-max-width': 12,
        'text-optional': true,
      },
      paint: {
        'text-color': this.options.theme === 'dark' ? '#f0f0f0' : '#1a1a1a',
        'text-halo-color': this.options.theme === 'dark' ? '#16191d' : '#ffffff',
        'text-halo-width': 1.4,
      },
    });
    if (this.filter) this.setFilter(this.filter);
    if (this.selected) this.setSelected(this.selected);
    if (this.hovered) this.setHovered(this.hovered);
    this.installGpu();
  };

  private readonly reportView = () => {
    const b = this.map.getBounds();
    const c = this.map.getCenter().wrap();
    this.options.onViewChange(normalizeView(b.getWest(), b.getSouth(), b.getEast(), b.getNorth()), {
      zoom: this.map.getZoom(),
      lat: c.lat,
      lon: c.lng,
    });
  };

  private readonly onClick = (e: MapLayerMouseEvent) => {
    if (this.large) {
      this.options.onSelect(this.pick(e.point.x, e.point.y)?.id ?? null);
      return;
    }
    const hit = this.map.queryRenderedFeatures(e.point, { layers: [POINTS] })[0];
    this.options.onSelect(hit ? String(hit.properties.id) : null);
  };

  /** Hover for GPU-drawn points, picked through the store's index once per animation frame. */
  private readonly onGpuHover = (e: MapLayerMouseEvent) => {
    if (!this.large || this.hoverFrame) return;
    this.hoverFrame = requestAnimationFrame(() => {
      this.hoverFrame = 0;
      const hit = this.pick(e.point.x, e.point.y);
      if (!hit) {
        if (this.hovered !== null) this.onLeave();
        return;
      }
      this.map.getCanvas().style.cursor = 'pointer';
      if (hit.id !== this.hovered) this.options.onHover(hit.id);
      this.hover.setLngLat([hit.lon, hit.lat]).setText(hit.properties.title).addTo(this.map);
    });
  };

  private readonly onHover = (e: MapLayerMouseEvent) => {
    const hit = e.features?.[0];
    if (!hit) return;
    this.map.getCanvas().style.cursor = 'pointer';
    const id = String(hit.properties.id);
    if (id !== this.hovered) this.options.onHover(id);
    // setText, never setHTML: titles come from data and may be hostile.
    this.hover.setLngLat(e.lngLat).setText(String(hit.properties.title)).addTo(this.map);
  };

  private readonly onLeave = () => {
    this.map.getCanvas().style.cursor = '';
    this.hover.remove();
    this.options.onHover(null);
  };
}
