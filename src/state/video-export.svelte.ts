// Export video: the job around map/video.ts. It walks the playback the user set up (mode, speed,
// view) through the app's own state, so every frame is drawn by the same filter, map and
// captions as the page, then puts the user's dates back. Progress and Cancel are state here;
// the export menu only shows them.

import { flushSync } from 'svelte';
import { frameSchedule, playbackRanges } from '../core/playback.ts';
import { exportFileName } from '../core/export.ts';
import type { IncidentMap } from '../map/incident-map.ts';
import type { AtlasState } from './atlas.svelte.ts';
import { snapshotText } from './snapshot-text.ts';

export class VideoExport {
  /** The fraction of frames done while a video renders, else null. */
  progress = $state<number | null>(null);
  private controller: AbortController | null = null;
  private readonly atlas: AtlasState;

  constructor(atlas: AtlasState) {
    this.atlas = atlas;
  }

  /** Renders the playback as WebM; its file name and contents, or null when cancelled or refused (atlas.error says why). */
  async run(map: IncidentMap, dark: boolean): Promise<{ blob: Blob; name: string } | null> {
    if (this.controller) return null;
    const atlas = this.atlas;
    const controller = (this.controller = new AbortController());
    this.progress = 0;
    const before = atlas.days;
    try {
      // Loaded on first use: the encoder and muxer are no part of opening the page.
      const { VIDEO_FPS, recordVideo, videoSize, videoUnsupported } = await import('../map/video.ts');
      const { width, height } = videoSize(map);
      const unsupported = await videoUnsupported(width, height);
      if (unsupported) {
        atlas.error = unsupported;
        return null;
      }
      atlas.playback.playing = false;
      const ranges = playbackRanges(atlas.days, atlas.span, atlas.playback.mode);
      const schedule = frameSchedule(ranges.length, atlas.playback.speed, VIDEO_FPS);
      const attribution = map.attribution();
      const blob = await recordVideo({
        map,
        schedule,
        show: (r) => {
          atlas.days = ranges[r];
          // The map's effects run now, so the frame waits for these dates and no others.
          flushSync();
          return snapshotText(atlas, attribution, dark);
        },
        onProgress: (done) => (this.progress = done),
        signal: controller.signal,
      });
      return { blob, name: exportFileName({ from: ranges[0].from, to: ranges[ranges.length - 1].to }, 'webm', atlas.area !== null) };
    } catch (e) {
      if (!controller.signal.aborted) atlas.error = `Export video failed: ${e instanceof Error ? e.message : String(e)}`;
      return null;
    } finally {
      atlas.days = before;
      this.progress = null;
      this.controller = null;
    }
  }

  /** Stops the render between two frames: no file is written. */
  cancel(): void {
    this.controller?.abort();
  }
}
