// Asking the map: text search (and the area filter), as a user does it, checked against the
// dataset file read here, not against the app's own code.
import { test, expect, dataset, openApp, countShown } from './fixtures.ts';
import type { Page } from '@playwright/test';

/** Every text field search reads, as the file holds it. */
const textOf = (p: (typeof dataset.features)[number]['properties']) => [p.title, p.summary, p.place, ...p.actors, ...p.sources.flatMap((s) => [s.title, s.publisher])].join('\n');
const idsWhere = (re: RegExp) => dataset.features.filter((f) => re.test(textOf(f.properties))).map((f) => f.properties.id).sort();

async function exported(page: Page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString();
  return { name: download.suggestedFilename(), fc: JSON.parse(text) };
}

test('searching "kataib" finds Kata\'ib, marks it, exports exactly those, and a link restores it', async ({ page }) => {
  await openApp(page);
  const expected = idsWhere(/kata'ib/i);
  expect(expected.length).toBeGreaterThan(1);
  const box = page.getByRole('searchbox', { name: 'Search incidents' });
  await box.focus();
  await page.keyboard.type('kataib');
  await expect.poll(() => countShown(page)).toBe(expected.length);
  await expect(page).toHaveURL(/[?&]q=kataib/);
  const list = page.getByTestId('incident-list');
  const ids = await list.locator('button[data-id]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-id')!).sort());
  expect(ids).toEqual(expected);
  // Marked as text: the <mark> holds the letters as written.
  const marks = await page.locator('mark').allTextContents();
  expect(marks.length).toBeGreaterThan(0);
  for (const m of marks) expect(m.toLowerCase().replace(/'/g, '')).toBe('kataib');

  const { fc } = await exported(page);
  expect(fc.features.map((f: { id: string }) => f.id).sort()).toEqual(expected);
  expect(fc.provenance.filters.search).toBe('kataib');
  expect(fc.provenance.feature_count).toBe(expected.length);

  // Selecting flies the map to the incident, so the view narrows: after the export.
  await list.locator('button[data-id]').first().click();
  await expect(page.getByTestId('detail-panel').locator('mark').first()).toHaveText(/Kata'ib/i);

  await page.reload();
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.getByRole('searchbox', { name: 'Search incidents' })).toHaveValue('kataib');
  await expect.poll(() => countShown(page)).toBe(expected.length);
});

test('"al qaim" finds al-Qa\'im; every word must match; clearing the box shows all again', async ({ page }) => {
  await openApp(page);
  const box = page.getByRole('searchbox', { name: 'Search incidents' });
  await box.fill('al qaim');
  await expect.poll(() => countShown(page)).toBe(idsWhere(/al-qa'im/i).length);
  await box.fill('al qaim zzzz');
  await expect.poll(() => countShown(page)).toBe(0);
  await expect(page.getByTestId('incident-list')).toContainText('that match the search');
  await box.fill('');
  await expect.poll(() => countShown(page)).toBe(dataset.features.length);
  await expect(page).not.toHaveURL(/[?&]q=/);
});

test('search reads imported Arabic text, with or without vowel marks', async ({ page }) => {
  await openApp(page);
  const feature = (id: string, title: string) => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [44.4, 33.3] }, properties: { id, title, start: '2020-01-02T10:00:00+03:00', category: 'airstrike' } });
  const file = JSON.stringify({ type: 'FeatureCollection', features: [feature('ar-1', 'قصف مقر كَتَائِب حزب الله'), feature('ar-2', 'تظاهرة في بغداد')] });
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'arabic.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(file) });
  await expect(page.getByTestId('import-report')).toContainText('2 imported');
  await page.getByRole('searchbox', { name: 'Search incidents' }).fill('كتائب');
  await expect.poll(() => countShown(page)).toBe(1);
  await expect(page.getByTestId('incident-list').locator('mark')).toHaveText('كَتَائِب');
});
