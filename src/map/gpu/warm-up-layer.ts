// At start-up, does what the first frame of a large dataset would otherwise pay for, then
// removes itself: links both programs, and allocates a frame and draws into it, invisibly and
// in the state the points layer draws in, to leave it as the context's spare (see frames.ts).
// The frame holds 4 bytes a pixel of the drawing buffer whether or not a large dataset comes.

import type { CustomLayerInterface, CustomRenderMethodInput, Map as MapLibreMap } from 'maplibre-gl';
import { drawFrame, drawPoints, pointBuffers, programs, uploadPoints, type PointBuffers, type Programs } from './programs.ts';
import { deleteFrame, isSpare, keepSpare, newFrame, type Frame } from './frames.ts';

/** Contexts already prepared. */
const warmed = new WeakSet<WebGL2RenderingContext>();

/** One point, for one invisible draw. */
const ONE_POINT = { lon: [0], lat: [0], startDay: Int32Array.of(0), endDay: Int32Array.of(0), category: Uint8Array.of(0) };

export class GpuWarmUpLayer implements CustomLayerInterface {
  static readonly ID = 'incident-gpu-warm-up';
  readonly id = GpuWarmUpLayer.ID;
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MapLibreMap | null = null;
  private parts: { p: Programs; buffers: PointBuffers; copyVao: WebGLVertexArrayObject; frame: Frame } | null = null;

  onAdd(map: MapLibreMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    if (warmed.has(gl)) return this.done();
    const p = programs(gl);
    const buffers = pointBuffers(gl, p, 1);
    uploadPoints(gl, buffers, ONE_POINT, 0, 1);
    const frame = newFrame(gl, gl.drawingBufferWidth, gl.drawingBufferHeight);
    this.parts = { p, buffers, copyVao: gl.createVertexArray()!, frame };
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
    drawPoints(gl, this.parts.p, this.parts.buffers.vao, 0, 1, {
      matrix: options.defaultProjectionData.mainMatrix,
      window: { from: 0, to: 0 },
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
    if (!warmed.has(gl)) gl.canvas.addEventListener('webglcontextlost', () => warmed.delete(gl), { once: true });
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
    const { buffers, frame, copyVao } = this.parts;
    if (!isSpare(gl, frame)) deleteFrame(gl, frame);
    for (const b of [buffers.position, buffers.start, buffers.end, buffers.category, buffers.mask]) gl.deleteBuffer(b);
    gl.deleteVertexArray(buffers.vao);
    gl.deleteVertexArray(copyVao);
    this.parts = null;
  }

  onRemove(_map: MapLibreMap, gl: WebGL2RenderingContext): void {
    this.free(gl);
    this.map = null;
  }
}
