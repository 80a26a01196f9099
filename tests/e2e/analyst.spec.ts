import AxeBuilder from '@axe-core/playwright';
import { test, expect, dataset, openApp, countShown } from './fixtures.ts';

const perDay = (value: (p: (typeof dataset.features)[number]['properties']) => number) => {
  const m = new Map<string, number>();
  for (const f of dataset.features) m.set(f.properties.start.slice(0, 10), (m.get(f.properties.start.slice(0, 10)) ?? 0) + value(f.properties));
  return m;
};
const bars = (page: import('@playwright/test').Page) =>
  page.getByTestId('histogram').locator('g[data-total]').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-start')!, Number(g.getAttribute('data-total'))] as const));

test('the histogram counts incidents per local day, and killed mode sums the upper figures', async ({ page }) => {
  await openApp(page);
  const counts = perDay(() => 1);
  for (const [day, total] of await bars(page)) expect(total, day).toBe(counts.get(day) ?? 0);
  await page.getByRole('radio', { name: 'killed' }).check();
  const killed = perDay((p) => p.killed.max);
  await expect.poll(async () => (await bars(page)).map(([d, t]) => t === (killed.get(d) ?? 0)).every(Boolean)).toBe(true);
  await expect(page).toHaveURL(/measure=killed/);
});

test('brushing the histogram with the mouse sets the date range', async ({ page }) => {
  await openApp(page);
  const box = (await page.getByTestId('histogram').boundingBox())!;
  const days = 13;
  const xOf = (day: number) => box.x + ((day + 0.5) / days) * box.width;
  await page.mouse.move(xOf(2), box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(xOf(5), box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2019-12-29');
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-01');
});

test('legend entries toggle their category, with counts, and the export follows', async ({ page }) => {
  await openApp(page);
  const rockets = dataset.features.filter((f) => f.properties.category === 'rocket attack').length;
  const toggle = page.getByRole('button', { name: /rocket attack/ });
  await expect(toggle).toContainText(String(rockets));
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  expect(await countShown(page)).toBe(dataset.features.length - rockets);
  await expect(page).toHaveURL(/cat=[a-z%2C+]+/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const fc = JSON.parse(await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b).toString()));
  expect(fc.features.some((f: { properties: { category: string } }) => f.properties.category === 'rocket attack')).toBe(false);
  await toggle.press('Enter');
  expect(await countShown(page)).toBe(dataset.features.length);
});

test('the status filter hides disputed incidents', async ({ page }) => {
  await openApp(page);
  const disputed = dataset.features.filter((f) => f.properties.status === 'disputed').length;
  expect(disputed).toBeGreaterThan(0);
  await page.getByRole('checkbox', { name: 'disputed' }).uncheck();
  expect(await countShown(page)).toBe(dataset.features.length - disputed);
});

test('a related incident in the detail panel is one click away', async ({ page }) => {
  await openApp(page);
  const withRelation = dataset.features.find((f) => f.properties.related.length > 0)!.properties;
  const target = dataset.features.find((f) => f.properties.id === withRelation.related[0].id)!.properties;
  await page.getByTestId('incident-list').locator(`[data-id="${withRelation.id}"]`).click();
  const panel = page.getByTestId('detail-panel');
  await expect(panel).toContainText(withRelation.related[0].type);
  await panel.getByRole('button', { name: target.title }).first().click();
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText(target.title);
  await expect(page).toHaveURL(new RegExp(`sel=${target.id}`));
  // Local and UTC times are both labelled.
  await expect(panel).toContainText('When (UTC)');
});

test('hovering an incident on the map highlights it in the list', async ({ page }) => {
  await openApp(page, '/#map=7/35.5/44.3');
  const map = (await page.getByTestId('map').boundingBox())!;
  await page.mouse.move(map.x + map.width / 2 - 1, map.y + map.height / 2 - 1);
  const k1 = dataset.features.find((f) => f.properties.start.startsWith('2019-12-27'))!;
  const { project } = await import('./fixtures.ts');
  const px = project({ zoom: 7, lat: 35.5, lon: 44.3 }, map, ...(k1.geometry.coordinates as [number, number]));
  await page.mouse.move(map.x + px.x, map.y + px.y, { steps: 3 });
  await expect(page.getByTestId('incident-list').locator(`[data-id="${k1.properties.id}"]`)).toHaveClass(/hovered/);
});

test('a list row is highlighted while the mouse is on it or it has focus, and only then', async ({ page }) => {
  await openApp(page);
  const list = page.getByTestId('incident-list');
  const rows = list.getByRole('button');
  const hovered = list.locator('button.hovered');
  // Onto a row's title, then within the row onto its date: still that one row.
  await rows.nth(1).locator('.title').hover();
  await expect(hovered).toHaveCount(1);
  const id = await rows.nth(1).getAttribute('data-id');
  await expect(hovered).toHaveAttribute('data-id', id!);
  await rows.nth(1).locator('.when').hover();
  await expect(hovered).toHaveAttribute('data-id', id!);
  // Straight onto the next row: it takes over.
  await rows.nth(2).hover();
  await expect(hovered).toHaveAttribute('data-id', (await rows.nth(2).getAttribute('data-id'))!);
  // Off the list: none.
  await page.getByRole('heading', { level: 1 }).hover();
  await expect(hovered).toHaveCount(0);
  // Keyboard focus does the same, and focus moving off the list clears it.
  await rows.nth(3).focus();
  await expect(hovered).toHaveAttribute('data-id', (await rows.nth(3).getAttribute('data-id'))!);
  await page.getByRole('heading', { level: 1 }).click();
  await expect(hovered).toHaveCount(0);
});

test('playback runs the window to the end of the data and stops', async ({ page }) => {
  await openApp(page, '/?from=2019-12-27&to=2019-12-29&speed=4');
  const play = page.getByRole('button', { name: 'Play' });
  await play.click();
  await expect(page.getByRole('button', { name: 'Pause' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-08', { timeout: 10_000 });
  // A moving window keeps its width of three days.
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2020-01-06');
  await expect(page.getByRole('button', { name: 'Play' })).toHaveAttribute('aria-pressed', 'false');
});

test('cumulative playback keeps the start and is operable by keyboard', async ({ page }) => {
  await openApp(page, '/?from=2019-12-27&to=2020-01-08&speed=4&play=cumulative');
  await expect(page.getByRole('combobox', { name: 'Playback window' })).toHaveValue('cumulative');
  await page.getByRole('button', { name: 'Play' }).focus();
  await page.keyboard.press('Enter');
  // Started at the end, so it restarts from the first day.
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-08', { timeout: 10_000 });
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2019-12-27');
  await expect(page.getByRole('button', { name: 'Play' })).toHaveAttribute('aria-pressed', 'false');
});

test('a permalink restores the whole state, and Copy link copies it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page, '/#map=6/34/44');
  await page.getByRole('slider', { name: 'Start date' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.getByRole('button', { name: /shootdown/ }).click();
  await page.getByRole('checkbox', { name: 'confirmed' }).uncheck();
  await page.getByRole('checkbox', { name: 'Show chains' }).check();
  await page.getByRole('radio', { name: 'killed' }).check();
  await page.getByRole('combobox', { name: 'Playback window' }).selectOption('cumulative');
  const someId = await page.getByTestId('incident-list').getByRole('button').first().getAttribute('data-id');
  await page.getByTestId('incident-list').getByRole('button').first().click();
  // Selecting flies the map to the incident (zoom 7); copy once the view has settled.
  await expect(page).toHaveURL(/#map=7\.00\//);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(page.url());
  const count = await countShown(page);

  const again = await context.newPage();
  await openApp(again, link.replace(/^https?:\/\/[^/]+/, ''));
  await expect(again.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2019-12-28');
  await expect(again.getByRole('button', { name: /shootdown/ })).toHaveAttribute('aria-pressed', 'false');
  await expect(again.getByRole('checkbox', { name: 'confirmed' })).not.toBeChecked();
  await expect(again.getByRole('checkbox', { name: 'Show chains' })).toBeChecked();
  await expect(again.getByRole('radio', { name: 'killed' })).toBeChecked();
  await expect(again.getByRole('combobox', { name: 'Playback window' })).toHaveValue('cumulative');
  await expect(again.getByTestId('detail-panel')).toBeVisible();
  await expect(again.getByTestId('incident-list').locator(`[data-id="${someId}"]`)).toHaveAttribute('aria-current', 'true');
  expect(await countShown(again)).toBe(count);
  expect(again.url()).toBe(link);
});

test('axe finds no serious or critical accessibility violations', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('incident-list').getByRole('button').first().click();
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
});

test('keyboard alone reaches every control with a visible focus ring', async ({ page }) => {
  await openApp(page);
  const reached = new Set<string>();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { name: el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? '', ring: style.outlineStyle !== 'none' && style.outlineWidth !== '0px' };
    });
    reached.add(info.name);
    if (['Start date', 'End date', 'Export GeoJSON', 'Copy link'].includes(info.name)) expect(info.ring, `${info.name} shows focus`).toBe(true);
  }
  for (const name of ['Start date', 'End date', 'Play', 'Export GeoJSON', 'Copy link']) expect([...reached]).toContain(name);
});

for (const { name, width, height, scheme } of [
  { name: 'phone', width: 375, height: 740, scheme: 'light' as const },
  { name: 'desktop-dark', width: 1440, height: 900, scheme: 'dark' as const },
  { name: 'wide', width: 2560, height: 1200, scheme: 'light' as const },
]) {
  test(`lays out without horizontal overflow at ${name} size`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await expect(page.getByRole('button', { name: 'Export GeoJSON' })).toBeInViewport();
    await page.screenshot({ path: `test-results/dashboard-${name}.png` });
  });
}
