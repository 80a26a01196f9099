// The one point renderer, at every size: our own WebGL2 program inside MapLibre. Each point's
// local start and end day are vertex attributes and the selected days a uniform, so moving
// the date slider changes two numbers and costs one redraw: no re-tiling, no setData. Every
// other filter reaches it as the per-incident mask of core/filter.ts, one byte a point. The
// vertices are in the store's day order, so only the window's slice is submitted at all.
//
// Why a custom layer and not deck.gl's DataFilterExtension: the same GPU filtering in a few
// hundred lines, no second rendering engine in the bundle, and MapLibre keeps one GL context
// and one render loop (tests/bench/README.md holds the two side by side).

import type { CustomLayerInterface, CustomRenderMethodInput, Map as MapLibreMap } from 'maplibre-gl';
import type { IncidentStore } from '../../core/store.ts';
import type { FacetMask } from '../../core/filter.ts';
import type { DayRange } from '../../core/time.ts';
import { mercatorPositions } from '../vertices.ts';
import { drawFrame, drawPoints, pointBuffers, programs, setMask, uploadPoints, type PointBuffers, type Programs } from './programs.ts';
import { deleteFrame, keepSpare, takeFrame, type Frame } from './frames.ts';

/**
 * Above this many points in the window, they are drawn into a texture of their own (a slice
 * per frame, see SLICE) and that texture is reused for as long as nothing they depend on
 * changes (camera, days, filters, size): a hover, a popup or a label fade then costs one
 * textured triangle instead of a million point sprites — about 1 s each with software
 * WebGL, where 50,000 take ~55 ms. Below it, drawing directly costs less than the extra pass
 * (the benchmark's 7-day windows hold ~30,000 of a million).
 */
export const CACHE_ABOVE = 50_000;

/**
 * Points added to the cached frame per animation frame, to start with: with software WebGL a
 * frame then takes ~85 ms, so none holds the page for 100 ms. The slice doubles while frames
 * come quickly (a GPU fills a million in a few frames) and halves when one is slow.
 */
const SLICE = 35_000;
const FAST_FRAME_MS = 40;
const SLOW_FRAME_MS = 120;

/**
 * Vertices are uploaded in chunks of this many (~280 KB), each just before it is first drawn.
 * Uploading a million at once (17 MB) held the page's main thread ~57 ms while the data was
 * applied, and the GPU process's copy landed in the first frame after it: with software
 * WebGL that frame took 180–200 ms. Drawn a slice per frame, a chunk costs little.
 */
const UPLOAD_CHUNK = 1 << 14;

/**
 * Above this many incidents loaded, the points read as density where they pile up: smaller,
 * translucent and without rings when zoomed out. Up to it they look like pins, ringed in the
 * background colour, at every zoom.
 */
export const DENSE_FROM = 10_000;

/** A pin's radius in CSS pixels at zoom 3 and at zoom 10, and the width of its ring. */
const PIN_RADIUS: [number, number] = [5, 9];
const PIN_RING = 1.5;

export class GpuPointsLayer implements CustomLayerInterface {
  readonly id = 'incident-gpu-points';
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MapLibreMap | null = null;
  private programs: Programs | null = null;
  private buffers: PointBuffers | null = null;
  /** The copy program draws a triangle from gl_VertexID alone: its vertex array is empty. */
  private copyVao: WebGLVertexArrayObject | null = null;
  private window: DayRange = { from: -1e9, to: 1e9 };
  private mask: FacetMask = null;
  /** Counts masks set: part of what a cached frame was drawn for. */
  private maskVersion = 0;
  private maskUploaded = true;
  private readonly store: IncidentStore;
  private readonly stroke: [number, number, number];
  private readonly dense: boolean;
  /** The vertices that can be in the window: the store is sorted by day, so they are contiguous. */
  private range: [number, number];
  /** The cached frame (see CACHE_ABOVE), what it was drawn for, and whether this frame uses it. */
  private frame: Frame | null = null;
  private frameKey: number[] = [];
  /** The data's extent in Web Mercator [x0, y0, x1, y1] (north up: y0 < y1). */
  private readonly extent: [number, number, number, number];
  /** The window's vertices before this one are in the cached frame. */
  private drawn = 0;
  /** Points per frame while filling (see SLICE), and when the last slice was drawn. */
  private slice = SLICE;
  private lastSlice = 0;
  private useCache = false;
  /** Which chunks of vertices are on the GPU (see UPLOAD_CHUNK). */
  private uploaded = new Uint8Array(0);

  constructor(store: IncidentStore, theme: 'light' | 'dark') {
    this.store = store;
    this.range = [0, store.size];
    this.stroke = theme === 'dark' ? [0.09, 0.1, 0.11] : [1, 1, 1];
    this.dense = store.size > DENSE_FROM;
    const b = store.bounds() ?? [0, 0, 0, 0];
    const corners = mercatorPositions([b[0], b[2]], [b[1], b[3]]);
    this.extent = [corners[0], corners[3], corners[2], corners[1]];
  }

  /** The selected days (a uniform) and the facets' mask (see core/filter.ts), same store order. */
  setFilter(days: DayRange, mask: FacetMask): void {
    this.window = days;
    // Only the time window's slice of the buffer is drawn; the shader tests each vertex exactly.
    this.range = this.store.timeRange(days);
    if (mask !== this.mask) {
      this.mask = mask;
      this.maskVersion++;
      this.maskUploaded = false;
    }
    this.map?.triggerRepaint();
  }

  onAdd(map: MapLibreMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    const p = programs(gl);
    this.programs = p;
    this.copyVao = gl.createVertexArray();
    this.buffers = pointBuffers(gl, p, this.store.size);
    this.uploaded = new Uint8Array(Math.ceil(this.store.size / UPLOAD_CHUNK));
    this.maskUploaded = false;
  }

  /** Whether the last frame drawn showed every point of the window (a cached frame may still be filling in). */
  get complete(): boolean {
    return !this.useCache || this.drawn >= this.range[1];
  }

  /**
   * MapLibre's offscreen pass. For a large window the points go into the cached frame a slice
   * per animation frame, in the same order as one draw (so the finished frame is the same
   * image), and the next frame is asked for until all are in. A changed camera, window or
   * mask starts the frame again.
   */
  prerender(gl: WebGL2RenderingContext, options: CustomRenderMethodInput): void {
    const [first, end] = this.range;
    this.useCache = end - first > CACHE_ABOVE;
    if (!this.useCache || !this.programs || !this.map) return;
    const [width, height] = [gl.drawingBufferWidth, gl.drawingBufferHeight];
    const key = [...options.defaultProjectionData.mainMatrix, this.window.from, this.window.to, this.maskVersion, this.map.getZoom(), width, height];
    const same = this.frame !== null && this.frameKey.length === key.length && this.frameKey.every((v, i) => v === key[i]);
    if (same && this.drawn >= end) return;
    if (!this.frame || this.frame.width !== width || this.frame.height !== height) {
      if (this.frame) deleteFrame(gl, this.frame);
      this.frame = takeFrame(gl, width, height);
      this.frameKey = [];
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.frame.framebuffer);
    gl.viewport(0, 0, width, height);
    if (!same) {
      gl.clearColor(0, 0, 0, 0);
      this.clipToData(gl, options, () => gl.clear(gl.COLOR_BUFFER_BIT));
      this.frameKey = key;
      this.drawn = first;
    }
    const now = performance.now();
    // The first frame of a fill also pays for what changed (an upload, a new camera): the
    // slice follows the frames after it.
    if (same && this.drawn - first > this.slice) {
      const frame = now - this.lastSlice;
      if (frame < FAST_FRAME_MS) this.slice = Math.min(this.slice * 2, 1 << 24);
      else if (frame > SLOW_FRAME_MS) this.slice = Math.max(5_000, this.slice >> 1);
    }
    this.lastSlice = now;
    const to = Math.min(end, this.drawn + this.slice);
    this.drawPoints(gl, options, this.drawn, to);
    this.drawn = to;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    if (to < end) this.map.triggerRepaint();
  }

  render(gl: WebGL2RenderingContext, options: CustomRenderMethodInput): void {
    if (!this.useCache || !this.frame || !this.programs || !this.copyVao) {
      this.drawPoints(gl, options);
      return;
    }
    const { programs, copyVao, frame } = this;
    this.clipToData(gl, options, () => drawFrame(gl, programs, copyVao, frame.texture));
  }

  /**
   * Runs draw with the scissor around the data's extent on screen (plus a point's size):
   * outside it the cached frame is empty, and software WebGL pays for every pixel touched.
   */
  private clipToData(gl: WebGL2RenderingContext, options: CustomRenderMethodInput, draw: () => void): void {
    const m = options.defaultProjectionData.mainMatrix;
    const [w, h] = [gl.drawingBufferWidth, gl.drawingBufferHeight];
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    const [ex0, ey0, ex1, ey1] = this.extent;
    for (const [x, y] of [[ex0, ey0], [ex1, ey0], [ex0, ey1], [ex1, ey1]]) {
      const cw = m[3] * x + m[7] * y + m[15];
      const px = (((m[0] * x + m[4] * y + m[12]) / cw + 1) / 2) * w;
      const py = (((m[1] * x + m[5] * y + m[13]) / cw + 1) / 2) * h;
      [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px), Math.max(y1, py)];
    }
    const pad = 16 * (globalThis.devicePixelRatio || 1);
    const left = Math.max(0, Math.floor(x0 - pad));
    const bottom = Math.max(0, Math.floor(y0 - pad));
    const right = Math.min(w, Math.ceil(x1 + pad));
    const top = Math.min(h, Math.ceil(y1 + pad));
    if (!Number.isFinite(x0 + y0 + x1 + y1)) return draw();
    if (right <= left || top <= bottom) return;
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(left, bottom, right - left, top - bottom);
    draw();
    gl.disable(gl.SCISSOR_TEST);
  }

  /** Uploads the chunks of vertices [from, to) that are not on the GPU yet, and a new mask. */
  private upload(gl: WebGL2RenderingContext, from: number, to: number): void {
    if (!this.buffers || !this.programs) return;
    if (!this.maskUploaded) {
      setMask(gl, this.programs, this.buffers, this.mask);
      this.maskUploaded = true;
    }
    for (let c = Math.floor(from / UPLOAD_CHUNK); c * UPLOAD_CHUNK < to; c++) {
      if (this.uploaded[c]) continue;
      uploadPoints(gl, this.buffers, this.store.columns, c * UPLOAD_CHUNK, Math.min(this.store.size, (c + 1) * UPLOAD_CHUNK));
      this.uploaded[c] = 1;
    }
  }

  /** Draws the vertices [from, to) of the window's slice (all of it by default). */
  private drawPoints(gl: WebGL2RenderingContext, options: CustomRenderMethodInput, from = this.range[0], to = this.range[1]): void {
    if (!this.programs || !this.buffers || !this.map) return;
    this.upload(gl, from, to);
    const zoom = this.map.getZoom();
    const ratio = globalThis.devicePixelRatio || 1;
    const [r3, r10] = PIN_RADIUS;
    const pin = 2 * (Math.min(r10, Math.max(r3, r3 + ((zoom - 3) * (r10 - r3)) / 7)) + PIN_RING);
    // Zoomed out over a large set, translucent dots without rings read as density, the way a
    // heatmap would, and follow the filter exactly because the same shader test applies.
    const sparse = !this.dense || zoom >= 6;
    drawPoints(gl, this.programs, this.buffers.vao, from, to, {
      matrix: options.defaultProjectionData.mainMatrix,
      window: this.window,
      size: (this.dense ? Math.min(12, Math.max(3, 2 + zoom)) : pin) * ratio,
      opacity: sparse ? 1 : 0.45,
      stroke: this.stroke,
    });
  }

  onRemove(_map: MapLibreMap, gl: WebGL2RenderingContext): void {
    if (this.buffers) {
      for (const b of [this.buffers.position, this.buffers.start, this.buffers.end, this.buffers.category, this.buffers.mask]) gl.deleteBuffer(b);
      gl.deleteVertexArray(this.buffers.vao);
    }
    if (this.copyVao) gl.deleteVertexArray(this.copyVao);
    // The programs stay linked for the next layer on this context (see programs).
    this.programs = null;
    this.buffers = null;
    this.copyVao = null;
    // The next layer on this context draws into the same frame.
    if (this.frame) keepSpare(gl, this.frame);
    this.frame = null;
    this.map = null;
  }
}
