// Web Mercator positions for the GPU points layer, built by the map side from the store's
// columns, a chunk at a time just before the chunk is first drawn.

/** [x, y] in Web Mercator 0..1 as float32, interleaved, of points [from, to); latitudes beyond ±85.05° are clamped. */
export function mercatorPositions(lon: ArrayLike<number>, lat: ArrayLike<number>, from = 0, to = lon.length): Float32Array {
  const out = new Float32Array((to - from) * 2);
  for (let i = from; i < to; i++) {
    const sin = Math.sin((Math.max(-85.051129, Math.min(85.051129, lat[i])) * Math.PI) / 180);
    out[2 * (i - from)] = (lon[i] + 180) / 360;
    out[2 * (i - from) + 1] = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
  }
  return out;
}
