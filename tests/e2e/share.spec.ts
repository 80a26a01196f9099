// Sharing a view: the embed (?embed=1 and the embeddable page under embed/), its link back to
// the full app, and the <iframe> code that Copy embed code writes.
import { test, expect, openApp, countShown, idsOverlapping } from './fixtures.ts';

const STATE = 'from=2019-12-29&to=2020-01-03&cat=airstrike,rocket+attack,protest%2Friot';

test('?embed=1 shows the map, slider, count and legend, and nothing that imports or exports', async ({ page }) => {
  await openApp(page, `/?embed=1&${STATE}#map=5.50/33.50/42.00`);
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2019-12-29');
  await expect(page.getByRole('group', { name: 'Categories' })).toBeVisible();
  const count = await countShown(page);
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThan(idsOverlapping('2019-12-29', '2020-01-03').length);
  for (const name of [/^Import/, /^Export/, 'Copy link', 'Copy embed code']) await expect(page.getByRole('button', { name })).toHaveCount(0);
  await expect(page.getByLabel(/import/i)).toHaveCount(0);
  await expect(page.getByTestId('incident-list')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/embed.png' });

  // A key on the slider narrows the embed, and the link follows the state.
  await page.getByRole('slider', { name: 'End date' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-02');
  const narrowed = await countShown(page);
  const link = page.getByRole('link', { name: 'Open in Incident Atlas' });
  await expect(link).toHaveAttribute('target', '_blank');
  const href = (await link.getAttribute('href'))!;
  expect(href).not.toContain('embed');
  expect(href).toContain('to=2020-01-02');

  const [full] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await expect(full.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(full.getByRole('button', { name: 'Export GeoJSON' })).toBeVisible();
  await expect(full.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2019-12-29');
  await expect(full.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-02');
  await expect(full.getByRole('button', { name: /shootdown/ })).toHaveAttribute('aria-pressed', 'false');
  // The full view is wider (a side panel): the same camera centre and zoom hold the same place.
  expect(full.url()).toContain('#map=5.50/33.50/42.00');
  expect(await countShown(full)).toBeGreaterThanOrEqual(narrowed);
});

test('Copy embed code gives an <iframe> of the embeddable page, which a page can frame', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  // Zoomed out, so that the smaller frame still holds every incident of the state.
  await openApp(page, `/?${STATE}#map=3.00/33.0/44.0`);
  const count = await countShown(page);
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  await expect(page.getByText('Embed code copied')).toBeVisible();
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  const src = /<iframe src="([^"]+)"/.exec(snippet)?.[1].replaceAll('&amp;', '&');
  expect(src).toMatch(/\/embed\/\?.*from=2019-12-29.*embed=1/);

  // The site refuses to be framed; the embeddable page allows it.
  const site = await page.request.get('/');
  expect(site.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  const embed = await page.request.get(new URL(src!).pathname);
  expect(embed.headers()['content-security-policy']).toMatch(/frame-ancestors 'self' https:$/);

  // An article (here a page of this origin) pastes the snippet: the frame draws the same count.
  expect(snippet).toMatch(/^<iframe src="[^"]+" title="Incident Atlas map" width="800" height="500" style="border:0" loading="lazy" referrerpolicy="no-referrer"><\/iframe>$/);
  // Only src is needed here: the snippet's inline style would break this page's own CSP.
  await page.evaluate((url) => {
    const frame = document.createElement('iframe');
    frame.src = url;
    frame.width = '800';
    frame.height = '500';
    document.body.replaceChildren(frame);
  }, src!);
  const frame = page.frameLocator('iframe');
  await expect(frame.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(frame.getByTestId('count')).toHaveText(`${count} incidents shown`);
  await expect(frame.getByRole('link', { name: 'Open in Incident Atlas' })).toBeVisible();
});
