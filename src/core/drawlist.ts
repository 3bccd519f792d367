/**
 * A draw list: the encoder's output, a flat list of coloured strokes and circles in image pixels.
 *
 * The encoder (pure) produces it; `renderDrawList` executes it on any Canvas-2D-compatible context:
 * the render worker's OffscreenCanvasRenderingContext2D in the browser, `@napi-rs/canvas` in Node.
 * One drawing path for both, so tests see exactly what the model sees.
 *
 * Stored as Float32Arrays (transferable, compact): thousands of primitives per image.
 */

/** Floats per segment: x0, y0, x1, y1, r, g, b, widthPx. Colours are 0..255. */
export const SEGMENT_STRIDE = 8;
/** Floats per circle: x, y, radiusPx, r, g, b. */
export const CIRCLE_STRIDE = 6;
/** Floats per mark (a small square, e.g. a wheel tick): x, y, sizePx, r, g, b. */
export const MARK_STRIDE = 6;

export interface DrawList {
  /** Square image side in px. */
  sizePx: number;
  /** Background grey level 0..255. */
  background: number;
  /** Movement segments, drawn first, in time order (later strokes on top). */
  segments: Float32Array;
  /** Small squares (wheel), drawn after segments. */
  marks: Float32Array;
  /** Filled circles (clicks), drawn last so they stay visible. */
  circles: Float32Array;
}

/** The subset of CanvasRenderingContext2D the renderer uses (both OffscreenCanvas and @napi-rs/canvas have it). */
export interface Canvas2DLike {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  lineCap: string;
  lineJoin: string;
  imageSmoothingEnabled?: boolean;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, a0: number, a1: number): void;
  stroke(): void;
  fill(): void;
}

export function segmentCount(d: DrawList): number {
  return d.segments.length / SEGMENT_STRIDE;
}
export function circleCount(d: DrawList): number {
  return d.circles.length / CIRCLE_STRIDE;
}
export function markCount(d: DrawList): number {
  return d.marks.length / MARK_STRIDE;
}

function rgb(r: number, g: number, b: number): string {
  return `rgb(${r | 0},${g | 0},${b | 0})`;
}

/**
 * Execute a draw list on a 2D context of size `d.sizePx`. Consecutive segments with the same colour
 * and width are batched into one path (a large share of a slow, smooth movement), which keeps the
 * worker fast without changing pixels.
 */
export function renderDrawList(ctx: Canvas2DLike, d: DrawList): void {
  const n = d.sizePx;
  ctx.fillStyle = rgb(d.background, d.background, d.background);
  ctx.fillRect(0, 0, n, n);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';

  const s = d.segments;
  let open = false;
  let curR = -1, curG = -1, curB = -1, curW = -1;
  let lastX = NaN, lastY = NaN;
  for (let i = 0; i < s.length; i += SEGMENT_STRIDE) {
    const x0 = s[i], y0 = s[i + 1], x1 = s[i + 2], y1 = s[i + 3];
    const r = s[i + 4], g = s[i + 5], b = s[i + 6], w = s[i + 7];
    if (!open || r !== curR || g !== curG || b !== curB || w !== curW) {
      if (open) ctx.stroke();
      ctx.strokeStyle = rgb(r, g, b);
      ctx.lineWidth = w;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      open = true;
      curR = r; curG = g; curB = b; curW = w;
    } else if (x0 !== lastX || y0 !== lastY) {
      ctx.moveTo(x0, y0);
    }
    ctx.lineTo(x1, y1);
    lastX = x1; lastY = y1;
  }
  if (open) ctx.stroke();

  const m = d.marks;
  for (let i = 0; i < m.length; i += MARK_STRIDE) {
    const half = m[i + 2] / 2;
    ctx.fillStyle = rgb(m[i + 3], m[i + 4], m[i + 5]);
    ctx.fillRect(m[i] - half, m[i + 1] - half, m[i + 2], m[i + 2]);
  }

  const c = d.circles;
  for (let i = 0; i < c.length; i += CIRCLE_STRIDE) {
    ctx.fillStyle = rgb(c[i + 3], c[i + 4], c[i + 5]);
    ctx.beginPath();
    ctx.arc(c[i], c[i + 1], c[i + 2], 0, Math.PI * 2);
    ctx.fill();
  }
}

/** The buffers of a draw list, for `postMessage(msg, transfer)`. */
export function drawListTransferables(d: DrawList): ArrayBuffer[] {
  return [d.segments.buffer as ArrayBuffer, d.marks.buffer as ArrayBuffer, d.circles.buffer as ArrayBuffer];
}
