/**
 * Kinematics of pointer movement: per segment (two consecutive valid position samples) its
 * velocity, speed, signed along-track acceleration and direction, on a stable time base.
 *
 * Why a "stable time base": real streams repeat timestamps (29 % of Balabit rows share a client
 * timestamp with a neighbouring row, over all 4.6 M rows; coalesced browser events can share one too). Dividing a
 * distance by a dt of ~0 gives absurd speeds, so:
 *  1. runs of samples with the same (or going-backwards) timestamp are *spread* evenly over the
 *     interval since the previous distinct timestamp (total time and path are preserved, so the
 *     mean speed over the run is right);
 *  2. every dt is then clamped to at least `minDtMs`;
 *  3. acceleration is the change of speed over the mean of the two dts, and speeds are smoothed
 *     over three segments before differentiating (differences amplify jitter).
 *
 * Out-of-range positions (NaN, negatives, Balabit's 65535 overflow, anything outside `space`)
 * are excluded: they end the current stroke, so no segment ever jumps to or from them.
 * Pure: no DOM, no allocation per event (typed arrays per call).
 */
import { EventKind, isPositional, type EventColumns, type SizePx } from './events';

/** Smallest dt (ms) used as a divisor. 1 ms: below any real sampling interval of a mouse. */
export const MIN_DT_MS = 1;
/** Slack (px) allowed outside the space before a coordinate counts as out of range. */
export const SPACE_SLACK_PX = 2;

/** Per-segment kinematics of a run of events; arrays have `count` valid entries. */
export interface SegmentKinematics {
  count: number;
  /** Segment end points in the session's space (px). */
  x0: Float32Array;
  y0: Float32Array;
  x1: Float32Array;
  y1: Float32Array;
  /** Time the segment took on the stabilised time base (ms, ≥ MIN_DT_MS). */
  dtMs: Float32Array;
  /** Velocity components (px/ms). */
  vxPxPerMs: Float32Array;
  vyPxPerMs: Float32Array;
  /** |velocity| (px/ms), smoothed over three segments of the same stroke. */
  speedPxPerMs: Float32Array;
  /** Signed along-track acceleration d(speed)/dt (px/ms²): > 0 speeding up, < 0 slowing down. */
  accelPxPerMs2: Float32Array;
  /** Direction of motion, atan2(dy, dx) in radians (-π..π]; y grows downwards (screen). */
  directionRad: Float32Array;
  /** Bitmask of buttons held during the segment (non-zero = drag). */
  buttons: Uint8Array;
  /** 1 when the segment begins a new stroke (after a gap, an invalid sample or a marker). */
  strokeStart: Uint8Array;
}

/** True when (x, y) is a usable position inside `space` (with SPACE_SLACK_PX slack). */
export function isValidPosition(x: number, y: number, space: SizePx): boolean {
  // Written so NaN fails every comparison.
  return x >= -SPACE_SLACK_PX && y >= -SPACE_SLACK_PX && x <= space.width + SPACE_SLACK_PX && y <= space.height + SPACE_SLACK_PX;
}

/** Kinds that break a stroke (the pointer may have moved unseen). */
function breaksStroke(kind: number): boolean {
  return kind === EventKind.Hidden || kind === EventKind.Blur || kind === EventKind.Idle || kind === EventKind.Resize;
}

export interface KinematicsOptions {
  /** Minimum dt in ms (default MIN_DT_MS). */
  minDtMs?: number;
  /** A pause longer than this (ms) between two samples starts a new stroke (default 1000). */
  strokeGapMs?: number;
}

/**
 * Compute kinematics for events [start, end) of some columns whose positions live in `space`.
 * Returns segment arrays sized for the worst case; read the first `count` entries.
 */
export function computeKinematics(
  cols: EventColumns,
  start: number,
  end: number,
  space: SizePx,
  opts: KinematicsOptions = {},
): SegmentKinematics {
  const minDt = opts.minDtMs ?? MIN_DT_MS;
  const strokeGap = opts.strokeGapMs ?? 1000;
  const n = Math.max(0, end - start);
  const x0 = new Float32Array(n), y0 = new Float32Array(n), x1 = new Float32Array(n), y1 = new Float32Array(n);
  const dtMs = new Float32Array(n);
  const vx = new Float32Array(n), vy = new Float32Array(n);
  const speed = new Float32Array(n), accel = new Float32Array(n), dir = new Float32Array(n);
  const buttons = new Uint8Array(n), strokeStart = new Uint8Array(n);
  const rawT = new Float64Array(n); // raw end time of each segment, for spreading ties

  const { tMs, kind, x, y } = cols;
  let count = 0;
  let havePrev = false;
  let px = 0, py = 0, pt = 0;
  let newStroke = true;
  let prevButtons = 0;
  for (let i = start; i < end; i++) {
    const k = kind[i];
    if (breaksStroke(k)) { havePrev = false; newStroke = true; continue; }
    if (!isPositional(k)) continue;
    const cx = x[i], cy = y[i], ct = tMs[i];
    if (!isValidPosition(cx, cy, space) || !Number.isFinite(ct)) { havePrev = false; newStroke = true; continue; }
    if (havePrev && ct - pt > strokeGap) newStroke = true;
    if (havePrev) {
      x0[count] = px; y0[count] = py; x1[count] = cx; y1[count] = cy;
      rawT[count] = ct;
      dtMs[count] = ct - pt; // provisional; fixed below
      // A Down/Up row's buttons describe the state *after* it; the motion leading to it was made
      // with the previous state (no drag into a press, a drag into a release).
      buttons[count] = k === EventKind.Move ? cols.buttons[i] : prevButtons;
      strokeStart[count] = newStroke ? 1 : 0;
      newStroke = false;
      count++;
    }
    havePrev = true;
    px = cx; py = cy; pt = ct;
    prevButtons = cols.buttons[i];
  }

  // 1. Spread runs of non-increasing time. Segment j ends at rawT[j]; its start time is the end of
  //    j-1 (or rawT[j] - dtMs[j] at a stroke start). A run of segments j..k whose end times do not
  //    advance shares the time from the last distinct end time to rawT[k] evenly.
  let j = 0;
  while (j < count) {
    const startT = strokeStart[j] ? rawT[j] - dtMs[j] : rawT[j - 1];
    // Extend the run while the next segment's end time does not advance beyond this one.
    let k = j;
    while (k + 1 < count && !strokeStart[k + 1] && rawT[k + 1] <= rawT[j]) k++;
    // If j itself took no time (a tie with the previous sample), the run ends at the next
    // segment that advances, so the shared interval is real time, not zero.
    if (rawT[j] - startT <= 0 && k + 1 < count && !strokeStart[k + 1]) k++;
    const span = (k === j ? rawT[j] : rawT[k]) - startT;
    const each = span / (k - j + 1);
    for (let m = j; m <= k; m++) dtMs[m] = each > minDt ? each : minDt;
    j = k + 1;
  }

  // 2. Velocity, raw speed, direction.
  for (let s = 0; s < count; s++) {
    const dx = x1[s] - x0[s], dy = y1[s] - y0[s];
    const dt = dtMs[s];
    vx[s] = dx / dt; vy[s] = dy / dt;
    speed[s] = Math.sqrt(dx * dx + dy * dy) / dt;
    dir[s] = Math.atan2(dy, dx);
  }
  // Zero-length segments have no direction of their own: inherit the previous one in the stroke.
  for (let s = 1; s < count; s++) {
    if (x1[s] === x0[s] && y1[s] === y0[s] && !strokeStart[s]) dir[s] = dir[s - 1];
  }

  // 3. Smooth speed over three segments within a stroke (time-weighted: total path / total time),
  //    then acceleration as the change of smoothed speed over the mean dt.
  const raw = speed.slice(0, count);
  for (let s = 0; s < count; s++) {
    let path = raw[s] * dtMs[s], time = dtMs[s];
    if (s > 0 && !strokeStart[s]) { path += raw[s - 1] * dtMs[s - 1]; time += dtMs[s - 1]; }
    if (s + 1 < count && !strokeStart[s + 1]) { path += raw[s + 1] * dtMs[s + 1]; time += dtMs[s + 1]; }
    speed[s] = path / time;
  }
  for (let s = 0; s < count; s++) {
    if (strokeStart[s]) {
      // Starting from rest (a new stroke): acceleration from 0 to this speed.
      accel[s] = speed[s] / Math.max(dtMs[s], minDt);
    } else {
      accel[s] = (speed[s] - speed[s - 1]) / Math.max(0.5 * (dtMs[s] + dtMs[s - 1]), minDt);
    }
  }
  return {
    count, x0, y0, x1, y1, dtMs,
    vxPxPerMs: vx, vyPxPerMs: vy, speedPxPerMs: speed, accelPxPerMs2: accel, directionRad: dir,
    buttons, strokeStart,
  };
}

/**
 * Length of the valid path over events [start, end) in space px (no jumps across invalid samples
 * or stroke-breaking markers). Used by the segmenter's minimum-path rule.
 */
export function pathLengthPx(cols: EventColumns, start: number, end: number, space: SizePx): number {
  const { kind, x, y } = cols;
  let have = false, px = 0, py = 0, total = 0;
  for (let i = start; i < end; i++) {
    const k = kind[i];
    if (breaksStroke(k)) { have = false; continue; }
    if (!isPositional(k)) continue;
    const cx = x[i], cy = y[i];
    if (!isValidPosition(cx, cy, space)) { have = false; continue; }
    if (have) total += Math.hypot(cx - px, cy - py);
    have = true; px = cx; py = cy;
  }
  return total;
}
