import { check } from '@placemarkio/check-geojson';
import { readFileSync } from 'node:fs';
import type { Feature, FeatureCollection } from 'geojson';
import { test, expect, dataset, idsOverlapping, openApp, countShown, project } from './fixtures.ts';
import type { Page } from '@playwright/test';

const first = dataset.features.map((f) => f.properties.start.slice(0, 10)).sort()[0];
const last = dataset.features.map((f) => f.properties.end.slice(0, 10)).sort().at(-1)!;
const byPredicate = (pred: (p: (typeof dataset.features)[number]['properties']) => boolean) => {
  const f = dataset.features.find((x) => pred(x.properties));
  if (!f) throw new Error('dataset lacks an expected incident');
  return f.properties;
};
const k1 = byPredicate((p) => p.start.startsWith('2019-12-27'));
const strikeIraq = byPredicate((p) => p.category === 'airstrike' && p.start.startsWith('2019-12-29') && p.place.includes('Iraq'));
const strikeSyria = byPredicate((p) => p.category === 'airstrike' && p.start.startsWith('2019-12-29') && p.place.includes('Syria'));
const embassy = byPredicate((p) => p.category === 'protest/riot');
const ps752 = byPredicate((p) => p.category === 'shootdown');

async function exportFile(page: Page): Promise<{ name: string; text: string; fc: FeatureCollection }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const text = readFileSync((await download.path())!, 'utf8');
  return { name: download.suggestedFilename(), text, fc: JSON.parse(text) as FeatureCollection };
}

test('opens on a drawn map with every incident of the default view listed', async ({ page }) => {
  await openApp(page);
  await expect(page.getByRole('status').filter({ hasText: 'shown' })).toHaveText(`${dataset.features.length} incidents shown`);
  await expect(page.getByTestId('incident-list').getByRole('button')).toHaveCount(dataset.features.length);
  // The canvas really holds a picture: not a blank single-colour frame.
  const png = await page.getByTestId('map').screenshot();
  expect(png.length).toBeGreaterThan(20_000);
  await page.screenshot({ path: 'test-results/dashboard.png' });
});

test('the date slider moves by keyboard: arrows a day, PageUp a week, Home/End to the bounds', async ({ page }) => {
  await openApp(page);
  const start = page.getByRole('slider', { name: 'Start date' });
  const end = page.getByRole('slider', { name: 'End date' });
  await expect(start).toHaveAttribute('aria-valuetext', first);
  await expect(end).toHaveAttribute('aria-valuetext', last);

  await start.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect(start).toHaveAttribute('aria-valuetext', '2019-12-31');
  await page.keyboard.press('PageUp');
  await expect(start).toHaveAttribute('aria-valuetext', '2020-01-07');
  await page.keyboard.press('ArrowLeft');
  await expect(start).toHaveAttribute('aria-valuetext', '2020-01-06');
  await end.focus();
  await page.keyboard.press('Home');
  // The end thumb cannot pass the start thumb.
  await expect(end).toHaveAttribute('aria-valuetext', '2020-01-06');
  await page.keyboard.press('End');
  await expect(end).toHaveAttribute('aria-valuetext', last);
  expect(await countShown(page)).toBe(idsOverlapping('2020-01-06', last).length);
  await expect(page).toHaveURL(/from=2020-01-06&to=2020-01-08/);

  await start.focus();
  await page.keyboard.press('Home');
  await expect(start).toHaveAttribute('aria-valuetext', first);
});

test('dragging the end thumb with the mouse narrows the range and the list follows', async ({ page }) => {
  await openApp(page);
  const end = page.getByRole('slider', { name: 'End date' });
  const box = (await page.getByTestId('date-track').boundingBox())!;
  const thumb = (await end.boundingBox())!;
  await page.mouse.move(thumb.x + thumb.width / 2, thumb.y + thumb.height / 2);
  await page.mouse.down();
  // 27 Dec → 8 Jan is 12 days; drag to the middle of the track (2 Jan).
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(end).toHaveAttribute('aria-valuetext', '2020-01-02');
  const expected = idsOverlapping(first, '2020-01-02');
  expect(await countShown(page)).toBe(expected.length);
  await expect(page.getByTestId('incident-list').getByRole('button')).toHaveCount(expected.length);

  // A click on the track left of the start thumb moves the start thumb there.
  await page.mouse.click(box.x + 1, box.y + box.height / 2);
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', first);
});

test('exports exactly the incidents shown, as valid GeoJSON named after the dates', async ({ page }) => {
  await openApp(page);
  const { name, text, fc } = await exportFile(page);
  expect(name).toBe(`incidents_${first}_${last}.geojson`);
  expect(() => check(text)).not.toThrow();
  expect(fc.features).toHaveLength(await countShown(page));
  const ids = fc.features.map((f) => f.id);
  for (const p of [k1, strikeIraq, strikeSyria, embassy]) expect(ids).toContain(p.id);
  // Properties are kept whole.
  const exportedK1 = fc.features.find((f) => f.id === k1.id)!;
  expect(exportedK1.properties).toEqual(k1);
});

test('the export after narrowing dates holds only incidents overlapping those days', async ({ page }) => {
  await openApp(page, '/?from=2019-12-31&to=2020-01-03');
  const { name, fc } = await exportFile(page);
  expect(name).toBe('incidents_2019-12-31_2020-01-03.geojson');
  expect(fc.features.map((f) => f.id).sort()).toEqual(idsOverlapping('2019-12-31', '2020-01-03').sort());
  for (const f of fc.features as Feature[]) {
    expect(String(f.properties!.start).slice(0, 10) <= '2020-01-03').toBe(true);
    expect(String(f.properties!.end).slice(0, 10) >= '2019-12-31').toBe(true);
  }
});

test('zoomed to Baghdad, the export leaves the far incidents out', async ({ page }) => {
  await openApp(page, '/#map=10.5/33.30/44.33');
  const { fc } = await exportFile(page);
  const ids = fc.features.map((f) => f.id);
  expect(ids).toContain(embassy.id);
  for (const far of [k1, strikeIraq, strikeSyria, ps752]) expect(ids).not.toContain(far.id);
  // Every exported point lies in the map view.
  const size = page.viewportSize()!;
  const map = (await page.getByTestId('map').boundingBox())!;
  for (const f of fc.features as Feature[]) {
    if (f.geometry.type !== 'Point') continue;
    const [lon, lat] = f.geometry.coordinates;
    const px = project({ zoom: 10.5, lat: 33.3, lon: 44.33 }, map, lon, lat);
    expect(px.x).toBeGreaterThanOrEqual(-1);
    expect(px.x).toBeLessThanOrEqual(map.width + 1);
    expect(px.y).toBeGreaterThanOrEqual(-1);
    expect(px.y).toBeLessThanOrEqual(size.height + 1);
  }
  expect(fc.features).toHaveLength(await countShown(page));
});

test('a URL restores dates and view; panning writes them back', async ({ page }) => {
  await openApp(page, '/?from=2020-01-03&to=2020-01-05#map=6/34/44');
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2020-01-03');
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-05');
  await expect(page).toHaveURL(/#map=6\.00\/34\.\d+\/44\.\d+$/);
  // MapLibre's keyboard handler: '+' zooms in one level.
  await page.locator('.maplibregl-canvas').focus();
  await page.keyboard.press('Equal');
  await expect(page).toHaveURL(/#map=7\.00\//);
});

test('invalid URL values fall back to the defaults without an error', async ({ page }) => {
  await openApp(page, '/?from=2019-02-30&to=%3Cscript%3Ealert(1)%3C/script%3E#map=NaN/999/abc');
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', first);
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', last);
  expect(await countShown(page)).toBe(dataset.features.length);
});

test('choosing an incident in the list opens its details with safe source links', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('incident-list').getByRole('button', { name: new RegExp(k1.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).click();
  const panel = page.getByTestId('detail-panel');
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText(k1.title);
  // Every source is listed; those with a URL are links (K-1's Rudaw report has none on file).
  await expect(panel.locator('ul.sources > li')).toHaveCount(k1.sources.length);
  const links = panel.getByRole('link');
  await expect(links).toHaveCount(k1.sources.filter((s) => s.url !== null).length);
  for (const href of await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))) expect(href).toMatch(/^https?:\/\//);
  await expect(links.first()).toHaveAttribute('rel', 'noopener noreferrer');
});

test('clicking an incident on the map opens its details', async ({ page }) => {
  const camera = { zoom: 7, lat: 35.5, lon: 44.3 };
  await openApp(page, `/#map=${camera.zoom}/${camera.lat}/${camera.lon}`);
  const map = (await page.getByTestId('map').boundingBox())!;
  const [lon, lat] = dataset.features.find((f) => f.properties.id === k1.id)!.geometry.coordinates;
  const px = project(camera, map, lon, lat);
  await page.mouse.click(map.x + px.x, map.y + px.y);
  await expect(page.getByTestId('detail-panel').getByRole('heading', { level: 2 })).toHaveText(k1.title);
});

test('exports CSV and a PNG of the map with its legend', async ({ page }) => {
  await openApp(page, '/?from=2019-12-29&to=2020-01-04');
  const shown = idsOverlapping('2019-12-29', '2020-01-04');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(csv.suggestedFilename()).toBe('incidents_2019-12-29_2020-01-04.csv');
  const text = readFileSync((await csv.path())!, 'utf8');
  expect(text.startsWith('\ufeffevent_id_cnty,event_date,')).toBe(true);
  const rowIds = text.split('\r\n').slice(1).map((l) => l.split(',')[0]).filter((id) => dataset.features.some((f) => f.properties.id === id));
  expect(rowIds.sort()).toEqual([...shown].sort());

  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
  expect(png.suggestedFilename()).toBe('incidents_2019-12-29_2020-01-04.png');
  const bytes = readFileSync((await png.path())!);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  // Width and height from the IHDR chunk: the map's size, not an empty canvas.
  const map = (await page.getByTestId('map').boundingBox())!;
  expect(bytes.readUInt32BE(16)).toBe(Math.round(map.width));
  expect(bytes.length).toBeGreaterThan(30_000);
  await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
  }, bytes.toString('base64'));
});
