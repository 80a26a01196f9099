import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { test, expect, dataset, openApp, countShown, startLargeImport } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { importCsv, issuesToCsv } from '../../src/core/import/index.ts';

const fixture = (name: string) => new URL(`../fixtures/import/${name}`, import.meta.url).pathname;
const total = dataset.features.length;
const report = (page: Page) => page.getByTestId('import-report');

async function importFile(page: Page, name: string) {
  await page.getByLabel('Import', { exact: true }).setInputFiles(fixture(name));
}

test('imports an ACLED CSV through the file chooser and adds it to the map, list and count', async ({ page }) => {
  await openApp(page);
  await importFile(page, 'acled.csv');
  await expect(report(page)).toContainText('acled.csv: 3 imported, 0 rejected');
  await expect(report(page)).toContainText('Read as an ACLED export.');
  expect(await countShown(page)).toBe(total + 3);
  await expect(page.getByTestId('incident-list').locator('[data-id="IRQ1002"]')).toBeVisible();

  // The export cites both files by their SHA-256 (the import's is computed after its report),
  // and holds the imported rows as they were read. (Before a click in the list: the map flies
  // to the incident chosen, and the view, so the export, would change under the test.)
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
  const fc = JSON.parse(Buffer.concat(await (await download.createReadStream()).toArray()).toString());
  const sha = createHash('sha256').update(readFileSync(fixture('acled.csv'))).digest('hex');
  expect(fc.provenance.datasets.map((d: { name: string }) => d.name)).toEqual(['data/incidents.geojson', 'acled.csv']);
  expect(fc.provenance.datasets[1].sha256).toBe(sha);
  const k1 = fc.features.find((f: { id: string }) => f.id === 'IRQ1001');
  expect(k1.properties).toMatchObject({ category: 'missile strike', killed: { min: 1, max: 1 } });
  expect(k1.geometry.coordinates).toEqual([44.2842, 35.5125]);

  await page.getByTestId('incident-list').locator('[data-id="IRQ1002"]').click();
  await expect(page.getByTestId('detail-panel')).toContainText('Reuters');
});

test('reports each rejected row with its number, field and reason, and offers them as CSV', async ({ page }) => {
  await openApp(page);
  await importFile(page, 'bad-rows.csv');
  await expect(report(page)).toContainText('bad-rows.csv: 2 imported, 6 rejected');
  const rows = report(page).locator('tbody tr');
  await expect(rows).toHaveCount(6);
  await expect(rows.nth(0)).toHaveText(/row 3.*latitude out of range — columns swapped\?/);
  await expect(report(page)).toContainText('impossible date 2019-02-30');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download rejected rows (CSV)' }).click()]);
  expect(download.suggestedFilename()).toBe('bad-rows_rejected.csv');
  const lines = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
  expect(lines[0].replace(/^\ufeff/, '')).toBe('where,number,field,reason');
  expect(lines).toHaveLength(7);
  // Of the two imported, the one at the pole (90, −180) is outside the map view.
  expect(await countShown(page)).toBe(total + 1);
});

test('replace swaps the data and the slider takes the new span', async ({ page }) => {
  await openApp(page);
  await page.getByRole('radio', { name: 'replace' }).check();
  await importFile(page, 'timezones.csv');
  await expect(report(page)).toContainText('5 imported, 0 rejected');
  await expect(report(page)).toContainText('no time zone offset and were read as UTC');
  expect(await countShown(page)).toBe(5);
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2020-01-02');
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-03');
});

test('adding data outside the current span extends the slider bounds', async ({ page }) => {
  await openApp(page);
  await page.getByLabel('Import', { exact: true }).setInputFiles({
    name: 'later.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('id,date,latitude,longitude,title\nlater,2020-02-01,33.3,44.4,A month later\n'),
  });
  await expect(report(page)).toContainText('1 imported');
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-02-01');
  expect(await countShown(page)).toBe(total + 1);
});

test('adding 30,000 rows to 30,000 merges them off the page, rejecting an id already loaded', async ({ page }) => {
  test.setTimeout(120_000);
  // Above 50,000 in all, the stores are merged in a worker (src/workers/store-merge.ts).
  const csv = (prefix: string, day: string, extra = '') => {
    const lines = ['id,date,latitude,longitude,title'];
    for (let i = 0; i < 30_000; i++) lines.push(`${prefix}${i},${day},${(33 + (i % 100) / 100).toFixed(2)},${(43 + Math.floor(i / 100) / 300).toFixed(3)},Row ${prefix}${i}`);
    return { name: `${prefix}.csv`, mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + extra) };
  };
  await openApp(page);
  await page.getByRole('radio', { name: 'replace' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles(csv('a', '2020-01-02'));
  await expect(report(page)).toContainText('30,000 imported, 0 rejected', { timeout: 60_000 });
  await page.getByRole('radio', { name: 'add' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles(csv('b', '2020-01-05', '\na7,2020-01-05,33.5,43.5,Not the first a7'));
  await expect(report(page)).toContainText('30,000 imported, 1 rejected', { timeout: 60_000 });
  await expect(report(page)).toContainText('"a7" is already loaded; the loaded incident is kept');
  expect(await countShown(page)).toBe(60_000);
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-05');
  // The merged store answers the slider: from 2020-01-03 only the added rows are left.
  const start = page.getByRole('slider', { name: 'Start date' });
  await start.focus();
  await page.keyboard.press('ArrowRight');
  await expect(start).toHaveAttribute('aria-valuetext', '2020-01-03');
  expect(await countShown(page)).toBe(30_000);
  await expect(page.getByTestId('incident-list').locator('[data-id="a7"]')).toHaveCount(0);
  await expect(page.getByTestId('incident-list').locator('[data-id="b7"]')).toHaveCount(1);
});

test('broken JSON raises an alert naming line and column, and the data stays', async ({ page }) => {
  await openApp(page);
  await importFile(page, 'broken.geojson');
  await expect(page.getByRole('alert')).toContainText('broken.geojson: The file is not valid JSON: unexpected "]" at line 5, column 3.');
  await expect(page.getByRole('alert')).toContainText('The data shown is unchanged.');
  expect(await countShown(page)).toBe(total);
});

test('a PNG renamed .csv and a projected crs are refused with a clear message', async ({ page }) => {
  await openApp(page);
  await importFile(page, 'image.csv');
  await expect(page.getByRole('alert')).toContainText('This file is a PNG image, not GeoJSON or CSV.');
  await importFile(page, 'crs.geojson');
  await expect(page.getByRole('alert')).toContainText('"crs" member');
  expect(await countShown(page)).toBe(total);
});

test('a file with nothing valid leaves the current data untouched', async ({ page }) => {
  await openApp(page);
  await page.getByRole('radio', { name: 'replace' }).check();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'junk.csv', mimeType: 'text/csv', buffer: Buffer.from('id,date,latitude,longitude\nx,2019-02-30,95,200\n') });
  await expect(page.getByRole('alert')).toContainText('nothing could be imported (1 rejected)');
  expect(await countShown(page)).toBe(total);
});

test('ambiguous columns ask for a mapping, then import', async ({ page }) => {
  await openApp(page);
  await importFile(page, 'ambiguous.csv');
  await page.getByLabel('Latitude column').selectOption('northing');
  await page.getByLabel('Longitude column').selectOption('easting');
  await page.getByLabel('Date column').selectOption('when');
  await page.getByRole('button', { name: 'Import with these columns' }).click();
  await expect(report(page)).toContainText('1 imported, 0 rejected');
  expect(await countShown(page)).toBe(total + 1);
});

test('a file dropped on the map is imported', async ({ page }) => {
  await openApp(page);
  const text = readFileSync(fixture('acled.csv'), 'utf8');
  const transfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'dropped.csv', { type: 'text/csv' }));
    return dt;
  }, text);
  const map = page.getByTestId('map');
  await map.dispatchEvent('dragenter', { dataTransfer: transfer });
  await map.dispatchEvent('dragover', { dataTransfer: transfer });
  await expect(page.getByText('Drop a GeoJSON or CSV file to import it')).toBeVisible();
  await map.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(report(page)).toContainText('dropped.csv: 3 imported, 0 rejected');
  expect(await countShown(page)).toBe(total + 3);
});

test('a large import shows progress and can be cancelled, keeping the data', async ({ page }) => {
  await openApp(page);
  await startLargeImport(page);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  expect(await countShown(page)).toBe(total);
  await expect(report(page)).toHaveCount(0);
});

test('an import that lies outside the view moves the map to it', async ({ page }) => {
  await openApp(page, '/#map=9/33.3/44.4');
  await page.getByLabel('Import', { exact: true }).setInputFiles({
    name: 'kabul.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('id,date,latitude,longitude,title\nk1,2020-01-02,34.53,69.17,Kabul\nk2,2020-01-03,34.6,69.2,Near Kabul\n'),
  });
  await expect(report(page)).toContainText('2 imported');
  await expect(page).toHaveURL(/#map=\d+\.\d+\/34\.\d+\/69\.\d+/);
  await expect(page.getByTestId('incident-list').locator('[data-id="k1"]')).toBeVisible();
});

/**
 * An analyst's large file, about 19 MB: some ids blank (numbered by row), quoted notes with
 * line breaks, blank lines, bad rows and ids repeated nearby all through it.
 */
function largeCsv(repeatAcrossHalves: boolean): string {
  const rows = ['event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,notes,fatalities'];
  const n = 170_000;
  for (let i = 0; i < n; i++) {
    const id = i % 97 === 0 ? '' : i % 1009 === 1 ? `A${i - 1}` : `A${i}`;
    const lat = i % 4999 === 7 ? '95' : (30 + (i % 700) / 100).toFixed(2);
    const date = i % 7919 === 3 ? '2019-02-30' : `${1 + (i % 28)} January 2020`;
    rows.push(`${id},${date},Battles,Armed clash,${lat},${(40 + (i % 900) / 100).toFixed(2)},"Clashes near the town,\nline ${i} of the ""notes""",${i % 5}`);
    if (i % 3001 === 0) rows.push('');
  }
  if (repeatAcrossHalves) rows.push(`A5,3 January 2020,Battles,Armed clash,33,44,"late repeat",0`);
  return rows.join('\n');
}

for (const repeat of [false, true]) {
  test(`a large CSV file read ${repeat ? 'through, when its two parts would not combine,' : 'in two parts by two workers'} reports exactly what one read-through does`, async ({ page }) => {
    test.setTimeout(120_000);
    await openApp(page);
    await page.getByRole('radio', { name: 'replace' }).check();
    const text = largeCsv(repeat);
    expect(text.length).toBeGreaterThan(16 * 1024 * 1024);
    await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'large.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    // The reference: the importer itself, read through in Node.
    const expected = importCsv(text);
    await expect(report(page)).toContainText(`large.csv: ${expected.incidents.length.toLocaleString('en')} imported, ${expected.issues.length.toLocaleString('en')} rejected`, { timeout: 60_000 });
    // A repeat of an id from the first half in the second means one worker must read it all.
    await expect(report(page)).toHaveAttribute('data-parts', repeat ? '1' : '2');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download rejected rows (CSV)' }).click()]);
    expect(readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '')).toBe(issuesToCsv(expected.issues));
    // A row of the second part with a generated id is exported with its own row number and notes.
    const late = expected.incidents.filter((i) => i.id.startsWith('row-')).at(-1)!;
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export GeoJSON' }).click()]);
    const fc = JSON.parse(Buffer.concat(await (await exported.createReadStream()).toArray()).toString());
    const shown = new Map(fc.features.map((f: { id: string }) => [f.id, f]));
    expect(shown.get(late.id)).toMatchObject({ id: late.id, properties: { notes: late.properties.notes, start: late.properties.start } });
  });
}

test('a UTF-16 CSV with a byte-order mark (Excel "Unicode text") is decoded, not refused as binary', async ({ page }) => {
  await openApp(page);
  const text = '\ufeffid\tdate\tlatitude\tlongitude\ttitle\nu1\t2020-01-02\t33.3\t44.4\tCafé\nu2\t2020-01-03\t33.4\t44.5\tStraße\n';
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'unicode.txt', mimeType: 'text/plain', buffer: Buffer.from(text, 'utf16le') });
  await expect(report(page)).toContainText('unicode.txt: 2 imported, 0 rejected');
  await expect(page.getByTestId('incident-list').locator('[data-id="u1"]')).toContainText('Café');
});

test('a .json file holding one long string is refused as not GeoJSON, quickly, never read as CSV', async ({ page }) => {
  await openApp(page);
  const started = Date.now();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'string.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify('x'.repeat(2 * 1024 * 1024))) });
  await expect(page.getByRole('alert')).toContainText('string.json: The JSON is a string, not GeoJSON: expected a FeatureCollection, a Feature or an array of Features.', { timeout: 5_000 });
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(page.getByText('Which columns of')).toHaveCount(0);
  expect(await countShown(page)).toBe(total);
});

test('a CSV header of 64,000 fields, and 30 MB without a line break, are refused in the worker; the page stays responsive', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  const answersSlider = async () => {
    const start = page.getByRole('slider', { name: 'Start date' });
    await start.focus();
    const before = await start.getAttribute('aria-valuetext');
    const t = Date.now();
    await page.keyboard.press('ArrowRight');
    await expect(start).not.toHaveAttribute('aria-valuetext', before!, { timeout: 2_000 });
    expect(Date.now() - t).toBeLessThan(2_000);
    await page.keyboard.press('ArrowLeft');
  };
  const wide = Array.from({ length: 64_000 }, (_, i) => `column${i}`).join(',');
  let started = Date.now();
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(`${wide}\n${'1,'.repeat(63_999)}1\n`) });
  await expect(page.getByRole('alert')).toContainText('wide.csv: The header (row 1) has 64,000 fields; at most 2,000 are read.', { timeout: 5_000 });
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(page.getByText('Which columns of')).toHaveCount(0);
  expect(await countShown(page)).toBe(total);
  await answersSlider();

  // Timed from when the page has the file: handing 30 MB to the browser takes Playwright seconds.
  await page.getByLabel('Import', { exact: true }).setInputFiles({ name: 'line.csv', mimeType: 'text/csv', buffer: Buffer.alloc(30 * 1024 * 1024, 'a,') });
  started = Date.now();
  await expect(page.getByRole('alert')).toContainText('line.csv: The first line has no line break in its first 1,048,576 bytes', { timeout: 5_000 });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(await countShown(page)).toBe(total);
  await answersSlider();
});
