// Place names in Arabic: the basemap's labels and the incidents' places, by the switch and by
// ?lang=ar. MapLibre shapes Arabic itself, so no RTL plugin is loaded: the page asks for nothing
// it did not ask for in English.
import { test, expect, openApp, project, dataset } from './fixtures.ts';
import type { Page } from '@playwright/test';

// Below zoom 6, where incident titles would push the city labels out.
const CAMERA = { zoom: 5.5, lat: 33.3, lon: 44.4 };
const HASH = `#map=${CAMERA.zoom.toFixed(2)}/${CAMERA.lat.toFixed(2)}/${CAMERA.lon.toFixed(2)}`;

/** The pixels where the Baghdad label is drawn: right of its dot (style.ts anchors it left). */
async function baghdadLabel(page: Page): Promise<Buffer> {
  const map = page.getByTestId('map');
  const box = (await map.boundingBox())!;
  const dot = project(CAMERA, box, 44.366, 33.315);
  // Labels fade in: let placement settle before reading pixels.
  await page.waitForTimeout(1000);
  return page.screenshot({ clip: { x: box.x + dot.x + 4, y: box.y + dot.y - 10, width: 80, height: 20 } });
}

test('the switch draws the basemap labels in Arabic, with no request for a plugin', async ({ page, guard }) => {
  await openApp(page, `/${HASH}`);
  const english = await baghdadLabel(page);
  expect(await baghdadLabel(page), 'the label region is stable between two reads').toEqual(english);
  const before = guard.requests.length;

  await page.getByRole('radio', { name: 'العربية' }).check();
  await expect(page).toHaveURL(/[?&]lang=ar/);
  const arabic = await baghdadLabel(page);
  expect(arabic).not.toEqual(english);
  expect(guard.requests.slice(before), 'requests made by switching to Arabic').toEqual([]);

  await page.getByRole('radio', { name: 'English' }).check();
  await expect(page).not.toHaveURL(/lang=/);
  expect(await baghdadLabel(page)).toEqual(english);
});

test('?lang=ar opens with Arabic labels and Arabic places in the detail panel', async ({ page, guard }) => {
  await openApp(page, `/?lang=ar${HASH}`);
  await expect(page.getByRole('radio', { name: 'العربية' })).toBeChecked();
  expect(guard.requests.filter((u) => /rtl/i.test(u))).toEqual([]);
  const arabic = await baghdadLabel(page);

  const embassy = dataset.features.find((f) => f.properties.place.startsWith('US Embassy compound'))!.properties;
  await page.getByTestId('incident-list').locator(`[data-id="${embassy.id}"]`).click();
  const place = page.getByTestId('place-ar');
  await expect(place).toHaveText('مجمع السفارة الأمريكية، المنطقة الخضراء (الكرخ)، بغداد، العراق');
  await expect(place).toHaveAttribute('dir', 'rtl');
  // The English name stays beside it, for those who search sources in English.
  await expect(page.getByTestId('detail-panel')).toContainText(embassy.place);
  await page.screenshot({ path: 'test-results/arabic.png' });

  await page.getByRole('radio', { name: 'English' }).check();
  await expect(page.getByTestId('place-ar')).toHaveCount(0);
  expect(await baghdadLabel(page)).not.toEqual(arabic);
});
