// Drawing the area filter with the mouse, as a user does it: clicks at map pixels over known
// incidents, a double-click or Enter to close, Escape to cancel, a vertex dragged. What is
// expected is computed here from the dataset file and the area the app reports (the export's
// provenance, the link), with a point-in-polygon of the test's own.
import AxeBuilder from '@axe-core/playwright';
import { test, expect, dataset, openApp, countShown, project } from './fixtures.ts';
import type { Page } from '@playwright/test';

const CAMERA = { zoom: 8, lat: 33.5, lon: 44.2 };
/** Around Baghdad and Taji, short of Balad to the north. */
const BOX: [number, number][] = [
  [43.9, 33.1],
  [44.6, 33.1],
  [44.6, 33.7],
  [43.9, 33.7],
];

/** Even-odd ray casting over a closed ring: the oracle, independent of core/area.ts. */
function inside(ring: number[][], [x, y]: number[]): boolean {
  let odd = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}
const idsInside = (ring: number[][]) =>
  dataset.features
    .filter((f) => inside(ring, f.geometry.coordinates))
    .map((f) => f.properties.id)
    .sort();

/** The ring of ?area= in the page's URL, closed. */
function ringOfUrl(page: Page): number[][] {
  const value = new URL(page.url()).searchParams.get('area');
  if (!value) throw new Error(`no area in ${page.url()}`);
  const ring = value.split(';').map((p) => p.split(',').map(Number));
  return [...ring, ring[0]];
}

async function mapPixel(page: Page, [lon, lat]: [number, number]) {
  const box = (await page.getByTestId('map').boundingBox())!;
  const p = project(CAMERA, box, lon, lat);
  return { x: box.x + p.x, y: box.y + p.y };
}

async function exported(page: Page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString();
  return { name: download.suggestedFilename(), fc: JSON.parse(text) };
}

const status = (page: Page) => page.getByTestId('draw-status');

test('an area drawn by mouse counts and exports what lies inside; a dragged vertex edits it; a link restores it', async ({ page, context }) => {
  await openApp(page, `/#map=${CAMERA.zoom}/${CAMERA.lat}/${CAMERA.lon}`);
  await page.getByRole('button', { name: 'Draw area' }).click();
  await expect(status(page)).toHaveText('Drawing area: 0 points. Enter to close, Escape to cancel.');
  for (const [k, corner] of BOX.slice(0, 3).entries()) {
    const { x, y } = await mapPixel(page, corner);
    await page.mouse.click(x, y);
    await expect(status(page)).toContainText(`${k + 1} point${k ? 's' : ''}.`);
  }
  await expect(status(page)).toHaveText('Drawing area: 3 points. Enter to close, Escape to cancel.');
  const last = await mapPixel(page, BOX[3]);
  await page.mouse.dblclick(last.x, last.y);
  await expect(status(page)).toHaveText('');
  await expect(page).toHaveURL(/[?&]area=/);

  // The ring is where the clicks were, to within a pixel or so (a pixel is ~0.003° here).
  const ring = ringOfUrl(page);
  expect(ring).toHaveLength(5);
  ring.slice(0, 4).forEach(([lon, lat], k) => {
    expect(Math.abs(lon - BOX[k][0])).toBeLessThan(0.01);
    expect(Math.abs(lat - BOX[k][1])).toBeLessThan(0.01);
  });
  const expected = idsInside(ring);
  expect(expected.length).toBeGreaterThan(1);
  expect(expected.length).toBeLessThan(dataset.features.length);
  await expect.poll(() => countShown(page)).toBe(expected.length);

  const { name, fc } = await exported(page);
  expect(name).toMatch(/_area\.geojson$/);
  expect(fc.features.map((f: { id: string }) => f.id).sort()).toEqual(expected);
  expect(fc.provenance.filters.area).toEqual({ type: 'Polygon', coordinates: [ring] });

  // Drag the north-east corner north, over Balad: the area, the count and the link follow.
  const from = await mapPixel(page, BOX[2]);
  const to = await mapPixel(page, [44.6, 34.1]);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => ringOfUrl(page)[2][1]).toBeGreaterThan(34);
  const edited = idsInside(ringOfUrl(page));
  expect(edited.length).toBeGreaterThan(expected.length);
  await expect.poll(() => countShown(page)).toBe(edited.length);
  // The map did not pan under the drag: the other corners stay where they were drawn.
  expect(ringOfUrl(page)[0]).toEqual(ring[0]);

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: /copy link/i }).click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const other = await context.newPage();
  await openApp(other, link);
  await expect.poll(() => countShown(other)).toBe(edited.length);
  await other.close();
});

test('Escape cancels a drawing, Enter closes one, a ring that crosses itself is refused, and arrows still pan', async ({ page }) => {
  await openApp(page, `/#map=${CAMERA.zoom}/${CAMERA.lat}/${CAMERA.lon}`);
  // Those in the view, as none is drawn yet.
  const shown = await countShown(page);
  const draw = page.getByRole('button', { name: 'Draw area' });
  const click = async (lonLat: [number, number]) => {
    const { x, y } = await mapPixel(page, lonLat);
    await page.mouse.click(x, y);
  };

  // Started from the keyboard, the drawing takes the keys: Escape reaches it.
  await draw.focus();
  await page.keyboard.press('Enter');
  await expect(draw).toHaveAttribute('aria-pressed', 'true');
  await expect(status(page)).toHaveText('Drawing area: 0 points. Enter to close, Escape to cancel.');
  await expect(page.getByTestId('map').locator('canvas')).toBeFocused();
  await click(BOX[0]);
  await click(BOX[1]);
  await expect(status(page)).toContainText('2 points');
  await page.keyboard.press('Escape');
  await expect(status(page)).toHaveText('');
  await expect(draw).toHaveAttribute('aria-pressed', 'false');
  await expect(page).not.toHaveURL(/[?&]area=/);
  expect(await countShown(page)).toBe(shown);

  // Enter closes a triangle.
  await draw.click();
  for (const corner of BOX.slice(0, 3)) await click(corner);
  await page.keyboard.press('Enter');
  await expect(status(page)).toHaveText('');
  await expect(page).toHaveURL(/[?&]area=/);
  const triangle = idsInside(ringOfUrl(page));
  expect(triangle.length).toBeGreaterThan(0);
  expect(triangle.length).toBeLessThan(idsInside([...BOX, BOX[0]]).length);
  await expect.poll(() => countShown(page)).toBe(triangle.length);

  // A bow tie: refused with the pasted area's message, and the triangle stays.
  await draw.click();
  for (const corner of [BOX[0], BOX[2], BOX[1], BOX[3]]) await click(corner);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('crosses itself');
  expect(idsInside(ringOfUrl(page))).toEqual(triangle);
  expect(await countShown(page)).toBe(triangle.length);

  // The map keeps its keys while drawing: an arrow pans it, and the drawing goes on.
  await draw.click();
  await click(BOX[0]);
  // While drawing, over an area with its handles: still clean for axe.
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  const before = new URL(page.url()).hash;
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => new URL(page.url()).hash).not.toBe(before);
  await expect(status(page)).toContainText('1 point.');
  await page.keyboard.press('Escape');
  await expect(status(page)).toHaveText('');
  expect(idsInside(ringOfUrl(page))).toEqual(triangle);
});
