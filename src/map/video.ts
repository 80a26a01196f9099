// A WebM video of playback, rendered frame by frame: each frame waits for the map's complete
// picture of its dates and is stamped with its time in the schedule (core/playback.ts), never
// with the clock, so a slow machine makes a slower export of the same smooth video. Mediabunny
// drives the browser's VP9 encoder (WebCodecs), its queue and key frames, and writes the WebM.

import { BufferTarget, CanvasSource, Output, Quality, WebMOutputFormat, canEncodeVideo } from 'mediabunny';
import type { FrameSchedule } from '../core/playback.ts';
import type { IncidentMap } from './incident-map.ts';
import { composeSnapshot, type SnapshotText } from './snapshot.ts';

export const VIDEO_FPS = 30;
export const VIDEO_MEDIA_TYPE = 'video/webm';
/** A key frame every two seconds, so a player can seek. */
const KEY_FRAME_EVERY_S = 2;

/** The map's size in pixels, made even for VP9: a last odd row or column of pixels is dropped. */
export function videoSize(map: IncidentMap): { width: number; height: number } {
  const { width, height } = map.map.getCanvas();
  return { width: Math.max(2, width - (width % 2)), height: Math.max(2, height - (height % 2)) };
}

/** About 0.1 bit per pixel and frame: sharp text over a map that mostly holds still. */
function quality(width: number, height: number): Quality {
  return new Quality({ bitrate: Math.round(width * height * VIDEO_FPS * 0.1) });
}

/** Why this browser cannot make the video, in words for the user; null when it can. */
export async function videoUnsupported(width: number, height: number): Promise<string | null> {
  if (typeof VideoEncoder === 'undefined' || typeof VideoFrame === 'undefined') {
    return 'Export video needs WebCodecs, which this browser lacks: use a recent Chrome, Edge or Firefox.';
  }
  const supported = await canEncodeVideo('vp9', { width, height, quality: quality(width, height), frameRate: VIDEO_FPS }).catch(() => false);
  return supported ? null : `Export video needs VP9 encoding at ${width}×${height} pixels, which this browser does not offer: use a recent Chrome, Edge or Firefox, or a smaller window.`;
}

export interface VideoJob {
  map: IncidentMap;
  schedule: FrameSchedule;
  /** Puts range r of the schedule on the map and says what its frame's captions read. */
  show(range: number): SnapshotText;
  /** The fraction of frames encoded. */
  onProgress(done: number): void;
  /** Aborting stops the render between frames and rejects with the signal's reason. */
  signal: AbortSignal;
}

/** Renders and encodes every frame of the schedule; the WebM file. */
export async function recordVideo({ map, schedule, show, onProgress, signal }: VideoJob): Promise<Blob> {
  const { width, height } = videoSize(map);
  const frame = document.createElement('canvas');
  frame.width = width;
  frame.height = height;
  const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
  const source = new CanvasSource(frame, { codec: 'vp9', quality: quality(width, height), keyFrameInterval: KEY_FRAME_EVERY_S });
  output.addVideoTrack(source, { frameRate: schedule.fps });
  try {
    await output.start();
    let drawn = -1;
    for (let k = 0; k < schedule.count; k++) {
      signal.throwIfAborted();
      const range = schedule.rangeOf(k);
      // The frames of one range are the same picture: the map draws it once.
      if (range !== drawn) {
        const text = show(range);
        await map.captureSettledFrame((canvas) => composeSnapshot(canvas, text, frame));
        drawn = range;
      }
      const timestamp = schedule.timestampUs(k);
      // Resolves once the encoder has room for another frame, so the video is never all in memory.
      await source.add(timestamp / 1e6, (schedule.timestampUs(k + 1) - timestamp) / 1e6);
      onProgress((k + 1) / schedule.count);
      // A task between frames: the page answers (Cancel included) throughout.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    signal.throwIfAborted();
    await output.finalize();
    return new Blob([output.target.buffer!], { type: VIDEO_MEDIA_TYPE });
  } finally {
    // Cancelled or failed: the encoder is closed and nothing more is written.
    if (output.state !== 'finalized') await output.cancel();
  }
}
