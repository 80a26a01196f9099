// The change palette must stay readable with colour blindness: each colour is passed through
// Machado et al.'s (2009) simulation of full protanopia, deuteranopia and tritanopia, and the
// simulated colours are compared in CIELAB.
import { describe, expect, it } from 'vitest';
import { CHANGE_COLORS } from '../../../src/map/palette.ts';

type Vec = [number, number, number];
const SIMULATIONS: Record<string, number[][]> = {
  none: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const rgb = (hex: string): Vec => [1, 3, 5].map((k) => linear(parseInt(hex.slice(k, k + 2), 16) / 255)) as Vec;
const times = (m: number[][], v: Vec): Vec => m.map((row) => Math.min(1, Math.max(0, row[0] * v[0] + row[1] * v[1] + row[2] * v[2]))) as Vec;

/** Linear sRGB → CIELAB (D65). */
function lab([r, g, b]: Vec): Vec {
  const xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const [fx, fy, fz] = xyz.map(f);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const distance = (a: Vec, b: Vec) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('the change palette', () => {
  it('is symmetric around a neutral middle', () => {
    expect(CHANGE_COLORS.length % 2).toBe(1);
  });
  for (const [name, matrix] of Object.entries(SIMULATIONS)) {
    const seen = CHANGE_COLORS.map((c) => lab(times(matrix, rgb(c))));
    const middle = (CHANGE_COLORS.length - 1) / 2;
    it(`with ${name}, grows darker step by step away from "no change" on both sides`, () => {
      for (let k = 1; k <= middle; k++) {
        expect(seen[middle + k][0]).toBeLessThan(seen[middle + k - 1][0]);
        expect(seen[middle - k][0]).toBeLessThan(seen[middle - k + 1][0]);
      }
    });
    it(`with ${name}, tells neighbouring classes apart, and "rose" from "fell" by as much`, () => {
      for (let k = 1; k < CHANGE_COLORS.length; k++) expect(distance(seen[k], seen[k - 1]), `${CHANGE_COLORS[k - 1]} → ${CHANGE_COLORS[k]}`).toBeGreaterThan(10);
      for (let k = 1; k <= middle; k++) expect(distance(seen[middle + k], seen[middle - k]), `±${k}`).toBeGreaterThan(10);
    });
  }
});
