// Comparing two periods, as a user does it: with the keyboard, from a link, through the CSV.
// The counts are checked against the dataset file read here and against what the app shows
// for each period on its own, not against the app's comparison code.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, dataset, openApp, countShown, idsOverlapping, project } from './fixtures.ts';

// The date fields' segments are typed in the locale's order: month, day, year.
test.use({ locale: 'en-US' });

const byId = new Map(dataset.features.map((f) => [f.properties.id, f.properties]));
/** Per category, the incidents of the dataset overlapping the days (the default view holds them all). */
function categoryCounts(from: string, to: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const id of idsOverlapping(from, to)) {
    const c = byId.get(id)!.category;
    out.set(c, (out.get(c) ?? 0) + 1);
  }
  return out;
}

/** The legend as shown: per category, the count, and the compared count when comparing. */
async function legend(page: Page): Promise<Map<string, { count: number; compared: number | null }>> {
  const entries = await page.locator('[data-category]').evaluateAll((buttons) =>
    buttons.map((b) => ({
      category: b.getAttribute('data-category')!,
      count: Number(b.querySelector('.count')!.textContent!.replace(/[^\d]/g, '')),
      compared: b.querySelector('[data-testid="legend-compared"]') ? Number(b.querySelector('[data-testid="legend-compared"]')!.textContent!.replace(/[^\d]/g, '')) : null,
    })),
  );
  return new Map(entries.map((e) => [e.category, { count: e.count, compared: e.compared }]));
}

async function download(page: Page, name: string) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  return { name: file.suggestedFilename(), text: Buffer.concat(await (await file.createReadStream()).toArray()).toString() };
}

test('keyboard: compare with the period just before, read both in the legend, then move the compared period', async ({ page }) => {
  await openApp(page, '/?from=2020-01-03&to=2020-01-08');
  const toggle = page.getByRole('checkbox', { name: 'Compare with…' });
  await toggle.focus();
  await page.keyboard.press('Space');
  await expect(toggle).toBeChecked();
  // Six days selected: the six before.
  await expect(page.getByLabel('Comparison from')).toHaveValue('2019-12-28');
  await expect(page.getByLabel('Comparison to')).toHaveValue('2020-01-02');
  await expect(page).toHaveURL(/[?&]cmp=2019-12-28\.\.2020-01-02/);

  const selected = categoryCounts('2020-01-03', '2020-01-08');
  const before = categoryCounts('2019-12-28', '2020-01-02');
  await expect.poll(async () => [...(await legend(page))].map(([c, v]) => [c, v.count, v.compared])).toEqual([...(await legend(page)).keys()].map((c) => [c, selected.get(c) ?? 0, before.get(c) ?? 0]));
  const total = idsOverlapping('2020-01-03', '2020-01-08').length;
  const compared = idsOverlapping('2019-12-28', '2020-01-02').length;
  await expect(page.getByTestId('selected-total')).toHaveText(String(total));
  await expect(page.getByTestId('compared-total')).toHaveText(String(compared));
  const diff = total - compared;
  expect(diff).not.toBe(0);
  await expect(page.getByTestId('total-change')).toHaveText(`${diff > 0 ? '+' : '−'}${Math.abs(diff)} (${diff > 0 ? '+' : '−'}${Math.round((Math.abs(diff) / compared) * 100)}%)`);
  await expect(page.getByTestId('histogram-caption')).toContainText(`hatched 2019-12-28 to 2020-01-02: ${compared}`);
  await expect(page.getByTestId('comparison-band')).toHaveCount(1);
  const legendWhileComparing = await legend(page);

  // The compared period, typed into its first date field: 27 Dec 2019, the first day of the data.
  await page.getByLabel('Comparison from').focus();
  await page.keyboard.type('12272019');
  await expect(page).toHaveURL(/[?&]cmp=2019-12-27\.\.2020-01-02/);
  const wider = categoryCounts('2019-12-27', '2020-01-02');
  await expect.poll(async () => [...(await legend(page))].map(([c, v]) => [c, v.compared])).toEqual([...legendWhileComparing.keys()].map((c) => [c, wider.get(c) ?? 0]));

  // The same numbers, obtained through the UI for each period on its own: select the compared
  // period with the slider's keyboard (Home moves the start thumb to the first day).
  await page.getByRole('slider', { name: 'Start date' }).focus();
  await page.keyboard.press('Home');
  await page.getByRole('slider', { name: 'End date' }).focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
  await expect(page).toHaveURL(/[?&]from=2019-12-27&to=2020-01-02/);
  await expect.poll(() => countShown(page)).toBe(idsOverlapping('2019-12-27', '2020-01-02').length);
  const asSelected = await legend(page);
  for (const [c, v] of asSelected) expect(v.count, c).toBe(wider.get(c) ?? 0);

  // Cleared with the keyboard: the legend and the link lose it.
  await toggle.focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('legend-change')).toHaveCount(0);
  await expect(page).not.toHaveURL(/[?&]cmp=/);
});

test('a ?cmp= link restores the comparison; a mangled one is refused with a message', async ({ page }) => {
  await openApp(page, '/?from=2020-01-03&to=2020-01-08&cmp=2019-12-27..2019-12-30');
  await expect(page.getByRole('checkbox', { name: 'Compare with…' })).toBeChecked();
  await expect(page.getByLabel('Comparison from')).toHaveValue('2019-12-27');
  await expect(page.getByLabel('Comparison to')).toHaveValue('2019-12-30');
  await expect(page.getByTestId('compared-total')).toHaveText(String(idsOverlapping('2019-12-27', '2019-12-30').length));
  expect(await countShown(page)).toBe(idsOverlapping('2020-01-03', '2020-01-08').length);

  await openApp(page, '/?from=2020-01-03&to=2020-01-08&cmp=2020-01-08..2019-12-27%3Cscript%3E');
  await expect(page.getByRole('alert')).toContainText("The link's comparison period was not used");
  await expect(page.getByRole('checkbox', { name: 'Compare with…' })).not.toBeChecked();
  expect(await countShown(page)).toBe(idsOverlapping('2020-01-03', '2020-01-08').length);
});

test('Export comparison (CSV) holds both periods per category and per cell; GeoJSON stays the selected period', async ({ page }) => {
  await openApp(page, '/?from=2020-01-03&to=2020-01-08&cmp=2019-12-27..2020-01-02');
  const { name, text } = await download(page, 'Export comparison (CSV)');
  expect(name).toBe('comparison_2020-01-03_2020-01-08_vs_2019-12-27_2020-01-02.csv');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows = text.slice(1).trimEnd().split('\r\n').map((line) => line.split(','));
  const header = rows[0];
  expect(header).toEqual(['level', 'name', 'west', 'south', 'east', 'north', 'selected', 'comparison', 'change', 'change_percent']);
  const col = (row: string[], c: string) => row[header.indexOf(c)];
  const selectedIds = idsOverlapping('2020-01-03', '2020-01-08');
  const comparedIds = idsOverlapping('2019-12-27', '2020-01-02');
  const total = rows.find((r) => r[0] === 'total')!;
  expect([Number(col(total, 'selected')), Number(col(total, 'comparison'))]).toEqual([selectedIds.length, comparedIds.length]);

  const selected = categoryCounts('2020-01-03', '2020-01-08');
  const compared = categoryCounts('2019-12-27', '2020-01-02');
  const categories = rows.filter((r) => r[0] === 'category');
  expect(new Set(categories.map((r) => col(r, 'name')))).toEqual(new Set([...selected.keys(), ...compared.keys()]));
  for (const r of categories) {
    const [a, b] = [Number(col(r, 'selected')), Number(col(r, 'comparison'))];
    expect([a, b], col(r, 'name')).toEqual([selected.get(col(r, 'name')) ?? 0, compared.get(col(r, 'name')) ?? 0]);
    expect(Number(col(r, 'change'))).toBe(a - b);
    expect(col(r, 'change_percent')).toBe(b === 0 ? 'new' : (((a - b) / b) * 100).toFixed(1));
  }

  // Each incident in exactly one cell, by its point within the cell's bounds (west and north edges inside).
  const cells = rows.filter((r) => r[0] === 'cell').map((r) => ({ b: ['west', 'south', 'east', 'north'].map((c) => Number(col(r, c))), a: Number(col(r, 'selected')), c: Number(col(r, 'comparison')) }));
  const inside = (id: string, [w, s, e, n]: number[]) => {
    const [lon, lat] = dataset.features.find((f) => f.properties.id === id)!.geometry.coordinates;
    return lon >= w && lon < e && lat > s && lat <= n;
  };
  for (const cell of cells) {
    expect(cell.a).toBe(selectedIds.filter((id) => inside(id, cell.b)).length);
    expect(cell.c).toBe(comparedIds.filter((id) => inside(id, cell.b)).length);
  }
  expect(cells.reduce((s, c) => s + c.a, 0)).toBe(selectedIds.length);
  expect(cells.reduce((s, c) => s + c.c, 0)).toBe(comparedIds.length);

  const geojson = JSON.parse((await download(page, 'Export GeoJSON')).text);
  expect(geojson.features.map((f: { id: string }) => f.id).sort()).toEqual([...selectedIds].sort());
});

test('axe finds no serious or critical violations while comparing', async ({ page }) => {
  await openApp(page, '/?from=2020-01-03&to=2020-01-08&cmp=2019-12-28..2020-01-02');
  await expect(page.getByTestId('legend-change').first()).toBeVisible();
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
});

test('an embed of a comparing link keeps the comparison and the key to the map cells, with no export', async ({ page }) => {
  await openApp(page, '/?embed=1&from=2020-01-03&to=2020-01-08&cmp=2019-12-28..2020-01-02');
  await expect(page.getByTestId('compared-total')).toHaveText(String(idsOverlapping('2019-12-28', '2020-01-02').length));
  await expect(page.getByRole('list', { name: /Map cells/ }).getByRole('listitem').filter({ hasText: 'no change' })).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Export comparison (CSV)' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Open in Incident Atlas' })).toHaveAttribute('href', /[?&]cmp=2019-12-28\.\.2020-01-02/);
});

/** The colour of one pixel of the page as drawn, decoded by the page itself (no PNG library here). */
async function pixel(page: Page, x: number, y: number): Promise<number[]> {
  const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 } });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0);
    return [...g.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  }, png.toString('base64'));
}

test('the map colours a cell where incidents rose orange and one where they fell purple, and clears them', async ({ page }) => {
  const camera = { zoom: 6.1, lat: 33.6, lon: 44 };
  await openApp(page, `/?from=2020-01-03&to=2020-01-08&cmp=2019-12-28..2020-01-02#map=${camera.zoom}/${camera.lat}/${camera.lon}`);
  const { text } = await download(page, 'Export comparison (CSV)');
  const cells = text
    .slice(1)
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','))
    .filter((r) => r[0] === 'cell')
    .map((r) => ({ bounds: r.slice(2, 6).map(Number), change: Number(r[8]) }));
  const box = (await page.getByTestId('map').boundingBox())!;
  // A point just inside the cell's north-west corner: away from the incidents' dots and labels.
  const corner = ({ bounds: [w, s, e, n] }: (typeof cells)[number]) => project(camera, box, w + (e - w) * 0.12, n - (n - s) * 0.12);
  const onMap = (p: { x: number; y: number }) => p.x > 5 && p.y > 80 && p.x < box.width - 60 && p.y < box.height - 40;
  const rose = cells.find((c) => c.change > 0 && onMap(corner(c)));
  const fell = cells.find((c) => c.change < 0 && onMap(corner(c)));
  expect(rose && fell, 'a cell that rose and one that fell, in view').toBeTruthy();
  // Drawn once MapLibre's worker has tiled the cells.
  await expect.poll(async () => (([red, , blue]) => red - blue)(await pixel(page, corner(rose!).x, corner(rose!).y)), { message: 'rose: orange' }).toBeGreaterThan(40);
  const [r, g, b] = await pixel(page, corner(rose!).x, corner(rose!).y);
  const [r2, g2, b2] = await pixel(page, corner(fell!).x, corner(fell!).y);
  expect(b2 - g2, `fell: rgb(${r2},${g2},${b2}) is purple`).toBeGreaterThan(20);

  await page.getByRole('checkbox', { name: 'Compare with…' }).uncheck();
  await expect.poll(async () => (await pixel(page, corner(rose!).x, corner(rose!).y)).join(), { timeout: 10_000 }).not.toBe([r, g, b].join());
  const [r3, , b3] = await pixel(page, corner(rose!).x, corner(rose!).y);
  expect(r3 - b3, 'the basemap again, not orange').toBeLessThan(r - b);
});
