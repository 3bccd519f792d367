/**
 * Messages between the UI and the render worker: a discriminated union on `type`, each request with an
 * `id` that its reply repeats. Event columns and pixels are transferred, not copied.
 */
import type { EventColumns, SizePx } from '../core/events';
import type { EncodingSettings, WindowSettings } from '../core/settings';
import type { DroppedWindow, EventWindow } from '../core/segment';

/** Which outputs to produce per image. */
export interface RenderOutputs {
  /** RGBA pixels (sizePx² × 4 bytes), transferred back: for tensors and tests. */
  rgba: boolean;
  /** A PNG blob: for <img> in the UI and downloads. */
  png: boolean;
}

/** A range of events to draw as one image. */
export interface WindowRange {
  index: number;
  start: number;
  end: number;
}

/** Render the given ranges of `columns`. */
export interface RenderWindowsRequest {
  type: 'render-windows';
  id: number;
  columns: EventColumns & { length: number };
  space: SizePx;
  windows: WindowRange[];
  encoding: EncodingSettings;
  outputs: RenderOutputs;
}

/** Segment a whole session in the worker, then render its kept windows (optionally only some). */
export interface RenderSessionRequest {
  type: 'render-session';
  id: number;
  sessionId: string;
  columns: EventColumns & { length: number };
  space: SizePx;
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  outputs: RenderOutputs;
  /** Render at most this many kept windows (from the first); all are still reported. */
  maxImages?: number;
}

/** Stop work on an earlier request (a newer one supersedes it); its reply never comes. */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export type RenderRequest = RenderWindowsRequest | RenderSessionRequest | CancelRequest;

export interface RenderedImage {
  index: number;
  start: number;
  end: number;
  sizePx: number;
  rgba?: Uint8ClampedArray;
  png?: Blob;
  /** Primitives drawn (segments + marks + circles), for throughput figures. */
  primitives: number;
}

export interface RenderTiming {
  segmentMs: number;
  encodeMs: number;
  drawMs: number;
  /** Reading pixels and/or encoding PNGs. */
  outputMs: number;
  totalMs: number;
}

export interface RenderedReply {
  type: 'rendered';
  id: number;
  images: RenderedImage[];
  /** For render-session: the segmenter's kept and dropped windows. */
  windows?: EventWindow[];
  dropped?: DroppedWindow[];
  timing: RenderTiming;
}

export interface RenderErrorReply {
  type: 'error';
  id: number;
  code: string;
  message: string;
}

export type RenderReply = RenderedReply | RenderErrorReply;
