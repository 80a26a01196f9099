// Work over many items a slice per task, so that no task holds the page for long: between
// slices the browser paints and handles input. Pure: it needs only a timer (or
// scheduler.yield where there is one), so it runs in a page, a worker and Node alike.

/** Resolves in a later task, after the browser has had its turn (input, a frame). */
export function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

/** How many items go between two looks at the clock: performance.now() is not free. */
const CHECK_EVERY = 64;

/**
 * Calls f(0), …, f(n − 1), about `budgetMs` of calls per task. The first slice runs at once,
 * in the caller's task, so a small n is done there (the promise then settles in a microtask
 * of that same task). Resolves false, and calls f no more, once `cancelled()` says so.
 */
export async function eachInSlices(n: number, f: (i: number) => void, cancelled: () => boolean, budgetMs = 25): Promise<boolean> {
  let i = 0;
  while (i < n) {
    const until = performance.now() + budgetMs;
    do f(i);
    while (++i < n && (i % CHECK_EVERY !== 0 || performance.now() < until));
    if (i === n) break;
    await nextTask();
    if (cancelled()) return false;
  }
  return true;
}
