// Large imports are drawn by the same GPU layer as the bundled dataset; to the user nothing else changes.
import { test, expect, openApp, countShown, project } from './fixtures.ts';

const LARGE = 20_000;
/** Below the density look (DENSE_FROM, 10,000): drawn as pins. */
const NATIVE = 8_000;
const CENTER = { lat: 33.3, lon: 44.4 };

/** Seeded rows spread over Iraq and 20 days, none within 0.1° of the centre but one. */
interface Row {
  day: string;
  lat: number;
  lon: number;
}

function rows(N = LARGE): { csv: string; list: Row[] } {
  let a = 12345;
  const rand = () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines = ['id,date,latitude,longitude,title,event_type,sub_event_type,fatalities'];
  const list: Row[] = [];
  for (let i = 0; i < N - 1; i++) {
    let lat: number;
    let lon: number;
    do {
      lat = 32 + rand() * 3;
      lon = 43 + rand() * 3;
    } while (Math.hypot(lat - CENTER.lat, lon - CENTER.lon) < 0.1);
    const day = `2020-01-${String(1 + (i % 20)).padStart(2, '0')}`;
    list.push({ day, lat: Number(lat.toFixed(5)), lon: Number(lon.toFixed(5)) });
    lines.push(`g${i},${day},${lat.toFixed(5)},${lon.toFixed(5)},Generated ${i},Battles,Armed clash,${i % 3}`);
  }
  lines.push(`target,2020-01-20,${CENTER.lat},${CENTER.lon},The one at the centre,Riots,Violent demonstration,0`);
  list.push({ day: '2020-01-20', ...CENTER });
  return { csv: lines.join('\n'), list };
}

test('20,000 imported incidents are drawn on the GPU and filter, select and export like a small set', async ({ page }) => {
  test.setTimeout(120_000);
  const N = LARGE;
  const { csv, list } = rows();
  await openApp(page, `/#map=8/${CENTER.lat}/${CENTER.lon}`);
  await page.getByRole('radio', { name: 'replace' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-report')).toContainText(`${N.toLocaleString('en')} imported, 0 rejected`, { timeout: 60_000 });

  // The view at zoom 8 around Baghdad, computed independently (Web Mercator, 512-px tiles).
  const map = (await page.getByTestId('map').boundingBox())!;
  const world = 512 * 2 ** 8;
  const yOf = (lat: number) => (0.5 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / (2 * Math.PI)) * world;
  const latOf = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / world))) * 180) / Math.PI;
  const [w, e] = [CENTER.lon - (map.width / 2 / world) * 360, CENTER.lon + (map.width / 2 / world) * 360];
  const [n, s] = [latOf(yOf(CENTER.lat) - map.height / 2), latOf(yOf(CENTER.lat) + map.height / 2)];
  const expected = (from: string) => list.filter((r) => r.day >= from && r.lon >= w && r.lon <= e && r.lat >= s && r.lat <= n).length;
  const all = await countShown(page);
  expect(all).toBe(expected('2020-01-01'));
  // The legend counts the store's columns: every generated row is an armed clash, the one at
  // the centre a riot; counts are written with thousands separators.
  await expect(page.getByRole('button', { name: /armed clash/ }).locator('.count')).toHaveText((all - 1).toLocaleString('en'));
  await expect(page.getByRole('button', { name: /protest\/riot/ }).locator('.count')).toHaveText('1');

  // Five days later: the count falls by exactly the incidents of the first five days in view.
  const start = page.getByRole('slider', { name: 'Start date' });
  await start.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await expect(start).toHaveAttribute('aria-valuetext', '2020-01-06');
  const later = await countShown(page);
  expect(later).toBe(expected('2020-01-06'));

  // The GPU-drawn point at the centre is picked by a click, as a native one would be.
  await page.mouse.click(map.x + map.width / 2, map.y + map.height / 2);
  await expect(page.getByTestId('detail-panel').getByRole('heading', { level: 2 })).toHaveText('The one at the centre');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const fc = JSON.parse(Buffer.concat(await (await download.createReadStream()).toArray()).toString());
  expect(fc.features).toHaveLength(later);
  expect(fc.features.every((f: { properties: { start: string } }) => f.properties.start.slice(0, 10) >= '2020-01-06')).toBe(true);
  await page.screenshot({ path: 'test-results/large.png' });
});

test('8,000 imported incidents are drawn as pins and picked', async ({ page }) => {
  test.setTimeout(120_000);
  const { csv, list } = rows(NATIVE);
  await openApp(page, `/#map=8/${CENTER.lat}/${CENTER.lon}`);
  await page.getByRole('radio', { name: 'replace' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'mid.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-report')).toContainText(`${NATIVE.toLocaleString('en')} imported, 0 rejected`, { timeout: 60_000 });
  const map = (await page.getByTestId('map').boundingBox())!;
  // Until the new data is applied the bundled data is shown, with the US embassy in Baghdad
  // right here, so clicks are repeated until one lands on the new point.
  await expect(async () => {
    await page.mouse.click(map.x + map.width / 2, map.y + map.height / 2);
    await expect(page.getByTestId('detail-panel').getByRole('heading', { level: 2 })).toHaveText('The one at the centre', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  expect(list).toHaveLength(NATIVE);
});

/**
 * Pixels of the map area with exactly this colour (±2 per channel), or with 'greenish' those
 * tinted green at all (green above red by 12, and not below blue: not the land, roads or
 * water), counted in the page from a screenshot.
 */
async function pixelsOf(page: import('@playwright/test').Page, hex: string): Promise<number> {
  const box = (await page.getByTestId('map').boundingBox())!;
  const png = await page.screenshot({ clip: box });
  return page.evaluate(
    async ({ bytes, hex }) => {
      const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      let n = 0;
      if (hex === 'greenish') {
        for (let i = 0; i < data.length; i += 4) if (data[i + 1] - data[i] > 12 && data[i + 1] >= data[i + 2]) n++;
        return n;
      }
      const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) <= 2 && Math.abs(data[i + 1] - g) <= 2 && Math.abs(data[i + 2] - b) <= 2) n++;
      return n;
    },
    { bytes: [...png], hex },
  );
}

test('above 50,000 points in the window the drawn frame is cached, and redrawn whenever filters or the camera change', async ({ page }) => {
  test.setTimeout(180_000);
  // 120,000 armed clashes in a 1° box on two days; zoom 7 draws them opaque in the category colour.
  const lines = ['id,date,latitude,longitude,event_type,sub_event_type'];
  for (let i = 0; i < 120_000; i++) lines.push(`c${i},2020-01-0${1 + (i % 2)},${(33 + (i % 347) / 347).toFixed(4)},${(44 + (i % 331) / 331).toFixed(4)},Battles,Armed clash`);
  await openApp(page, '/#map=7/33.5/44.5');
  await page.getByRole('radio', { name: 'replace' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'dense.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByTestId('import-report')).toContainText('120,000 imported, 0 rejected', { timeout: 90_000 });
  await expect(page.getByTestId('count')).toHaveText('120,000 incidents shown');
  const green = '#009E73';
  await expect.poll(() => pixelsOf(page, green), { timeout: 30_000 }).toBeGreaterThan(1000);
  const shown = await pixelsOf(page, green);

  // A filter change must not leave the cached frame on screen.
  const legend = page.getByRole('button', { name: /armed clash/ });
  await legend.click();
  await expect(page.getByTestId('count')).toHaveText('0 incidents shown');
  await expect.poll(() => pixelsOf(page, green), { timeout: 30_000 }).toBe(0);
  await legend.click();
  await expect.poll(() => pixelsOf(page, green), { timeout: 30_000 }).toBe(shown);

  // Nor a camera change: panned far east, the points leave the view.
  await page.getByTestId('map').locator('canvas').focus();
  // One press at a time: a press during the previous pan's easing cuts that pan short, and on
  // a loaded machine the twelve would then not reach far enough east.
  for (let i = 0; i < 12; i++) {
    const before = page.url();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((url) => location.href !== url, before);
  }
  await expect.poll(() => pixelsOf(page, green), { timeout: 30_000 }).toBeLessThan(shown / 2);
});

test('uncertainty circles: every one up to 200 incidents, above that only the selected one', async ({ page }) => {
  test.setTimeout(180_000);
  // Armed clashes in a band in the south of the view, and one alone to the north. Region
  // precision (3) gives each a 50 km circle; site precision (1) none, and the same points.
  const header = 'event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities';
  const csv = (n: number, precision: 1 | 3) => {
    const lines = [header];
    for (let i = 0; i < n - 1; i++) lines.push(`r${i},5 January 2020,2020,1,Battles,Armed clash,A,B,Iraq,Anbar,Band ${i},${(30.8 + (i % 15) * 0.06).toFixed(2)},${(39 + Math.floor(i / 15) * 0.3).toFixed(2)},${precision},S,,0`);
    lines.push(`target,5 January 2020,2020,1,Battles,Armed clash,A,B,Iraq,Anbar,Lone town,34.5,42,${precision},S,,0`);
    return { name: `${n}-${precision}.csv`, mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) };
  };
  const camera = { zoom: 6, lat: 33, lon: 42 };
  await openApp(page, `/#map=${camera.zoom}/${camera.lat}/${camera.lon}`);
  await page.getByRole('radio', { name: 'replace' }).check();
  const box = (await page.getByTestId('map').boundingBox())!;
  const green = 'greenish';
  /** Green pixels once the map has settled, with the mouse off the incidents (a hover draws a circle too). */
  const settled = async (n: number, precision: 1 | 3) => {
    await page.getByLabel('Import', { exact: true }).setInputFiles(csv(n, precision));
    await expect(page.getByTestId('import-report')).toContainText(`${n} imported, 0 rejected`);
    await page.mouse.move(box.x + 5, box.y + 5);
    let last = -1;
    await expect.poll(async () => last === (last = await pixelsOf(page, green)), { timeout: 30_000, intervals: [500] }).toBe(true);
    return last;
  };

  const sites300 = await settled(300, 1);
  const regions300 = await settled(300, 3);
  await expect(page.getByTestId('uncertainty-note')).toContainText('drawn for the selected incident');
  expect(Math.abs(regions300 - sites300), 'no circles above 200 incidents').toBeLessThan(20);

  // Clicking the lone incident on the map selects it (the camera stays): its circle appears,
  // tinting ~7,500 pixels (a 50 km radius is ~49 px here).
  const target = project(camera, box, 42, 34.5);
  await page.mouse.click(box.x + target.x, box.y + target.y);
  await expect(page.getByTestId('detail-panel')).toContainText('Lone town');
  await page.mouse.move(box.x + 5, box.y + 5);
  await expect.poll(async () => (await pixelsOf(page, green)) - regions300, { timeout: 30_000 }).toBeGreaterThan(5000);
  await page.getByRole('button', { name: 'Close details' }).click();
  // (The list moves up under the mouse: a hovered row's incident would show its circle.)
  await page.mouse.move(box.x + 5, box.y + 5);
  await expect.poll(async () => Math.abs((await pixelsOf(page, green)) - regions300), { timeout: 30_000 }).toBeLessThan(20);

  const sites150 = await settled(150, 1);
  const regions150 = await settled(150, 3);
  await expect(page.getByTestId('uncertainty-note')).not.toContainText('drawn for the selected incident');
  expect(regions150 - sites150, 'each of the 150 has its circle').toBeGreaterThan(20_000);
});

test('a long export shows its progress and can be cancelled: no file, and focus back on its button', async ({ page }) => {
  test.setTimeout(120_000);
  const N = 60_000;
  await openApp(page, `/#map=6/${CENTER.lat}/${CENTER.lon}`);
  await page.getByRole('radio', { name: 'replace' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(rows(N).csv) });
  await expect(page.getByTestId('import-report')).toContainText(`${N.toLocaleString('en')} imported, 0 rejected`, { timeout: 60_000 });
  await expect.poll(() => countShown(page)).toBe(N);
  let downloads = 0;
  page.on('download', () => downloads++);

  const button = page.getByRole('button', { name: 'Export GeoJSON' });
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('progressbar', { name: 'Export progress' })).toBeVisible();
  await expect(button).toBeDisabled();
  await page.getByRole('button', { name: 'Cancel export' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Exporting' })).toHaveCount(0);
  await expect(button).toBeEnabled();
  await expect(button).toBeFocused();
  // Long enough for the rest of the export to have been written, had Cancel not stopped it.
  await page.waitForTimeout(3_000);
  expect(downloads).toBe(0);

  // Not cancelled, the same export arrives whole.
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const fc = JSON.parse(Buffer.concat(await (await download.createReadStream()).toArray()).toString());
  expect(fc.features).toHaveLength(N);
});
