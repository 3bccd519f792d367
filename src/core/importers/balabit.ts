/**
 * Importer for session files of the Balabit Mouse Dynamics Challenge data set.
 *
 * Format: CSV, header `record timestamp,client timestamp,button,state,x,y`; timestamps in seconds
 * since session start; button NoButton|Left|Right|Middle|XButton|Scroll; state
 * Move|Pressed|Released|Drag|Down|Up; x, y screen px. Mapping to the event model:
 * - Move → Move; Drag → Move with the held buttons (Balabit writes Drag rows with NoButton, so the
 *   held mask comes from the preceding Pressed; Left when none is known);
 * - Pressed / Released → Down / Up with the button;
 * - Scroll Up / Down → Wheel with dy = ∓WHEEL_NOTCH_PX (browser sign: up is negative), dx = 0; its
 *   x = y = 0 carry no position, so the last known position is used;
 * - rows with 65535 (a recorder overflow) are kept as they are: they lie outside the inferred screen,
 *   so kinematics and the encoder leave them out, and nothing is stretched.
 * Time is the client timestamp (ms), made non-decreasing. Corrupt input throws a PointerprintError
 * naming the line. Hand-rolled parsing (no split/regex per row): the whole data set is 204 MB.
 */
import { PointerprintError } from '../errors';
import { Button, ButtonsMask, EventKind, PointerKind, allocColumns, sliceColumns, type EventColumns, type SessionMeta, type SizePx } from '../events';

/** Wheel delta (CSS px) of one Balabit scroll row, like one notch in a browser. */
export const WHEEL_NOTCH_PX = 100;
/** Values at or above this are recorder overflow, not positions. */
export const BALABIT_OVERFLOW = 65535;

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const HEADER = 'record timestamp,client timestamp,button,state,x,y';

/**
 * Common screen resolutions, in the order they are tried; the inferred space is the first that
 * holds every valid position. Ordered by area, except that 16:9 1920×1080 comes before 4:3
 * 1600×1200 (far more common, and a 1600-wide path rarely proves the taller screen).
 */
const COMMON_SCREENS: readonly SizePx[] = [
  { width: 800, height: 600 }, { width: 1024, height: 768 }, { width: 1280, height: 720 },
  { width: 1280, height: 800 }, { width: 1366, height: 768 }, { width: 1440, height: 900 },
  { width: 1280, height: 1024 }, { width: 1600, height: 900 }, { width: 1680, height: 1050 },
  { width: 1920, height: 1080 }, { width: 1920, height: 1200 }, { width: 2560, height: 1440 },
  { width: 2560, height: 1600 }, { width: 3840, height: 2160 },
];

/**
 * The screen a session was recorded on, from the largest valid coordinates: the first common
 * resolution that holds them, else the maxima rounded up to a multiple of 64.
 * A short session may not reach the screen's edges, so for consistent images across a user's
 * sessions infer once over all of them (`observedExtent` of each, then this) and pass `space`.
 */
export function inferScreen(maxX: number, maxY: number): SizePx {
  const needW = Math.max(0, maxX) + 1, needH = Math.max(0, maxY) + 1;
  for (const s of COMMON_SCREENS) if (s.width >= needW && s.height >= needH) return { ...s };
  return { width: Math.ceil(needW / 64) * 64, height: Math.ceil(needH / 64) * 64 };
}

/** Largest valid x and y of some imported columns (overflow, negative and NaN rows ignored); -1 when none. */
export function observedExtent(cols: EventColumns & { length: number }): { maxX: number; maxY: number } {
  let maxX = -1, maxY = -1;
  for (let i = 0; i < cols.length; i++) {
    const x = cols.x[i], y = cols.y[i];
    if (cols.kind[i] === EventKind.Wheel) continue;
    if (x >= 0 && y >= 0 && x < BALABIT_OVERFLOW && y < BALABIT_OVERFLOW) {
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return { maxX, maxY };
}

export interface BalabitImportOptions {
  /** File name, e.g. "session_0041905381"; used for the session id and messages. */
  fileName: string;
  /** Profile the session belongs to, e.g. "user7". */
  profileId: string;
  /** Optional group label. */
  label?: string;
  /**
   * The coordinate space to use instead of inferring one from this file alone (e.g. the screen
   * inferred over all sessions of the user). Rows outside it are left out by the encoder.
   */
  space?: SizePx;
}

export interface ImportedSession {
  meta: SessionMeta;
  columns: EventColumns & { length: number };
}

const enum Btn { NoButton, Left, Right, Middle, XButton, Scroll }
const enum St { Move, Pressed, Released, Drag, Down, Up }

function fail(code: string, msg: string, fileName: string, line: number): never {
  throw new PointerprintError(code, `${fileName}, line ${line}: ${msg}`, { fileName, line });
}

/** Parse one Balabit session file. Throws PointerprintError on corrupt input. */
export function parseBalabitSession(text: string, opts: BalabitImportOptions): ImportedSession {
  const name = opts.fileName;
  if (typeof text !== 'string' || text.length === 0) {
    throw new PointerprintError('import/empty', `${name} is empty: a Balabit session file starts with the header "${HEADER}".`);
  }
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // BOM
  let eol = text.indexOf('\n', pos);
  if (eol < 0) eol = text.length;
  const header = text.slice(pos, eol).replace(/\r$/, '').trim();
  if (header !== HEADER) {
    const shown = header.length > 60 || /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(header) ? 'binary or unreadable data' : `"${header}"`;
    fail('import/bad-header', `not a Balabit session file: expected the header "${HEADER}", found ${shown}.`, name, 1);
  }
  pos = eol + 1;

  // Capacity: one row per newline (upper bound).
  let cap = 1;
  for (let i = text.indexOf('\n', pos); i >= 0; i = text.indexOf('\n', i + 1)) cap++;
  const c = allocColumns(cap);
  let n = 0;
  let line = 1;
  let held = 0; // buttons held, from Pressed/Released
  let lastX = NaN, lastY = NaN;
  let lastT = 0;
  let maxX = -1, maxY = -1;
  const len = text.length;

  const nextComma = (from: number, end: number): number => {
    const i = text.indexOf(',', from);
    return i < 0 || i > end ? -1 : i;
  };
  const parseNum = (a: number, b: number, what: string, integer: boolean): number => {
    // Fast path for plain decimals; falls back to Number() for exponents and the like.
    // Integer and fraction digits are accumulated as integers and divided once, so results are
    // correctly rounded like Number() (≤ 15 significant digits; longer ones take the slow path).
    let i = a, neg = false, v = 0, any = false, digits = 0;
    if (i < b && text.charCodeAt(i) === 45) { neg = true; i++; }
    for (; i < b; i++) {
      const ch = text.charCodeAt(i) - 48;
      if (ch < 0 || ch > 9) break;
      v = v * 10 + ch; any = true; digits++;
    }
    if (i < b && text.charCodeAt(i) === 46 && !integer) {
      i++;
      let frac = 0, k = 0;
      for (; i < b; i++) {
        const ch = text.charCodeAt(i) - 48;
        if (ch < 0 || ch > 9) break;
        frac = frac * 10 + ch; k++; any = true; digits++;
      }
      if (k > 0) v += frac / POW10[k];
    }
    if (digits > 15) i = -1; // force the exact slow path
    if (i === b && any) return neg ? -v : v;
    const s = text.slice(a, b).trim();
    const num = s === '' ? NaN : Number(s);
    if (!Number.isFinite(num)) fail('import/bad-number', `${what} is not a number: "${s.slice(0, 40)}".`, name, line);
    return num;
  };
  const word = (a: number, b: number): string => text.slice(a, b);

  while (pos < len) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd === pos) { pos = end + 1; continue; } // blank line (e.g. trailing newline)
    const c1 = nextComma(pos, lineEnd);
    const c2 = c1 < 0 ? -1 : nextComma(c1 + 1, lineEnd);
    const c3 = c2 < 0 ? -1 : nextComma(c2 + 1, lineEnd);
    const c4 = c3 < 0 ? -1 : nextComma(c3 + 1, lineEnd);
    const c5 = c4 < 0 ? -1 : nextComma(c4 + 1, lineEnd);
    if (c5 < 0 || nextComma(c5 + 1, lineEnd) >= 0) {
      fail('import/bad-row', `expected 6 comma-separated fields (${HEADER}), found "${text.slice(pos, Math.min(lineEnd, pos + 60))}".`, name, line);
    }
    const clientT = parseNum(c1 + 1, c2, 'client timestamp', false);
    // Button and state, as whole words.
    const bw = word(c2 + 1, c3);
    const sw = word(c3 + 1, c4);
    let btn: Btn;
    switch (bw) {
      case 'NoButton': btn = Btn.NoButton; break;
      case 'Left': btn = Btn.Left; break;
      case 'Right': btn = Btn.Right; break;
      case 'Scroll': btn = Btn.Scroll; break;
      case 'Middle': btn = Btn.Middle; break;
      case 'XButton': btn = Btn.XButton; break;
      default: fail('import/bad-button', `unknown button "${bw.slice(0, 40)}" (expected NoButton, Left, Right, Middle, XButton or Scroll).`, name, line);
    }
    let st: St;
    switch (sw) {
      case 'Move': st = St.Move; break;
      case 'Drag': st = St.Drag; break;
      case 'Pressed': st = St.Pressed; break;
      case 'Released': st = St.Released; break;
      case 'Down': st = St.Down; break;
      case 'Up': st = St.Up; break;
      default: fail('import/bad-state', `unknown state "${sw.slice(0, 40)}" (expected Move, Drag, Pressed, Released, Down or Up).`, name, line);
    }
    const px = parseNum(c4 + 1, c5, 'x', false);
    const py = parseNum(c5 + 1, lineEnd, 'y', false);
    // Record timestamp is only validated (we use the client clock).
    parseNum(pos, c1, 'record timestamp', false);

    let t = clientT * 1000;
    if (t < lastT) t = lastT; // the client clock never goes backwards in the data; be safe
    lastT = t;

    const i = n;
    c.tMs[i] = t;
    c.pointerKind[i] = PointerKind.Mouse;
    c.button[i] = Button.None;
    c.dx[i] = 0;
    c.dy[i] = 0;
    if (btn === Btn.Scroll) {
      if (st !== St.Up && st !== St.Down) fail('import/bad-state', `a Scroll row must be Up or Down, found "${sw}".`, name, line);
      c.kind[i] = EventKind.Wheel;
      c.dy[i] = st === St.Up ? -WHEEL_NOTCH_PX : WHEEL_NOTCH_PX;
      // x = y = 0 carries no position: keep the last one (NaN before any).
      const hasPos = !(px === 0 && py === 0);
      c.x[i] = hasPos ? px : lastX;
      c.y[i] = hasPos ? py : lastY;
      c.buttons[i] = held;
    } else {
      c.x[i] = px;
      c.y[i] = py;
      const valid = px >= 0 && py >= 0 && px < BALABIT_OVERFLOW && py < BALABIT_OVERFLOW;
      if (valid) {
        lastX = px; lastY = py;
        if (px > maxX) maxX = px;
        if (py > maxY) maxY = py;
      }
      if (st === St.Move || st === St.Drag) {
        c.kind[i] = EventKind.Move;
        c.buttons[i] = st === St.Drag ? (held || ButtonsMask.Left) : held;
      } else if (st === St.Pressed || st === St.Released) {
        if (btn === Btn.NoButton) fail('import/bad-row', `a ${sw} row needs a button, found NoButton.`, name, line);
        const b = btn === Btn.Left ? Button.Left : btn === Btn.Right ? Button.Right : btn === Btn.Middle ? Button.Middle : Button.Back;
        const mask = b === Button.Left ? ButtonsMask.Left : b === Button.Right ? ButtonsMask.Right : b === Button.Middle ? ButtonsMask.Middle : 8;
        c.button[i] = b;
        if (st === St.Pressed) { held |= mask; c.kind[i] = EventKind.Down; }
        else { held &= ~mask; c.kind[i] = EventKind.Up; }
        c.buttons[i] = held;
      } else {
        fail('import/bad-state', `state "${sw}" is only valid for Scroll rows.`, name, line);
      }
    }
    n++;
    pos = end + 1;
  }
  if (n === 0) {
    throw new PointerprintError('import/empty', `${name} has a header but no events.`);
  }
  if (maxX < 0) {
    throw new PointerprintError('import/no-positions', `${name} has no valid pointer positions (all rows are scroll or overflow rows).`);
  }
  const screen = inferScreen(maxX, maxY);
  const space = opts.space ? { width: opts.space.width, height: opts.space.height } : screen;
  const columns = { ...sliceColumns(c, 0, n), length: n };
  const durationMs = columns.tMs[n - 1] - columns.tMs[0];
  const meta: SessionMeta = {
    id: `balabit-${opts.profileId}-${name}`,
    profileId: opts.profileId,
    ...(opts.label !== undefined ? { label: opts.label } : {}),
    source: 'import-balabit',
    startedAtEpochMs: 0,
    space,
    screen,
    note: name,
    eventCount: n,
    durationMs,
  };
  return { meta, columns };
}
