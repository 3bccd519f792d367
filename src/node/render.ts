/**
 * Node-side rendering of draw lists with @napi-rs/canvas, through the same `renderDrawList` the
 * browser's render worker runs on an OffscreenCanvas: tests and tools see what the model sees.
 * Node only (never import from the browser bundle).
 */
import { createCanvas } from '@napi-rs/canvas';
import { renderDrawList, type Canvas2DLike, type DrawList } from '../core/drawlist';

function draw(d: DrawList) {
  const canvas = createCanvas(d.sizePx, d.sizePx);
  const ctx = canvas.getContext('2d');
  renderDrawList(ctx as unknown as Canvas2DLike, d);
  return { canvas, ctx };
}

/** Render to RGBA pixels (row-major, 4 bytes per pixel, sizePx × sizePx). */
export function renderToRgba(d: DrawList): Uint8ClampedArray {
  const { ctx } = draw(d);
  return ctx.getImageData(0, 0, d.sizePx, d.sizePx).data as Uint8ClampedArray;
}

/** Render to a PNG file's bytes. */
export function renderToPng(d: DrawList): Buffer {
  const { canvas } = draw(d);
  return canvas.toBuffer('image/png');
}
