// The exported HTML viewer's app (see core/viewer-html.ts): the dashboard, read-only, over the
// incidents the file carries. Started by the file's boot script, which has unpacked MapLibre's
// worker and the basemap; nothing is fetched.

import { mount } from 'svelte';
import '../app.css';
import App from '../components/App.svelte';
import { AtlasState } from '../state/atlas.svelte.ts';
import { importGeoJsonData } from '../core/import/accepted.ts';
import { basemapOf } from '../map/basemap.ts';
import { useMapWorker } from '../map/incident-map.ts';
import { offlineStyle } from '../map/style.ts';
import type { ViewerView } from '../state/viewer-export.ts';

declare global {
  interface Window {
    atlasViewer: { 'atlas-worker': string; 'atlas-basemap': string };
  }
}

function start() {
  const { 'atlas-worker': worker, 'atlas-basemap': basemap } = window.atlasViewer;
  useMapWorker(worker);
  const view = JSON.parse(document.getElementById('atlas-view')!.textContent!) as ViewerView;
  // Read as the app reads the bundled dataset: the same table of rows and store.
  const { result, data } = importGeoJsonData(document.getElementById('atlas-data')!.textContent!);
  const atlas = new AtlasState();
  atlas.camera = view.camera;
  atlas.lang = view.lang;
  atlas.measure = view.measure;
  if (data) atlas.setData(data, view.days);
  else atlas.error = `This file holds no incidents${result.fatal ? `: ${result.fatal}` : ''}.`;
  const theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  const style = offlineStyle(basemapOf(JSON.parse(basemap)), theme);
  mount(App, { target: document.getElementById('app')!, props: { atlas, importer: null, library: null, style, theme } });
}

start();
