/**
 * Windows → images for the benchmark: the project's encoder (pure draw list) executed by the same
 * `renderDrawList` as the browser's render worker, on one reused @napi-rs/canvas per size (creating a
 * canvas per image cost more than drawing it), packed as RGB bytes in the `ImageSet` layout of src/ml.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { renderDrawList, segmentCount, type Canvas2DLike } from '../../../src/core/drawlist';
import { encodeWindow } from '../../../src/core/encode';
import type { EventColumns, SizePx } from '../../../src/core/events';
import type { EncodingSettings } from '../../../src/core/settings';
import { rgbaToRgb } from '../../../src/ml/pipeline';
import type { ImageSet } from '../../../src/ml/train';

const canvases = new Map<number, { canvas: Canvas; ctx: SKRSContext2D }>();

function contextFor(sizePx: number) {
  let c = canvases.get(sizePx);
  if (!c) {
    const canvas = createCanvas(sizePx, sizePx);
    c = { canvas, ctx: canvas.getContext('2d') };
    canvases.set(sizePx, c);
  }
  return c.ctx;
}

/** What to draw: events [start, end) of some session's columns in its coordinate space. */
export interface WindowRef {
  cols: EventColumns;
  start: number;
  end: number;
  space: SizePx;
}

export interface RenderStats {
  images: number;
  events: number;
  segments: number;
  encodeMs: number;
  renderMs: number;
}

export const emptyRenderStats = (): RenderStats => ({ images: 0, events: 0, segments: 0, encodeMs: 0, renderMs: 0 });

/** Encode and render one window into `out` (RGB bytes) at byte offset `at`. */
export function renderWindowRgb(w: WindowRef, es: EncodingSettings, out: Uint8Array, at: number, stats?: RenderStats): void {
  const t0 = performance.now();
  const d = encodeWindow(w.cols, w.start, w.end, w.space, es);
  const t1 = performance.now();
  const ctx = contextFor(es.sizePx);
  renderDrawList(ctx as unknown as Canvas2DLike, d);
  out.set(rgbaToRgb(ctx.getImageData(0, 0, es.sizePx, es.sizePx).data, es.sizePx), at);
  const t2 = performance.now();
  if (stats) {
    stats.images++;
    stats.events += w.end - w.start;
    stats.segments += segmentCount(d);
    stats.encodeMs += t1 - t0;
    stats.renderMs += t2 - t1;
  }
}

/** Render many windows into an ImageSet with the given labels. */
export function renderImageSet(ws: readonly WindowRef[], labels: ArrayLike<number>, es: EncodingSettings, background: number, stats?: RenderStats): ImageSet {
  const per = es.sizePx * es.sizePx * 3;
  const pixels = new Uint8Array(ws.length * per);
  ws.forEach((w, i) => renderWindowRgb(w, es, pixels, i * per, stats));
  return { sizePx: es.sizePx, count: ws.length, pixels, labels: Int32Array.from(labels), background };
}
