// Shared browser-test fixtures. Every test gets a page whose requests are recorded and checked:
// anything that is not our own origin (or data:/blob:) fails the test — the app is offline.
import { test as base, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { FeatureCollection, Point } from 'geojson';
import type { IncidentProperties } from '../../src/core/schema.ts';

const ORIGIN = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;

export interface Guard {
  requests: string[];
  errors: string[];
}

export const test = base.extend<{ guard: Guard }>({
  guard: [
    async ({ page, context }, use) => {
      const guard: Guard = { requests: [], errors: [] };
      // Block as well as record, so a stray request cannot even reach the network.
      await context.route(
        (url) => !url.href.startsWith(ORIGIN),
        (route) => route.abort('blockedbyclient'),
      );
      context.on('request', (r) => guard.requests.push(r.url()));
      // Content-Security-Policy violations are reported as events in the page: count them all.
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
        });
      });
      page.on('dialog', (d) => {
        guard.errors.push(`dialog: ${d.type()} ${d.message()}`);
        void d.dismiss();
      });
      page.on('pageerror', (e) => guard.errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') guard.errors.push(`console: ${m.text()}`);
      });
      await use(guard);
      const foreign = guard.requests.filter((u) => !u.startsWith(ORIGIN) && !u.startsWith('data:') && !u.startsWith('blob:'));
      expect(foreign, 'requests that left the machine').toEqual([]);
      expect(guard.errors, 'page errors').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export const dataset = JSON.parse(readFileSync(new URL('../../data/incidents.geojson', import.meta.url), 'utf8')) as FeatureCollection<Point, IncidentProperties>;

/** Independent of the app's code: ISO dates compare as strings. */
export function idsOverlapping(from: string, to: string): string[] {
  return dataset.features.filter((f) => f.properties.start.slice(0, 10) <= to && f.properties.end.slice(0, 10) >= from).map((f) => f.properties.id);
}

/** Opens the app and waits until the map has drawn its first complete frame. */
export async function openApp(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

export function countShown(page: Page): Promise<number> {
  return page
    .getByRole('status')
    .filter({ hasText: 'shown' })
    .textContent()
    .then((t) => Number((t ?? '').replace(/[^\d]/g, '')));
}

/** Web Mercator as MapLibre uses it (512-px tiles): the pixel of lon/lat for a camera. */
export function project(camera: { zoom: number; lat: number; lon: number }, size: { width: number; height: number }, lon: number, lat: number) {
  const world = 512 * 2 ** camera.zoom;
  const x = (l: number) => ((l + 180) / 360) * world;
  const y = (p: number) => {
    const s = Math.sin((p * Math.PI) / 180);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * world;
  };
  return { x: size.width / 2 + x(lon) - x(camera.lon), y: size.height / 2 + y(lat) - y(camera.lat) };
}

/**
 * Starts an import of a 400,000-row ACLED CSV through the file chooser and waits for its
 * progress bar: large enough that Cancel lands while the worker is still reading.
 */
export async function startLargeImport(page: Page): Promise<void> {
  const rows = ['event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,fatalities'];
  for (let i = 0; i < 400_000; i++) rows.push(`X${i},2020-01-0${1 + (i % 8)},Battles,Armed clash,${30 + (i % 1000) / 100},${40 + (i % 700) / 100},${i % 5}`);
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await expect(page.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
}
