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

setWorkerUrl(workerUrl);

export interface IncidentMapOptions {
  container: HTMLElement;
  style: StyleSpecification | string;
  camera: Camera | null;
  onViewChange: (view: View, camera: Camera) => void;
  onSelect: (id: string | null) => void;
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

const POINTS = 'incident-points';
const AREAS = 'incident-areas';
const LAYERS = ['incident-area-fill', 'incident-area-line', 'incident-points', 'incident-labels'] as const;

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
 * Town- and region-precision incidents get a circle of their uncertainty radius instead of a
 * false pin-point; lines and polygons are drawn as they are.
 */
function areaFeatures(incidents: readonly Incident[]): FeatureCollection {
  const features: Feature<Geometry>[] = [];
  for (const i of incidents) {
    const properties = { id: i.id, category: i.category, status: i.status, startDay: i.startDay, endDay: i.endDay };
    if (i.geometry.type !== 'Point') features.push({ type: 'Feature', geometry: i.geometry, properties });
    else if (i.properties.geo_precision !== 'site' && i.properties.uncertainty_m > 0) {
      features.push(circle([i.lon, i.lat], i.properties.uncertainty_m / 1000, { steps: 48, units: 'kilometers', properties }));
    }
  }
  return { type: 'FeatureCollection', features };
}

function filterExpression(f: MapFilter): ExpressionSpecification {
  const parts: ExpressionSpecification[] = [
    ['<=', ['get', 'startDay'], f.days.to],
    ['>=', ['get', 'endDay'], f.days.from],
  ];
  if (f.categories) parts.push(['in', ['get', 'category'], ['literal', [...f.categories]]]);
  if (f.statuses) parts.push(['in', ['get', 'status'], ['literal', [...f.statuses]]]);
  return ['all', ...parts];
}

export class IncidentMap {
  readonly map: MapLibreMap;
  private incidents: readonly Incident[] = [];
  private filter: MapFilter | null = null;
  private selected: string | null = null;
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
  }

  setIncidents(incidents: readonly Incident[]): void {
    this.incidents = incidents;
    (this.map.getSource(POINTS) as GeoJSONSource | undefined)?.setData(pointFeatures(incidents));
    (this.map.getSource(AREAS) as GeoJSONSource | undefined)?.setData(areaFeatures(incidents));
  }

  setFilter(filter: MapFilter): void {
    this.filter = filter;
    if (!this.map.getLayer(POINTS)) return;
    const expression = filterExpression(filter);
    for (const id of LAYERS) this.map.setFilter(id, expression);
  }

  setSelected(id: string | null): void {
    if (this.selected !== null && this.map.getSource(POINTS)) this.map.setFeatureState({ source: POINTS, id: this.selected }, { selected: false });
    this.selected = id;
    if (id !== null && this.map.getSource(POINTS)) this.map.setFeatureState({ source: POINTS, id }, { selected: true });
  }

  /** Moves the camera to an incident, keeping the zoom if it is already close. */
  flyTo(incident: Incident): void {
    const reduceMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
    this.map.easeTo({ center: [incident.lon, incident.lat], zoom: Math.max(this.map.getZoom(), 7), duration: reduceMotion ? 0 : 800 });
  }

  setStyle(style: StyleSpecification | string): void {
    this.map.setStyle(style);
  }

  destroy(): void {
    this.hover.remove();
    this.map.remove();
  }

  private readonly installLayers = () => {
    const map = this.map;
    map.addSource(AREAS, { type: 'geojson', data: areaFeatures(this.incidents) });
    map.addSource(POINTS, { type: 'geojson', data: pointFeatures(this.incidents), promoteId: 'id' });
    map.addLayer({
      id: 'incident-area-fill',
      type: 'fill',
      source: AREAS,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': colorByCategory, 'fill-opacity': 0.14 },
    });
    map.addLayer({
      id: 'incident-area-line',
      type: 'line',
      source: AREAS,
      paint: { 'line-color': colorByCategory, 'line-width': 1.5, 'line-dasharray': [2, 2] },
    });
    map.addLayer({
      id: POINTS,
      type: 'circle',
      source: POINTS,
      paint: {
        'circle-color': colorByCategory,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 5, 10, 9],
        'circle-stroke-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#000000', '#ffffff'],
        'circle-stroke-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 1.5],
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
      paint: { 'text-color': '#1a1a1a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 },
    });
    if (this.filter) this.setFilter(this.filter);
    if (this.selected) this.setSelected(this.selected);
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
    const hit = this.map.queryRenderedFeatures(e.point, { layers: [POINTS] })[0];
    this.options.onSelect(hit ? String(hit.properties.id) : null);
  };

  private readonly onHover = (e: MapLayerMouseEvent) => {
    const hit = e.features?.[0];
    if (!hit) return;
    this.map.getCanvas().style.cursor = 'pointer';
    // setText, never setHTML: titles come from data and may be hostile.
    this.hover.setLngLat(e.lngLat).setText(String(hit.properties.title)).addTo(this.map);
  };

  private readonly onLeave = () => {
    this.map.getCanvas().style.cursor = '';
    this.hover.remove();
  };
}
