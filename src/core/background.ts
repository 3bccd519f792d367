/**
 * The shipped background set: movement of other people, so a person on a fresh install can enrol
 * against someone without importing anything (issue #9).
 *
 * It is derived from public recordings (the Balabit Mouse Dynamics Challenge, remote-desktop logs) and
 * **harmonised to browser capture** before it is stored, so a model cannot tell "the person" from "the
 * others" by how the recording was made instead of by how they move:
 * - time base: Balabit's client clock ticks in ~15.6 ms steps, so several rows share one timestamp;
 *   a browser gives sub-millisecond pointer-event times. Rows sharing a tick are spread evenly across
 *   that tick (`dequantiseTimes`), as a browser would have stamped them;
 * - sampling: a browser emits pointermove only when the pointer moved; repeated moves at the same
 *   position are dropped; recorder overflow rows (65535) are dropped;
 * - screen-free: positions are shifted so the session's movement starts at the origin of its own
 *   bounding box (no absolute screen position), and the space is that box (rounded up), not the
 *   remote screen. The verifier's features and movement-framed images never use either.
 *
 * Wire format (`pointerprint-background` v1, JSON): per session, one flat integer array of rows
 * `[dt (0.1 ms), kind, dx, dy, button, buttons, wheelDy]` with dx, dy position deltas, so the file
 * stays small and exact. Pure: no DOM, no network.
 */
import { PointerprintError } from './errors';
import { EventKind, PointerKind, allocColumns, type EventColumns, type SizePx } from './events';

export const BACKGROUND_FORMAT = 'pointerprint-background';
export const BACKGROUND_VERSION = 1;
/** Values per row in the wire format. */
const ROW = 7;
/** Time unit of the wire format, ms. */
const TIME_UNIT_MS = 0.1;

export interface BackgroundSessionWire {
  id: string;
  /** Who moved (an anonymous label such as "balabit-user7"); sessions of one person share it. */
  person: string;
  space: SizePx;
  /** Flat rows, ROW integers each (see the module comment). */
  rows: number[];
}

export interface BackgroundSetWire {
  format: typeof BACKGROUND_FORMAT;
  version: number;
  /** Where the movement came from and under which terms, in words. */
  source: string;
  /** What was done to it (shown in the UI and docs). */
  harmonisation: string[];
  sessions: BackgroundSessionWire[];
}

export interface BackgroundSession {
  id: string;
  person: string;
  space: SizePx;
  columns: EventColumns & { length: number };
}

export interface BackgroundSet {
  source: string;
  harmonisation: string[];
  sessions: BackgroundSession[];
  people: number;
  events: number;
}

/**
 * Spread rows that share a clock tick evenly over that tick: a run of n rows stamped t, followed by
 * the next distinct stamp t', gets times t + i·min(t' − t, tickMs)/n. A pause (t' − t > tickMs) is
 * kept as a pause: only one tick is used for the spread. Returns new times; input unchanged.
 */
export function dequantiseTimes(tMs: ArrayLike<number>, length: number, tickMs: number): Float64Array {
  const out = new Float64Array(length);
  let i = 0;
  while (i < length) {
    let j = i + 1;
    while (j < length && tMs[j] === tMs[i]) j++;
    const span = j < length ? Math.min(tMs[j] - tMs[i], tickMs) : tickMs;
    const n = j - i;
    for (let k = 0; k < n; k++) out[i + k] = tMs[i] + (span * k) / n;
    i = j;
  }
  return out;
}

/** Options of `harmoniseRecording`. */
export interface HarmoniseOptions {
  /** The recorder's clock tick, ms (Balabit: 15.625). */
  tickMs: number;
  /** Values at or above this are overflow, not positions. */
  overflow: number;
}

/**
 * A recording in browser-capture terms (see the module comment): dequantised times from 0, no overflow
 * rows, no repeated moves at one position, positions relative to the movement's bounding box, space =
 * that box rounded up to 64 px. Wheel rows keep their deltas at the last position.
 */
export function harmoniseRecording(cols: EventColumns & { length: number }, o: HarmoniseOptions): EventColumns & { length: number; space: SizePx } {
  const keep: number[] = [];
  let lastX = NaN, lastY = NaN, minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < cols.length; i++) {
    const k = cols.kind[i];
    if (k === EventKind.Wheel) { if (Number.isFinite(lastX)) keep.push(i); continue; }
    const x = cols.x[i], y = cols.y[i];
    if (!(x >= 0 && y >= 0 && x < o.overflow && y < o.overflow)) continue;
    if (k === EventKind.Move && x === lastX && y === lastY) continue;
    keep.push(i);
    lastX = x; lastY = y;
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  const n = keep.length;
  const times = dequantiseTimes(Float64Array.from(keep, (i) => cols.tMs[i]), n, o.tickMs);
  const out = allocColumns(n);
  const t0 = n ? times[0] : 0;
  let px = 0, py = 0;
  for (let r = 0; r < n; r++) {
    const i = keep[r];
    const wheel = cols.kind[i] === EventKind.Wheel;
    out.tMs[r] = Math.round((times[r] - t0) / TIME_UNIT_MS) * TIME_UNIT_MS;
    out.kind[r] = cols.kind[i];
    out.x[r] = wheel ? px : Math.round(cols.x[i] - minX);
    out.y[r] = wheel ? py : Math.round(cols.y[i] - minY);
    px = out.x[r]; py = out.y[r];
    out.button[r] = cols.button[i];
    out.buttons[r] = cols.buttons[i];
    out.pointerKind[r] = PointerKind.Mouse;
    out.dy[r] = wheel ? Math.round(cols.dy[i]) : 0;
  }
  const w = n ? maxX - minX + 1 : 1, h = n ? maxY - minY + 1 : 1;
  return { ...out, length: n, space: { width: Math.ceil(w / 64) * 64, height: Math.ceil(h / 64) * 64 } };
}

/** Harmonised columns → wire rows. */
export function encodeBackgroundRows(c: EventColumns & { length: number }): number[] {
  const rows: number[] = [];
  let pt = 0, px = 0, py = 0;
  for (let i = 0; i < c.length; i++) {
    const t = Math.round(c.tMs[i] / TIME_UNIT_MS), x = Math.round(c.x[i]), y = Math.round(c.y[i]);
    rows.push(t - pt, c.kind[i], x - px, y - py, c.button[i], c.buttons[i], Math.round(c.dy[i]));
    pt = t; px = x; py = y;
  }
  return rows;
}

/** Wire rows → columns. */
export function decodeBackgroundRows(rows: readonly number[]): EventColumns & { length: number } {
  const n = rows.length / ROW;
  const c = allocColumns(n);
  let t = 0, x = 0, y = 0;
  for (let i = 0; i < n; i++) {
    const r = i * ROW;
    t += rows[r]; x += rows[r + 2]; y += rows[r + 3];
    c.tMs[i] = t * TIME_UNIT_MS;
    c.kind[i] = rows[r + 1];
    c.x[i] = x; c.y[i] = y;
    c.button[i] = rows[r + 4];
    c.buttons[i] = rows[r + 5];
    c.pointerKind[i] = PointerKind.Mouse;
    c.dy[i] = rows[r + 6];
  }
  return { ...c, length: n };
}

const KINDS = new Set<number>(Object.values(EventKind));

function bad(why: string): never {
  throw new PointerprintError('background/invalid', `The shipped background set is unreadable (${why}). Enrol against other people's recordings instead, or reinstall the app.`);
}

/** Validate and decode a background set file (already JSON-parsed). Throws a PointerprintError saying what is wrong. */
export function parseBackgroundSet(json: unknown): BackgroundSet {
  const o = json as Partial<BackgroundSetWire> | null;
  if (!o || typeof o !== 'object') bad('not a JSON object');
  if (o.format !== BACKGROUND_FORMAT) bad(`format is ${JSON.stringify(o.format)}, expected "${BACKGROUND_FORMAT}"`);
  if (o.version !== BACKGROUND_VERSION) bad(`version ${String(o.version)}, this app reads version ${BACKGROUND_VERSION}`);
  if (!Array.isArray(o.sessions) || o.sessions.length === 0) bad('no sessions');
  const sessions: BackgroundSession[] = [];
  let events = 0;
  for (const [k, s] of o.sessions.entries()) {
    if (!s || typeof s.id !== 'string' || typeof s.person !== 'string') bad(`session ${k} has no id or person`);
    if (!Array.isArray(s.rows) || s.rows.length % ROW !== 0) bad(`session ${s.id}: rows are not a multiple of ${ROW} numbers`);
    if (!s.space || !(s.space.width > 0) || !(s.space.height > 0)) bad(`session ${s.id}: no space`);
    for (let i = 0; i < s.rows.length; i++) if (!Number.isInteger(s.rows[i])) bad(`session ${s.id}: value ${i} is not an integer`);
    for (let i = 1; i < s.rows.length; i += ROW) if (!KINDS.has(s.rows[i])) bad(`session ${s.id}: unknown event kind ${s.rows[i]}`);
    for (let i = 0; i < s.rows.length; i += ROW) if (s.rows[i] < 0) bad(`session ${s.id}: time goes backwards`);
    const columns = decodeBackgroundRows(s.rows);
    events += columns.length;
    sessions.push({ id: s.id, person: s.person, space: { width: s.space.width, height: s.space.height }, columns });
  }
  return {
    source: String(o.source ?? ''), harmonisation: Array.isArray(o.harmonisation) ? o.harmonisation.map(String) : [],
    sessions, people: new Set(sessions.map((s) => s.person)).size, events,
  };
}
