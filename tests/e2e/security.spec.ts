import type { Page, Route } from '@playwright/test';
import { test, expect, dataset, openApp, countShown } from './fixtures.ts';

test('the app is served under a strict Content-Security-Policy that refuses inline script', async ({ page, guard }) => {
  const response = await page.goto('/');
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).not.toContain('unsafe-inline');
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  // An injected inline script, as an XSS would add: the policy must refuse to run it.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inline = 1';
    document.head.append(script);
  });
  expect(await page.evaluate(() => (window as unknown as { __inline?: number }).__inline)).toBeUndefined();
  // That refusal is the one violation this test provokes; the guard checks there is no other.
  const provoked = (e: string) => e.includes('CSP violation: script-src') || e.includes('violates the following Content Security Policy');
  await expect.poll(() => guard.errors.filter(provoked).length).toBe(2);
  guard.errors.splice(0, guard.errors.length, ...guard.errors.filter((e) => !provoked(e)));
});

const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '<svg onload="window.__xss=1"></svg>',
  '"><script>window.__xss=1</script>',
  '<details open ontoggle="window.__xss=1">',
  '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
  '\u202Egnp.exe\u202C right-to-left override',
];
const BAD_LINKS = ['javascript:window.__xss=1', 'JaVaScRiPt:window.__xss=1', 'data:text/html,<script>window.__xss=1</script>', 'vbscript:msgbox(1)'];

/** The default dataset with every text field carrying a payload, plus features with bad links. */
function hostileDataset(): string {
  const base = dataset.features[0];
  const features = PAYLOADS.map((payload, i) => ({
    ...base,
    id: `hostile-${i}`,
    properties: {
      ...base.properties,
      id: `hostile-${i}`,
      title: payload,
      summary: i === 0 ? 'x'.repeat(1_000_000) : payload,
      place: payload,
      actors: [payload],
      related: [],
      sources: [{ title: payload, publisher: payload, url: 'https://example.org/ok', published: null }],
    },
  }));
  const badLinks = BAD_LINKS.map((url, i) => ({
    ...base,
    id: `bad-link-${i}`,
    properties: { ...base.properties, id: `bad-link-${i}`, title: `bad link ${i}`, related: [], sources: [{ title: 'src', publisher: 'p', url, published: null }] },
  }));
  return JSON.stringify({ type: 'FeatureCollection', features: [...features, ...badLinks] });
}

async function serveHostile(page: Page) {
  await page.route(/\/assets\/incidents-[\w-]+\.geojson$/, (route: Route) => route.fulfill({ contentType: 'application/geo+json', body: hostileDataset() }));
}

test('hostile incident text renders as text: no script runs, no dialog, no error', async ({ page }) => {
  await serveHostile(page);
  await openApp(page);
  expect(await countShown(page)).toBe(PAYLOADS.length);
  const list = page.getByTestId('incident-list');
  for (const [i, payload] of PAYLOADS.entries()) {
    await expect(list.locator(`[data-id="hostile-${i}"] .title`)).toHaveText(payload);
    await list.locator(`[data-id="hostile-${i}"]`).click();
    const panel = page.getByTestId('detail-panel');
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText(payload);
    await expect(panel.getByRole('link')).toHaveAttribute('href', 'https://example.org/ok');
  }
  // Features whose links are not http(s) are refused, with a message naming each, as text.
  const alert = page.getByRole('alert');
  for (const i of BAD_LINKS.keys()) await expect(alert).toContainText(`feature ${PAYLOADS.length + i}, sources[0].url: must be an http: or https: URL`);
  expect(await page.locator('script:not([src])').count()).toBe(0);
  expect(await page.locator('iframe, img[onerror], svg[onload], details[ontoggle]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.evaluate(() => [...document.querySelectorAll('a')].every((a) => /^https?:/.test(a.href) || a.href.startsWith('blob:')))).toBe(true);
});

test('a one-megabyte summary is shortened on screen and kept whole in the export', async ({ page }) => {
  await serveHostile(page);
  await openApp(page);
  await page.getByTestId('incident-list').locator('[data-id="hostile-0"]').click();
  const summary = page.getByTestId('detail-panel').locator('.summary');
  expect((await summary.textContent())!.length).toBeLessThan(6_000);
  await page.getByRole('button', { name: 'Show the full text' }).click();
  expect((await summary.textContent())!.length).toBe(1_000_000);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const fc = JSON.parse(await download.createReadStream().then(async (s) => Buffer.concat(await s.toArray()).toString()));
  expect(fc.features.find((f: { id: string }) => f.id === 'hostile-0').properties.summary).toHaveLength(1_000_000);
});

for (const [name, url] of [
  ['script in the query', '/?from=<script>alert(1)</script>&to="><img src=x onerror=alert(1)>&sel=<svg onload=alert(1)>&cat=<b>&style=javascript:alert(1)'],
  ['impossible dates and NaN', '/?from=2019-02-30&to=NaN#map=NaN/NaN/NaN'],
  ['an out-of-range view', '/#map=99/123/456'],
  ['a 100 KB hash', `/#map=5/33/44${'&x'.repeat(50_000)}`],
  ['a javascript: style URL', '/?style=JaVaScRiPt:alert(1)'],
] as const) {
  test(`a URL with ${name} falls back to the defaults`, async ({ page }) => {
    await openApp(page, url);
    await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', dataset.features.map((f) => f.properties.start.slice(0, 10)).sort()[0]);
    expect(await countShown(page)).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });
}

test('selecting an incident whose id is 1 MB keeps the link under 8 KB, and a reload restores the selection', async ({ page }) => {
  const base = dataset.features[0];
  const long = `long-${'x'.repeat(1024 * 1024)}`;
  const body = JSON.stringify({ type: 'FeatureCollection', features: [{ ...base, id: long, properties: { ...base.properties, id: long, title: 'The long one', related: [] } }, dataset.features[1]] });
  await page.route(/\/assets\/incidents-[\w-]+\.geojson$/, (route: Route) => route.fulfill({ contentType: 'application/geo+json', body }));
  await openApp(page);
  await page.getByTestId('incident-list').getByText('The long one').click();
  await expect(page.getByTestId('detail-panel').getByRole('heading', { level: 2 })).toHaveText('The long one');
  await expect.poll(() => page.evaluate(() => new URL(location.href).searchParams.get('sel'))).toMatch(/^h:[0-9a-f]{16}$/);
  expect((await page.evaluate(() => location.href)).length).toBeLessThan(8192);
  await page.reload();
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('detail-panel').getByRole('heading', { level: 2 })).toHaveText('The long one');
  expect((await page.evaluate(() => location.href)).length).toBeLessThan(8192);
});

for (const [what, style] of [
  ['a refused connection', 'http://127.0.0.1:9/style.json'],
  ['a same-origin 404', `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}/no-such-style.json`],
]) {
  test(`an unusable ?style= (${what}) falls back to the offline map and says why`, async ({ page, guard }) => {
    await openApp(page, `/?style=${encodeURIComponent(style)}`);
    await expect(page.getByRole('alert')).toContainText(`The map style ${style} could not be used`);
    await expect(page.getByRole('alert')).toContainText('The offline basemap is shown instead.');
    expect(await countShown(page)).toBe(dataset.features.length);
    // The refusal (by the policy, or the 404) is what this test provokes; the guard checks there is no other error.
    const provoked = (e: string) => /CSP violation: connect-src|Content Security Policy|Failed to load resource|ERR_/.test(e);
    guard.errors.splice(0, guard.errors.length, ...guard.errors.filter((e) => !provoked(e)));
    guard.requests.splice(0, guard.requests.length, ...guard.requests.filter((u) => u !== style));
  });
}
