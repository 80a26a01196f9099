// A picture of the map as the user sees it, with what a reader needs to cite it: the date range,
// a legend of the categories shown, and the basemap attribution. Export PNG draws one, Export
// video one per frame. Canvas 2D only: text is drawn with fillText, never parsed as markup.

import type { Category } from '../core/schema.ts';
import { CATEGORY_COLORS } from './palette.ts';

export interface SnapshotText {
  title: string;
  dates: string;
  categories: { category: Category; count: number }[];
  attribution: string;
  dark: boolean;
}

/**
 * Draws the map and its captions onto `out`, a new canvas of the map's size unless given one
 * (a video's frames are cut to even sizes: the captions keep to its edges).
 */
export function composeSnapshot(map: HTMLCanvasElement, t: SnapshotText, out = canvasOfSize(map.width, map.height)): HTMLCanvasElement {
  const scale = map.width / Math.max(1, map.clientWidth || map.width);
  const g = out.getContext('2d')!;
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.clearRect(0, 0, out.width, out.height);
  g.drawImage(map, 0, 0);
  g.scale(scale, scale);
  const ink = t.dark ? '#f0f0f0' : '#1b1b1b';
  const paper = t.dark ? 'rgba(22,25,29,0.88)' : 'rgba(255,255,255,0.9)';
  const lines = 2 + t.categories.length;
  const boxWidth = 260;
  g.fillStyle = paper;
  g.fillRect(10, 10, boxWidth, 16 + lines * 18);
  g.fillStyle = ink;
  g.font = 'bold 14px sans-serif';
  g.fillText(t.title, 20, 30);
  g.font = '13px sans-serif';
  g.fillText(t.dates, 20, 48);
  t.categories.forEach(({ category, count }, i) => {
    const y = 66 + i * 18;
    g.fillStyle = CATEGORY_COLORS[category];
    g.beginPath();
    g.arc(26, y - 4, 6, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = ink;
    g.fillText(`${category} (${count})`, 38, y);
  });
  const height = out.height / scale;
  const width = out.width / scale;
  g.font = '11px sans-serif';
  const w = g.measureText(t.attribution).width + 12;
  g.fillStyle = paper;
  g.fillRect(width - w - 4, height - 22, w, 18);
  g.fillStyle = ink;
  g.fillText(t.attribution, width - w + 2, height - 9);
  return out;
}

function canvasOfSize(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}
