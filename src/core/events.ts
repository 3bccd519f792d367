/**
 * The event model: what Pointerprint records about pointer activity.
 *
 * Events are stored columnar (one typed array per field) in chunks per session, so a long session
 * costs a few bytes per event, chunks transfer to workers without copying, and the encoder reads
 * columns directly. Pure: no DOM, no storage, no network.
 */

/** What happened. Numeric so it fits a Uint8Array column. */
export const EventKind = {
  /** Pointer moved (with or without a button held; `buttons` tells which). */
  Move: 0,
  /** A button went down; `button` says which. */
  Down: 1,
  /** A button went up; `button` says which. */
  Up: 2,
  /** Wheel / scroll gesture; `dx`, `dy` carry the wheel deltas in CSS px. */
  Wheel: 3,
  /** The page scrolled; `x`, `y` carry the new scroll offsets (scrollX, scrollY) in CSS px. */
  Scroll: 4,
  /** The viewport was resized; `x`, `y` carry the new viewport width, height in CSS px. */
  Resize: 5,
  /** Tab became hidden (visibilitychange). Time base keeps running; the gap is real. */
  Hidden: 6,
  /** Tab became visible again. */
  Visible: 7,
  /** Window lost focus. */
  Blur: 8,
  /** Window gained focus. */
  Focus: 9,
  /** An idle gap longer than the capture's idle threshold ended just before this marker. */
  Idle: 10,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** A row that carries the pointer's position (a move, a press or a release). */
export function isPositional(kind: number): boolean {
  return kind === EventKind.Move || kind === EventKind.Down || kind === EventKind.Up;
}

/** Kinds that are markers in the stream rather than pointer activity. */
export function isMarker(kind: number): boolean {
  return kind >= EventKind.Scroll;
}

/** Mouse button numbers as in `PointerEvent.button`; -1 means "no button changed". */
export const Button = { None: -1, Left: 0, Middle: 1, Right: 2, Back: 3, Forward: 4 } as const;

/** Bitmask of held buttons as in `PointerEvent.buttons`. */
export const ButtonsMask = { Left: 1, Right: 2, Middle: 4 } as const;

/** The device that produced an event. */
export const PointerKind = { Unknown: 0, Mouse: 1, Pen: 2, Touch: 3 } as const;
export type PointerKind = (typeof PointerKind)[keyof typeof PointerKind];

export function pointerKindFromType(t: string): PointerKind {
  return t === 'mouse' ? PointerKind.Mouse : t === 'pen' ? PointerKind.Pen : t === 'touch' ? PointerKind.Touch : PointerKind.Unknown;
}

/** One event as a plain object: convenient for tests and importers, not for storage. */
export interface PointerSample {
  /** Milliseconds since the session's start, on one monotonic clock (performance.now based). */
  tMs: number;
  kind: EventKind;
  /** Viewport (client) CSS px for pointer kinds; see EventKind for markers. */
  x: number;
  y: number;
  /** Button that changed (Down/Up), else -1. */
  button: number;
  /** Buttons held after this event (bitmask). */
  buttons: number;
  pointerKind: PointerKind;
  /** Wheel deltas in CSS px (Wheel only; 0 otherwise). */
  dx: number;
  dy: number;
}

/** Columnar storage of a run of events of one session. */
export interface EventColumns {
  tMs: Float64Array;
  kind: Uint8Array;
  x: Float32Array;
  y: Float32Array;
  button: Int8Array;
  buttons: Uint8Array;
  pointerKind: Uint8Array;
  dx: Float32Array;
  dy: Float32Array;
}

/** A chunk of one session's events, as stored in IndexedDB and sent to workers. */
export interface EventChunk extends EventColumns {
  sessionId: string;
  /** 0, 1, 2… in capture order; a session is the concatenation of its chunks by seq. */
  seq: number;
  /** Number of valid events (columns may be longer when taken from a growable buffer). */
  length: number;
}

/** Size of a rectangle in CSS px. */
export interface SizePx {
  width: number;
  height: number;
}

/** Where a session came from. */
export type SessionSource = 'capture' | 'import-balabit' | 'import-json' | 'splunk' | 'simulator';

/** Everything needed to interpret a session's coordinates and provenance. */
export interface SessionMeta {
  id: string;
  /** Profile (person or label) the session belongs to. */
  profileId: string;
  /** Optional group label (e.g. "customer", "first-time", "bot"). */
  label?: string;
  source: SessionSource;
  /** Wall-clock start, epoch ms (for display and Splunk `time`); event times are relative to it. */
  startedAtEpochMs: number;
  /**
   * The coordinate space x/y live in: the viewport for captured sessions, the screen for
   * Balabit imports. The encoder normalises by it so different screens map consistently.
   */
  space: SizePx;
  /** Viewport at start (CSS px), page (document) size, screen, devicePixelRatio. */
  viewport?: SizePx;
  page?: SizePx;
  screen?: SizePx;
  devicePixelRatio?: number;
  userAgent?: string;
  /** Free text, e.g. the imported file name. */
  note?: string;
  /**
   * When this copy arrived on this device (epoch ms; set by the store when a whole session is saved:
   * imports, Splunk pulls). Retention counts from here; captured sessions count from their start.
   */
  storedAtEpochMs?: number;
  /** Number of events and duration, kept current as chunks are flushed. */
  eventCount: number;
  durationMs: number;
}

export const COLUMN_NAMES = ['tMs', 'kind', 'x', 'y', 'button', 'buttons', 'pointerKind', 'dx', 'dy'] as const;

/** Allocate empty columns of a given capacity. */
export function allocColumns(capacity: number): EventColumns {
  return {
    tMs: new Float64Array(capacity),
    kind: new Uint8Array(capacity),
    x: new Float32Array(capacity),
    y: new Float32Array(capacity),
    button: new Int8Array(capacity),
    buttons: new Uint8Array(capacity),
    pointerKind: new Uint8Array(capacity),
    dx: new Float32Array(capacity),
    dy: new Float32Array(capacity),
  };
}

/** Build columns from plain samples (tests, importers). */
export function columnsFromSamples(samples: readonly PointerSample[]): EventColumns & { length: number } {
  const c = allocColumns(samples.length);
  samples.forEach((s, i) => {
    c.tMs[i] = s.tMs;
    c.kind[i] = s.kind;
    c.x[i] = s.x;
    c.y[i] = s.y;
    c.button[i] = s.button;
    c.buttons[i] = s.buttons;
    c.pointerKind[i] = s.pointerKind;
    c.dx[i] = s.dx;
    c.dy[i] = s.dy;
  });
  return { ...c, length: samples.length };
}

/** Read sample i of some columns back as a plain object. */
export function sampleAt(c: EventColumns, i: number): PointerSample {
  return {
    tMs: c.tMs[i],
    kind: c.kind[i] as EventKind,
    x: c.x[i],
    y: c.y[i],
    button: c.button[i],
    buttons: c.buttons[i],
    pointerKind: c.pointerKind[i] as PointerKind,
    dx: c.dx[i],
    dy: c.dy[i],
  };
}

/** Copy the first `length` events of columns into right-sized new arrays. */
export function sliceColumns(c: EventColumns, start: number, end: number): EventColumns {
  return {
    tMs: c.tMs.slice(start, end),
    kind: c.kind.slice(start, end),
    x: c.x.slice(start, end),
    y: c.y.slice(start, end),
    button: c.button.slice(start, end),
    buttons: c.buttons.slice(start, end),
    pointerKind: c.pointerKind.slice(start, end),
    dx: c.dx.slice(start, end),
    dy: c.dy.slice(start, end),
  };
}

/** Concatenate chunks (sorted by seq) into one set of columns for the whole session. */
export function concatChunks(chunks: readonly EventChunk[]): EventColumns & { length: number } {
  const sorted = [...chunks].sort((a, b) => a.seq - b.seq);
  const total = sorted.reduce((n, ch) => n + ch.length, 0);
  const out = allocColumns(total);
  let at = 0;
  for (const ch of sorted) {
    for (const name of COLUMN_NAMES) {
      (out[name] as { set(a: ArrayLike<number>, o: number): void }).set(ch[name].subarray(0, ch.length), at);
    }
    at += ch.length;
  }
  return { ...out, length: total };
}

/** The buffers of a chunk, for `postMessage(msg, transfer)`. */
export function chunkTransferables(c: EventColumns): ArrayBuffer[] {
  return COLUMN_NAMES.map((n) => c[n].buffer as ArrayBuffer);
}
