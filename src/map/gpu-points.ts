// Points drawn by our own WebGL2 program inside MapLibre, for large datasets. Each point's
// local start and end day are vertex attributes and the selected days a uniform, so moving
// the date slider changes two numbers and costs one redraw — no re-tiling, no setData. The
// vertices are in the store's day order, so only the window's slice is submitted at all.
//
// Why a custom layer and not deck.gl's DataFilterExtension: the same GPU filtering in ~150
// lines, no second rendering engine in the bundle (deck.gl core + layers + mapbox adapter
// adds several hundred KB gzip), and MapLibre keeps one GL context and one render loop.
// MapLibre's GeoJSON source stays for small datasets (labels, uncertainty circles): measured
// here, setFilter on it costs ~0.2 s at 10k points and ~5–8 s at 1M (see README, Performance).

import type { CustomLayerInterface, CustomRenderMethodInput, Map as MapLibreMap } from 'maplibre-gl';
import { CATEGORIES, STATUSES, type Category, type Status } from '../core/schema.ts';
import { mask, type IncidentStore } from '../core/store.ts';
import type { DayRange } from '../core/query.ts';
import { CATEGORY_COLORS } from './palette.ts';
import { mercatorPositions, pointVertices, type PointVertices } from '../core/vertices.ts';

const VERTEX = `#version 300 es
uniform mat4 u_matrix;
uniform vec2 u_window;      // selected days [from, to], inclusive
uniform uint u_categories;  // bit i set: category i shown
uniform uint u_statuses;    // bit i set: status i shown
uniform float u_size;
uniform vec3 u_colors[${CATEGORIES.length}];
in vec2 a_position;         // Web Mercator, 0..1
in vec2 a_days;             // local start day, local end day
in uint a_kind;             // category | status << 4
out vec3 v_color;
void main() {
  uint category = a_kind & 15u;
  uint status = a_kind >> 4u;
  bool shown = a_days.x <= u_window.y && a_days.y >= u_window.x
    && ((u_categories >> category) & 1u) == 1u && ((u_statuses >> status) & 1u) == 1u;
  // Hidden points leave clip space: the rasteriser drops them, nothing else is drawn.
  gl_Position = shown ? u_matrix * vec4(a_position, 0.0, 1.0) : vec4(2.0, 2.0, 2.0, 1.0);
  gl_PointSize = shown ? u_size : 0.0;
  v_color = u_colors[category];
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
uniform vec3 u_stroke;
uniform float u_opacity;
in vec3 v_color;
out vec4 fragColor;
void main() {
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r = dot(c, c);
  if (r > 1.0) discard;
  // A thin ring in the map's background colour keeps overlapping points apart, like the
  // stroke of the native circle layer.
  vec3 color = r > 0.62 && u_opacity >= 1.0 ? u_stroke : v_color;
  // Premultiplied alpha: where points pile up at low zoom, their colour deepens (density).
  fragColor = vec4(color * u_opacity, u_opacity);
}`;

// The cached frame, drawn back pixel for pixel: a triangle that covers the viewport, no buffers.
const COPY_VERTEX = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

const COPY_FRAGMENT = `#version 300 es
precision mediump float;
uniform sampler2D u_frame;
out vec4 fragColor;
void main() {
  fragColor = texelFetch(u_frame, ivec2(gl_FragCoord.xy), 0);
}`;

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

function hex(color: string): [number, number, number] {
  const n = Number.parseInt(color.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

/** The category colours as the shader's vec3 array, computed once rather than every frame. */
const CATEGORY_RGB = new Float32Array(CATEGORIES.flatMap((c) => hex(CATEGORY_COLORS[c])));

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type)!;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`GPU points: shader failed to compile: ${gl.getShaderInfoLog(shader)}`);
  return shader;
}

/** Premultiplied-alpha "over", no depth or stencil: how both the points and their cached frame are drawn. */
function premultipliedBlend(gl: WebGL2RenderingContext): void {
  gl.disable(gl.DEPTH_TEST);
  gl.disable(gl.STENCIL_TEST);
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
}

function link(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const program = gl.createProgram()!;
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vertex));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragment));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`GPU points: program failed to link: ${gl.getProgramInfoLog(program)}`);
  return program;
}

/** The two programs, linked once per WebGL context and shared by every points layer on it. */
interface Programs {
  points: WebGLProgram;
  uniforms: Record<(typeof UNIFORMS)[number], WebGLUniformLocation | null>;
  attributes: { position: number; days: number; kind: number };
  copy: WebGLProgram;
  frame: WebGLUniformLocation | null;
}

const UNIFORMS = ['u_matrix', 'u_window', 'u_categories', 'u_statuses', 'u_size', 'u_colors', 'u_stroke', 'u_opacity'] as const;
const linked = new WeakMap<WebGL2RenderingContext, Programs>();
/** Contexts a GpuWarmUpLayer has prepared. */
const warmed = new WeakSet<WebGL2RenderingContext>();

function forget(gl: WebGL2RenderingContext): void {
  linked.delete(gl);
  spareFrames.delete(gl);
  warmed.delete(gl);
}

function programs(gl: WebGL2RenderingContext): Programs {
  let p = linked.get(gl);
  if (p) return p;
  // A lost and restored context keeps its object but none of its programs or textures.
  // (Asking gl.isTexture instead waits for the GPU process: 11 ms in the first large frame.)
  gl.canvas.addEventListener('webglcontextlost', () => forget(gl), { once: true });
  const points = link(gl, VERTEX, FRAGMENT);
  const copy = link(gl, COPY_VERTEX, COPY_FRAGMENT);
  const uniforms = Object.fromEntries(UNIFORMS.map((name) => [name, gl.getUniformLocation(points, name)])) as Programs['uniforms'];
  const attributes = {
    position: gl.getAttribLocation(points, 'a_position'),
    days: gl.getAttribLocation(points, 'a_days'),
    kind: gl.getAttribLocation(points, 'a_kind'),
  };
  p = { points, uniforms, attributes, copy, frame: gl.getUniformLocation(copy, 'u_frame') };
  linked.set(gl, p);
  return p;
}

/**
 * Vertex buffers laid out as the points program reads them: filled with the vertices, or (fill
 * false) only sized for them, to be filled chunk by chunk.
 */
function vertexArray(gl: WebGL2RenderingContext, p: Programs, vertices: PointVertices, fill: boolean): { vao: WebGLVertexArrayObject; buffers: WebGLBuffer[] } {
  const vao = gl.createVertexArray()!;
  const buffers: WebGLBuffer[] = [];
  gl.bindVertexArray(vao);
  const attribute = (location: number, data: ArrayBufferView, size: number, integer: boolean) => {
    const buffer = gl.createBuffer()!;
    buffers.push(buffer);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    if (fill) gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    else gl.bufferData(gl.ARRAY_BUFFER, data.byteLength, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(location);
    if (integer) gl.vertexAttribIPointer(location, size, gl.UNSIGNED_BYTE, 0, 0);
    else gl.vertexAttribPointer(location, size, gl.FLOAT, false, 0, 0);
  };
  attribute(p.attributes.position, vertices.position, 2, false);
  attribute(p.attributes.days, vertices.days, 2, false);
  attribute(p.attributes.kind, vertices.kind, 1, true);
  gl.bindVertexArray(null);
  gl.bindBuffer(gl.ARRAY_BUFFER, null);
  return { vao, buffers };
}

/** A texture the size of the drawing buffer, with a framebuffer to draw points into it. */
interface Frame {
  texture: WebGLTexture;
  framebuffer: WebGLFramebuffer;
  width: number;
  height: number;
}

function newFrame(gl: WebGL2RenderingContext, width: number, height: number): Frame {
  const texture = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.bindTexture(gl.TEXTURE_2D, null);
  const framebuffer = gl.createFramebuffer()!;
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  return { texture, framebuffer, width, height };
}

function deleteFrame(gl: WebGL2RenderingContext, frame: Frame): void {
  gl.deleteFramebuffer(frame.framebuffer);
  gl.deleteTexture(frame.texture);
}

/**
 * A frame no layer holds, kept for the next points layer on the context. The first frame
 * after a 1M import took 155–170 ms while it was a new texture, 110–145 ms with this one
 * (software WebGL; the frames after it take 80–95).
 */
const spareFrames = new WeakMap<WebGL2RenderingContext, Frame>();

/** Keeps frame as the context's spare, in place of the one it had. */
function keepSpare(gl: WebGL2RenderingContext, frame: Frame): void {
  const old = spareFrames.get(gl);
  if (old && old !== frame) deleteFrame(gl, old);
  spareFrames.set(gl, frame);
}

interface PointsUniforms {
  matrix: Iterable<number>;
  window: DayRange;
  categories: number;
  statuses: number;
  size: number;
  opacity: number;
  stroke: readonly number[];
}

/** Draws vertices [from, to) of a vertex array with the points program. */
function drawPoints(gl: WebGL2RenderingContext, p: Programs, vao: WebGLVertexArrayObject, from: number, to: number, u: PointsUniforms): void {
  gl.useProgram(p.points);
  gl.uniformMatrix4fv(p.uniforms.u_matrix, false, u.matrix);
  gl.uniform2f(p.uniforms.u_window, u.window.from, u.window.to);
  gl.uniform1ui(p.uniforms.u_categories, u.categories);
  gl.uniform1ui(p.uniforms.u_statuses, u.statuses);
  gl.uniform1f(p.uniforms.u_size, u.size);
  gl.uniform1f(p.uniforms.u_opacity, u.opacity);
  gl.uniform3fv(p.uniforms.u_colors, CATEGORY_RGB);
  gl.uniform3fv(p.uniforms.u_stroke, u.stroke);
  premultipliedBlend(gl);
  gl.bindVertexArray(vao);
  if (to > from) gl.drawArrays(gl.POINTS, from, to - from);
  gl.bindVertexArray(null);
}

/** Draws a cached frame over the current framebuffer, premultiplied: the same blend as drawing its points there. */
function drawFrame(gl: WebGL2RenderingContext, p: Programs, vao: WebGLVertexArrayObject, texture: WebGLTexture): void {
  gl.useProgram(p.copy);
  premultipliedBlend(gl);
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.uniform1i(p.frame, 0);
  gl.bindVertexArray(vao);
  gl.drawArrays(gl.TRIANGLES, 0, 3);
  gl.bindVertexArray(null);
}

export class GpuPointsLayer implements CustomLayerInterface {
  readonly id = 'incident-gpu-points';
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MapLibreMap | null = null;
  private programs: Programs | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private buffers: WebGLBuffer[] = [];
  /** The copy program draws a triangle from gl_VertexID alone: its vertex array is empty. */
  private copyVao: WebGLVertexArrayObject | null = null;
  private window: DayRange = { from: -1e9, to: 1e9 };
  private categories = 0xffffffff;
  private statuses = 0xffffffff;
  private readonly store: IncidentStore;
  private readonly stroke: [number, number, number];
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
  /** The vertices not yet all uploaded (see UPLOAD_CHUNK), which chunks are, and how many are left. */
  private pending: PointVertices | null = null;
  private uploaded = new Uint8Array(0);
  private chunksLeft = 0;

  constructor(store: IncidentStore, theme: 'light' | 'dark') {
    this.store = store;
    this.range = [0, store.size];
    this.stroke = theme === 'dark' ? [0.09, 0.1, 0.11] : [1, 1, 1];
    const b = store.bounds() ?? [0, 0, 0, 0];
    const corners = mercatorPositions(Float64Array.of(b[0], b[2]), Float64Array.of(b[1], b[3]));
    this.extent = [corners[0], corners[3], corners[2], corners[1]];
  }

  setFilter(days: DayRange, categories: ReadonlySet<Category> | null, statuses: ReadonlySet<Status> | null): void {
    this.window = days;
    // Only the time window's slice of the buffer is drawn; the shader tests each vertex exactly.
    this.range = this.store.timeRange(days);
    this.categories = mask(categories, CATEGORIES);
    this.statuses = mask(statuses, STATUSES);
    this.map?.triggerRepaint();
  }

  onAdd(map: MapLibreMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    const p = programs(gl);
    this.programs = p;
    this.copyVao = gl.createVertexArray();
    // Built by the import worker with the store when it can; else here.
    const vertices = this.store.takeVertices() ?? pointVertices(this.store.columns);
    this.chunksLeft = Math.ceil(this.store.size / UPLOAD_CHUNK);
    this.uploaded = new Uint8Array(this.chunksLeft);
    this.pending = this.chunksLeft > 0 ? vertices : null;
    ({ vao: this.vao, buffers: this.buffers } = vertexArray(gl, p, vertices, false));
  }

  /** Whether the last frame drawn showed every point of the window (a cached frame may still be filling in). */
  get complete(): boolean {
    return !this.useCache || this.drawn >= this.range[1];
  }

  /**
   * MapLibre's offscreen pass. For a large window the points go into the cached frame a slice
   * per animation frame, in the same order as one draw (so the finished frame is the same
   * image), and the next frame is asked for until all are in. A changed camera, window or
   * filter starts the frame again.
   */
  prerender(gl: WebGL2RenderingContext, options: CustomRenderMethodInput): void {
    const [first, end] = this.range;
    this.useCache = end - first > CACHE_ABOVE;
    if (!this.useCache || !this.programs || !this.map) return;
    const [width, height] = [gl.drawingBufferWidth, gl.drawingBufferHeight];
    const key = [...options.defaultProjectionData.mainMatrix, this.window.from, this.window.to, this.categories, this.statuses, this.map.getZoom(), width, height];
    const same = this.frame !== null && this.frameKey.length === key.length && this.frameKey.every((v, i) => v === key[i]);
    if (same && this.drawn >= end) return;
    if (!this.frame || this.frame.width !== width || this.frame.height !== height) this.allocateFrame(gl, width, height);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.frame!.framebuffer);
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

  private allocateFrame(gl: WebGL2RenderingContext, width: number, height: number): void {
    this.deleteFrame(gl);
    const spare = spareFrames.get(gl);
    spareFrames.delete(gl);
    if (spare && spare.width === width && spare.height === height) this.frame = spare;
    else {
      if (spare) deleteFrame(gl, spare);
      this.frame = newFrame(gl, width, height);
    }
    this.frameKey = [];
  }

  private deleteFrame(gl: WebGL2RenderingContext): void {
    if (this.frame) deleteFrame(gl, this.frame);
    this.frame = null;
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

  /** Uploads the chunks of vertices [from, to) that are not on the GPU yet. */
  private upload(gl: WebGL2RenderingContext, from: number, to: number): void {
    const v = this.pending;
    if (!v || to <= from) return;
    const [position, days, kind] = this.buffers;
    for (let c = Math.floor(from / UPLOAD_CHUNK); c * UPLOAD_CHUNK < to; c++) {
      if (this.uploaded[c]) continue;
      const a = c * UPLOAD_CHUNK;
      const n = Math.min(this.store.size, a + UPLOAD_CHUNK) - a;
      gl.bindBuffer(gl.ARRAY_BUFFER, position);
      gl.bufferSubData(gl.ARRAY_BUFFER, a * 8, v.position, a * 2, n * 2);
      gl.bindBuffer(gl.ARRAY_BUFFER, days);
      gl.bufferSubData(gl.ARRAY_BUFFER, a * 8, v.days, a * 2, n * 2);
      gl.bindBuffer(gl.ARRAY_BUFFER, kind);
      gl.bufferSubData(gl.ARRAY_BUFFER, a, v.kind, a, n);
      this.uploaded[c] = 1;
      if (--this.chunksLeft === 0) this.pending = null;
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
  }

  /** Draws the vertices [from, to) of the window's slice (all of it by default). */
  private drawPoints(gl: WebGL2RenderingContext, options: CustomRenderMethodInput, from = this.range[0], to = this.range[1]): void {
    if (!this.programs || !this.vao || !this.map) return;
    this.upload(gl, from, to);
    const zoom = this.map.getZoom();
    drawPoints(gl, this.programs, this.vao, from, to, {
      matrix: options.defaultProjectionData.mainMatrix,
      window: this.window,
      categories: this.categories,
      statuses: this.statuses,
      size: Math.min(12, Math.max(3, 2 + zoom)) * (globalThis.devicePixelRatio || 1),
      // Zoomed out over a large set, translucent dots without rings read as density, the way a
      // heatmap would, and follow the date filter exactly because the same shader test applies.
      opacity: zoom < 6 ? 0.45 : 1,
      stroke: this.stroke,
    });
  }

  onRemove(_map: MapLibreMap, gl: WebGL2RenderingContext): void {
    for (const b of this.buffers) gl.deleteBuffer(b);
    if (this.vao) gl.deleteVertexArray(this.vao);
    if (this.copyVao) gl.deleteVertexArray(this.copyVao);
    // The programs stay linked for the next layer on this context (see programs).
    this.programs = null;
    this.vao = this.copyVao = null;
    // The next layer on this context draws into the same frame (see spareFrames).
    if (this.frame) keepSpare(gl, this.frame);
    this.frame = null;
    this.buffers = [];
    this.pending = null;
    this.map = null;
  }
}

/**
 * At start-up, does what the first frame of a large dataset would otherwise pay for, then
 * removes itself: links both programs (~7 ms of the page's main thread, see programs), and
 * allocates a frame and draws into it, invisibly and in the state the points layer draws in,
 * to leave it as the spare (see spareFrames). The frame holds 4 bytes a pixel of the drawing
 * buffer (4 MB at 1280 × 800) whether or not a large dataset ever comes.
 */
export class GpuWarmUpLayer implements CustomLayerInterface {
  static readonly ID = 'incident-gpu-warm-up';
  readonly id = GpuWarmUpLayer.ID;
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MapLibreMap | null = null;
  private parts: { p: Programs; vao: WebGLVertexArrayObject; buffers: WebGLBuffer[]; copyVao: WebGLVertexArrayObject; frame: Frame } | null = null;

  onAdd(map: MapLibreMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    if (warmed.has(gl)) return this.done();
    const p = programs(gl);
    const vertex: PointVertices = { position: Float32Array.of(0.5, 0.5), days: Float32Array.of(0, 0), kind: Uint8Array.of(0) };
    const { vao, buffers } = vertexArray(gl, p, vertex, true);
    // The frame a points layer will draw into, ready for it (see spareFrames).
    const frame = newFrame(gl, gl.drawingBufferWidth, gl.drawingBufferHeight);
    this.parts = { p, vao, buffers, copyVao: gl.createVertexArray()!, frame };
  }

  prerender(gl: WebGL2RenderingContext, options: CustomRenderMethodInput): void {
    if (!this.parts) return;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.parts.frame.framebuffer);
    gl.viewport(0, 0, 1, 1);
    // Scissored, as the layer clears: a clear of part of a framebuffer is a draw of its own.
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(0, 0, 1, 1);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.disable(gl.SCISSOR_TEST);
    // Opacity 0 with premultiplied blending leaves the pixel as it was: nothing shows.
    drawPoints(gl, this.parts.p, this.parts.vao, 0, 1, {
      matrix: options.defaultProjectionData.mainMatrix,
      window: { from: 0, to: 0 },
      categories: 0xffffffff,
      statuses: 0xffffffff,
      size: 1,
      opacity: 0,
      stroke: [0, 0, 0],
    });
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  render(gl: WebGL2RenderingContext): void {
    if (!this.parts) return;
    // One pixel of an empty frame, drawn over the map: it does not change it.
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(0, 0, 1, 1);
    drawFrame(gl, this.parts.p, this.parts.copyVao, this.parts.frame.texture);
    gl.disable(gl.SCISSOR_TEST);
    warmed.add(gl);
    keepSpare(gl, this.parts.frame);
    this.free(gl);
    this.done();
  }

  private done(): void {
    const map = this.map;
    // Not while the style is being drawn: on the next task.
    setTimeout(() => {
      if (map?.getLayer(this.id)) map.removeLayer(this.id);
    });
  }

  /** Deletes what it made, but the frame once it is the spare. */
  private free(gl: WebGL2RenderingContext): void {
    if (!this.parts) return;
    if (spareFrames.get(gl) !== this.parts.frame) deleteFrame(gl, this.parts.frame);
    for (const b of this.parts.buffers) gl.deleteBuffer(b);
    gl.deleteVertexArray(this.parts.vao);
    gl.deleteVertexArray(this.parts.copyVao);
    this.parts = null;
  }

  onRemove(_map: MapLibreMap, gl: WebGL2RenderingContext): void {
    this.free(gl);
    this.map = null;
  }
}
