// Export video: the playback as a WebM file, rendered frame by frame in the browser (WebCodecs
// VP9), then read back by ffprobe, which knows nothing of the app. Kept short: three dates at two
// days a second is a second and a half of video.
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, openApp, dataset } from './fixtures.ts';

const FPS = 30;
const DAY_MS = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
/** The last local day of the data, from the file itself. */
const lastDay = day(dataset.features.map((f) => f.properties.end.slice(0, 10)).sort().at(-1)!);

interface Probe {
  streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[];
  format: { duration: string; format_name: string };
}

function ffprobe(file: string): Probe {
  try {
    return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-count_frames', '-of', 'json', file], { encoding: 'utf8' })) as Probe;
  } catch (e) {
    throw new Error(`ffprobe could not read ${file} (is Debian's ffmpeg installed? .ci/run installs it): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

test('Export video records the playback as VP9 WebM at the map size, a frame per 1/30 s of playback', async ({ page }, info) => {
  // An odd map width (the side panel is 380 px): the video drops the last column.
  await page.setViewportSize({ width: 1281, height: 801 });
  await openApp(page, '/?from=2020-01-05&to=2020-01-06');
  await page.getByLabel('Playback speed').selectOption({ label: '2 days/s' });
  await page.getByLabel('Playback window').selectOption({ label: 'moving window' });
  const map = await page.getByTestId('map').locator('canvas').evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
  expect(map.width % 2, 'the test needs an odd width to check rounding').toBe(1);

  const button = page.getByRole('button', { name: 'Export video' });
  await button.focus();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.keyboard.press('Enter')]);
  const file = info.outputPath('playback.webm');
  await download.saveAs(file);
  expect(download.suggestedFilename()).toBe('incidents_2020-01-05_2020-01-08.webm');

  // The window moves from 5–6 January to the last day of the data, a day at a time, each shown half a second.
  const ranges = lastDay - day('2020-01-06') + 1;
  expect(ranges).toBe(3);
  const seconds = ranges / 2;
  const probe = ffprobe(file);
  expect(probe.format.format_name).toContain('webm');
  expect(probe.streams).toHaveLength(1);
  const [video] = probe.streams;
  expect(video.codec_name).toBe('vp9');
  expect({ width: video.width, height: video.height }).toEqual({ width: map.width - (map.width % 2), height: map.height - (map.height % 2) });
  expect(Number(video.nb_read_frames)).toBe(seconds * FPS);
  // The end of the last frame, to WebM's millisecond: not its start, 1/30 s short (webm-muxer's bug).
  expect(Math.abs(Number(probe.format.duration) - seconds)).toBeLessThanOrEqual(0.001);
  // The pictures move on: the first frame (5–6 January) and the last (7–8 January) differ.
  const hashes = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'framemd5', '-'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /^\s*0,/.test(line))
    .map((line) => line.split(',').at(-1)!.trim());
  expect(hashes).toHaveLength(seconds * FPS);
  expect(hashes[0]).not.toBe(hashes.at(-1));

  // The page is given back as it was: the user's dates, the control ready for another.
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2020-01-06');
  await expect(button).toBeEnabled();
  await expect(page.getByRole('progressbar', { name: 'Video progress' })).toHaveCount(0);
});

test('Cancel stops the render midway: no file, the dates and the control come back', async ({ page }) => {
  // Half a day a second from the first day: hundreds of frames, so Cancel lands midway.
  await openApp(page, '/?from=2019-12-27&to=2019-12-28');
  await page.getByLabel('Playback speed').selectOption({ label: '0.5 days/s' });
  const downloads: string[] = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));

  const button = page.getByRole('button', { name: 'Export video' });
  await button.click();
  const progress = page.getByRole('progressbar', { name: 'Video progress' });
  await expect(progress).toBeVisible();
  await expect(button).toBeDisabled();
  // The page answers while it renders: progress moves and Cancel takes a key.
  await expect.poll(async () => Number(await progress.getAttribute('value'))).toBeGreaterThan(0);
  // Progress and Cancel are labelled like every other control.
  const { violations } = await new AxeBuilder({ page }).include('.actions').analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await page.screenshot({ path: 'test-results/video-rendering.png' });
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await cancel.focus();
  await page.keyboard.press('Enter');

  await expect(progress).toHaveCount(0);
  await expect(button).toBeEnabled();
  await expect(button).toBeFocused();
  await expect(page.getByRole('slider', { name: 'Start date' })).toHaveAttribute('aria-valuetext', '2019-12-27');
  await expect(page.getByRole('slider', { name: 'End date' })).toHaveAttribute('aria-valuetext', '2019-12-28');
  // A download after the cancel: had the cancelled render saved a file, it would come first.
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
  expect(downloads).toEqual([png.suggestedFilename()]);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a browser without WebCodecs is told so, and one without VP9 encoding too', async ({ page }) => {
  await page.addInitScript(() => {
    if (sessionStorage.getItem('vp9') === 'no') {
      VideoEncoder.isConfigSupported = async (config) => ({ supported: false, config });
    } else {
      Reflect.deleteProperty(globalThis, 'VideoEncoder');
    }
  });
  await openApp(page);
  await page.getByRole('button', { name: 'Export video' }).click();
  await expect(page.getByRole('alert')).toContainText('Export video needs WebCodecs');
  await expect(page.getByRole('button', { name: 'Export video' })).toBeEnabled();

  await page.evaluate(() => sessionStorage.setItem('vp9', 'no'));
  await openApp(page);
  await page.getByRole('button', { name: 'Export video' }).click();
  await expect(page.getByRole('alert')).toContainText('Export video needs VP9 encoding');
});
