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

const BAGHDAD = [
  [44.0, 33.0],
  [44.7, 33.0],
  [44.7, 33.6],
  [44.0, 33.6],
];
/** Independent of the app: the dataset's points in a lon/lat box. */
const idsInBox = ([w, s, e, n]: number[]) =>
  dataset.features
    .filter((f) => {
      const [x, y] = f.geometry.coordinates;
      return x >= w && x <= e && y >= s && y <= n;
    })
    .map((f) => f.properties.id)
    .sort();

test('an area pasted by keyboard narrows the map, exports exactly what it counts, and a link restores it', async ({ page, context }) => {
  await openApp(page);
  const expected = idsInBox([44.0, 33.0, 44.7, 33.6]);
  expect(expected.length).toBeGreaterThan(0);
  expect(expected.length).toBeLessThan(dataset.features.length);
  // Keyboard only: open the Area section, paste into the text box, submit with the button.
  const summary = page.getByText('Area', { exact: true });
  await summary.focus();
  await page.keyboard.press('Enter');
  const field = page.getByLabel('GeoJSON Polygon or MultiPolygon');
  await field.focus();
  await page.keyboard.insertText(JSON.stringify({ type: 'Polygon', coordinates: [[...BAGHDAD, BAGHDAD[0]]] }));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect.poll(() => countShown(page)).toBe(expected.length);
  await expect(page).toHaveURL(/[?&]area=44,33;44\.7,33;44\.7,33\.6;44,33\.6(&|#|$)/);

  const { name, fc } = await exported(page);
  expect(name).toMatch(/_area\.geojson$/);
  expect(fc.features.map((f: { id: string }) => f.id).sort()).toEqual(expected);
  expect(fc.provenance.filters.area).toEqual({ type: 'Polygon', coordinates: [[...BAGHDAD, BAGHDAD[0]]] });

  // Bad input: a clear message, and the area shown stays.
  await field.fill('{"type":"Point","coordinates":[44.4,33.3]}');
  await page.getByRole('button', { name: 'Apply area' }).click();
  await expect(page.getByRole('alert')).toContainText('Point is not an area');
  await field.fill(JSON.stringify({ type: 'Polygon', coordinates: [[[44, 33], [45, 34], [45, 33], [44, 34], [44, 33]]] }));
  await page.getByRole('button', { name: 'Apply area' }).click();
  await expect(page.getByRole('alert')).toContainText('crosses itself');
  expect(await countShown(page)).toBe(expected.length);

  // The copied link, opened in a new page, restores the area.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: /copy link/i }).click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const other = await context.newPage();
  await openApp(other, link);
  await expect.poll(() => countShown(other)).toBe(expected.length);
  await other.close();

  await page.getByRole('button', { name: 'Clear area' }).click();
  await expect.poll(() => countShown(page)).toBe(dataset.features.length);
  await expect(page).not.toHaveURL(/[?&]area=/);
});

test('"within N km of" a point keeps the incidents that near it', async ({ page }) => {
  await openApp(page);
  await page.getByText('Area', { exact: true }).click();
  await page.getByLabel('Within km').fill('30');
  await page.getByLabel('of longitude').fill('44.366');
  await page.getByLabel('latitude', { exact: true }).fill('33.315');
  await page.getByRole('button', { name: 'Apply circle' }).click();
  // Baghdad's incidents lie within 30 km of its centre; others are hundreds of km away.
  const near = dataset.features.filter((f) => {
    const [x, y] = f.geometry.coordinates;
    const dx = (x - 44.366) * 111.32 * Math.cos((33.315 * Math.PI) / 180);
    const dy = (y - 33.315) * 110.57;
    return Math.hypot(dx, dy) <= 30;
  }).length;
  expect(near).toBeGreaterThan(0);
  await expect.poll(() => countShown(page)).toBe(near);
});

test('search, an area and a comparison together: the copied link restores all three', async ({ page, context }) => {
  await openApp(page, '/?from=2020-01-03&to=2020-01-08');
  await page.getByRole('searchbox', { name: 'Search incidents' }).fill('us');
  await page.getByText('Area', { exact: true }).click();
  await page.getByLabel('GeoJSON Polygon or MultiPolygon').fill(JSON.stringify({ type: 'Polygon', coordinates: [[...BAGHDAD, BAGHDAD[0]]] }));
  await page.getByRole('button', { name: 'Apply area' }).click();
  await page.getByRole('checkbox', { name: 'Compare with…' }).check();
  await expect(page).toHaveURL(/[?&]q=us(&|#|$)/);
  await expect(page).toHaveURL(/[?&]area=/);
  await expect(page).toHaveURL(/[?&]cmp=2019-12-28\.\.2020-01-02/);
  const state = async (p: Page) => ({
    count: await countShown(p),
    selected: await p.getByTestId('selected-total').textContent(),
    compared: await p.getByTestId('compared-total').textContent(),
  });
  await expect.poll(async () => (await state(page)).count).toBeLessThan(idsInBox([44.0, 33.0, 44.7, 33.6]).length);
  const before = await state(page);
  expect(before.count).toBeGreaterThan(0);
  const ids = (await exported(page)).fc.features.map((f: { id: string }) => f.id).sort();

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: /copy link/i }).click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const other = await context.newPage();
  await openApp(other, link);
  await expect(other.getByRole('searchbox', { name: 'Search incidents' })).toHaveValue('us');
  await expect(other.getByText('Area (on)')).toBeVisible();
  await expect(other.getByRole('checkbox', { name: 'Compare with…' })).toBeChecked();
  await expect(other.getByLabel('Comparison from')).toHaveValue('2019-12-28');
  await expect.poll(() => state(other)).toEqual(before);
  const restored = await exported(other);
  expect(restored.name).toMatch(/_area\.geojson$/);
  expect(restored.fc.features.map((f: { id: string }) => f.id).sort()).toEqual(ids);
  await other.close();
});
