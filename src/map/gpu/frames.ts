// Textures the size of the drawing buffer that the points are drawn into (see
// points-layer.ts, CACHE_ABOVE), and the one spare frame a context keeps between layers.

export interface Frame {
  texture: WebGLTexture;
  framebuffer: WebGLFramebuffer;
  width: number;
  height: number;
}

export function newFrame(gl: WebGL2RenderingContext, width: number, height: number): Frame {
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

export function deleteFrame(gl: WebGL2RenderingContext, frame: Frame): void {
  gl.deleteFramebuffer(frame.framebuffer);
  gl.deleteTexture(frame.texture);
}

/**
 * A frame no layer holds, kept for the next points layer on the context: allocating a new
 * texture made the first frame after a large import markedly slower with software WebGL.
 */
const spareFrames = new WeakMap<WebGL2RenderingContext, Frame>();

/** Keeps frame as the context's spare, in place of the one it had. */
export function keepSpare(gl: WebGL2RenderingContext, frame: Frame): void {
  const old = spareFrames.get(gl);
  if (old === frame) return;
  if (old) deleteFrame(gl, old);
  // A lost context keeps its object but none of its textures.
  else gl.canvas.addEventListener('webglcontextlost', () => spareFrames.delete(gl), { once: true });
  spareFrames.set(gl, frame);
}

export function isSpare(gl: WebGL2RenderingContext, frame: Frame): boolean {
  return spareFrames.get(gl) === frame;
}

/** A frame of this size: the spare when it fits, else a new one. */
export function takeFrame(gl: WebGL2RenderingContext, width: number, height: number): Frame {
  const spare = spareFrames.get(gl);
  spareFrames.delete(gl);
  if (spare && spare.width === width && spare.height === height) return spare;
  if (spare) deleteFrame(gl, spare);
  return newFrame(gl, width, height);
}
