// npm run bench: drives the built benchmark page (src/bench) in Debian's Chromium and prints,
// for each size, our figure beside the baseline and deck.gl (ScatterplotLayer with
// DataFilterExtension, src/bench/deck.ts) measured in the same run, each as a ratio to ours.
// Writes bench/results.json. Seeded data; medians of REPS runs.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { persistBench, persistLines } from './persist.mjs';
import { buildBench, buildLine, exportLine } from './dataset.mjs';
import { preparedBench, preparedLines } from './prepared.mjs';

// BENCH_ONLY=build: only the build-dataset and export --dataset lines (BENCH_BUILD_ROWS rows), no browser.
const BUILD_ROWS = Number(process.env.BENCH_BUILD_ROWS ?? 1_000_000);
const datasetLines = () => {
  const r = buildBench(BUILD_ROWS, Number(process.env.BENCH_BUILD_REPS ?? 3));
  return [buildLine(r), exportLine(r)];
};
if (process.env.BENCH_ONLY === 'build') {
  for (const line of datasetLines()) console.log(line);
  process.exit(0);
}

const PORT = Number(process.env.BENCH_PORT ?? 4176);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').filter(Boolean).map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--js-flags=--expose-gc', '--enable-precise-memory-info',
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startServer() {
  // Vite itself, not through npx: killing npx left vite running, and its pipes kept this
  // script from exiting once the results were written.
  const vite = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url));
  const server = spawn(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${ORIGIN}/bench/index.html`)).ok) return server;
    } catch {
      // Not listening yet: try again shortly.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error(`vite preview did not answer on ${ORIGIN}`);
}

/** One fresh page per load: a 1M load per page is what the renderer is known to hold. */
async function measure(browser, mode, n) {
  const loads = [];
  let rest = null;
  for (let rep = 0; rep < REPS; rep++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => console.error(`[${mode} ${n}] page error: ${e.message}`));
    await page.goto(`${ORIGIN}/bench/index.html?n=${n}&mode=${mode}&seed=1`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    loads.push(await page.evaluate(() => globalThis.bench.load()));
    if (rep === 0) {
      // Everything else on the first page, REPS times each, over windows of 7 days across the year.
      rest = await page.evaluate(async (reps) => {
        const b = globalThis.bench;
        const out = { filter: [], redraw: [], query: [], export: [], counts: [], area: [], compareWeek: [], compareHalf: [], compareWeekCounting: [], compareHalfCounting: [] };
        // Long tasks while filters change: the slider must not freeze the page.
        const longTasks = [];
        const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
        observer.observe({ type: 'longtask', buffered: false });
        for (let i = 0; i < reps; i++) {
          const from = b.firstDay + 40 + i * 60;
          out.filter.push(await b.filter(from, from + 6));
          out.redraw.push(await b.redraw());
          // deck.gl has no CPU query or export: that mode's page has neither.
          if (!b.query) continue;
          const q = b.query(from, from + 6);
          out.query.push(q.ms);
          out.counts.push(q.count);
          out.export.push(b.export(from, from + 6).ms);
        }
        for (let i = 0; b.area && i < reps; i++) {
          const a = await b.area(i);
          out.area.push(a.ms);
          out.counts.push(a.count);
        }
        // The comparison: a week against the week before, and half the year against the first half.
        for (const [name, width] of [['compareWeek', 7], ['compareHalf', 182]]) {
          for (let i = 0; b.compare && i < reps; i++) {
            const c = await b.compare(i, width);
            out[name].push(c.ms);
            out[`${name}Counting`].push(c.counting);
            out.counts.push(...c.counts);
          }
        }
        observer.disconnect();
        out.heap = b.heap();
        out.longestTask = longTasks.length ? Math.max(...longTasks) : 0;
        return out;
      }, REPS);
    }
    await page.close();
  }
  const m = (xs) => (xs.length ? median(xs) : null);
  return { load: median(loads), filter: median(rest.filter), redraw: median(rest.redraw), query: m(rest.query), export: m(rest.export), area: m(rest.area), compareWeek: m(rest.compareWeek), compareHalf: m(rest.compareHalf), compareWeekCounting: m(rest.compareWeekCounting), compareHalfCounting: m(rest.compareHalfCounting), heap: rest.heap, longestTask: rest.longestTask, counts: rest.counts };
}

/** measure, or null (with the reason printed) where the mode's page failed or crashed. */
async function tryMeasure(browser, mode, n) {
  try {
    return await measure(browser, mode, n);
  } catch (e) {
    console.error(`[${mode} ${n}] not measured: ${e.message.split('\n')[0]}`);
    return null;
  }
}

const ms = (x) => (x == null ? null : +x.toFixed(2));
/** other / ours, 1 decimal (2 below 1, so a win shows): how many times ours is faster or smaller. */
const ratio = (other, ours) => (other == null ? null : +(other / Math.max(ours, 0.001)).toFixed(other / Math.max(ours, 0.001) < 1 ? 2 : 1));

const server = await startServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
const rows = [];
const longest = [];
try {
  for (const n of SIZES) {
    const ours = await measure(browser, 'ours', n);
    const base = await measure(browser, 'baseline', n);
    // BENCH_DECK=0 leaves deck.gl out: at 1M with software WebGL it takes minutes a size.
    const deck = process.env.BENCH_DECK === '0' ? null : await tryMeasure(browser, 'deck', n);
    if (JSON.stringify(ours.counts) !== JSON.stringify(base.counts)) throw new Error(`size ${n}: our query found ${ours.counts}, the baseline ${base.counts}`);
    for (const name of ['load', 'filter', 'redraw', 'query', 'export', 'area', 'compareWeek', 'compareWeekCounting', 'compareHalf', 'compareHalfCounting']) {
      rows.push({ name, size: n, ours_ms: ms(ours[name]), baseline_ms: ms(base[name]), ratio: ratio(base[name], ours[name]), deck_ms: ms(deck?.[name]), ratio_deck: ratio(deck?.[name], ours[name]) });
    }
    rows.push({ name: 'heap', size: n, mb: +ours.heap.toFixed(1), baseline_mb: +base.heap.toFixed(1), deck_mb: deck ? +deck.heap.toFixed(1) : null, ratio_deck: ratio(deck?.heap, ours.heap) });
    longest.push(`size ${n.toLocaleString('en')}: filter / redraw = ${(ours.filter / ours.redraw).toFixed(2)}; longest main-thread task while filtering: ours ${ours.longestTask.toFixed(0)} ms, baseline ${base.longestTask.toFixed(0)} ms, deck.gl ${deck ? `${deck.longestTask.toFixed(0)} ms` : 'not measured'}`);
    console.log(longest.at(-1));
  }
} finally {
  await browser.close();
  server.kill();
}

// Text search: our index (built as the import worker builds it) against MiniSearch, on the same
// seeded texts, each on a fresh page; both must find the same incidents at each keystroke.
const SEARCH_SIZES = (process.env.BENCH_SEARCH_SIZES ?? '100000,1000000').split(',').filter(Boolean).map(Number);
const searchRows = [];
{
  const server1 = await startServer();
  const browser1 = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  try {
    for (const n of SEARCH_SIZES) {
      const figures = {};
      for (const mode of ['ours', 'baseline']) {
        const page = await browser1.newPage();
        await page.goto(`${ORIGIN}/bench/index.html?n=${n}&mode=${mode}&seed=1`);
        await page.waitForFunction(() => document.body.dataset.ready === 'true');
        figures[mode] = await page.evaluate(() => globalThis.bench.searchIndex());
        await page.close();
      }
      if (JSON.stringify(figures.ours.counts) !== JSON.stringify(figures.baseline.counts)) throw new Error(`search at ${n}: ours found ${figures.ours.counts}, MiniSearch ${figures.baseline.counts}`);
      searchRows.push({ n, ours: figures.ours, minisearch: figures.baseline });
      console.log(`search ${n}: ours ${figures.ours.buildMs.toFixed(0)} ms ${figures.ours.mb.toFixed(1)} MB; MiniSearch ${figures.baseline.buildMs.toFixed(0)} ms ${figures.baseline.mb.toFixed(1)} MB`);
    }
  } finally {
    await browser1.close();
    server1.kill();
  }
}

// Import: an ACLED-style CSV through the app's own Import control (worker parse, validation,
// store build, first frame), timed from choosing the file to the frame that paints the report
// (the data is drawn in that frame too); long tasks recorded. The page times the paint itself:
// Playwright's waitFor polls every 500 ms once a wait is long, which would add 0–500 ms.
const IMPORT_SIZES = (process.env.BENCH_IMPORT_SIZES ?? '10000,100000').split(',').filter(Boolean).map(Number);
const IMPORT_REPS = Number(process.env.BENCH_IMPORT_REPS ?? 3);
// Each import runs in two browsers. With the flags above (--disable-gpu: software compositing,
// as in the browser tests) the compositor reads every WebGL frame back to the CPU inside the
// page's own frame task, so each frame's GPU work — SwiftShader's, here — is main-thread time:
// ~50 ms a frame at the default view with nothing imported. Without --disable-gpu the same
// SwiftShader also composites, as a browser with a GPU does: a frame then costs the page only
// the JavaScript that issues it, and the long tasks left are the app's own.
const COMPOSITING = [
  { name: 'software compositing', args: ARGS },
  { name: 'GPU compositing', args: ARGS.filter((a) => a !== '--disable-gpu') },
];
const importRows = [];
const PERSIST_SIZES = (process.env.BENCH_PERSIST_SIZES ?? '100000').split(',').filter(Boolean).map(Number);
const PERSIST_REPS = Number(process.env.BENCH_PERSIST_REPS ?? 3);
/** Rows of the prepared datasets (build-dataset reads a few thousand a second here). */
const PREPARED_SIZES = (process.env.BENCH_DATASET_ROWS ?? '1000000').split(',').filter(Boolean).map(Number);
let preparedRows;
let persistRows;

/** A generated ACLED-style CSV of n rows, written to a file: a real file by path, as a user picks one. */
function csvFile(n) {
  const lines = ['event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities'];
  for (let i = 0; i < n; i++) {
    const d = 1 + (i % 28);
    lines.push(`IRQ${i},${d} January 2020,2020,1,Battles,Armed clash,Military Forces of Iraq (2018-),Islamic State (Iraq),Iraq,Anbar,Place ${i % 500},${(30 + (i % 700) / 100).toFixed(4)},${(40 + (i % 900) / 100).toFixed(4)},${1 + (i % 3)},Local source; Another source,"Clashes reported near the town, with ${i % 7} casualties.",${i % 5}`);
  }
  const buffer = Buffer.from(lines.join('\n'));
  // The process id in the name: benches of other checkouts on this machine use the same folder.
  const path = join(os.tmpdir(), `atlas-bench-${process.pid}-${n}.csv`);
  writeFileSync(path, buffer);
  return { path, mb: buffer.length / 1024 ** 2, remove: () => rmSync(path) };
}

/** One import of the file at path per rep, each on a fresh page of browser. */
async function importRuns(browser, path) {
  const runs = [];
  for (let rep = 0; rep < IMPORT_REPS; rep++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ORIGIN}/`);
    await page.waitForSelector('[data-ready="true"]');
    await page.evaluate(() => {
      globalThis.__tasks = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => globalThis.__tasks.push(e.duration))).observe({ type: 'longtask' });
      // Wall-clock time (comparable with Node's Date.now()) once the frame after the
      // report entered the DOM has been painted: a task queued from that frame's rAF runs after it.
      globalThis.__painted = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (!document.querySelector('[data-testid="import-report"]')) return;
          observer.disconnect();
          requestAnimationFrame(() => setTimeout(() => resolve(performance.timeOrigin + performance.now())));
        });
        observer.observe(document.body, { childList: true, subtree: true });
      });
    });
    await page.getByRole('radio', { name: 'replace' }).check();
    const t0 = Date.now();
    await page.getByLabel('Import', { exact: true }).setInputFiles(path);
    await page.getByTestId('import-report').waitFor({ timeout: 600_000 });
    const painted = await page.evaluate(() => globalThis.__painted);
    const ms = painted - t0;
    // A large import's points fill in a slice per frame after that: its long tasks count
    // too. Settled once 10 frames in a row came within 34 ms (nothing left to draw).
    const settled = await page.evaluate(
      () =>
        new Promise((resolve) => {
          let quick = 0;
          let last = performance.now();
          const limit = last + 30_000;
          const frame = (t) => {
            quick = t - last < 34 ? quick + 1 : 0;
            last = t;
            if (quick >= 10 || t > limit) resolve(performance.timeOrigin + t);
            else requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        }),
    );
    const tasks = await page.evaluate(() => globalThis.__tasks);
    // Then typing in the search box, a keystroke at a time: from the input event to the frame
    // after the count shows the new visible set (the map draws the new mask in that frame).
    const keystrokes = await page.evaluate(async (typed) => {
      const box = document.querySelector('input[type="search"]');
      const count = document.querySelector('[data-testid="count"]');
      const out = [];
      for (let k = 1; k <= typed.length; k++) {
        await new Promise((r) => setTimeout(r, 50));
        const t0 = performance.now();
        box.value = typed.slice(0, k);
        box.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
        out.push({ ms: performance.now() - t0, shown: count.textContent.trim() });
      }
      return out;
    }, 'clashes place 42');
    runs.push({ ms, fill: settled - painted, longest: Math.max(0, ...tasks), keystrokes });
    await page.close();
  }
  return runs;
}

{
  const server2 = await startServer();
  try {
    for (const n of IMPORT_SIZES) {
      // A real file by path, as a user picks one: a buffer would be copied into the page by
      // Playwright's own script, a main-thread cost that is not the app's.
      const { path, mb, remove } = csvFile(n);
      for (const compositing of COMPOSITING) {
        const browser2 = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: compositing.args });
        const runs = await importRuns(browser2, path).finally(() => browser2.close());
        const times = runs.map((r) => r.ms).sort((a, b) => a - b);
        const keys = runs.flatMap((r) => r.keystrokes.map((k) => k.ms));
        importRows.push({ n, compositing: compositing.name, mb, ms: median(times), range: [times[0], times.at(-1)], fill: median(runs.map((r) => r.fill)), longest: Math.max(...runs.map((r) => r.longest)), keyMedian: median(keys), keyMax: Math.max(...keys), shown: runs[0].keystrokes.map((k) => k.shown.replace(/ incidents? shown/, '')) });
      }
      remove();
    }
    persistRows = await persistBench({ chromium, origin: ORIGIN, args: COMPOSITING[1].args, sizes: PERSIST_SIZES, reps: PERSIST_REPS, csvFile, median });
    preparedRows = await preparedBench({ chromium, origin: ORIGIN, args: ARGS, sizes: PREPARED_SIZES });
  } finally {
    server2.kill();
  }
}

console.log(`\nIncident Atlas benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, Chromium (SwiftShader WebGL), medians of ${REPS}`);
console.log('| measure | size | ours (ms) | baseline (ms) | deck.gl (ms) | baseline / ours | deck.gl / ours |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const cell = (x) => (x == null ? '—' : x);
for (const r of rows) {
  if (r.name === 'heap') console.log(`| JS heap (MB) | ${r.size.toLocaleString('en')} | ${r.mb} | ${r.baseline_mb} | ${cell(r.deck_mb)} | | ${cell(r.ratio_deck)} |`);
  else console.log(`| ${r.name} | ${r.size.toLocaleString('en')} | ${r.ours_ms} | ${r.baseline_ms} | ${cell(r.deck_ms)} | ${r.ratio ?? ''} | ${cell(r.ratio_deck)} |`);
}
console.log('deck.gl: ScatterplotLayer + DataFilterExtension (filterSize 2), binary attributes, interleaved by @deck.gl/maplibre; no CPU query or export (—).');
console.log('');
for (const line of longest) console.log(line);
for (const r of importRows) {
  const s = (ms) => (ms / 1000).toFixed(2);
  console.log(
    `import ${r.n.toLocaleString('en')} ACLED-style CSV rows (${r.mb.toFixed(1)} MB), ${r.compositing}: ${s(r.ms)} s to the painted report (median of ${IMPORT_REPS}; ${s(r.range[0])}–${s(r.range[1])} s), ${(r.mb / (r.ms / 1000)).toFixed(1)} MB/s; every point drawn ${s(r.fill)} s later; longest main-thread task until then ${r.longest.toFixed(0)} ms (of all runs); a search keystroke to its frame: median ${r.keyMedian.toFixed(1)} ms, at most ${r.keyMax.toFixed(1)} ms (shown: ${r.shown.join(' → ')})`,
  );
}
for (const r of searchRows) {
  const line = (name, f) => `${name}: built in ${(f.buildMs / 1000).toFixed(2)} s, ${f.mb.toFixed(1)} MB, a keystroke's mask in ${median(f.keystrokes).toFixed(1)} ms (median), at most ${Math.max(...f.keystrokes).toFixed(1)} ms`;
  console.log(`text index at ${r.n.toLocaleString('en')} incidents — ${line('ours', r.ours)}; ${line('MiniSearch', r.minisearch)}`);
}
for (const line of persistLines(persistRows, PERSIST_REPS)) console.log(line);
for (const line of datasetLines()) console.log(line);
for (const line of preparedLines(preparedRows)) console.log(line);
mkdirSync('bench', { recursive: true });
writeFileSync('bench/results.json', JSON.stringify(rows, null, 2) + '\n');
console.log('\nwrote bench/results.json');
