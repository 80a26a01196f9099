// Comparing two periods. Both sets come from the one filter rule (filter.ts): the same facets
// and view, two day ranges. What is here counts them: per category, and per cell of a grid
// whose cells are Web Mercator tiles a few zoom levels below the map's, so a cell stays about
// the same size on screen at any zoom and the cells tile the world without gaps or overlaps.

import { dayOfIsoDate, isoDateOfDay, type DayRange } from './time.ts';
import type { IncidentStore } from './store.ts';
import { CATEGORIES } from './schema.ts';
import { csvCell } from './export.ts';

/** The period of the same length that ends the day before `days` starts. */
export function previousPeriod(days: DayRange): DayRange {
  const length = days.to - days.from + 1;
  return { from: days.from - length, to: days.from - 1 };
}

/** Longest comparison period a link may ask for: a century is far beyond any dataset, yet finite. */
const MAX_PERIOD_DAYS = 36_525;

/** `?cmp=YYYY-MM-DD..YYYY-MM-DD`: the period, or why it cannot be used. Never throws. */
export function parseComparisonParam(raw: string): { days: DayRange } | { error: string } {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(raw);
  if (!m) return { error: `"${shown}" is not a period of the form YYYY-MM-DD..YYYY-MM-DD.` };
  const from = dayOfIsoDate(m[1]);
  const to = dayOfIsoDate(m[2]);
  if (Number.isNaN(from) || Number.isNaN(to)) return { error: `"${shown}" names a date that does not exist.` };
  if (from > to) return { error: `"${shown}" ends before it starts.` };
  if (to - from + 1 > MAX_PERIOD_DAYS) return { error: `"${shown}" is longer than a hundred years.` };
  return { days: { from, to } };
}

export function formatComparisonParam(days: DayRange): string {
  return `${isoDateOfDay(days.from)}..${isoDateOfDay(days.to)}`;
}

/**
 * The change from the comparison period's count to the selected period's: "+4 (+50%)",
 * "−3 (−25%)", "0 (0%)", or "+2 (new)" when the comparison period had none.
 */
export function formatChange(selected: number, comparison: number): string {
  const diff = selected - comparison;
  const sign = diff > 0 ? '+' : diff < 0 ? '−' : '';
  const n = `${sign}${Math.abs(diff).toLocaleString('en')}`;
  if (comparison === 0) return diff === 0 ? '0' : `${n} (new)`;
  return `${n} (${sign}${Math.round((Math.abs(diff) / comparison) * 100).toLocaleString('en')}%)`;
}

/** The change as a percentage of the comparison count, or null when that is 0 (the change is "new"). */
export function changePercent(selected: number, comparison: number): number | null {
  return comparison === 0 ? null : ((selected - comparison) / comparison) * 100;
}

/** Cells are the tiles this many zoom levels below the map's: 64–128 px across on a 512 px tile map. */
const CELL_ZOOM_OFFSET = 3;
const MAX_CELL_ZOOM = 24;
const MAX_LAT = 85.0511287798066;

/** The cell grid's zoom for a map zoom. */
export function cellZoom(mapZoom: number): number {
  return Math.max(0, Math.min(MAX_CELL_ZOOM, Math.floor(Number.isFinite(mapZoom) ? mapZoom : 0) + CELL_ZOOM_OFFSET));
}

/** [w, s, e, n] of cell (x, y) at zoom z, in degrees. */
export function cellBounds(x: number, y: number, z: number): [number, number, number, number] {
  const size = 2 ** z;
  const lat = (row: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * row) / size))) * 180) / Math.PI;
  return [(x / size) * 360 - 180, lat(y + 1), ((x + 1) / size) * 360 - 180, lat(y)];
}

/** The counts of both periods per cell, for the cells that hold an incident of either. */
export interface CellCounts {
  /** The grid's zoom (cellZoom). */
  z: number;
  /** Column and row of each cell, interleaved: [x0, y0, x1, y1, …]. */
  cells: Uint32Array;
  /** Incidents of the selected period in each cell. */
  selected: Uint32Array;
  /** Incidents of the comparison period in each cell. */
  comparison: Uint32Array;
  /** The largest |selected − comparison| over the cells: the palette's scale. */
  maxChange: number;
}

/** Up to this many cells around the incidents, counts go in flat arrays; beyond, in a Map. */
const MAX_DENSE_CELLS = 1 << 20;

/**
 * Counts each period's incidents (store indices, from visibleIndices) per cell of zoom z, by
 * each incident's representative point. A cell holds its west and north edges. Cells are in
 * row-major order (north to south, west to east).
 */
export function countCells(store: IncidentStore, selected: ArrayLike<number>, comparison: ArrayLike<number>, z: number): CellCounts {
  const { lon, lat } = store.columns;
  const size = 2 ** z;
  const lists = [selected, comparison] as const;
  // The incidents' extent first: the cells around them, not the world's, are counted.
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const list of lists) {
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const x = lon[i];
      const y = lat[i];
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    }
  }
  if (w > e) return { z, cells: new Uint32Array(0), selected: new Uint32Array(0), comparison: new Uint32Array(0), maxChange: 0 };
  const column = (x: number) => Math.min(size - 1, Math.max(0, Math.floor(((x + 180) / 360) * size)));
  const row = (y: number) => {
    const sin = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, y)) * Math.PI) / 180);
    return Math.min(size - 1, Math.max(0, Math.floor((0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size)));
  };
  // A row more each side: the edges below decide a point that lies on one.
  const x0 = column(w);
  const cols = column(e) - x0 + 1;
  const y0 = Math.max(0, row(n) - 1);
  const rows = Math.min(size - 1, row(s) + 1) - y0 + 1;
  if (rows * cols > MAX_DENSE_CELLS) return sparseCells(store, selected, comparison, z);
  // The rows' north edges, descending, and the last one's south edge: a point's row is then
  // a binary search instead of a logarithm per incident.
  const edges = new Float64Array(rows + 1);
  for (let r = 0; r < rows; r++) edges[r] = cellBounds(0, y0 + r, z)[3];
  edges[rows] = cellBounds(0, y0 + rows - 1, z)[1];
  const counts = [new Uint32Array(rows * cols), new Uint32Array(rows * cols)];
  lists.forEach((list, which) => {
    const out = counts[which];
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const y = lat[i];
      // The last row whose north edge is at or above the point.
      let lo = 0;
      let hi = rows - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (edges[mid] >= y) lo = mid;
        else hi = mid - 1;
      }
      const x = Math.min(size - 1, Math.max(0, Math.floor(((lon[i] + 180) / 360) * size)));
      out[lo * cols + (x - x0)]++;
    }
  });
  let cells = 0;
  for (let c = 0; c < rows * cols; c++) if (counts[0][c] + counts[1][c] > 0) cells++;
  const result = { z, cells: new Uint32Array(cells * 2), selected: new Uint32Array(cells), comparison: new Uint32Array(cells), maxChange: 0 };
  let k = 0;
  for (let c = 0; c < rows * cols; c++) {
    const [a, b] = [counts[0][c], counts[1][c]];
    if (a + b === 0) continue;
    result.cells[2 * k] = x0 + (c % cols);
    result.cells[2 * k + 1] = y0 + Math.floor(c / cols);
    result.selected[k] = a;
    result.comparison[k] = b;
    result.maxChange = Math.max(result.maxChange, Math.abs(a - b));
    k++;
  }
  return result;
}

/** countCells for incidents spread over more cells than flat arrays should hold (far apart, zoomed in). */
function sparseCells(store: IncidentStore, selected: ArrayLike<number>, comparison: ArrayLike<number>, z: number): CellCounts {
  const { lon, lat } = store.columns;
  const size = 2 ** z;
  // A cell's key, y · 2^z + x (exact below 2^53), → [selected, comparison].
  const byKey = new Map<number, [number, number]>();
  [selected, comparison].forEach((list, which) => {
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const sin = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, lat[i])) * Math.PI) / 180);
      let y = Math.min(size - 1, Math.max(0, Math.floor((0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size)));
      // On an edge the formula can land a row off: the edges decide, as in countCells.
      if (y > 0 && lat[i] > cellBounds(0, y, z)[3]) y--;
      else if (y < size - 1 && lat[i] <= cellBounds(0, y, z)[1]) y++;
      const x = Math.min(size - 1, Math.max(0, Math.floor(((lon[i] + 180) / 360) * size)));
      const key = y * size + x;
      const c = byKey.get(key) ?? [0, 0];
      c[which]++;
      byKey.set(key, c);
    }
  });
  const keys = [...byKey.keys()].sort((a, b) => a - b);
  const result = { z, cells: new Uint32Array(keys.length * 2), selected: new Uint32Array(keys.length), comparison: new Uint32Array(keys.length), maxChange: 0 };
  keys.forEach((key, k) => {
    const [a, b] = byKey.get(key)!;
    result.cells[2 * k] = key % size;
    result.cells[2 * k + 1] = Math.floor(key / size);
    result.selected[k] = a;
    result.comparison[k] = b;
    result.maxChange = Math.max(result.maxChange, Math.abs(a - b));
  });
  return result;
}

/** Classes of change either side of "no change": the palette has 2 × CHANGE_STEPS + 1 colours. */
export const CHANGE_STEPS = 3;

/** −CHANGE_STEPS (fell most) … 0 (no change) … +CHANGE_STEPS (rose most), scaled to the largest change. */
export function changeClass(selected: number, comparison: number, maxChange: number): number {
  const diff = selected - comparison;
  if (diff === 0 || maxChange <= 0) return 0;
  return Math.sign(diff) * Math.min(CHANGE_STEPS, Math.ceil((Math.abs(diff) / maxChange) * CHANGE_STEPS));
}

/** The classes 1…CHANGE_STEPS that a change up to maxChange can fall in, each with the range of |change| it stands for: the map's key. */
export function changeSteps(maxChange: number): { step: number; least: number; most: number }[] {
  const steps: { step: number; least: number; most: number }[] = [];
  for (let step = 1; step <= CHANGE_STEPS; step++) {
    const least = Math.floor(((step - 1) * maxChange) / CHANGE_STEPS) + 1;
    const most = Math.floor((step * maxChange) / CHANGE_STEPS);
    if (most >= least) steps.push({ step, least, most });
  }
  return steps;
}

/** What "Export comparison (CSV)" writes. */
export interface ComparisonReport {
  selectedDays: DayRange;
  comparisonDays: DayRange;
  /** Per category, CATEGORIES order: the counts of both periods. A category with neither is left out. */
  categories: { selected: ArrayLike<number>; comparison: ArrayLike<number> };
  totals: { selected: number; comparison: number };
  cells: CellCounts;
}

export const COMPARISON_CSV_COLUMNS = ['level', 'name', 'west', 'south', 'east', 'north', 'selected', 'comparison', 'change', 'change_percent'] as const;

/**
 * One row for both periods' totals, one per category with an incident in either, one per cell
 * (named z/x/y, with its bounds). The periods are in the file name and in the first row.
 */
export function comparisonCsv(r: ComparisonReport): string {
  const percent = (a: number, b: number) => {
    const p = changePercent(a, b);
    return p === null ? (a === 0 ? '' : 'new') : p.toFixed(1);
  };
  const row = (values: unknown[]) => `${values.map(csvCell).join(',')}\r\n`;
  const lines = [row([...COMPARISON_CSV_COLUMNS])];
  const name = `${isoDateOfDay(r.selectedDays.from)}..${isoDateOfDay(r.selectedDays.to)} vs ${formatComparisonParam(r.comparisonDays)}`;
  lines.push(row(['total', name, '', '', '', '', r.totals.selected, r.totals.comparison, r.totals.selected - r.totals.comparison, percent(r.totals.selected, r.totals.comparison)]));
  CATEGORIES.forEach((c, k) => {
    const a = r.categories.selected[k];
    const b = r.categories.comparison[k];
    if (a > 0 || b > 0) lines.push(row(['category', c, '', '', '', '', a, b, a - b, percent(a, b)]));
  });
  const { z, cells, selected, comparison } = r.cells;
  for (let s = 0; s < selected.length; s++) {
    const [x, y] = [cells[2 * s], cells[2 * s + 1]];
    const [w, so, e, n] = cellBounds(x, y, z).map((v) => +v.toFixed(6));
    lines.push(row(['cell', `${z}/${x}/${y}`, w, so, e, n, selected[s], comparison[s], selected[s] - comparison[s], percent(selected[s], comparison[s])]));
  }
  return lines.join('');
}

export function comparisonFileName(selected: DayRange, comparison: DayRange): string {
  return `comparison_${isoDateOfDay(selected.from)}_${isoDateOfDay(selected.to)}_vs_${isoDateOfDay(comparison.from)}_${isoDateOfDay(comparison.to)}.csv`;
}
