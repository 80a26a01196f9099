import { describe, expect, it } from 'vitest';
import { eachInSlices } from '../../../src/core/slices.ts';

describe('eachInSlices', () => {
  it('does not call f for zero items', async () => {
    let calls = 0;
    expect(await eachInSlices(0, () => calls++, () => false)).toBe(true);
    expect(calls).toBe(0);
  });

  it('finishes a small job in the caller task, before any timer', async () => {
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    let calls = 0;
    await eachInSlices(10, () => calls++, () => false, 1_000);
    expect(calls).toBe(10);
    expect(timerRan).toBe(false);
  });

  it('gives other tasks their turn between slices when over budget', async () => {
    // With no time budget every slice is 64 calls: timers queued meanwhile run between them.
    const seenByTimers: number[] = [];
    let calls = 0;
    const tick = () => {
      seenByTimers.push(calls);
      if (calls < 640) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    await eachInSlices(640, () => calls++, () => false, 0);
    expect(seenByTimers.some((c) => c > 0 && c < 640)).toBe(true);
  });

  it('stops calling f once cancelled, after the first slice', async () => {
    let calls = 0;
    let cancel = false;
    const job = eachInSlices(10_000, () => calls++, () => cancel, 0);
    cancel = true;
    expect(await job).toBe(false);
    expect(calls).toBe(64);
  });

  it('calls f for every index once, in order, and says it finished', async () => {
    const seen: number[] = [];
    expect(await eachInSlices(300, (i) => seen.push(i), () => false, 0)).toBe(true);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('says false once cancelled between slices', async () => {
    let cancel = false;
    const job = eachInSlices(1_000, () => {}, () => cancel, 0);
    cancel = true;
    expect(await job).toBe(false);
  });
});
