// The benchmark's third mode (mode=deck): the library our GPU layer stands in for, used the way
// a demanding engineer would — deck.gl's ScatterplotLayer with DataFilterExtension, interleaved
// in MapLibre (one GL context, drawn inside MapLibre's frame), fed binary attributes (typed
// arrays, no per-object accessors), the date window a GPU filter (a uniform).
// Only the bench page imports this, and only in this mode: deck.gl is not part of the app.
//
// The overlay is @deck.gl/maplibre's MapLibreOverlay, not @deck.gl/mapbox's MapboxOverlay:
// the latter (9.4.0) reads map.transform, which MapLibre 6 removed, and throws in every
// interleaved frame ("reading 'height'"); MapLibreOverlay is the same interleaving built on
// MapLibre's public API (custom-layer nearZ/farZ, getCanvas), for MapLibre 4.5.1 to 6.

import type { Map as MapLibreMap } from 'maplibre-gl';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { ScatterplotLayer } from '@deck.gl/layers';
import { DataFilterExtension, type DataFilterExtensionProps } from '@deck.gl/extensions';
// Only types from the app's modules: bench.ts hands over the data and the palette, so this
// chunk shares no module with the app and the app's own chunks stay as they were.
import type { IncidentColumns } from '../core/store.ts';

/**
 * Open ends of the two filter ranges: finite (the shader compares floats) and far beyond any
 * day number (~18,000 in 2019), exactly representable in float32.
 */
const FAR = 1e9;
type Range = [[number, number], [number, number]];

/** A point is shown when startDay ≤ to and endDay ≥ from: startDay in [−FAR, to], endDay in [from, FAR]. */
const windowRange = (from: number, to: number): Range => [
  [-FAR, to],
  [from, FAR],
];
const ALL: Range = windowRange(-FAR, FAR);

/** The filter range of the last layer deck.gl drew: tells a timed wait which frame showed what. */
let drawnRange: Range | null = null;

/**
 * ScatterplotLayer, plus a note of each draw. Nothing else is changed: the override calls the
 * library's draw and records which filter range that draw used.
 */
class NotedScatterplotLayer extends ScatterplotLayer<unknown, DataFilterExtensionProps> {
  static layerName = 'NotedScatterplotLayer';
  draw(params: Parameters<ScatterplotLayer['draw']>[0]): void {
    super.draw(params);
    drawnRange = this.props.filterRange as Range;
  }
}

/** '#rrggbb' colours, by category index, as RGBA bytes. */
function rgbaBytes(colors: readonly string[]): Uint8Array {
  const out = new Uint8Array(colors.length * 4);
  colors.forEach((hex, k) => {
    const v = Number.parseInt(hex.slice(1), 16);
    out.set([(v >> 16) & 255, (v >> 8) & 255, v & 255, 255], k * 4);
  });
  return out;
}

interface Shared {
  map: MapLibreMap;
  /** Resolves once the map has fired 'load'. */
  loaded: Promise<void>;
  /** The seeded data, as the other modes get it (generated before the clock starts). */
  generate: () => IncidentColumns;
  /** Category colours ('#rrggbb') by category index, as ours colours them. */
  colors: readonly string[];
}

/** load and filter for the deck mode, timed as bench.ts times ours (whose redraw serves both). No query or export: deck.gl has no CPU query. */
export function deckBench({ map, loaded, generate, colors }: Shared) {
  const idle = () => new Promise<void>((resolve) => map.once('idle', () => resolve()));
  const rendered = () => new Promise<void>((resolve) => map.once('render', () => resolve()));

  // Kept as ours keeps its store: the app needs the columns for popups and export.
  let columns: IncidentColumns | undefined;
  let overlay: MapLibreOverlay;
  let data: { length: number; attributes: Record<string, { value: Float32Array | Uint8Array; size: number; normalized?: boolean }> };
  const extensions = [new DataFilterExtension({ filterSize: 2 })];
  let style: { radius: number; opacity: number; stroked: boolean };

  const layer = (filterRange: Range) =>
    new NotedScatterplotLayer({
      id: 'incidents',
      data,
      // Points as ours draws them: a pixel size that grows with zoom, translucent below zoom 6,
      // a white ring above it.
      radiusUnits: 'pixels',
      getRadius: style.radius,
      opacity: style.opacity,
      stroked: style.stroked,
      lineWidthUnits: 'pixels',
      getLineWidth: 1,
      getLineColor: [255, 255, 255, 255],
      extensions,
      filterRange,
    });

  return {
    /** Data generated (not timed), then timed from the columns to the first frame deck.gl drew. */
    async load(): Promise<number> {
      await loaded;
      columns = generate();
      const c = columns;
      const n = c.lon.length;
      const t0 = performance.now();
      // The binary attributes deck.gl reads as they are (float32 positions use the buffer
      // directly; float64 would be split into high and low parts, a copy).
      const position = new Float32Array(n * 2);
      const days = new Float32Array(n * 2);
      const color = new Uint8Array(n * 4);
      const rgba = rgbaBytes(colors);
      for (let i = 0; i < n; i++) {
        position[2 * i] = c.lon[i];
        position[2 * i + 1] = c.lat[i];
        days[2 * i] = c.startDay[i];
        days[2 * i + 1] = c.endDay[i];
        color.set(rgba.subarray(c.category[i] * 4, c.category[i] * 4 + 4), 4 * i);
      }
      data = {
        length: n,
        attributes: {
          getPosition: { value: position, size: 2 },
          getFilterValue: { value: days, size: 2 },
          getFillColor: { value: color, size: 4, normalized: true },
        },
      };
      const zoom = map.getZoom();
      style = { radius: Math.min(12, Math.max(3, 2 + zoom)) / 2, opacity: zoom < 6 ? 0.45 : 1, stroked: zoom >= 6 };
      overlay = new MapLibreOverlay({ interleaved: true, layers: [layer(ALL)] });
      map.addControl(overlay);
      // The luma.gl device attaches to MapLibre's context asynchronously; deck.gl then asks
      // the map for a frame. Timed to the first frame in which the layer was drawn.
      while (drawnRange === null) await rendered();
      return performance.now() - t0;
    },
    /**
     * A filter change to the first frame that shows it: new layer props (the same data, so
     * deck.gl only updates the filter uniform), and a repaint asked of the map at once, as an
     * app would — left to itself, deck.gl asks for one only on its own next animation frame.
     */
    async filter(from: number, to: number): Promise<number> {
      const range = windowRange(from, to);
      const t0 = performance.now();
      const settled = idle();
      overlay.setProps({ layers: [layer(range)] });
      map.triggerRepaint();
      while (drawnRange !== range) await rendered();
      const ms = performance.now() - t0;
      await settled;
      return ms;
    },
  };
}
