/// <reference lib="webworker" />
/**
 * The render worker: a thin shell that runs the pure core off the main thread. It segments sessions,
 * encodes windows into draw lists and executes them on an OffscreenCanvas 2D context, returning RGBA
 * pixels (transferred) and/or PNG blobs. It never touches the DOM.
 */
import { renderDrawList, segmentCount, circleCount, markCount, type Canvas2DLike } from '../core/drawlist';
import { encodeWindow } from '../core/encode';
import { segmentSession } from '../core/segment';
import { PointerprintError, describeError } from '../core/errors';
import type { EventColumns, SizePx } from '../core/events';
import type { EncodingSettings } from '../core/settings';
import type { RenderedImage, RenderOutputs, RenderReply, RenderRequest, RenderSessionRequest, RenderTiming, RenderWindowsRequest, WindowRange } from './renderProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** One canvas per image size, reused: creating contexts is far slower than clearing one. */
const canvases = new Map<number, { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D }>();
function canvasFor(sizePx: number) {
  let c = canvases.get(sizePx);
  if (!c) {
    const canvas = new OffscreenCanvas(sizePx, sizePx);
    const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    if (!ctx) throw new PointerprintError('render/no-2d', 'This browser cannot draw on an OffscreenCanvas in a worker.');
    c = { canvas, ctx };
    canvases.set(sizePx, c);
  }
  return c;
}

/** Ids cancelled by the client (a newer request superseded them). */
const cancelled = new Set<number>();
const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

async function renderRanges(
  id: number,
  cols: EventColumns & { length: number },
  space: SizePx,
  ranges: WindowRange[],
  es: EncodingSettings,
  outputs: RenderOutputs,
  timing: RenderTiming,
  transfer: Transferable[],
): Promise<RenderedImage[] | null> {
  const { canvas, ctx } = canvasFor(es.sizePx);
  const images: RenderedImage[] = [];
  for (let k = 0; k < ranges.length; k++) {
    // Let a cancel message in now and then, so a superseded batch stops early.
    if (k > 0 && k % 8 === 0) {
      await yieldToMessages();
      if (cancelled.has(id)) return null;
    }
    const w = ranges[k];
    let t = performance.now();
    const d = encodeWindow(cols, w.start, w.end, space, es);
    let t2 = performance.now();
    timing.encodeMs += t2 - t;
    renderDrawList(ctx as unknown as Canvas2DLike, d);
    t = performance.now();
    timing.drawMs += t - t2;
    const img: RenderedImage = { index: w.index, start: w.start, end: w.end, sizePx: es.sizePx, primitives: segmentCount(d) + circleCount(d) + markCount(d) };
    if (outputs.rgba) {
      img.rgba = ctx.getImageData(0, 0, es.sizePx, es.sizePx).data;
      transfer.push(img.rgba.buffer as ArrayBuffer);
    }
    if (outputs.png) img.png = await canvas.convertToBlob({ type: 'image/png' });
    t2 = performance.now();
    timing.outputMs += t2 - t;
    images.push(img);
  }
  return images;
}

async function handle(req: RenderWindowsRequest | RenderSessionRequest): Promise<void> {
  const t0 = performance.now();
  const timing: RenderTiming = { segmentMs: 0, encodeMs: 0, drawMs: 0, outputMs: 0, totalMs: 0 };
  const transfer: Transferable[] = [];
  let reply: RenderReply;
  try {
    if (req.type === 'render-windows') {
      const images = await renderRanges(req.id, req.columns, req.space, req.windows, req.encoding, req.outputs, timing, transfer);
      if (!images) return;
      timing.totalMs = performance.now() - t0;
      reply = { type: 'rendered', id: req.id, images, timing };
    } else {
      const seg = segmentSession(req.columns, req.sessionId, req.windowSettings, req.space);
      timing.segmentMs = performance.now() - t0;
      const ranges = seg.windows.slice(0, req.maxImages ?? seg.windows.length);
      const images = await renderRanges(req.id, req.columns, req.space, ranges, req.encoding, req.outputs, timing, transfer);
      if (!images) return;
      timing.totalMs = performance.now() - t0;
      reply = { type: 'rendered', id: req.id, images, windows: seg.windows, dropped: seg.dropped, timing };
    }
  } catch (e) {
    reply = { type: 'error', id: req.id, code: e instanceof PointerprintError ? e.code : 'render/failed', message: describeError(e) };
  } finally {
    cancelled.delete(req.id);
  }
  scope.postMessage(reply, transfer);
}

/** Requests run one after another (they share canvases); cancels act at once. */
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e: MessageEvent<RenderRequest>) => {
  const req = e.data;
  if (req.type === 'cancel') {
    cancelled.add(req.id);
    return;
  }
  queue = queue.then(() => (cancelled.has(req.id) ? (cancelled.delete(req.id), undefined) : handle(req)));
};
