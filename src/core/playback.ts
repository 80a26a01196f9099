// Playback as a sequence of day ranges, and the video frames that show it. The app's Play button
// and Export video both walk this sequence, so the video is the playback the user would watch:
// the same start, the same steps, each range on screen for 1/speed seconds.

import type { DayRange } from './time.ts';

/** A moving window keeps its width; a cumulative one keeps its first day and grows. */
export type PlayMode = 'window' | 'cumulative';
export const PLAY_MODES: readonly PlayMode[] = ['window', 'cumulative'];
/** Days a second. */
export const SPEEDS = [0.5, 1, 2, 4] as const;

/** Where playback starts: where the dates are, or back at the beginning when they reach the end. */
export function playbackStart(days: DayRange, span: DayRange, mode: PlayMode): DayRange {
  if (days.to < span.to) return days;
  if (mode === 'cumulative') return { from: span.from, to: span.from };
  const width = days.to - days.from;
  const w = width >= span.to - span.from ? 0 : width;
  return { from: span.from, to: span.from + w };
}

/** The next day range, or null at the end of the data. */
export function playbackStep(days: DayRange, span: DayRange, mode: PlayMode): DayRange | null {
  if (days.to >= span.to) return null;
  return mode === 'window' ? { from: days.from + 1, to: days.to + 1 } : { from: days.from, to: days.to + 1 };
}

/** Every day range a playback shows, from its start to the end of the data. */
export function playbackRanges(days: DayRange, span: DayRange, mode: PlayMode): DayRange[] {
  const ranges: DayRange[] = [];
  for (let r: DayRange | null = playbackStart(days, span, mode); r; r = playbackStep(r, span, mode)) ranges.push(r);
  return ranges;
}

export interface FrameSchedule {
  /** Frames in the video. */
  count: number;
  fps: number;
  /** Microseconds, as WebCodecs counts: the playback's length. */
  durationUs: number;
  /** Frame k's presentation time in microseconds; k = count is the end of the video. */
  timestampUs(k: number): number;
  /** Which of the ranges frame k shows. */
  rangeOf(k: number): number;
}

/**
 * The frames of a video of `ranges` ranges, each shown 1/speed seconds, at `fps` frames a
 * second. The length is ranges/speed, rounded to whole frames; a frame shows the range that
 * playback shows at its time, so a range may take a fractional number of frames and the
 * playback's timing is kept rather than each range's frame count.
 */
export function frameSchedule(ranges: number, speed: number, fps: number): FrameSchedule {
  if (!(ranges >= 1) || !Number.isInteger(ranges)) throw new RangeError(`A video needs a whole number of date ranges, at least one (got ${ranges}).`);
  if (!(speed > 0) || !(fps > 0) || !Number.isFinite(speed) || !Number.isInteger(fps)) {
    throw new RangeError(`Speed must be a positive number of days a second and fps a positive whole number (got ${speed} and ${fps}).`);
  }
  const count = Math.max(1, Math.round((ranges / speed) * fps));
  const timestampUs = (k: number) => Math.round((k * 1e6) / fps);
  return {
    count,
    fps,
    durationUs: timestampUs(count),
    timestampUs,
    // Playback's range at time k/fps is floor(time × speed); products of small integers and
    // halves are exact in floating point, so a frame on a boundary is not pushed back one.
    rangeOf: (k) => Math.min(ranges - 1, Math.floor((k * speed) / fps)),
  };
}
