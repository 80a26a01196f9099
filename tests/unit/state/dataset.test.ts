import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../../src/cli/build-dataset.ts';
import { AtlasState, NO_DATA } from '../../../src/state/atlas.svelte.ts';
import { DatasetSource } from '../../../src/state/dataset.svelte.ts';
import { dayOfIsoDate } from '../../../src/core/time.ts';
import type { Manifest } from '../../../src/core/dataset-manifest.ts';
import { hostWorker } from '../worker-host.ts';
import { serveFolder } from '../static-server.ts';
import { Importer } from '../../../src/state/importer.svelte.ts';
import { circleArea } from '../../../src/core/area.ts';
import { histogramOfStore } from '../../../src/core/histogram.ts';
import { csvChunks, geojsonChunks } from '../../../src/core/export.ts';
import type { View } from '../../../src/core/geometry.ts';
import { CATEGORIES, validateFeature, type Incident, type Status } from '../../../src/core/schema.ts';
import type { DayRange } from '../../../src/core/time.ts';
import type { DatasetMessage, DatasetRequest } from '../../../src/workers/dataset.worker.ts';
import { visibleIncidents } from '../../oracle.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { importText } from '../../../src/core/import/index.ts';

// The real dataset worker, run in this thread (see worker-host.ts).
const spawn = () => hostWorker(() => import('../../../src/workers/dataset.worker.ts'));
// Hosted after the dataset worker has answered: one hosted worker's `self` replaces the other's.
const importSpawn = () => hostWorker(() => import('../../../src/workers/import.worker.ts'));
const ACLED_HEADER = 'id,event_date,latitude,longitude,event_type,sub_event_type,notes';

let root: string;
let server: Server;
let base: string;
let manifest: Manifest;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'atlas-dataset-state-'));
  const dir = join(root, 'ds');
  await build({ data: ['data/incidents.geojson'], out: dir, name: 'bundled' }, dir, new Date('2026-11-29T00:00:00Z'), () => {});
  manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  cpSync(dir, join(root, 'missing-part'), { recursive: true });
  rmSync(join(root, 'missing-part', manifest.partitions[1].path));
  cpSync(dir, join(root, 'corrupt'), { recursive: true });
  const jan = join(root, 'corrupt', manifest.partitions[1].path);
  const bytes = readFileSync(jan);
  bytes.fill(0xff, 4, 512);
  writeFileSync(jan, bytes);
  cpSync(dir, join(root, 'future'), { recursive: true });
  writeFileSync(join(root, 'future', 'manifest.json'), JSON.stringify({ ...manifest, version: 99 }));
  ({ server, url: base } = await serveFolder(root));
}, 60_000);
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

/** The dataset worker, with the requests the page sends it kept in `sent`. */
function counted(): { sent: DatasetRequest[]; spawn: () => Worker } {
  const sent: DatasetRequest[] = [];
  return {
    sent,
    spawn: () => {
      const w = spawn();
      // The page sends requests alone: nothing of theirs is transferred.
      const post = w.postMessage.bind(w) as (m: unknown) => void;
      w.postMessage = (m: DatasetRequest) => {
        sent.push(m);
        post(m);
      };
      return w;
    },
  };
}

/** The dataset worker, with `seen` told each of its messages once the page has taken it. */
function watched(seen: (m: DatasetMessage) => void): () => Worker {
  return () => {
    const w = spawn();
    let handler: ((e: MessageEvent) => void) | null = null;
    Object.defineProperty(w, 'onmessage', {
      get: () => handler,
      set: (h: (e: MessageEvent) => void) => {
        handler = (e) => {
          h(e);
          seen(e.data as DatasetMessage);
        };
      },
    });
    return w;
  };
}

/** The bundled file's incidents, as the dataset was built from them. */
function bundled(): Incident[] {
  const features = (JSON.parse(readFileSync('data/incidents.geojson', 'utf8')) as { features: unknown[] }).features;
  return features.map((f, i) => validateFeature(f, i).incident).filter((i): i is Incident => i !== undefined);
}

const day = (iso: string): DayRange => ({ from: dayOfIsoDate(iso), to: dayOfIsoDate(iso) });

/** The ids the filter rule shows, written plainly over the bundled file's incidents. */
function bruteForce(atlas: AtlasState): string[] {
  return visibleIncidents(bundled(), { days: atlas.days, view: atlas.view, categories: null, statuses: null })
    .map((i) => i.id)
    .sort();
}

const shownIds = (atlas: AtlasState) => Array.from(atlas.visible, (i) => atlas.idOf(i)).sort();

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe('DatasetSource (the dataset worker run for real)', () => {
  it('opens a dataset by URL into the atlas as an import would, named by the manifest and its SHA-256', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    const ok = await source.open({ url: `${base}/ds/manifest.json` });
    expect(atlas.error).toBeNull();
    expect(ok).toBe(true);
    expect(atlas.table.length).toBe(manifest.rows);
    expect(atlas.store.size).toBe(manifest.rows);
    expect(atlas.visible.length).toBe(manifest.rows);
    expect(atlas.span).toEqual({ from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) });
    expect(atlas.datasets).toEqual([{ name: `${base}/ds/manifest.json`, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(atlas.incident(0).properties.sources.length).toBeGreaterThan(0);
    source.close();
  });

  it('says it is starting while the first rows are read on an empty page, with the slider on its days', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    let during: { starting: string | null; days: unknown; rows: number } | null = null;
    const shown = source.open({ url: `${base}/ds/manifest.json` }, undefined, undefined, () => {
      during = { starting: source.starting, days: { ...atlas.days }, rows: atlas.table.length };
    });
    expect(await shown).toBe(true);
    expect(during).toEqual({ starting: manifest.name, days: { from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) }, rows: 0 });
    expect(source.starting).toBeNull();
    // A second dataset opening over the first keeps the first on screen, and says nothing of starting.
    let again: string | null | undefined;
    expect(await source.open({ url: `${base}/ds/manifest.json` }, undefined, undefined, () => (again = source.starting))).toBe(true);
    expect(again).toBeNull();
    source.close();
  });

  it('loads only what new days need, keeps the slider span and the selection by id', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` });
    const id = 'k1-rocket-attack-2019-12-27';
    atlas.selected = atlas.indexOfId(id);
    const span = atlas.span;
    const bytes = source.bytes;
    // January only: the December partition is not needed, the cached groups stay within budget.
    const jan = { from: dayOfIsoDate('2020-01-01'), to: span.to };
    const bounds = atlas.store.bounds();
    atlas.days = jan;
    source.want(jan, atlas.view, 5);
    await until(() => !source.loading);
    // The groups held before come back from the worker's store as they were.
    expect(atlas.store.size).toBe(manifest.rows);
    expect(atlas.store.bounds()).toEqual(bounds);
    expect(atlas.store.daySpan()).toEqual(span);
    expect(atlas.span).toEqual(span);
    expect(atlas.selectedId).toBe(id);
    expect(source.bytes).toBe(bytes);
    source.close();
  });

  it('draws the overview instead of rows when the view needs more than the budget, with an "about" count', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    expect(await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: 5 })).toBe(true);
    expect(source.tooMany).toBe(manifest.rows);
    expect(atlas.table.length).toBe(0);
    expect(atlas.span).toEqual({ from: dayOfIsoDate(manifest.days.from), to: dayOfIsoDate(manifest.days.to) });
    expect(source.density?.total).toBe(manifest.rows);
    expect(source.density?.cells.length).toBeGreaterThan(0);
    atlas.statuses = new Set(['disputed']);
    expect(source.density?.total).toBe(manifest.vocabularies.status.disputed);
    source.close();
  });

  it('shows rows again when a view fits the budget after one that did not, twice over', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    const jan = manifest.partitions[1];
    await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: jan.rows });
    expect(source.tooMany).toBe(manifest.rows);
    const last = { from: dayOfIsoDate(jan.days.to), to: dayOfIsoDate(jan.days.to) };
    for (let k = 0; k < 2; k++) {
      source.want(last, atlas.view, 5);
      await until(() => !source.loading);
      expect(source.tooMany).toBeNull();
      expect(source.overview).toBeNull();
      expect(atlas.table.length).toBe(jan.rows);
      source.want(atlas.span, atlas.view, 5);
      await until(() => !source.loading);
      expect(source.tooMany).toBe(manifest.rows);
      expect(atlas.table.length).toBe(0);
    }
    source.close();
  });

  it('keeps the data shown and says why when a manifest is of a later version', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` });
    const before = atlas.table;
    expect(await source.open({ url: `${base}/future/manifest.json` })).toBe(false);
    expect(atlas.error).toMatch(/version 99 is newer than this app reads.*The data shown is unchanged\./);
    expect(atlas.table).toBe(before);
    expect(source.opened?.label).toBe(`${base}/ds/manifest.json`);
    source.close();
  });

  it('says which partition is missing (404), and shows nothing new', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    expect(await source.open({ url: `${base}/missing-part/manifest.json` })).toBe(false);
    expect(atlas.error).toContain(`${manifest.partitions[1].path} was not found (404)`);
    expect(atlas.table.length).toBe(0);
    source.close();
  });
});

describe('DatasetSource reading ahead of the slider (issue #17)', () => {
  /** A slider step as the app makes one: the atlas's days change, then follow() calls want(). */
  const step = (atlas: AtlasState, source: DatasetSource, days: DayRange) => {
    atlas.days = days;
    source.want(days, atlas.view, 5);
  };

  it('asks the worker nothing for a one-day step inside the days loaded ahead, and shows what brute force shows', async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    expect(await source.open({ url: `${base}/ds/manifest.json` }, () => day('2020-01-01'))).toBe(true);
    expect(sent.map((m) => m.type)).toEqual(['open', 'view']);
    const asked = sent[1] as Extract<DatasetRequest, { type: 'view' }>;
    expect(asked.ahead?.days).toEqual({ from: dayOfIsoDate('2019-12-31'), to: dayOfIsoDate('2020-01-02') });
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    for (const iso of ['2020-01-02', '2019-12-31', '2020-01-01']) {
      step(atlas, source, day(iso));
      expect(source.loading).toBe(false);
      expect(sent).toHaveLength(2);
      expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    }
    expect(bruteForce(atlas).length).toBeGreaterThan(0);
    source.close();
  });

  it('asks at once for a slider step after a quiet spell; for a step right after it, and for a moving view, once they stop', async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const debounce = 300;
    const source = new DatasetSource(atlas, spy, debounce);
    expect(await source.open({ url: `${base}/ds/manifest.json` }, () => day('2020-01-01'))).toBe(true);
    const views = () => sent.filter((m) => m.type === 'view').map((m) => (m as Extract<DatasetRequest, { type: 'view' }>).days.to);
    await new Promise((resolve) => setTimeout(resolve, debounce));
    step(atlas, source, day('2020-01-05'));
    expect(views()).toEqual([day('2020-01-01').to, day('2020-01-05').to]);
    // A second key within the debounce: asked once the keys stop.
    step(atlas, source, day('2020-01-07'));
    expect(views()).toHaveLength(2);
    await until(() => views().length === 3);
    expect(views()[2]).toBe(day('2020-01-07').to);
    await new Promise((resolve) => setTimeout(resolve, debounce));
    // The map moves (to days not read as well): its views come frame by frame, and the last is asked for.
    source.want(day('2020-01-09'), [40, 30, 50, 40], 5);
    source.want(day('2020-01-09'), [41, 30, 51, 40], 5);
    expect(views()).toHaveLength(3);
    await until(() => views().length === 4);
    expect((sent.at(-1) as Extract<DatasetRequest, { type: 'view' }>).view).toEqual([41, 30, 51, 40]);
    source.close();
  });

  it("shows the view's own rows first, then whole groups and those read ahead; a step into them asks nothing", async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    const [dec, jan] = manifest.partitions;
    // The last two days of December's group; read ahead, the window reaches January's first day.
    const days = { from: dayOfIsoDate('2019-12-31'), to: dayOfIsoDate(dec.days.to) };
    expect(dayOfIsoDate(jan.days.from)).toBeLessThanOrEqual(days.to + 2);
    expect(await source.open({ url: `${base}/ds/manifest.json` }, () => days, { part: 0 })).toBe(true);
    // Of December's group, the rows of its last two days: the part of it the view shows.
    expect(atlas.table.length).toBe(bruteForce(atlas).length);
    expect(atlas.table.length).toBeLessThan(dec.rows);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    await until(() => atlas.table.length === dec.rows + jan.rows);
    const before = shownIds(atlas);
    expect(before).toEqual(bruteForce(atlas));
    step(atlas, source, { from: days.from, to: dayOfIsoDate(jan.days.from) });
    expect(source.loading).toBe(false);
    expect(sent).toHaveLength(2);
    // January's first day shows an incident of January's group, read ahead.
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    expect(shownIds(atlas).length).toBeGreaterThan(before.length);
    source.close();
  });

  it("reads only the rows the opening view shows until the map's first frame, then whole groups ahead of it without saying loading", async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    let drawn!: () => void;
    source.holdAheadUntil(new Promise<void>((resolve) => (drawn = resolve)));
    const [dec, jan] = manifest.partitions;
    const days = { from: dayOfIsoDate('2019-12-31'), to: dayOfIsoDate(dec.days.to) };
    expect(await source.open({ url: `${base}/ds/manifest.json` }, () => days, { part: 0 })).toBe(true);
    expect((sent[1] as Extract<DatasetRequest, { type: 'view' }>).ahead).toBeUndefined();
    // Of December's group, only its last day's rows: the group's other rows wait.
    expect(atlas.table.length).toBe(bruteForce(atlas).length);
    expect(atlas.table.length).toBeLessThan(dec.rows);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    // A step past the days shown asks again, and still not ahead.
    step(atlas, source, { from: days.from, to: dayOfIsoDate(jan.days.from) });
    await until(() => !source.loading);
    expect(sent.map((m) => (m.type === 'view' ? Boolean(m.ahead) : m.type))).toEqual(['open', false, false]);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    drawn();
    // The worker is told, then asked ahead.
    await until(() => sent.length === 5);
    expect(sent[3].type).toBe('drawn');
    expect((sent[4] as Extract<DatasetRequest, { type: 'view' }>).ahead).toBeDefined();
    expect(source.loading).toBe(false);
    // Whole groups now, each row once: December's and January's, and those ahead.
    await until(() => atlas.table.length >= dec.rows + jan.rows);
    const ids = Array.from({ length: atlas.table.length }, (_, i) => atlas.idOf(i));
    expect(new Set(ids).size).toBe(ids.length);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    source.close();
  });

  it("reads the opening view it is given (a link's #map) rather than the world, once", async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    const baghdad: View = [44, 33, 45, 34];
    source.openingView = baghdad;
    expect(await source.open({ url: `${base}/ds/manifest.json` }, (span) => span)).toBe(true);
    const first = sent[1] as Extract<DatasetRequest, { type: 'view' }>;
    expect(first.view).toEqual(baghdad);
    expect(source.openingView).toBeNull();
    expect(shownIds(atlas).length).toBeGreaterThan(0);
    source.close();
  });

  it('asks again for a step past the days loaded, and for a pan past the view loaded', async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    atlas.view = [40, 30, 50, 40];
    await source.open({ url: `${base}/ds/manifest.json` }, () => day('2020-01-01'));
    step(atlas, source, day('2020-01-05'));
    expect(source.loading).toBe(true);
    await until(() => !source.loading);
    expect(sent).toHaveLength(3);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    expect(bruteForce(atlas).length).toBeGreaterThan(0);
    // Half the view's width each side was loaded: a pan by a quarter needs nothing, by a whole view it does.
    atlas.view = [42.5, 30, 52.5, 40];
    source.want(atlas.days, atlas.view, 5);
    expect(sent).toHaveLength(3);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    atlas.view = [50, 30, 60, 40];
    source.want(atlas.days, atlas.view, 5);
    expect(source.loading).toBe(true);
    await until(() => !source.loading);
    expect(sent).toHaveLength(4);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    source.close();
  });

  it('asks again for a step back inside the rows shown while a request is on its way, whose answer replaces them', async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    // A budget of January's rows: January's answer drops December's rows.
    await source.open({ url: `${base}/ds/manifest.json` }, () => day('2019-12-29'), { budget: manifest.partitions[1].rows });
    expect(bruteForce(atlas).length).toBeGreaterThan(0);
    for (const waitFor of ['the debounce', 'the answer']) {
      step(atlas, source, day('2020-01-05'));
      if (waitFor === 'the answer') await until(() => (sent.at(-1) as { days?: DayRange }).days?.from === dayOfIsoDate('2020-01-05'));
      step(atlas, source, day('2019-12-29'));
      await until(() => !source.loading);
      expect((sent.at(-1) as { days: DayRange }).days).toEqual(day('2019-12-29'));
      expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    }
    source.close();
  });

  /**
   * Opens on the day after December's last to January's first, with a budget of January's rows:
   * alone those days need January's rows; widened by their length they reach December's too.
   */
  const openOverBudget = async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    const [dec, jan] = manifest.partitions;
    const days = { from: dayOfIsoDate(dec.days.to) + 1, to: dayOfIsoDate(jan.days.from) };
    expect(await source.open({ url: `${base}/ds/manifest.json` }, () => days, { budget: jan.rows })).toBe(true);
    expect(atlas.table.length).toBe(jan.rows);
    return { atlas, sent, source, days, dec };
  };

  it('loads the exact days when the days ahead exceed the budget, and covers only those', async () => {
    const { atlas, sent, source, days } = await openOverBudget();
    expect(source.tooMany).toBeNull();
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    expect(bruteForce(atlas).length).toBeGreaterThan(0);
    // What was loaded covers the exact days only: a day more is asked for, and is over the budget.
    step(atlas, source, { from: days.from - 1, to: days.to });
    expect(source.loading).toBe(true);
    await until(() => !source.loading);
    expect(sent).toHaveLength(3);
    expect(source.tooMany).toBe(manifest.rows);
    source.close();
  });

  it('covers what the groups held answer when the days ahead exceed the budget: steps inside them ask nothing', async () => {
    const { atlas, sent, source, days, dec } = await openOverBudget();
    expect((sent[1] as Extract<DatasetRequest, { type: 'view' }>).ahead!.days.from).toBeLessThanOrEqual(dayOfIsoDate(dec.days.to));
    // A day later is in January's groups too: answered by the rows held, exactly.
    step(atlas, source, { from: days.from, to: days.to + 1 });
    expect(source.loading).toBe(false);
    expect(sent).toHaveLength(2);
    expect(shownIds(atlas)).toEqual(bruteForce(atlas));
    expect(bruteForce(atlas).length).toBeGreaterThan(0);
    source.close();
  });
});

describe('DatasetSource on a dataset of many row groups', () => {
  let many: string;
  let incidents: Incident[];
  beforeAll(async () => {
    // Three months of seeded incidents over the world, several row groups each.
    const random = mulberry32(5);
    const lines = [ACLED_HEADER];
    for (let i = 0; i < 90_000; i++) {
      const day = `2021-0${1 + Math.floor(random() * 3)}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      lines.push(`M${i},${day},${(random() * 140 - 70).toFixed(4)},${(random() * 340 - 170).toFixed(4)},Battles,Armed clash,Note ${i}`);
    }
    writeFileSync(join(root, 'many.csv'), lines.join('\n') + '\n');
    many = join(root, 'many');
    await build({ data: [join(root, 'many.csv')], out: many, name: 'many' }, many, new Date('2026-11-29T00:00:00Z'), () => {});
    const imported = importText(readFileSync(join(root, 'many.csv'), 'utf8'), 'many.csv');
    incidents = imported.incidents;
  }, 120_000);

  it("shows what brute force shows after every step and pan, the view's own rows first, and keeps the rows held meanwhile", async () => {
    const atlas = new AtlasState();
    const types: string[] = [];
    const source = new DatasetSource(
      atlas,
      watched((m) => {
        if (m.type === 'data') types.push(m.pick ? 'partial' : 'data');
      }),
      0,
    );
    const start = { from: dayOfIsoDate('2021-01-01'), to: dayOfIsoDate('2021-01-07') };
    // Every answer that reads rows sends the view's own first (PART_ROWS is for larger datasets).
    expect(await source.open({ url: `${base}/many/manifest.json` }, () => start, { part: 0 })).toBe(true);
    const random = mulberry32(9);
    const expected = () => visibleIncidents(incidents, { days: atlas.days, view: atlas.view, categories: null, statuses: null }).map((i) => i.id).sort();
    for (let k = 0; k < 16; k++) {
      const from = dayOfIsoDate('2021-01-01') + Math.floor(random() * 80);
      const days = { from, to: from + Math.floor(random() * 3) };
      const x = random() * 300 - 150;
      const y = random() * 100 - 50;
      // A city-sized view, or the world's.
      const view: View = k % 3 === 2 ? [-180, -85, 180, 85] : [x, y, x + 12, y + 8];
      atlas.days = days;
      atlas.view = view;
      source.want(days, view, 6);
      await until(() => !source.loading);
      expect(shownIds(atlas)).toEqual(expected());
      // Each row once, whatever the answers so far.
      const ids = Array.from({ length: atlas.table.length }, (_, i) => atlas.idOf(i));
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(types).toContain('partial');
    source.close();
  });
});

describe('DatasetSource on a view whose rows take long to read', () => {
  it("draws the view's density with its exact count first, says it is reading, then shows its rows", async () => {
    const atlas = new AtlasState();
    const states: { type: string; rows: number; reading: boolean; loading: boolean; exact: number | null; list: string }[] = [];
    let source!: DatasetSource;
    // Each answer, and what the page shows once it has taken it.
    const watching = watched((m) => {
      if (m.type !== 'timeline' && m.type !== 'opened') {
        states.push({ type: m.type, rows: atlas.table.length, reading: source.reading, loading: source.loading, exact: source.tally?.exact ? source.tally.total : null, list: source.tooMany === null ? '' : 'density' });
      }
    });
    source = new DatasetSource(atlas, watching, 0);
    expect(await source.open({ url: `${base}/ds/manifest.json` }, (span) => span, { preview: 5 })).toBe(true);
    await until(() => atlas.table.length === manifest.rows);
    const incidents = bundled();
    const shown = visibleIncidents(incidents, { days: atlas.days, view: atlas.view, categories: null, statuses: null }).length;
    expect(states).toEqual([
      { type: 'too-many', rows: 0, reading: true, loading: true, exact: null, list: 'density' },
      { type: 'counted', rows: 0, reading: true, loading: true, exact: shown, list: 'density' },
      { type: 'data', rows: manifest.rows, reading: false, loading: false, exact: null, list: '' },
    ]);
    source.close();
    // No more rows to read than that: they are read at once.
    states.length = 0;
    source = new DatasetSource(atlas, watching, 0);
    expect(await source.open({ url: `${base}/ds/manifest.json` }, (span) => span, { preview: manifest.rows })).toBe(true);
    expect(states.map((s) => s.type)).toEqual(['data']);
    source.close();
  });

  it("reads those rows only once the map has drawn its first frame, when the page's map is starting", async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    let drawn!: () => void;
    source.holdAheadUntil(new Promise<void>((resolve) => (drawn = resolve)));
    expect(await source.open({ url: `${base}/ds/manifest.json` }, (span) => span, { preview: 5 })).toBe(true);
    await until(() => source.tally?.exact === true);
    // Time enough to read 14 rows many times over: the density and its count stay meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atlas.table.length).toBe(0);
    expect(source.reading).toBe(true);
    drawn();
    await until(() => atlas.table.length === manifest.rows);
    expect(source.reading).toBe(false);
    source.close();
  });

  it("keeps the exact count while its rows are read when the map reports the link's estimated view a hair smaller", async () => {
    const atlas = new AtlasState();
    const { sent, spawn: spy } = counted();
    const source = new DatasetSource(atlas, spy, 0);
    const view: View = [-180, -85, 180, 85];
    source.openingView = [view[0] - 1e-9, view[1] - 1e-9, view[2] + 1e-9, view[3] + 1e-9];
    expect(await source.open({ url: `${base}/ds/manifest.json` }, (span) => span, { preview: 5 })).toBe(true);
    await until(() => source.tally?.exact === true);
    const asked = sent.length;
    // The view the map then reports: nothing asked, the exact count stays.
    source.want(atlas.days, view, 2);
    expect(source.tally?.exact).toBe(true);
    await until(() => atlas.table.length === manifest.rows);
    expect(sent.length).toBe(asked);
    source.close();
  });
});

describe('DatasetSource while the view holds more than the page loads (overview mode)', () => {
  it('counts the view exactly without loading its rows, by the filter rule, with the toggles and per category', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: 5 });
    await until(() => source.tally?.exact === true);
    expect(atlas.table.length).toBe(0);
    const incidents = bundled();
    const shownBy = (statuses: Set<Status> | null) => visibleIncidents(incidents, { days: atlas.days, view: atlas.view, categories: null, statuses });
    expect(source.tally!.total).toBe(shownBy(null).length);
    // A view, then days, that cut through row groups: their rows are tested one by one.
    const all = atlas.days;
    for (const [days, view] of [
      [all, [43, 32, 46, 35]],
      [{ from: day('2020-01-01').from, to: day('2020-01-03').to }, [-180, -90, 180, 90]],
    ] as const) {
      atlas.view = [...view];
      atlas.days = days;
      source.want(days, atlas.view, 5);
      expect(source.tally?.exact).toBe(false);
      // The export reads the view from the dataset only once it knows how many it holds.
      expect(source.streamable).toBe(false);
      await until(() => source.tally?.exact === true);
      expect(source.streamable).toBe(true);
      expect(source.tally!.total).toBe(shownBy(null).length);
      expect(source.tally!.total).toBeGreaterThan(0);
      expect(source.tally!.total).toBeLessThan(manifest.rows);
    }
    atlas.statuses = new Set(['disputed']);
    const disputed = shownBy(new Set(['disputed']));
    expect(source.tally!.total).toBe(disputed.length);
    expect(source.tally!.perCategory).toEqual(CATEGORIES.map((c) => disputed.filter((i) => i.category === c).length));
    atlas.categories = new Set([disputed[0]?.category ?? 'strike']);
    expect(source.tally!.total).toBe(disputed.filter((i) => atlas.categories!.has(i.category)).length);
    source.close();
  });

  it('says "about" from the overview when the view holds more rows than it counts', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: 5, exact: 5 });
    await new Promise((r) => setTimeout(r, 200));
    expect(source.tally).toEqual({ total: manifest.rows, perCategory: expect.any(Array), exact: false });
    source.close();
  });

  it('names the search and the area as not applied to the "about N", and nothing else', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: 5, exact: 5 });
    expect(source.tally?.total).toBe(manifest.rows);
    expect(source.unapplied).toEqual([]);
    atlas.search = 'rocket';
    expect(source.unapplied).toEqual(['search']);
    expect(atlas.setArea(circleArea(44.4, 33.3, 50))).toBe(true);
    expect(source.unapplied).toEqual(['search', 'area']);
    // The toggles the cells do apply change the number, and are not named.
    atlas.statuses = new Set(['disputed']);
    expect(source.tally?.total).toBe(manifest.vocabularies.status.disputed);
    expect(source.unapplied).toEqual(['search', 'area']);
    source.close();
  });

  it('offers the export command with the days, view and toggles, and names what it cannot carry', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: 5 });
    atlas.view = [40, 30, 50, 40];
    atlas.statuses = new Set(['confirmed']);
    const { command, unsupported } = source.exportCommand('csv');
    expect(command).toBe(`npm run export -- --dataset DIR --from ${manifest.days.from} --to ${manifest.days.to} --bbox 40,30,50,40 --status confirmed --format csv --out export.csv`);
    expect(unsupported).toEqual([]);
    atlas.search = 'rocket';
    expect(source.exportCommand('geojson').unsupported).toEqual(['the search']);
    source.close();
  });

  it('has no unloaded facets once a view fits the budget again', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    const jan = manifest.partitions[1];
    await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: jan.rows });
    atlas.search = 'rocket';
    expect(source.unapplied).toEqual(['search']);
    source.want({ from: dayOfIsoDate(jan.days.to), to: dayOfIsoDate(jan.days.to) }, atlas.view, 5);
    await until(() => !source.loading);
    expect(source.tooMany).toBeNull();
    expect(source.tally).toBeNull();
    expect(source.unapplied).toEqual([]);
    source.close();
  });
});

describe('exporting a view the page does not hold', () => {
  const context = (atlas: AtlasState) => ({ days: atlas.days, view: atlas.view, categories: atlas.categories, statuses: atlas.statuses, search: atlas.search, area: atlas.area, datasets: atlas.datasets, version: 'test', now: new Date('2026-11-29T00:00:00Z') });
  const joined = async (chunks: AsyncIterable<string> | Iterable<string>) => {
    let text = '';
    for await (const chunk of chunks) text += chunk;
    return text;
  };
  /** A dataset opened over its whole span with a budget of 5 rows: the page holds none of the view. */
  const overBudget = async (folder = 'ds', spawner: () => Worker = spawn) => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawner, 0);
    const opened = await source.open({ url: `${base}/${folder}/manifest.json` }, (span) => span, { budget: 5 });
    return { atlas, source, opened };
  };

  it.each([
    ['geojson', 1, {}],
    ['geojson', 2, {}],
    ['geojson', 3, { statuses: new Set(['disputed'] as const), search: 'strike' }],
    ['csv', 2, { view: [43, 32, 46, 35] as View }],
  ] as const)('writes from the dataset the %s file the same rows loaded would give, with %i workers (%o)', async (format, workers, facets) => {
    // The whole dataset loaded: the export as the page writes it from its rows.
    const all = new AtlasState();
    const whole = new DatasetSource(all, spawn, 0);
    await whole.open({ url: `${base}/ds/manifest.json` }, (span) => span);
    expect(all.table.length).toBe(manifest.rows);
    Object.assign(all, facets);
    const { count, at } = all.exportable();
    const loaded = await joined(format === 'csv' ? csvChunks(count, at, 3) : geojsonChunks(count, at, context(all), 3));
    whole.close();

    const { atlas, source } = await overBudget();
    expect(atlas.table.length).toBe(0);
    Object.assign(atlas, facets);
    const fractions: number[] = [];
    const counts: number[] = [];
    const streamed = await joined(source.exportChunks(format, { ...context(atlas), datasets: all.datasets }, (read, written) => fractions.push(read) && counts.push(written), { workers, slabRows: 1 }));
    expect(count).toBeGreaterThan(0);
    expect(streamed).toBe(loaded);
    expect(fractions.at(-1)).toBe(1);
    expect(counts.at(-1)).toBe(count);
    source.close();
  });

  it('stops the worker when the export is stopped, and serves views meanwhile', async () => {
    const { atlas, source } = await overBudget();
    const chunks = source.exportChunks('geojson', context(atlas), () => {});
    const first = await chunks.next();
    expect(first.value).toMatch(/^\{"type":"FeatureCollection"/);
    await chunks.return(undefined);
    // The worker still answers the page: one day of January's is more than the budget too.
    const jan = manifest.partitions[1];
    source.want({ from: dayOfIsoDate(jan.days.to), to: dayOfIsoDate(jan.days.to) }, atlas.view, 5);
    expect(source.loading).toBe(true);
    await until(() => !source.loading);
    expect(source.tooMany).toBeGreaterThan(5);
    expect(source.tooMany).toBeLessThan(manifest.rows);
    source.close();
  });

  it('ends with the reason when a row group cannot be read, and writes nothing more', async () => {
    // January's file with its first column's pages overwritten: its footer still reads.
    const { atlas, source, opened } = await overBudget('corrupt');
    expect(opened).toBe(true);
    const chunks = source.exportChunks('geojson', context(atlas), () => {});
    await expect(joined(chunks)).rejects.toThrow(`${manifest.partitions[1].path}, row group 0`);
    source.close();
  });

  it('ends with the reason when a worker fails during the export, the dataset worker or one opened for it', async () => {
    for (const failing of [0, 1]) {
      const workers: Worker[] = [];
      const { atlas, source } = await overBudget('ds', () => workers[workers.push(spawn()) - 1]);
      const chunks = source.exportChunks('csv', context(atlas), () => {}, { workers: 2, slabRows: 1 });
      await chunks.next();
      expect(workers).toHaveLength(2);
      workers[failing].onerror!({ message: 'out of memory' } as ErrorEvent);
      await expect(joined(chunks)).rejects.toThrow('failed: out of memory');
      source.close();
    }
  });

  it('ends with an error when the dataset is closed during the export', async () => {
    const { atlas, source } = await overBudget();
    const chunks = source.exportChunks('csv', context(atlas), () => {});
    await chunks.next();
    source.close();
    await expect(joined(chunks)).rejects.toThrow('The dataset was closed during the export.');
  });
});

describe('the histogram of a prepared dataset', () => {
  it('covers the whole span from the overview when only a narrow window is loaded, bin for bin as the rows count it', async () => {
    // The exact bars of every row, with the world in view: the overview must give the same.
    const all = new AtlasState();
    const whole = new DatasetSource(all, spawn, 0);
    await whole.open({ url: `${base}/ds/manifest.json` });
    expect(all.table.length).toBe(manifest.rows);
    const exact = { count: histogramOfStore(all.store, all.inViewAnyDate, all.span, 'count'), killed: histogramOfStore(all.store, all.inViewAnyDate, all.span, 'killed') };
    whole.close();

    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    const last = dayOfIsoDate(manifest.days.to);
    expect(await source.open({ url: `${base}/ds/manifest.json` }, () => ({ from: last, to: last }))).toBe(true);
    expect(atlas.table.length).toBeLessThan(manifest.rows);
    await until(() => source.bars !== null);
    const bars = source.bars!;
    expect(bars.bins[0].start).toBe(exact.count.bins[0].start);
    expect(bars.bins.reduce((n, b) => n + b.total, 0)).toBe(manifest.rows);
    // Bars before the window: the user sees where to move the slider.
    expect(bars.bins.filter((b) => b.end <= last * 86_400_000 && b.total > 0).length).toBeGreaterThan(0);
    expect(bars.bins.map((b) => b.values)).toEqual(exact.count.bins.map((b) => b.values));
    atlas.measure = 'killed';
    expect(source.bars!.bins.map((b) => b.values)).toEqual(exact.killed.bins.map((b) => b.values));
    // The toggles apply, as to the map's cells.
    atlas.measure = 'count';
    atlas.statuses = new Set(['disputed']);
    expect(source.bars!.bins.reduce((n, b) => n + b.total, 0)).toBe(manifest.vocabularies.status.disputed);
    // A view that meets no tile has no bars.
    atlas.view = [-170, -80, -169, -79];
    expect(source.bars!.max).toBe(0);
    source.close();
    expect(source.bars).toBeNull();
  });

  it('is drawn in overview mode too, when no rows are loaded', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` }, undefined, { budget: 5 });
    expect(atlas.table.length).toBe(0);
    await until(() => source.bars !== null);
    expect(source.bars!.bins.reduce((n, b) => n + b.total, 0)).toBe(manifest.rows);
    source.close();
  });
});

describe('an import while a prepared dataset is shown', () => {
  it('replaces the dataset even in "add" mode and says so in its report', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` });
    expect(atlas.prepared).toBe(true);
    const importer = new Importer(atlas, importSpawn);
    importer.mode = 'add';
    await importer.start(new File([`${ACLED_HEADER}\nx1,2021-05-01,10,20,Battles,Armed clash,one\n`], 'one.csv'));
    expect(atlas.table.length).toBe(1);
    expect(atlas.datasets.map((d) => d.name)).toEqual(['one.csv']);
    expect(atlas.prepared).toBe(false);
    expect(importer.report?.notes[0]).toBe(`The prepared dataset ${base}/ds/manifest.json was closed: an import replaces it. Open it again to return to it.`);
  });

  it('keeps the dataset when the import holds nothing valid', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    await source.open({ url: `${base}/ds/manifest.json` });
    const importer = new Importer(atlas, importSpawn);
    await importer.start(new File([`${ACLED_HEADER}\nx1,not a date,10,20,Battles,Armed clash,one\n`], 'bad.csv'));
    expect(atlas.table.length).toBe(manifest.rows);
    expect(atlas.prepared).toBe(true);
    expect(importer.report?.notes ?? []).not.toContainEqual(expect.stringContaining('was closed'));
  });

  it('closes the dataset, and keeps the data shown, when its answer arrives after other data replaced its rows', async () => {
    const atlas = new AtlasState();
    const source = new DatasetSource(atlas, spawn, 0);
    // Only the first day is loaded (and the next, ahead): January needs a request.
    await source.open({ url: `${base}/ds/manifest.json` }, (span) => ({ from: span.from, to: span.from }));
    source.want({ from: dayOfIsoDate('2020-01-01'), to: atlas.span.to }, atlas.view, 5);
    // What an import's replace does (Importer.apply): the dataset is no longer among the data's sources.
    atlas.datasets = [{ name: 'one.csv', sha256: '' }];
    atlas.setData(NO_DATA);
    await until(() => source.opened === null);
    expect(atlas.table).toBe(NO_DATA.table);
    expect(atlas.datasets.map((d) => d.name)).toEqual(['one.csv']);
    expect(source.loading).toBe(false);
  });
});
