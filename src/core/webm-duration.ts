// webm-muxer writes a file's duration as the start of its last frame (its issue #59, fixed only
// in its successor): 45 frames at 30 fps say 1.466 s, not 1.5 s, and a player cuts the last
// frame short. This rewrites the Segment Info's Duration, in place, as the end of the last frame.
// EBML (the Matroska/WebM container) is walked just far enough: Segment → Info → Duration.

const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMESTAMP_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
/** Matroska's default: timestamps count milliseconds. */
const DEFAULT_SCALE_NS = 1_000_000;

interface Element {
  id: number;
  /** Where its data starts and ends (the end of the parent for an element of unknown size). */
  start: number;
  end: number;
}

/** An EBML variable-length integer at `at`: its length, and its value with the length marker kept (IDs) or dropped (sizes). */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { length: number; value: number; allOnes: boolean } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i];
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { length, value, allOnes };
}

/** The child elements of [start, end). */
function* children(bytes: Uint8Array, start: number, end: number): Generator<Element> {
  let at = start;
  while (at < end) {
    const id = vint(bytes, at, true);
    if (!id || id.length > 4) return;
    const size = vint(bytes, at + id.length, false);
    if (!size) return;
    const dataStart = at + id.length + size.length;
    const dataEnd = size.allOnes ? end : dataStart + size.value;
    if (dataEnd > end) return;
    yield { id: id.value, start: dataStart, end: dataEnd };
    at = dataEnd;
  }
}

function find(bytes: Uint8Array, start: number, end: number, id: number): Element | null {
  for (const e of children(bytes, start, end)) if (e.id === id) return e;
  return null;
}

/**
 * Sets the duration of a WebM file, in microseconds, in place. False, and the file untouched,
 * when it has no Segment Info Duration of 4 or 8 bytes to rewrite.
 */
export function setWebmDuration(bytes: Uint8Array, durationUs: number): boolean {
  const segment = find(bytes, 0, bytes.length, SEGMENT);
  const info = segment && find(bytes, segment.start, segment.end, INFO);
  if (!info) return false;
  const duration = find(bytes, info.start, info.end, DURATION);
  if (!duration) return false;
  const scale = find(bytes, info.start, info.end, TIMESTAMP_SCALE);
  let scaleNs = DEFAULT_SCALE_NS;
  if (scale) {
    scaleNs = 0;
    for (let i = scale.start; i < scale.end; i++) scaleNs = scaleNs * 256 + bytes[i];
  }
  if (!(scaleNs > 0)) return false;
  const value = (durationUs * 1000) / scaleNs;
  const view = new DataView(bytes.buffer, bytes.byteOffset + duration.start, duration.end - duration.start);
  if (view.byteLength === 8) view.setFloat64(0, value);
  else if (view.byteLength === 4) view.setFloat32(0, value);
  else return false;
  return true;
}
