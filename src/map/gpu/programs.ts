// The points program and the frame-copy program: their shaders, linked once per WebGL context
// and shared by every layer on it, and the two draws they make.

import { CATEGORIES } from '../../core/schema.ts';
import type { DayRange } from '../../core/time.ts';
import { CATEGORY_COLORS } from '../palette.ts';
import { mercatorPositions } from '../vertices.ts';

const VERTEX = `#version 300 es
uniform mat4 u_matrix;
uniform ivec2 u_window;     // selected days [from, to], inclusive
uniform float u_size;
uniform vec3 u_colors[${CATEGORIES.length}];
in vec2 a_position;         // Web Mercator, 0..1
in int a_start;             // local start day
in int a_end;               // local end day
in uint a_category;         // index into CATEGORIES
in uint a_mask;             // 1: passes every facet (core/filter.ts)
out vec3 v_color;
void main() {
  uint category = a_category;
  bool shown = a_start <= u_window.y && a_end >= u_window.x && a_mask == 1u;
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

function link(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const program = gl.createProgram()!;
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vertex));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragment));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`GPU points: program failed to link: ${gl.getProgramInfoLog(program)}`);
  return program;
}

/** Premultiplied-alpha "over", no depth or stencil: how both the points and their cached frame are drawn. */
function premultipliedBlend(gl: WebGL2RenderingContext): void {
  gl.disable(gl.DEPTH_TEST);
  gl.disable(gl.STENCIL_TEST);
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
}

const UNIFORMS = ['u_matrix', 'u_window', 'u_size', 'u_colors', 'u_stroke', 'u_opacity'] as const;
const ATTRIBUTES = ['a_position', 'a_start', 'a_end', 'a_category', 'a_mask'] as const;

export interface Programs {
  points: WebGLProgram;
  uniforms: Record<(typeof UNIFORMS)[number], WebGLUniformLocation | null>;
  attributes: Record<(typeof ATTRIBUTES)[number], number>;
  copy: WebGLProgram;
  frame: WebGLUniformLocation | null;
}

const linked = new WeakMap<WebGL2RenderingContext, Programs>();

export function programs(gl: WebGL2RenderingContext): Programs {
  let p = linked.get(gl);
  if (p) return p;
  // A lost and restored context keeps its object but none of its programs.
  gl.canvas.addEventListener('webglcontextlost', () => linked.delete(gl), { once: true });
  const points = link(gl, VERTEX, FRAGMENT);
  const copy = link(gl, COPY_VERTEX, COPY_FRAGMENT);
  const uniforms = Object.fromEntries(UNIFORMS.map((name) => [name, gl.getUniformLocation(points, name)])) as Programs['uniforms'];
  const attributes = Object.fromEntries(ATTRIBUTES.map((name) => [name, gl.getAttribLocation(points, name)])) as Programs['attributes'];
  p = { points, uniforms, attributes, copy, frame: gl.getUniformLocation(copy, 'u_frame') };
  linked.set(gl, p);
  return p;
}

/** What the points need per vertex, by store index: the store's own columns fit. */
export interface PointColumns {
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  startDay: Int32Array;
  endDay: Int32Array;
  category: Uint8Array;
}

/** One buffer per attribute; the mask's is filled whole when a mask is set. */
export interface PointBuffers {
  vao: WebGLVertexArrayObject;
  position: WebGLBuffer;
  start: WebGLBuffer;
  end: WebGLBuffer;
  category: WebGLBuffer;
  mask: WebGLBuffer;
}

/** Vertex buffers for n points laid out as the points program reads them, empty: see uploadPoints. */
export function pointBuffers(gl: WebGL2RenderingContext, p: Programs, n: number): PointBuffers {
  const vao = gl.createVertexArray()!;
  gl.bindVertexArray(vao);
  const attribute = (location: number, bytes: number, size: number, type: number) => {
    const buffer = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, Math.max(1, bytes), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(location);
    if (type === gl.FLOAT) gl.vertexAttribPointer(location, size, type, false, 0, 0);
    else gl.vertexAttribIPointer(location, size, type, 0, 0);
    return buffer;
  };
  const a = p.attributes;
  const buffers = {
    vao,
    position: attribute(a.a_position, n * 8, 2, gl.FLOAT),
    start: attribute(a.a_start, n * 4, 1, gl.INT),
    end: attribute(a.a_end, n * 4, 1, gl.INT),
    category: attribute(a.a_category, n, 1, gl.UNSIGNED_BYTE),
    mask: attribute(a.a_mask, n, 1, gl.UNSIGNED_BYTE),
  };
  gl.bindVertexArray(null);
  gl.bindBuffer(gl.ARRAY_BUFFER, null);
  return buffers;
}

/** Uploads points [from, to): their Web Mercator positions are computed here, the rest copied as stored. */
export function uploadPoints(gl: WebGL2RenderingContext, b: PointBuffers, c: PointColumns, from: number, to: number): void {
  const n = to - from;
  const put = (buffer: WebGLBuffer, bytesPer: number, data: ArrayBufferView, offset: number) => {
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferSubData(gl.ARRAY_BUFFER, from * bytesPer, data, offset, n * (bytesPer / (data as Uint8Array).BYTES_PER_ELEMENT));
  };
  put(b.position, 8, mercatorPositions(c.lon, c.lat, from, to), 0);
  put(b.start, 4, c.startDay, from);
  put(b.end, 4, c.endDay, from);
  put(b.category, 1, c.category, from);
  gl.bindBuffer(gl.ARRAY_BUFFER, null);
}

/** The mask: a buffer of one byte a point, or (null) every point passes, a constant with no buffer read. */
export function setMask(gl: WebGL2RenderingContext, p: Programs, b: PointBuffers, mask: Uint8Array | null): void {
  gl.bindVertexArray(b.vao);
  if (mask) {
    gl.bindBuffer(gl.ARRAY_BUFFER, b.mask);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, mask);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    gl.enableVertexAttribArray(p.attributes.a_mask);
  } else gl.disableVertexAttribArray(p.attributes.a_mask);
  gl.bindVertexArray(null);
}

export interface PointsUniforms {
  matrix: Iterable<number>;
  window: DayRange;
  size: number;
  opacity: number;
  stroke: readonly number[];
}

/** Draws vertices [from, to) of a vertex array with the points program. */
export function drawPoints(gl: WebGL2RenderingContext, p: Programs, vao: WebGLVertexArrayObject, from: number, to: number, u: PointsUniforms): void {
  gl.useProgram(p.points);
  gl.uniformMatrix4fv(p.uniforms.u_matrix, false, u.matrix);
  gl.uniform2i(p.uniforms.u_window, u.window.from, u.window.to);
  gl.uniform1f(p.uniforms.u_size, u.size);
  gl.uniform1f(p.uniforms.u_opacity, u.opacity);
  gl.uniform3fv(p.uniforms.u_colors, CATEGORY_RGB);
  gl.uniform3fv(p.uniforms.u_stroke, u.stroke);
  // Read where the mask's array is disabled (no facet narrows): the value is context state, not the vertex array's.
  gl.vertexAttribI4ui(p.attributes.a_mask, 1, 0, 0, 0);
  premultipliedBlend(gl);
  gl.bindVertexArray(vao);
  if (to > from) gl.drawArrays(gl.POINTS, from, to - from);
  gl.bindVertexArray(null);
}

/** Draws a cached frame over the current framebuffer, premultiplied: the same blend as drawing its points there. */
export function drawFrame(gl: WebGL2RenderingContext, p: Programs, vao: WebGLVertexArrayObject, texture: WebGLTexture): void {
  gl.useProgram(p.copy);
  premultipliedBlend(gl);
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.uniform1i(p.frame, 0);
  gl.bindVertexArray(vao);
  gl.drawArrays(gl.TRIANGLES, 0, 3);
  gl.bindVertexArray(null);
}
