// The user's wish for less motion: the map jumps instead of flying, playback starts slowest.
export function prefersReducedMotion(): boolean {
  return globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}
