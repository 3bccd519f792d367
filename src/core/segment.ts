/**
 * The segmenter: cuts a session's events into windows, each of which becomes one image.
 *
 * - mode 'events': a window closes after `eventsPerWindow` pointer events (markers don't count);
 * - mode 'time': a window closes when the next event is `spanMs` or more after the window's first;
 * - either way a window also closes at an idle gap longer than `idleGapMs` and at a Hidden, Blur or
 *   Idle marker (the pointer may have moved unseen, so a window must not bridge it);
 * - a window with too little movement is dropped, with a reason a person can read.
 *
 * Pure and allocation-light: a window is just index bounds into the session columns.
 */
import { EventKind, type EventColumns, type SizePx } from './events';
import type { WindowSettings } from './settings';
import { pathLengthPx } from './kinematics';

/** A kept window: events [start, end) of the session columns. */
export interface EventWindow {
  sessionId: string;
  /** 0, 1, 2… in session order, shared with dropped windows (so gaps show what was dropped). */
  index: number;
  /** [start, end) indices into the session columns. */
  start: number;
  end: number;
  /** Time of the first and last event of the window (ms, session time). */
  startMs: number;
  endMs: number;
  /** Move events (incl. drags) in the window. */
  moveCount: number;
  /** Pointer events (moves, button changes, wheel) in the window; markers excluded. */
  eventCount: number;
}

/** A window that was cut but not kept, and why. */
export interface DroppedWindow {
  index: number;
  start: number;
  end: number;
  /** Human-readable, e.g. "only 12 move events (minimum 30)". */
  reason: string;
}

export interface SegmentResult {
  windows: EventWindow[];
  dropped: DroppedWindow[];
}

/** Where an incremental segmentation stopped: resume from here with `windowsCompletedSince`. */
export interface SegmentCursor {
  /** First event of the window still open (not yet completed). */
  nextEvent: number;
  /** Index the next window (kept or dropped) will get. */
  nextIndex: number;
}

/** Markers that end a window: the pointer may have moved while we could not see it. */
function isWindowBreak(kind: number): boolean {
  return kind === EventKind.Hidden || kind === EventKind.Blur || kind === EventKind.Idle;
}

/** Pointer activity (counts towards eventsPerWindow). */
function isPointerEvent(kind: number): boolean {
  return kind <= EventKind.Wheel;
}

interface ScanOut extends SegmentResult {
  cursor: SegmentCursor;
}

/**
 * Core scan over events [from, length). When `closeAtEnd` is false the last, still-open window is
 * not emitted (live use); `nowMs` lets an open window close by idleness without a new event.
 */
function scan(
  cols: EventColumns & { length: number },
  sessionId: string,
  ws: WindowSettings,
  space: SizePx,
  from: number,
  firstIndex: number,
  closeAtEnd: boolean,
  nowMs: number | undefined,
): ScanOut {
  const { tMs, kind } = cols;
  const length = cols.length;
  const windows: EventWindow[] = [];
  const dropped: DroppedWindow[] = [];
  const diag = Math.hypot(space.width, space.height);
  const perWindow = Math.max(1, Math.floor(ws.eventsPerWindow));
  const span = Math.max(1, ws.spanMs);
  let index = firstIndex;

  let wStart = from; // first event of the open window
  let pointerCount = 0;
  let moveCount = 0;
  let firstT = NaN; // time of the first pointer event in the window
  let lastT = NaN; // time of the last event seen (for idle gaps)

  const close = (end: number): void => {
    if (pointerCount > 0) {
      const start = wStart;
      let reason = '';
      if (moveCount < ws.minMoveEvents) {
        reason = `only ${moveCount} move events (minimum ${ws.minMoveEvents})`;
      } else if (ws.minPathFraction > 0) {
        const path = pathLengthPx(cols, start, end, space);
        const frac = diag > 0 ? path / diag : 0;
        if (frac < ws.minPathFraction) {
          reason = `path ${(frac * 100).toFixed(1)}% of the screen diagonal (minimum ${(ws.minPathFraction * 100).toFixed(1)}%)`;
        }
      }
      if (reason) dropped.push({ index, start, end, reason });
      else windows.push({ sessionId, index, start, end, startMs: firstT, endMs: lastT, moveCount, eventCount: pointerCount });
      index++;
    }
    wStart = end;
    pointerCount = 0;
    moveCount = 0;
    firstT = NaN;
  };

  for (let i = from; i < length; i++) {
    const k = kind[i];
    const t = tMs[i];
    if (isWindowBreak(k)) {
      close(i);
      wStart = i + 1; // the marker itself belongs to no window
      lastT = t;
      continue;
    }
    // Idle gap: the window ends before this event. (Timestamps that go backwards are no gap.)
    if (pointerCount > 0 && t - lastT > ws.idleGapMs) close(i);
    if (ws.mode === 'time' && pointerCount > 0 && t - firstT >= span) close(i);
    if (isPointerEvent(k)) {
      if (pointerCount === 0) {
        firstT = t;
        if (wStart < i) wStart = i; // don't start a window with stray markers
      }
      pointerCount++;
      if (k === EventKind.Move) moveCount++;
    }
    lastT = t;
    if (ws.mode === 'events' && pointerCount >= perWindow) close(i + 1);
  }
  if (closeAtEnd) close(length);
  else if (nowMs !== undefined && pointerCount > 0 && nowMs - lastT > ws.idleGapMs) close(length);
  return { windows, dropped, cursor: { nextEvent: wStart, nextIndex: index } };
}

/**
 * Cut a whole session into windows. The last window may be shorter than `eventsPerWindow` /
 * `spanMs`; it is kept when it passes the movement rules, like any other.
 */
export function segmentSession(
  cols: EventColumns & { length: number },
  sessionId: string,
  ws: WindowSettings,
  space: SizePx,
): SegmentResult {
  const { windows, dropped } = scan(cols, sessionId, ws, space, 0, 0, true, undefined);
  return { windows, dropped };
}

/**
 * Incremental segmentation for live scoring: the windows completed since `cursor` (start with
 * `{ nextEvent: 0, nextIndex: 0 }`), and the cursor to pass next time. `cols` is the session so far
 * (it may have grown since the last call). A window completes when it is full, at an idle gap, at a
 * break marker, or — given `nowMs` (session time) — when no event came for longer than `idleGapMs`.
 * Calling repeatedly yields exactly the windows `segmentSession` yields, minus a final partial one.
 */
export function windowsCompletedSince(
  cols: EventColumns & { length: number },
  sessionId: string,
  ws: WindowSettings,
  space: SizePx,
  cursor: SegmentCursor,
  nowMs?: number,
): SegmentResult & { cursor: SegmentCursor } {
  return scan(cols, sessionId, ws, space, cursor.nextEvent, cursor.nextIndex, false, nowMs);
}

/** A window between two consecutive windows of a session: the end of one and the start of the next. */
export interface ShiftedWindow {
  /** [start, end) indices into the session columns. */
  start: number;
  end: number;
  startMs: number;
  endMs: number;
  /** `index` of the two windows it straddles. */
  between: [number, number];
  /** How far into the first window it starts (0.5: from the middle of one to the middle of the next). */
  fraction: number;
}

/**
 * Shifted windows of a session's windows: for each pair of consecutive windows that touch (one ends
 * where the next starts, with no idle gap between them) and each fraction f, the window from f of the
 * way into the first to f of the way into the second: more windows from the same movement, for
 * training or for scoring. Measured on validation by the benchmark (scripts/bench/explore-overlap.ts,
 * docs/benchmark.md "What was tried"); the app does not use them yet. Windows that do not touch (a
 * dropped window, a break marker or an idle gap between them) get none, so no shifted window bridges
 * what the segmenter cut.
 */
export function shiftedWindows(cols: Pick<EventColumns, 'tMs'>, windows: readonly EventWindow[], idleGapMs: number, fractions: readonly number[] = [0.5]): ShiftedWindow[] {
  const out: ShiftedWindow[] = [];
  for (let i = 0; i + 1 < windows.length; i++) {
    const a = windows[i], b = windows[i + 1];
    if (a.end !== b.start || b.index !== a.index + 1) continue;
    if (cols.tMs[b.start] - cols.tMs[a.end - 1] > idleGapMs) continue;
    for (const f of fractions) {
      const start = a.start + Math.floor((a.end - a.start) * f);
      const end = b.start + Math.floor((b.end - b.start) * f);
      if (end - start < 2) continue;
      out.push({ start, end, startMs: cols.tMs[start], endMs: cols.tMs[end - 1], between: [a.index, b.index], fraction: f });
    }
  }
  return out;
}
