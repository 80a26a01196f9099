// Imported files kept in the browser (issue #19): real Chromium, real Origin Private File System.
// A browser context keeps its OPFS across page.reload(); a new context starts with none.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { test, expect, dataset, openApp, countShown, startLargeImport } from './fixtures.ts';
import type { Page } from '@playwright/test';

const fixture = (name: string) => new URL(`../fixtures/import/${name}`, import.meta.url).pathname;
const sha256 = (name: string) => createHash('sha256').update(readFileSync(fixture(name))).digest('hex');
const total = dataset.features.length;
const report = (page: Page) => page.getByTestId('import-report');
const datasets = (page: Page) => page.getByTestId('dataset');
const listedIds = (page: Page) => page.getByTestId('incident-list').locator('[data-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());

async function importFile(page: Page, name: string) {
  await page.getByLabel('Import', { exact: true }).setInputFiles(fixture(name));
}

/** Waits until the Datasets panel lists this many datasets saved in the browser. */
async function savedCount(page: Page, n: number) {
  await expect(page.locator('[data-testid="dataset"][data-state="saved"]')).toHaveCount(n);
}

/** The names in the library's folder, read by the page itself. */
function storedFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('datasets', { create: true });
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names.sort();
  });
}

test('an imported ACLED file survives a reload with its count, ids and report; removed, it is gone after the next', async ({ page }) => {
  await openApp(page);
  await importFile(page, 'acled.csv');
  await expect(report(page)).toContainText('acled.csv: 3 imported, 0 rejected');
  await savedCount(page, 1);
  const ids = await listedIds(page);
  expect(ids).toContain('IRQ1002');

  await page.reload();
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(report(page)).toContainText('acled.csv: 3 imported, 0 rejected');
  await expect(report(page)).toContainText('Read as an ACLED export.');
  expect(await countShown(page)).toBe(total + 3);
  expect(await listedIds(page)).toEqual(ids);

  await page.getByText('Datasets (').click();
  await expect(datasets(page)).toHaveCount(2);
  await expect(datasets(page).nth(0)).toContainText('data/incidents.geojson');
  await expect(datasets(page).nth(1)).toContainText('acled.csv');
  await expect(datasets(page).nth(1)).toContainText('3 rows, 2019-12-27 to 2019-12-31');
  await expect(datasets(page).nth(1)).toContainText(`SHA-256 ${sha256('acled.csv').slice(0, 8)}`);
  await expect(page.getByTestId('storage-usage')).toContainText('used of');

  await page.getByRole('button', { name: 'Remove acled.csv' }).click();
  await expect(datasets(page)).toHaveCount(1);
  expect(await countShown(page)).toBe(total);
  await page.reload();
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await countShown(page)).toBe(total);
  await expect(report(page)).toHaveCount(0);
  expect((await storedFiles(page)).filter((n) => n.endsWith('.data'))).toEqual([]);
});

test('an import cancelled halfway leaves nothing stored; bytes no manifest names are deleted on the next start', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await startLargeImport(page);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  expect((await storedFiles(page)).filter((n) => n.endsWith('.data'))).toEqual([]);
  // Bytes a reload cut off before the manifest named them: the next start deletes them.
  await page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('datasets', { create: true });
    const w = await (await dir.getFileHandle('0f8fad5b-d9cb-469f-a165-70867728950e.data', { create: true })).createWritable();
    await w.write('id,date,latitude,longitude\nx,2020-01-01,1,1\n');
    await w.close();
  });
  await page.reload();
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await countShown(page)).toBe(total);
  await expect(report(page)).toHaveCount(0);
  await expect(datasets(page)).toHaveCount(1);
  await expect.poll(async () => (await storedFiles(page)).filter((n) => n.endsWith('.data'))).toEqual([]);
});

test('a full storage quota is reported in words; the import stays on screen, marked not saved', async ({ page }) => {
  await page.addInitScript(() => {
    FileSystemWritableFileStream.prototype.write = () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
  });
  await openApp(page);
  await importFile(page, 'acled.csv');
  await expect(page.getByRole('alert')).toContainText('acled.csv is shown but not saved in this browser: the browser’s storage for this site is full');
  expect(await countShown(page)).toBe(total + 3);
  await page.getByText('Datasets (').click();
  await expect(datasets(page).nth(1)).toHaveAttribute('data-state', 'not saved');
  await expect(datasets(page).nth(1)).toContainText('not saved: the browser’s storage for this site is full');
  expect((await storedFiles(page)).filter((n) => n.endsWith('.data'))).toEqual([]);
  await page.reload();
  await expect(page.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await countShown(page)).toBe(total);
});

test('without a file system for the page (a private window) imports work, with a note that they are not kept', async ({ page }) => {
  await page.addInitScript(() => {
    navigator.storage.getDirectory = () => Promise.reject(new DOMException('The operation is insecure.', 'SecurityError'));
  });
  await openApp(page);
  await expect(page.getByTestId('not-kept')).toContainText('Imported files will not be kept after this tab closes: this browser does not let the page keep files');
  await importFile(page, 'acled.csv');
  await expect(report(page)).toContainText('acled.csv: 3 imported, 0 rejected');
  expect(await countShown(page)).toBe(total + 3);
  await page.getByText('Datasets (').click();
  await expect(datasets(page).nth(1)).toHaveAttribute('data-state', 'not saved');
});

test('a permalink names a dataset this browser lacks; importing it restores the view', async ({ page, browser }) => {
  await openApp(page);
  await importFile(page, 'acled.csv');
  await savedCount(page, 1);
  await expect(page).toHaveURL(/ds=/);
  // The link's days and selection lie in the imported file.
  const url = new URL(page.url());
  url.searchParams.set('from', '2019-12-28');
  url.searchParams.set('to', '2019-12-29');
  url.searchParams.set('sel', 'IRQ1002');
  const link = `${url.pathname}${url.search}${url.hash}`;
  // Opened where the data is kept, the link is restored exactly.
  await openApp(page, link);
  await expect(page.locator('[data-id="IRQ1002"][aria-current="true"]')).toBeVisible();
  const expected = await countShown(page);

  // A colleague's browser: a context of its own, with nothing kept.
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const colleague = await other.newPage();
  try {
    await openApp(colleague, link);
    const missing = colleague.getByTestId('missing-data');
    await expect(missing).toContainText('acled.csv');
    await expect(missing).toContainText(`SHA-256 ${sha256('acled.csv').slice(0, 8)}`);
    await expect(missing).toHaveAttribute('role', 'alert');
    // The URL still says what the link needs.
    expect(new URL(colleague.url()).searchParams.get('ds')).toBe(url.searchParams.get('ds'));
    await colleague.getByLabel('Import the missing file').setInputFiles(fixture('acled.csv'));
    await expect(missing).toHaveCount(0);
    await expect(colleague.locator('[data-id="IRQ1002"][aria-current="true"]')).toBeVisible();
    expect(await countShown(colleague)).toBe(expected);
    await expect(colleague.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2019-12-28');
    await expect(colleague.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2019-12-29');
  } finally {
    await other.close();
  }
});

test('two tabs: a file imported in one is in the other after a reload, and both agree', async ({ page, context }) => {
  const second = await context.newPage();
  await openApp(page);
  await openApp(second);
  await importFile(page, 'bad-rows.csv');
  await savedCount(page, 1);
  await importFile(second, 'acled.csv');
  await savedCount(second, 1);

  await page.reload();
  await second.reload();
  for (const p of [page, second]) {
    await expect(p.getByTestId('map')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await savedCount(p, 2);
    // The last file read back shows its report, rejected rows included.
    await expect(report(p)).toContainText('acled.csv: 3 imported, 0 rejected');
  }
  expect(await countShown(second)).toBe(await countShown(page));
  expect(await datasets(second).allTextContents()).toEqual(await datasets(page).allTextContents());
  expect((await storedFiles(page)).filter((n) => n.endsWith('.data'))).toHaveLength(2);
});
