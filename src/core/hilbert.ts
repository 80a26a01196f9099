// The position of a point along a Hilbert curve over the lon/lat plane. Rows sorted by it keep
// neighbours together, so a row group covers a small area and its bbox statistics let a
// reader skip it (better than Z-order, whose jumps stretch a group's bbox across the map).

/** Cells per axis: 2^16, so a key fits 32 bits and a cell is ~600 m at the equator. */
const ORDER = 16;
const SIDE = 1 << ORDER;

/** 0 … 2^32 − 1; the same point always gives the same key. */
export function hilbertKey(lon: number, lat: number): number {
  let x = Math.min(SIDE - 1, Math.max(0, Math.floor(((lon + 180) / 360) * SIDE)));
  let y = Math.min(SIDE - 1, Math.max(0, Math.floor(((lat + 90) / 180) * SIDE)));
  let d = 0;
  for (let s = SIDE >>> 1; s > 0; s >>>= 1) {
    const rx = (x & s) > 0 ? 1 : 0;
    const ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    // Rotate the quadrant so the curve inside it joins its neighbours' ends.
    if (ry === 0) {
      if (rx === 1) {
        x = SIDE - 1 - x;
        y = SIDE - 1 - y;
      }
      const t = x;
      x = y;
      y = t;
    }
  }
  return d;
}
