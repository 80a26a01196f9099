// Keeping imports in the browser (#19), through the app's own Import control: the same
// ACLED-style CSV imported fresh with nothing kept (the page's storage refused, as in a
// private window), imported and kept, and read back by a reload. Each rep has contexts of its
// own, so each starts with an empty Origin Private File System. Times are wall clock from
// choosing the file (or starting the reload) to the painted frame holding the import report.
// Run by run.mjs (BENCH_PERSIST_SIZES), or alone after `npx vite build`:
//   node tests/bench/persist.mjs

/**
 * Records, from the page's first script, every long task ([start, duration]), when the map
 * first said it was ready, and when the frame after the report was painted.
 */
function watch() {
  globalThis.__tasks = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => globalThis.__tasks.push([e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
  globalThis.__painted = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      globalThis.__ready ??= document.querySelector('[data-ready="true"]') ? performance.now() : undefined;
      if (!document.querySelector('[data-testid="import-report"]')) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.timeOrigin + performance.now())));
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  });
}

/** The longest task that started after `from` (page time), up to now. */
const longestSince = (page, from) => page.evaluate((f) => Math.max(0, ...globalThis.__tasks.filter(([start]) => start >= f).map(([, d]) => d)), from);

function refuseStorage() {
  navigator.storage.getDirectory = () => Promise.reject(new DOMException('refused for the benchmark', 'SecurityError'));
}

async function importOnce(context, origin, path) {
  const page = await context.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${origin}/`);
  await page.waitForSelector('[data-ready="true"]');
  await page.getByRole('radio', { name: 'replace' }).check();
  const chosen = await page.evaluate(() => performance.now());
  const t0 = Date.now();
  await page.getByLabel('Import', { exact: true }).setInputFiles(path);
  await page.getByTestId('import-report').waitFor({ timeout: 600_000 });
  const report = (await page.evaluate(() => globalThis.__painted)) - t0;
  return { page, t0, report, longest: await longestSince(page, chosen) };
}

/** Medians per size: fresh import without and with keeping, time until kept, and reopening. */
export async function persistBench({ chromium, origin, args, sizes, reps, csvFile, median }) {
  const rows = [];
  for (const n of sizes) {
    const { path, mb, remove } = csvFile(n);
    const runs = [];
    for (let rep = 0; rep < reps; rep++) {
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
      try {
        const plain = await browser.newContext();
        await plain.addInitScript(refuseStorage);
        await plain.addInitScript(watch);
        const fresh = await importOnce(plain, origin, path);
        await plain.close();

        const kept = await browser.newContext();
        await kept.addInitScript(watch);
        const first = await importOnce(kept, origin, path);
        await first.page.locator('[data-testid="dataset"][data-state="saved"]').waitFor({ state: 'attached', timeout: 600_000 });
        const saved = Date.now() - first.t0;
        const t1 = Date.now();
        await first.page.reload();
        await first.page.getByTestId('import-report').waitFor({ timeout: 600_000 });
        const reopen = (await first.page.evaluate(() => globalThis.__painted)) - t1;
        const longest = await longestSince(first.page, 0);
        const afterFrame = await longestSince(first.page, await first.page.evaluate(() => globalThis.__ready ?? 0));
        await kept.close();
        runs.push({ fresh: fresh.report, report: first.report, saved, reopen, longest, afterFrame, freshLongest: fresh.longest });
      } finally {
        await browser.close();
      }
    }
    remove();
    const m = (key) => median(runs.map((r) => r[key]));
    const max = (key) => Math.max(...runs.map((r) => r[key]));
    rows.push({ n, mb, fresh: m('fresh'), report: m('report'), saved: m('saved'), reopen: m('reopen'), longest: max('longest'), afterFrame: max('afterFrame'), freshLongest: max('freshLongest') });
  }
  return rows;
}

export function persistLines(rows, reps) {
  const s = (ms) => (ms / 1000).toFixed(2);
  return rows.map(
    (r) =>
      `keep ${r.n.toLocaleString('en')} rows (${r.mb.toFixed(1)} MB), GPU compositing, medians of ${reps}: import with nothing kept ${s(r.fresh)} s; ` +
      `kept: report ${s(r.report)} s, saved ${s(r.saved)} s (+${((r.saved / r.fresh - 1) * 100).toFixed(0)}%); ` +
      `reopened by a reload ${s(r.reopen)} s (${(r.reopen / r.fresh).toFixed(2)} × the fresh import); ` +
      `longest task (of all runs): fresh import ${r.freshLongest.toFixed(0)} ms, reopening ${r.longest.toFixed(0)} ms, of which after the map's first frame ${r.afterFrame.toFixed(0)} ms`,
  );
}
