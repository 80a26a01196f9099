// A WebM video of playback, rendered frame by frame: each frame waits for the map's complete
// picture of its dates and is stamped with its time in the schedule (core/playback.ts), never
// with the clock, so a slow machine makes a slower export of the same smooth video. VP9 is
// encoded by the browser (WebCodecs) and muxed into WebM by webm-muxer.

import { ArrayBufferTarget, Muxer } from 'webm-muxer';
import type { FrameSchedule } from '../core/playback.ts';
import { setWebmDuration } from '../core/webm-duration.ts';
import type { IncidentMap } from './incident-map.ts';
import { composeSnapshot, type SnapshotText } from './snapshot.ts';

/** VP9 profile 0, level 1.0, 8 bits: what every WebCodecs VP9 encoder takes. */
export const VIDEO_CODEC = 'vp09.00.10.08';
export const VIDEO_FPS = 30;
export const VIDEO_MEDIA_TYPE = 'video/webm';
/** A key frame every two seconds, so a player can seek. */
const KEY_FRAME_EVERY_S = 2;
/** Frames queued in the encoder before the loop waits: enough to keep it busy, not the whole video in memory. */
const QUEUE_LIMIT = 4;

/** The map's size in pixels, made even for VP9: a last odd row or column of pixels is dropped. */
export function videoSize(map: IncidentMap): { width: number; height: number } {
  const { width, height } = map.map.getCanvas();
  return { width: Math.max(2, width - (width % 2)), height: Math.max(2, height - (height % 2)) };
}

function config(width: number, height: number): VideoEncoderConfig {
  // About 0.1 bit per pixel and frame: sharp text over a map that mostly holds still.
  return { codec: VIDEO_CODEC, width, height, framerate: VIDEO_FPS, bitrate: Math.round(width * height * VIDEO_FPS * 0.1), latencyMode: 'quality' };
}

/** Why this browser cannot make the video, in words for the user; null when it can. */
export async function videoUnsupported(width: number, height: number): Promise<string | null> {
  if (typeof VideoEncoder === 'undefined' || typeof VideoFrame === 'undefined') {
    return 'Export video needs WebCodecs, which this browser lacks: use a recent Chrome, Edge or Firefox.';
  }
  const { supported } = await VideoEncoder.isConfigSupported(config(width, height)).catch(() => ({ supported: false }));
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
  const muxer = new Muxer({ target: new ArrayBufferTarget(), video: { codec: 'V_VP9', width, height, frameRate: schedule.fps } });
  let failure: unknown = null;
  const encoder = new VideoEncoder({ output: (chunk, meta) => muxer.addVideoChunk(chunk, meta), error: (e) => (failure = e) });
  try {
    encoder.configure(config(width, height));
    const keyEvery = KEY_FRAME_EVERY_S * schedule.fps;
    let drawn = -1;
    for (let k = 0; k < schedule.count; k++) {
      signal.throwIfAborted();
      if (failure) throw failure;
      const range = schedule.rangeOf(k);
      // The frames of one range are the same picture: the map draws it once.
      if (range !== drawn) {
        const text = show(range);
        await map.captureSettledFrame((canvas) => composeSnapshot(canvas, text, frame));
        drawn = range;
      }
      while (encoder.encodeQueueSize >= QUEUE_LIMIT) await dequeued(encoder);
      const timestamp = schedule.timestampUs(k);
      const picture = new VideoFrame(frame, { timestamp, duration: schedule.timestampUs(k + 1) - timestamp });
      encoder.encode(picture, { keyFrame: k % keyEvery === 0 });
      picture.close();
      onProgress((k + 1) / schedule.count);
      // A task between frames: the page answers (Cancel included) throughout.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    signal.throwIfAborted();
    await encoder.flush();
    if (failure) throw failure;
    muxer.finalize();
    const file = new Uint8Array(muxer.target.buffer);
    setWebmDuration(file, schedule.durationUs);
    return new Blob([file], { type: VIDEO_MEDIA_TYPE });
  } finally {
    if (encoder.state !== 'closed') encoder.close();
  }
}

/** Resolves when the encoder takes a frame off its queue (or soon, should no event come). */
function dequeued(encoder: VideoEncoder): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      encoder.removeEventListener('dequeue', done);
      resolve();
    };
    const timer = setTimeout(done, 50);
    encoder.addEventListener('dequeue', done);
  });
}
