// Export HTML: one file that shows what was exported, opened from disk with every request
// blocked, under its own Content-Security-Policy.
import { readFileSync, statSync } from 'node:fs';
import type { FeatureCollection } from 'geojson';
import { test, expect, openApp, countShown, idsOverlapping } from './fixtures.ts';

test('the exported HTML opens from disk, offline, with the same map, count and slider', async ({ page, browser }, info) => {
  await openApp(page, '/?from=2019-12-29&to=2020-01-05&lang=ar#map=5.20/33.50/43.00');
  const count = await countShown(page);
  expect(count).toBe(idsOverlapping('2019-12-29', '2020-01-05').length);
  const [geojson] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const exported = JSON.parse(readFileSync((await geojson.path())!, 'utf8')) as FeatureCollection & { provenance: { feature_count: number } };
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export HTML' }).click()]);
  expect(download.suggestedFilename()).toBe('incidents_2019-12-29_2020-01-05.html');
  const file = info.outputPath('export.html');
  await download.saveAs(file);
  expect(statSync(file).size, 'the default dataset fits in 1.5 MB').toBeLessThanOrEqual(1_500_000);

  // The file holds the same incidents as Export GeoJSON, with its provenance, as readable GeoJSON.
  const html = readFileSync(file, 'utf8');
  const block = /<script type="application\/geo\+json" id="atlas-data">([\s\S]*?)<\/script>/.exec(html)![1];
  const carried = JSON.parse(block) as typeof exported;
  expect(carried.features.map((f) => f.properties!.id)).toEqual(exported.features.map((f) => f.properties!.id));
  expect(carried.provenance.feature_count).toBe(count);

  // From disk, with no network: every request that is not the file or a blob it made is blocked and recorded.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, offline: true });
  const requests: string[] = [];
  const errors: string[] = [];
  await context.route(
    (url) => !url.href.startsWith('file:') && !url.href.startsWith('blob:'),
    (route) => route.abort('blockedbyclient'),
  );
  context.on('request', (r) => requests.push(r.url()));
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`)));
  const viewer = await context.newPage();
  viewer.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  viewer.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await viewer.goto(`file://${file}`);
  await expect(viewer.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await countShown(viewer)).toBe(count);
  // Read-only: nothing imports, exports or copies.
  for (const name of [/^Import/, /^Export/, /^Copy/]) await expect(viewer.getByRole('button', { name })).toHaveCount(0);
  await expect(viewer.getByRole('radio', { name: 'العربية' })).toBeChecked();
  await expect(viewer.getByTestId('incident-list').getByRole('button')).toHaveCount(count);

  const end = viewer.getByRole('slider', { name: 'End date' });
  await end.focus();
  await viewer.keyboard.press('ArrowLeft');
  await expect(end).toHaveAttribute('aria-valuetext', '2020-01-04');
  await expect.poll(() => countShown(viewer)).toBe(idsOverlapping('2019-12-29', '2020-01-04').length);
  expect(idsOverlapping('2019-12-29', '2020-01-04').length).toBeLessThan(count);

  await viewer.getByTestId('incident-list').getByRole('button').first().click();
  await expect(viewer.getByTestId('detail-panel')).toBeVisible();
  await viewer.screenshot({ path: 'test-results/viewer.png' });

  expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:')), 'requests from the file').toEqual([]);
  expect(errors, 'errors and CSP violations in the file').toEqual([]);
  await context.close();
});

test('past 50,000 incidents the Export HTML button says how large the file will be, and it is', async ({ page }, info) => {
  test.setTimeout(180_000);
  const N = 60_000;
  const lines = ['id,date,latitude,longitude,title,event_type,sub_event_type,fatalities'];
  for (let i = 0; i < N; i++) lines.push(`g${i},2020-01-${String(1 + (i % 20)).padStart(2, '0')},${(32 + (i % 300) / 100).toFixed(2)},${(43 + (i % 290) / 100).toFixed(2)},Generated ${i},Battles,Armed clash,${i % 3}`);
  await openApp(page, '/#map=5/33.5/44.5');
  await expect(page.getByRole('button', { name: 'Export HTML' })).toHaveText('Export HTML');
  await page.getByRole('radio', { name: 'replace' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByTestId('import-report')).toContainText(`${N.toLocaleString('en')} imported, 0 rejected`, { timeout: 90_000 });
  expect(await countShown(page)).toBe(N);

  const button = page.getByRole('button', { name: /^Export HTML/ });
  const label = (await button.textContent())!;
  const said = Number(/about ([\d,]+) MB/.exec(label)?.[1].replaceAll(',', ''));
  expect(said, label).toBeGreaterThan(1);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), button.click()]);
  const file = info.outputPath('large.html');
  await download.saveAs(file);
  const megabytes = statSync(file).size / 1e6;
  // Rounded up to whole megabytes, from a sample of the incidents: within a fifth of the truth.
  expect(said).toBeGreaterThanOrEqual(megabytes * 0.8);
  expect(said).toBeLessThanOrEqual(megabytes * 1.2 + 1);
});
