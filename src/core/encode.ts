/**
 * The colour encoding: a window of pointer events → a draw list (strokes, marks, circles in image px).
 *
 * Legend (all derived from the functions below, so the UI legend can never drift):
 * - background black;
 * - each movement segment is a line whose colour is HSV with
 *   - hue = direction of motion (0 = rightwards, ¼ turn = downwards on screen, circular, no seam),
 *   - value (brightness) = speed on a log scale, 0.35 (slow, still visible) … 1 (≥ speedFullPxPerMs),
 *   - saturation = along-track acceleration, 0.45 (braking) … 0.725 (steady) … 1 (speeding up),
 *     on a signed log scale reaching its ends at ±accelFullPxPerMs2;
 * - line width sizePx/64 px (1 px at 64); drags (a button held) 3× as wide;
 * - clicks are discs drawn on top: left = white disc, right = white ring, other buttons = grey disc;
 *   the radius grows with the press duration (sizePx/40 at a tap … sizePx/20 at ≥ 600 ms; a tap's disc is
 *   still wider than a drag stroke);
 * - wheel ticks are small squares at the pointer: light grey for up, dark grey for down.
 * Positions are fitted into the square preserving aspect (centred), by the session's `space`, so
 * the same gesture looks the same on any screen; out-of-range samples are left out, never clamped.
 * With `framing: 'movement'` the scale is fixed instead (`framePx` space px across the image) and the
 * image is centred on the window's movement, so it carries no trace of the screen size.
 */
import { Button, EventKind, isPositional, type EventColumns, type SizePx } from './events';
import { CIRCLE_STRIDE, MARK_STRIDE, SEGMENT_STRIDE, type DrawList } from './drawlist';
import { MOVEMENT_FRAME_PX, type EncodingSettings } from './settings';
import { computeKinematics, isValidPosition } from './kinematics';

/** Brightness of the slowest and fastest movement. */
export const VALUE_MIN = 0.35;
export const VALUE_MAX = 1;
/** Saturation when braking hard, moving steadily, speeding up hard. */
export const SAT_DECEL = 0.45;
export const SAT_STEADY = 0.725;
export const SAT_ACCEL = 1;
/** The speed scale is logarithmic from speedFullPxPerMs / this ratio up to speedFullPxPerMs. */
const SPEED_DECADES_RATIO = 64;
/** Likewise for |acceleration| below accelFullPxPerMs2. */
const ACCEL_LOG_RATIO = 64;
/** Press duration (ms) at which a click disc reaches its largest radius. */
export const CLICK_FULL_MS = 600;
/** Grey levels of the wheel marks and the "other button" disc. */
export const WHEEL_UP_GREY = 200;
export const WHEEL_DOWN_GREY = 110;
export const OTHER_CLICK_GREY = 150;
export const BACKGROUND = 0;

/** Position of a speed on the brightness scale, 0..1 (log scale, clamped). */
export function speedLevel(speedPxPerMs: number, es: EncodingSettings): number {
  const full = es.speedFullPxPerMs > 0 ? es.speedFullPxPerMs : 1;
  const s0 = full / SPEED_DECADES_RATIO;
  const v = speedPxPerMs > 0 ? Math.log1p(speedPxPerMs / s0) / Math.log1p(full / s0) : 0;
  return v > 1 ? 1 : v;
}

/**
 * Position of an acceleration on the saturation scale, -1 (braking) .. +1 (speeding up): a signed
 * log scale, like speed, clamped at ±accelFullPxPerMs2. Why log: real accelerations are heavy-
 * tailed (Balabit, all 4.07 M drawn segments of whole sessions: half within ±0.0012 px/ms², 5 % beyond
 * ±0.023), so a linear or tanh map would paint nearly every segment "steady"; the log map spreads them
 * over the scale.
 */
export function accelLevel(accelPxPerMs2: number, es: EncodingSettings): number {
  const full = es.accelFullPxPerMs2 > 0 ? es.accelFullPxPerMs2 : 1;
  const a0 = full / ACCEL_LOG_RATIO;
  const m = Math.abs(accelPxPerMs2);
  if (!(m > 0)) return 0; // 0 and NaN
  const v = Math.log1p(m / a0) / Math.log1p(full / a0);
  return accelPxPerMs2 < 0 ? -(v > 1 ? 1 : v) : v > 1 ? 1 : v;
}

/**
 * The colour of a movement segment: [r, g, b] 0..255 integers.
 * Hue = direction, value = speed (log), saturation = acceleration; see the module comment.
 */
export function motionColour(
  directionRad: number,
  speedPxPerMs: number,
  accelPxPerMs2: number,
  es: EncodingSettings,
): [r: number, g: number, b: number] {
  const out: [number, number, number] = [0, 0, 0];
  motionColourInto(directionRad, speedPxPerMs, accelPxPerMs2, es, out, 0);
  return out;
}

/** Allocation-free variant of motionColour: writes r, g, b to out[at..at+2]. */
export function motionColourInto(
  directionRad: number,
  speedPxPerMs: number,
  accelPxPerMs2: number,
  es: EncodingSettings,
  out: { [i: number]: number },
  at: number,
): void {
  const TWO_PI = 2 * Math.PI;
  let h = (Number.isFinite(directionRad) ? directionRad : 0) / TWO_PI;
  h -= Math.floor(h); // 0..1, circular
  const v = VALUE_MIN + (VALUE_MAX - VALUE_MIN) * speedLevel(speedPxPerMs, es);
  const a = accelLevel(accelPxPerMs2, es);
  const s = a >= 0 ? SAT_STEADY + (SAT_ACCEL - SAT_STEADY) * a : SAT_STEADY + (SAT_STEADY - SAT_DECEL) * a;
  // HSV → RGB
  const h6 = h * 6;
  const sector = Math.floor(h6) % 6;
  const f = h6 - Math.floor(h6);
  const p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  let r: number, g: number, b: number;
  switch (sector) {
    case 0: r = v; g = t; b = p; break;
    case 1: r = q; g = v; b = p; break;
    case 2: r = p; g = v; b = t; break;
    case 3: r = p; g = q; b = v; break;
    case 4: r = t; g = p; b = v; break;
    default: r = v; g = p; b = q; break;
  }
  out[at] = Math.round(r * 255);
  out[at + 1] = Math.round(g * 255);
  out[at + 2] = Math.round(b * 255);
}

/** Stroke width in image px: sizePx/64 for moves, 3× for drags. */
export function strokeWidthPx(sizePx: number, drag: boolean): number {
  const w = sizePx / 64;
  return drag ? 3 * w : w;
}

/** Click disc radius in image px for a press of `pressMs` (unknown / NaN → shortest). */
export function clickRadiusPx(sizePx: number, pressMs: number): number {
  const f = pressMs > 0 ? Math.min(1, pressMs / CLICK_FULL_MS) : 0;
  return (sizePx / 40) + f * (sizePx / 20 - sizePx / 40);
}

/** Side of a wheel mark in image px. */
export function wheelMarkPx(sizePx: number): number {
  return Math.max(1, sizePx / 32);
}

/** Maps space px to image px: aspect-preserving fit into the square, centred, with a margin. */
export interface SpaceToImage {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/**
 * The fit of `space` into a square of `sizePx` (keeps aspect, centres, leaves a margin of half a
 * drag stroke so edge strokes are not cut).
 */
export function spaceToImage(space: SizePx, sizePx: number): SpaceToImage {
  const margin = strokeWidthPx(sizePx, true) / 2;
  const inner = Math.max(1, sizePx - 2 * margin);
  const w = space.width > 0 ? space.width : 1, h = space.height > 0 ? space.height : 1;
  const scale = inner / Math.max(w, h);
  return { scale, offsetX: (sizePx - w * scale) / 2, offsetY: (sizePx - h * scale) / 2 };
}

/**
 * A fixed scale (`framePx` space px across the usable square) centred on the middle of the bounding
 * box of the window's valid positions: nothing about the screen's size enters the mapping.
 */
export function movementToImage(cols: EventColumns, start: number, end: number, space: SizePx, sizePx: number, framePx: number): SpaceToImage {
  const margin = strokeWidthPx(sizePx, true) / 2;
  const inner = Math.max(1, sizePx - 2 * margin);
  const scale = inner / Math.max(1, framePx);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = start; i < end; i++) {
    if (!isPositional(cols.kind[i])) continue;
    const px = cols.x[i], py = cols.y[i];
    if (!isValidPosition(px, py, space)) continue;
    if (px < x0) x0 = px;
    if (px > x1) x1 = px;
    if (py < y0) y0 = py;
    if (py > y1) y1 = py;
  }
  const cx = x0 <= x1 ? (x0 + x1) / 2 : 0, cy = y0 <= y1 ? (y0 + y1) / 2 : 0;
  return { scale, offsetX: sizePx / 2 - cx * scale, offsetY: sizePx / 2 - cy * scale };
}

function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Encode events [start, end) of `cols` (positions in `space`) into a draw list of `es.sizePx`.
 * Thousands of events per image; allocation is a handful of typed arrays per call.
 */
export function encodeWindow(cols: EventColumns, start: number, end: number, space: SizePx, es: EncodingSettings): DrawList {
  const size = es.sizePx;
  // Tolerate bounds beyond the columns (a stale window of a shorter session): draw what exists.
  end = Math.min(end, cols.tMs.length);
  start = Math.max(0, Math.min(start, end));
  const fit = es.framing === 'movement' ? movementToImage(cols, start, end, space, size, es.framePx ?? MOVEMENT_FRAME_PX) : spaceToImage(space, size);
  const k = computeKinematics(cols, start, end, space);

  // Segments (skip zero-length ones: they carry no direction and draw nothing useful).
  const cropOutside = es.framing === 'movement';
  const outside = (v: number, hi: number) => v < 0 || v > hi;
  const moveW = strokeWidthPx(size, false), dragW = strokeWidthPx(size, true);
  const seg = new Float32Array(k.count * SEGMENT_STRIDE);
  const rgb = new Float32Array(3);
  let ns = 0;
  for (let s = 0; s < k.count; s++) {
    const ax = k.x0[s] * fit.scale + fit.offsetX, ay = k.y0[s] * fit.scale + fit.offsetY;
    const bx = k.x1[s] * fit.scale + fit.offsetX, by = k.y1[s] * fit.scale + fit.offsetY;
    if (ax === bx && ay === by) continue;
    // Movement framing: a window wider than the frame leaves it; clamping would paint streaks on the edge.
    if (cropOutside && (outside(ax, size) || outside(ay, size) || outside(bx, size) || outside(by, size))) continue;
    motionColourInto(k.directionRad[s], k.speedPxPerMs[s], k.accelPxPerMs2[s], es, rgb, 0);
    const o = ns * SEGMENT_STRIDE;
    seg[o] = clampTo(ax, 0, size); seg[o + 1] = clampTo(ay, 0, size);
    seg[o + 2] = clampTo(bx, 0, size); seg[o + 3] = clampTo(by, 0, size);
    seg[o + 4] = rgb[0]; seg[o + 5] = rgb[1]; seg[o + 6] = rgb[2];
    seg[o + 7] = k.buttons[s] !== 0 ? dragW : moveW;
    ns++;
  }

  // Clicks and wheel marks. A Down is paired with the next Up of the same button for its duration.
  const { tMs, kind, x, y, button, dy } = cols;
  let nClicks = 0, nWheel = 0;
  for (let i = start; i < end; i++) {
    const kd = kind[i];
    if (kd === EventKind.Down) nClicks++;
    else if (kd === EventKind.Wheel) nWheel++;
  }
  const circ = new Float32Array(nClicks * 2 * CIRCLE_STRIDE); // a ring needs two discs
  const marks = new Float32Array(nWheel * MARK_STRIDE);
  let nc = 0, nm = 0;
  let lastX = NaN, lastY = NaN; // last valid position, for wheel rows without one
  const markSide = wheelMarkPx(size);
  for (let i = start; i < end; i++) {
    const kd = kind[i];
    const px = x[i], py = y[i];
    if (kd === EventKind.Move || kd === EventKind.Down || kd === EventKind.Up) {
      if (isValidPosition(px, py, space)) { lastX = px; lastY = py; }
    }
    if (kd === EventKind.Down) {
      if (!isValidPosition(px, py, space)) continue;
      const b = button[i];
      let pressMs = NaN;
      for (let j = i + 1; j < end; j++) {
        if (kind[j] === EventKind.Up && button[j] === b) { pressMs = tMs[j] - tMs[i]; break; }
      }
      if (cropOutside && (outside(px * fit.scale + fit.offsetX, size) || outside(py * fit.scale + fit.offsetY, size))) continue;
      const r = clickRadiusPx(size, pressMs);
      const cx = clampTo(px * fit.scale + fit.offsetX, 0, size), cy = clampTo(py * fit.scale + fit.offsetY, 0, size);
      const grey = b === Button.Left || b === Button.Right ? 255 : OTHER_CLICK_GREY;
      let o = nc * CIRCLE_STRIDE;
      circ[o] = cx; circ[o + 1] = cy; circ[o + 2] = r; circ[o + 3] = grey; circ[o + 4] = grey; circ[o + 5] = grey;
      nc++;
      if (b === Button.Right) {
        // A ring: punch the centre back to the background.
        o = nc * CIRCLE_STRIDE;
        circ[o] = cx; circ[o + 1] = cy; circ[o + 2] = r * 0.5;
        circ[o + 3] = BACKGROUND; circ[o + 4] = BACKGROUND; circ[o + 5] = BACKGROUND;
        nc++;
      }
    } else if (kd === EventKind.Wheel) {
      const own = isValidPosition(px, py, space) && !(px === 0 && py === 0);
      const wx = own ? px : lastX, wy = own ? py : lastY;
      if (!(wx === wx) || !(wy === wy)) continue; // no position known yet
      if (cropOutside && (outside(wx * fit.scale + fit.offsetX, size) || outside(wy * fit.scale + fit.offsetY, size))) continue;
      const grey = dy[i] < 0 ? WHEEL_UP_GREY : WHEEL_DOWN_GREY;
      const o = nm * MARK_STRIDE;
      marks[o] = clampTo(wx * fit.scale + fit.offsetX, 0, size); marks[o + 1] = clampTo(wy * fit.scale + fit.offsetY, 0, size);
      marks[o + 2] = markSide; marks[o + 3] = grey; marks[o + 4] = grey; marks[o + 5] = grey;
      nm++;
    }
  }
  return {
    sizePx: size,
    background: BACKGROUND,
    segments: seg.slice(0, ns * SEGMENT_STRIDE),
    marks: marks.slice(0, nm * MARK_STRIDE),
    circles: circ.slice(0, nc * CIRCLE_STRIDE),
  };
}

/** One swatch of the legend: the inputs and the colour the encoder gives them. */
export interface LegendSwatch {
  directionRad: number;
  speedPxPerMs: number;
  accelPxPerMs2: number;
  rgb: [r: number, g: number, b: number];
}

/** Human names of the legend axes' sample points. */
export interface LegendSwatches {
  /** Directions sampled (radians; 0 = right, π/2 = down on screen), with labels. */
  directions: { rad: number; label: string }[];
  /** Speeds sampled (px/ms), slow → fast. */
  speeds: { pxPerMs: number; label: string }[];
  /** Accelerations sampled (px/ms²), braking → steady → speeding up. */
  accels: { pxPerMs2: number; label: string }[];
  /** swatches[d][s][a], colour of direction d, speed s, acceleration a. */
  swatches: LegendSwatch[][][];
  /** Stroke widths and click radii at this size, for drawing the shape part of the legend. */
  moveWidthPx: number;
  dragWidthPx: number;
  clickRadiusTapPx: number;
  clickRadiusLongPx: number;
}

const DIRECTION_LABELS = ['→ right', '↘', '↓ down', '↙', '← left', '↖', '↑ up', '↗'];

/** Colours for directions × speeds × accelerations, computed by `motionColour` itself. */
export function legendSwatches(es: EncodingSettings, directions = 8): LegendSwatches {
  const dirs = Array.from({ length: directions }, (_, i) => {
    const rad = (i / directions) * 2 * Math.PI;
    return { rad, label: directions === 8 ? DIRECTION_LABELS[i] : `${Math.round((rad * 180) / Math.PI)}°` };
  });
  const full = es.speedFullPxPerMs;
  const speeds = [
    { pxPerMs: full / 32, label: 'slow' },
    { pxPerMs: full / 6, label: 'medium' },
    { pxPerMs: full, label: 'fast' },
  ];
  const accels = [
    { pxPerMs2: -es.accelFullPxPerMs2, label: 'braking' },
    { pxPerMs2: 0, label: 'steady' },
    { pxPerMs2: es.accelFullPxPerMs2, label: 'speeding up' },
  ];
  const swatches = dirs.map((d) =>
    speeds.map((s) =>
      accels.map((a) => ({ directionRad: d.rad, speedPxPerMs: s.pxPerMs, accelPxPerMs2: a.pxPerMs2, rgb: motionColour(d.rad, s.pxPerMs, a.pxPerMs2, es) })),
    ),
  );
  return {
    directions: dirs,
    speeds,
    accels,
    swatches,
    moveWidthPx: strokeWidthPx(es.sizePx, false),
    dragWidthPx: strokeWidthPx(es.sizePx, true),
    clickRadiusTapPx: clickRadiusPx(es.sizePx, 0),
    clickRadiusLongPx: clickRadiusPx(es.sizePx, CLICK_FULL_MS),
  };
}
