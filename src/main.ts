// Start-up: load the basemap and the bundled dataset in parallel, then mount. The dataset is
// read like any imported file, through core/import, into the same table and store. The files
// this browser kept (state/library.svelte.ts) are then read again, in the order they were imported.
// A prepared dataset the link names (?dataset=) is shown instead: the page mounts once its
// manifest is read, and its first rows arrive while the map starts.

import { mount } from 'svelte';
import './app.css';
import App from './components/App.svelte';
import Embed from './components/Embed.svelte';
import { AtlasState, LANGS, PLAY_MODES, SPEEDS } from './state/atlas.svelte.ts';
import { Importer } from './state/importer.svelte.ts';
import { Library } from './state/library.svelte.ts';
import { DatasetSource } from './state/dataset.svelte.ts';
import { OpfsLibrary } from './storage/opfs.ts';
import type { StoredDataset } from './core/library.ts';
import type { IncidentMap } from './map/incident-map.ts';
import { CATEGORIES, STATUSES } from './core/schema.ts';
import { parseCamera, parseChoice, parseDayRange, parseParam, parseSet, resolveSelection } from './core/url-state.ts';
import { safeUrl } from './core/url.ts';
import { parseAreaParam } from './core/area.ts';
import { viewOfCamera } from './core/geometry.ts';
import { parseComparisonParam } from './core/compare.ts';
import { loadBasemap } from './map/basemap.ts';
import { offlineStyle } from './map/style.ts';
import { fetchStyle, styleFallbackMessage } from './core/remote-style.ts';
import type { StyleSpecification } from 'maplibre-gl';
import datasetUrl from '../data/incidents.geojson?url';

const DATASET_NAME = 'data/incidents.geojson';

/** A remote style is opt-in (?style=https://… or VITE_STYLE_URL); offline is the default. */
function remoteStyleUrl(): string | null {
  const asked = new URLSearchParams(location.search).get('style') ?? import.meta.env.VITE_STYLE_URL ?? '';
  return asked ? safeUrl(asked) : null;
}

/** Each kept file, added or replacing as it was; then the link's view, once all it names are here. */
async function restoreKept(importer: Importer, atlas: AtlasState, library: Library, stored: Promise<StoredDataset[]>): Promise<void> {
  library.restoring = true;
  try {
    for (const entry of await stored) {
      let file: File;
      try {
        file = await library.read(entry);
      } catch (e) {
        atlas.error = `${entry.name} could not be read back from this browser: ${e instanceof Error ? e.message : String(e)}`;
        continue;
      }
      await importer.start(file, { restore: entry });
    }
    await importer.whenDigested();
  } finally {
    library.restoring = false;
  }
  if (library.wanted.length > 0 && library.missing.length === 0) library.applyLink();
}

async function loadDataset(importer: Importer, atlas: AtlasState): Promise<void> {
  try {
    const response = await fetch(datasetUrl);
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    await importer.open(await response.arrayBuffer(), DATASET_NAME, { quiet: true, days: (span) => parseDayRange(location.search, span) });
  } catch (e) {
    atlas.error = `Could not load ${DATASET_NAME}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * A prepared dataset named by the link (?dataset=, relative to the page): read instead of the
 * bundled one. `started` settles once its manifest is read (or opening failed), so the map
 * starts while the first rows are fetched and decoded; `shown` once they are shown (true) or
 * the dataset could not be opened (false).
 */
function openPrepared(dataset: DatasetSource, atlas: AtlasState, param: string): { started: Promise<void>; shown: Promise<boolean> } {
  let url: string;
  try {
    url = new URL(param, location.href).href;
  } catch {
    atlas.error = `The link's dataset address ${JSON.stringify(param.slice(0, 200))} is not a URL.`;
    return { started: Promise.resolve(), shown: Promise.resolve(false) };
  }
  let started!: () => void;
  const opened = new Promise<void>((resolve) => (started = resolve));
  return { started: opened, shown: dataset.open({ url }, (span, opening) => parseDayRange(location.search, span, opening), undefined, started) };
}

/** Everything but the dates (which need the data's span) from the URL; invalid values are ignored. */
function restoreFromUrl(atlas: AtlasState): void {
  const search = location.search;
  atlas.camera = parseCamera(location.hash);
  atlas.categories = parseSet(search, 'cat', CATEGORIES);
  atlas.statuses = parseSet(search, 'status', STATUSES);
  atlas.search = parseParam(search, 'q') ?? '';
  const area = search.length > 200_000 ? null : new URLSearchParams(search).get('area');
  if (area !== null && !atlas.setArea(parseAreaParam(area))) atlas.areaError = `The link's area was not used: ${atlas.areaError}`;
  // Read whole (parseParam drops long values silently): a mangled period gets its message.
  const cmp = search.length > 200_000 ? null : new URLSearchParams(search).get('cmp');
  if (cmp !== null) {
    const period = parseComparisonParam(cmp);
    if ('days' in period) atlas.setComparison(period.days);
    else atlas.comparisonError = `The link's comparison period was not used: ${period.error}`;
  }
  atlas.measure = parseChoice(search, 'measure', ['count', 'killed'] as const, 'count');
  atlas.showChains = parseParam(search, 'chains') === 'on';
  atlas.lang = parseChoice(search, 'lang', LANGS, 'en');
  atlas.playback.mode = parseChoice(search, 'play', PLAY_MODES, 'window');
  const speed = Number(parseParam(search, 'speed'));
  if ((SPEEDS as readonly number[]).includes(speed)) atlas.playback.speed = speed;
}

/**
 * The size the map will have, in CSS pixels: measured on an empty copy of the app's layout
 * (app.css), before the app exists. A link's first request is for the view the map will show:
 * over the whole window it would be wider than the map beside the panel, and its exact count
 * replaced once the map reports its own view.
 */
function mapArea(): { width: number; height: number } {
  const layout = document.createElement('div');
  layout.className = 'app-layout';
  layout.style.visibility = 'hidden';
  const area = document.createElement('main');
  area.className = 'map-area';
  layout.append(area, document.createElement('aside'));
  document.body.append(layout);
  const { width, height } = area.getBoundingClientRect();
  layout.remove();
  return { width, height };
}

async function start() {
  const atlas = new AtlasState();
  const library = new Library(atlas);
  const importer = new Importer(atlas, undefined, library);
  const dataset = new DatasetSource(atlas);
  const prepared = parseParam(location.search, 'dataset');
  restoreFromUrl(atlas);
  library.follow(location.search);
  library.reopen = async () => {
    await loadDataset(importer, atlas);
    await restoreKept(importer, atlas, library, library.open(OpfsLibrary.open));
  };
  const remote = remoteStyleUrl();
  const theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  const offline = () => loadBasemap().then((b) => offlineStyle(b, theme));
  // A remote style is checked first; one that cannot be used falls back to offline, with an alert.
  const styled = remote ? fetchStyle(remote).then((r) => ('style' in r ? { style: r.style as unknown as StyleSpecification } : offline().then((style) => ({ style, error: styleFallbackMessage(remote, r.error) })))) : offline().then((style) => ({ style }));
  // Kept files are read once the map has drawn the bundled dataset, each with the progress bar,
  // as a fresh import is: parsed while the map starts, a large file made the start's tasks longer.
  // A link to a prepared dataset shows that dataset alone: neither the bundled one nor kept files.
  library.restoring = prepared === null;
  const kept = prepared === null ? library.open(OpfsLibrary.open) : null;
  // The map's first complete frame: a prepared dataset reads ahead of its opening view only then.
  let mapStarted!: (map: IncidentMap) => void;
  const firstFrame = new Promise<void>((resolve) => (mapStarted = (m) => void m.drawn.then(resolve)));
  if (prepared !== null) dataset.holdAheadUntil(firstFrame);
  const embed = parseParam(location.search, 'embed') === '1' || document.documentElement.dataset.embed === 'true';
  if (prepared !== null && atlas.camera) {
    // The embed's card below the map is sized by its text: the window holds its map's view.
    const { width, height } = embed ? { width: innerWidth, height: innerHeight } : mapArea();
    dataset.openingView = viewOfCamera(atlas.camera, width, height);
  }
  const opening = prepared === null ? null : openPrepared(dataset, atlas, prepared);
  const data = opening ? opening.started : loadDataset(importer, atlas);
  const [{ style, error }] = await Promise.all([styled as Promise<{ style: StyleSpecification; error?: string }>, data]);
  if (error) atlas.error = atlas.error ? `${atlas.error}\n${error}` : error;
  // A long id is in the link as its hash (see selectionParam): resolved against the loaded ids.
  const allIds = () => {
    const ids: string[] = [];
    atlas.table.eachId((id) => ids.push(id));
    return ids;
  };
  const select = () => (atlas.selected = atlas.indexOfId(resolveSelection(parseParam(location.search, 'sel'), (id) => atlas.indexOfId(id) !== null, allIds)));
  // A prepared dataset's rows come after the map has started: the link's selection is found among them.
  if (opening) void opening.shown.then((ok) => ok && atlas.selected === null && select());
  else select();
  const target = document.getElementById('app')!;
  // The page under embed/ is always the embed, whatever its query: that path may be framed.
  const onmap = (m: IncidentMap) => {
    mapStarted(m);
    if (kept) void m.drawn.then(() => restoreKept(importer, atlas, library, kept));
  };
  if (embed) mount(Embed, { target, props: { atlas, style, theme, dataset, onmap } });
  else mount(App, { target, props: { atlas, importer, library, dataset, style, theme, onmap } });
}

void start();
