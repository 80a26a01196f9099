import { describe, expect, it } from 'vitest';
import { ArrayBufferTarget, Muxer } from 'webm-muxer';
import { setWebmDuration } from '../../../src/core/webm-duration.ts';

/** A WebM file of `frames` made-up frames at 30 fps, as map/video.ts muxes them (webm-muxer runs in Node without WebCodecs). */
function webm(frames: number): Uint8Array {
  const muxer = new Muxer({ target: new ArrayBufferTarget(), video: { codec: 'V_VP9', width: 4, height: 2, frameRate: 30 } });
  for (let k = 0; k < frames; k++) muxer.addVideoChunkRaw(new Uint8Array([k, 1, 2, 3]), k === 0 ? 'key' : 'delta', Math.round((k * 1e6) / 30));
  muxer.finalize();
  return new Uint8Array(muxer.target.buffer);
}

/** The test's own reading: the Duration element's ID (44 89) and size (8 bytes), then a big-endian float64, in ms. */
function durationMs(bytes: Uint8Array): number[] {
  const found: number[] = [];
  for (let i = 0; i + 11 <= bytes.length; i++) {
    if (bytes[i] === 0x44 && bytes[i + 1] === 0x89 && bytes[i + 2] === 0x88) found.push(new DataView(bytes.buffer, bytes.byteOffset + i + 3, 8).getFloat64(0));
  }
  return found;
}

describe('setWebmDuration', () => {
  it("webm-muxer on its own gives the last frame's start as the duration (why this exists)", () => {
    expect(durationMs(webm(45))).toEqual([1466]);
  });

  it('sets the duration to the end of the last frame: 45 frames at 30 fps are 1.5 s', () => {
    const bytes = webm(45);
    const before = bytes.slice();
    expect(setWebmDuration(bytes, 1_500_000)).toBe(true);
    expect(durationMs(bytes)).toEqual([1500]);
    // Only those 8 bytes change.
    const changed = [...bytes.keys()].filter((i) => bytes[i] !== before[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(Math.max(...changed) - Math.min(...changed)).toBeLessThan(8);
  });

  it('keeps fractions of a millisecond', () => {
    const bytes = webm(1);
    setWebmDuration(bytes, 33_333);
    expect(durationMs(bytes)).toEqual([33.333]);
  });

  it('works on a view into a larger buffer', () => {
    const file = webm(3);
    const padded = new Uint8Array(file.length + 16);
    padded.set(file, 16);
    expect(setWebmDuration(padded.subarray(16), 100_000)).toBe(true);
    expect(durationMs(padded)).toEqual([100]);
  });

  it('leaves bytes that are not WebM as they are', () => {
    const bytes = new TextEncoder().encode('<svg>not a video</svg>');
    const before = bytes.slice();
    expect(setWebmDuration(bytes, 1_000_000)).toBe(false);
    expect(bytes).toEqual(before);
  });

  it('gives up on a file cut short before its Info, without throwing', () => {
    const bytes = webm(3).subarray(0, 30);
    expect(setWebmDuration(bytes, 1_000_000)).toBe(false);
  });

  it('does nothing on an empty file', () => {
    expect(setWebmDuration(new Uint8Array(0), 1_000_000)).toBe(false);
  });
});
