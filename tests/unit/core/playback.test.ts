import { describe, expect, it } from 'vitest';
import { frameSchedule, playbackRanges, playbackStart, playbackStep } from '../../../src/core/playback.ts';

const span = { from: 100, to: 110 };

describe('playback ranges', () => {
  it('starts where the dates are when they end before the data does', () => {
    expect(playbackStart({ from: 103, to: 105 }, span, 'window')).toEqual({ from: 103, to: 105 });
    expect(playbackStart({ from: 103, to: 105 }, span, 'cumulative')).toEqual({ from: 103, to: 105 });
  });

  it('starts over at the first day, keeping the window width, when the dates reach the end', () => {
    expect(playbackStart({ from: 107, to: 110 }, span, 'window')).toEqual({ from: 100, to: 103 });
    expect(playbackStart({ from: 107, to: 110 }, span, 'cumulative')).toEqual({ from: 100, to: 100 });
  });

  it('starts a window that covers the whole span as a single day, so it has somewhere to move', () => {
    expect(playbackStart(span, span, 'window')).toEqual({ from: 100, to: 100 });
  });

  it('moves a window by a day and grows a cumulative range by a day', () => {
    expect(playbackStep({ from: 103, to: 105 }, span, 'window')).toEqual({ from: 104, to: 106 });
    expect(playbackStep({ from: 103, to: 105 }, span, 'cumulative')).toEqual({ from: 103, to: 106 });
  });

  it('has no step past the last day of the data', () => {
    expect(playbackStep({ from: 109, to: 110 }, span, 'window')).toBeNull();
    expect(playbackStep({ from: 100, to: 111 }, span, 'cumulative')).toBeNull();
  });

  it('lists every range from the start to the end, both included', () => {
    expect(playbackRanges({ from: 107, to: 108 }, span, 'window')).toEqual([
      { from: 107, to: 108 },
      { from: 108, to: 109 },
      { from: 109, to: 110 },
    ]);
    expect(playbackRanges({ from: 100, to: 110 }, span, 'cumulative')).toHaveLength(11);
  });

  it('has one range for a span of one day', () => {
    expect(playbackRanges({ from: 5, to: 5 }, { from: 5, to: 5 }, 'window')).toEqual([{ from: 5, to: 5 }]);
  });
});

describe('frame schedule', () => {
  it('lasts ranges / speed seconds: 3 ranges at 2 days a second, 30 fps, are 45 frames and 1.5 s', () => {
    const s = frameSchedule(3, 2, 30);
    expect(s.count).toBe(45);
    expect(s.durationUs).toBe(1_500_000);
    expect(s.timestampUs(0)).toBe(0);
    expect(s.timestampUs(s.count)).toBe(s.durationUs);
  });

  it('shows each range for the same number of frames when that number is whole', () => {
    const s = frameSchedule(3, 2, 30);
    const perRange = [0, 0, 0];
    for (let k = 0; k < s.count; k++) perRange[s.rangeOf(k)]++;
    expect(perRange).toEqual([15, 15, 15]);
  });

  it('changes range on the frame whose time is the step, not one late (half a day a second)', () => {
    const s = frameSchedule(2, 0.5, 30);
    expect(s.count).toBe(120);
    expect(s.rangeOf(59)).toBe(0);
    expect(s.rangeOf(60)).toBe(1);
    expect(s.rangeOf(119)).toBe(1);
  });

  it('keeps playback timing when a range takes a fractional number of frames', () => {
    // 4 days a second at 10 fps: 2.5 frames a range; 3 ranges round to 8 frames (0.8 s, within a frame of 0.75 s).
    const s = frameSchedule(3, 4, 10);
    expect(s.count).toBe(8);
    expect(Array.from({ length: s.count }, (_, k) => s.rangeOf(k))).toEqual([0, 0, 0, 1, 1, 2, 2, 2]);
    expect(Math.abs(s.durationUs - 750_000)).toBeLessThanOrEqual(1e6 / 10);
  });

  it('rounds timestamps to whole microseconds, increasing, at 30 fps', () => {
    const s = frameSchedule(1, 1, 30);
    expect(s.timestampUs(1)).toBe(33_333);
    expect(s.timestampUs(2)).toBe(66_667);
    for (let k = 1; k <= s.count; k++) expect(s.timestampUs(k)).toBeGreaterThan(s.timestampUs(k - 1));
  });

  it('never goes past the last range, even for a frame beyond the end', () => {
    expect(frameSchedule(3, 2, 30).rangeOf(45)).toBe(2);
  });

  it('gives a single frame at least, however fast', () => {
    expect(frameSchedule(1, 4, 1).count).toBe(1);
  });

  it.each([
    [0, 1, 30],
    [1.5, 1, 30],
    [3, 0, 30],
    [3, Number.POSITIVE_INFINITY, 30],
    [3, 1, 0],
    [3, 1, 29.97],
  ])('refuses %s ranges at speed %s and %s fps', (ranges, speed, fps) => {
    expect(() => frameSchedule(ranges, speed, fps)).toThrow(RangeError);
  });
});
