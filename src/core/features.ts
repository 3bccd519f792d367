/**
 * Kinematic features of a window: what a person's movement looks like, as numbers, with no absolute
 * position and no screen size.
 *
 * API (stable):
 * - `FEATURE_NAMES`: the feature order (one name per column); `FEATURE_DOCS`: one line per feature;
 * - `FEATURES_VERSION`: bump when any feature changes meaning, so stored models are refused;
 * - `windowFeatures(cols, start, end, opts?)`: the features of events [start, end) (the same bounds
 *   the segmenter gives the encoder) as a Float64Array of FEATURE_NAMES.length finite numbers;
 * - `featureMatrix(windows)`: many windows, row-major in one Float32Array.
 *
 * How the stream is made comparable across recorders (a 60 Hz browser, a 125 Hz remote-desktop log,
 * coalesced 1 kHz events):
 *  1. only Move/Down/Up rows with a usable position count; NaN, negative and overflow (≥ 65535) rows are
 *     skipped (they are recorder glitches, not movement); markers that hide the pointer end a stroke;
 *  2. rows sharing a timestamp are merged (the last position wins): a tie has no duration to divide by;
 *  3. a gap longer than `strokeGapMs` ends a stroke: the pointer was still (browsers send nothing then);
 *  4. each stroke is resampled by linear interpolation on a fixed `resampleMs` grid, so speed,
 *     acceleration, jerk, turn angle and curvature come from the same time step whatever the device
 *     rate. The raw sampling interval itself is *not* a feature: it describes the recorder, not the
 *     person (like the screen size, it would let a model separate recording setups).
 * Units: px (of the recording's space, never normalised by its size), ms, radians.
 * Pure: no DOM, no worker, no network.
 */
import { EventKind, isPositional, type EventColumns } from './events';

/** Bump when a feature's definition changes. */
export const FEATURES_VERSION = 2;

/** Values at or above this are recorder overflow (Balabit writes 65535), not positions. */
export const OVERFLOW_COORD = 65535;

export interface FeatureOptions {
  /** Resampling step (ms). 20 ms: just above a 60 Hz browser's interval (16.7 ms), so no stream is given detail it never had, and faster streams are evened out. */
  resampleMs?: number;
  /** A gap without position rows longer than this (ms) ends a stroke (the pointer rested). */
  strokeGapMs?: number;
  /** Steps shorter than this (px) have no reliable direction: no turn angle or curvature from them. */
  minStepPx?: number;
  /** A resampled step faster than this (px/ms) counts as moving. */
  movingSpeedPxPerMs?: number;
}

export const DEFAULT_FEATURE_OPTIONS: Required<FeatureOptions> = {
  resampleMs: 20,
  strokeGapMs: 200,
  minStepPx: 0.5,
  movingSpeedPxPerMs: 0.02,
};

const STAT_NAMES = ['mean', 'sd', 'p10', 'p50', 'p90', 'max'] as const;
const SERIES = [
  ['speed', 'speed of resampled steps (px/ms)'],
  ['accel', '|change of speed| between resampled steps (px/ms²)'],
  ['jerk', '|change of acceleration| between resampled steps (px/ms³)'],
  ['turn', '|turn angle| between consecutive resampled steps (rad)'],
  ['curv', '|curvature|: turn angle over the mean length of its two steps (rad/px)'],
] as const;

const STAT_DOCS: Record<(typeof STAT_NAMES)[number], string> = {
  mean: 'mean', sd: 'standard deviation', p10: '10th percentile', p50: 'median', p90: '90th percentile', max: 'maximum',
};

const SCALAR_FEATURES = [
  ['straightness', 'displacement from the first to the last position over the path length (1 = straight line)'],
  ['stroke_straightness', 'mean over strokes of displacement over path length'],
  ['moving_fraction', 'fraction of resampled steps faster than movingSpeedPxPerMs'],
  ['stroke_time_fraction', 'time inside strokes over the window duration (the rest is rest between strokes)'],
  ['strokes_per_s', 'strokes (runs of movement without a gap > strokeGapMs) per second of window'],
  ['stroke_ms_mean', 'mean stroke duration (ms)'],
  ['pause_ms_mean', 'mean gap between strokes (ms)'],
  ['path_px', 'path length over all strokes (px)'],
  ['presses', 'button presses (Down rows) in the window'],
  ['press_ms_mean', 'mean time a button is held (ms, presses released in the window)'],
  ['drag_fraction', 'fraction of the path travelled with a button held'],
  ['wheel_events', 'wheel rows in the window'],
  ['duration_ms', 'time from the first to the last event of the window (ms)'],
] as const;

const DIRECTION_BINS = 8;
/** Signed turning is summarised per quarter of the compass (right, down, left, up): an arm pivots, so which way a stroke bends depends on where it goes. */
const QUARTERS = ['right', 'down', 'left', 'up'] as const;

/** Features added in version 2: how the movement depends on its direction, and the shape of each stroke. */
const SHAPE_FEATURES = [
  ['stroke_peak_fraction', 'mean over strokes of when the speed peaks, as a fraction of the stroke (0 = at its start)'],
  ['stroke_deviation', 'mean over strokes of the largest distance from the straight line between its ends, over that line\'s length'],
  ['press_pause_ms_mean', 'mean time from the last move row to a button press (ms, at most 2 s)'],
] as const;
const PRESS_PAUSE_CAP_MS = 2000;

/** Feature names, in column order. */
export const FEATURE_NAMES: readonly string[] = [
  ...SERIES.flatMap(([s]) => STAT_NAMES.map((st) => `${s}_${st}`)),
  ...SCALAR_FEATURES.map(([n]) => n),
  ...Array.from({ length: DIRECTION_BINS }, (_, i) => `dir_${i * 45}`),
  ...Array.from({ length: DIRECTION_BINS }, (_, i) => `speed_dir_${i * 45}`),
  ...QUARTERS.map((q) => `turn_signed_${q}`),
  ...SHAPE_FEATURES.map(([n]) => n),
];

/** One line per feature, same order as FEATURE_NAMES. */
export const FEATURE_DOCS: readonly string[] = [
  ...SERIES.flatMap(([, doc]) => STAT_NAMES.map((st) => `${STAT_DOCS[st]} of ${doc}`)),
  ...SCALAR_FEATURES.map(([, doc]) => doc),
  ...Array.from({ length: DIRECTION_BINS }, (_, i) => `share of path moving within ±22.5° of ${i * 45}° (0 = right, 90 = down on screen)`),
  ...Array.from({ length: DIRECTION_BINS }, (_, i) => `mean speed of resampled steps moving within ±22.5° of ${i * 45}° (px/ms; the window's mean speed if none)`),
  ...QUARTERS.map((q) => `mean signed turn angle of resampled steps moving ${q} (rad, + = clockwise on screen; 0 if none)`),
  ...SHAPE_FEATURES.map(([, doc]) => doc),
];

export const FEATURE_COUNT = FEATURE_NAMES.length;
/** Where speed_mean sits: the fallback of a direction no step took. */
const SPEED_MEAN_COLUMN = FEATURE_NAMES.indexOf('speed_mean');

function hidesPointer(kind: number): boolean {
  return kind === EventKind.Hidden || kind === EventKind.Blur || kind === EventKind.Idle || kind === EventKind.Resize;
}

/** A usable coordinate: finite, not negative (beyond a pixel of slack), not recorder overflow. */
export function isUsableCoord(v: number): boolean {
  return v >= -2 && v < OVERFLOW_COORD;
}

/** Six summary statistics of a series (all 0 for an empty one). Sorts `xs` in place. */
export function summaryStats(xs: number[]): [mean: number, sd: number, p10: number, p50: number, p90: number, max: number] {
  const n = xs.length;
  if (n === 0) return [0, 0, 0, 0, 0, 0];
  let sum = 0;
  for (const v of xs) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of xs) ss += (v - mean) * (v - mean);
  xs.sort((a, b) => a - b);
  const q = (p: number) => {
    const at = (n - 1) * p, lo = Math.floor(at), hi = Math.ceil(at);
    return xs[lo] + (xs[hi] - xs[lo]) * (at - lo);
  };
  return [mean, Math.sqrt(ss / n), q(0.1), q(0.5), q(0.9), xs[n - 1]];
}

interface Stroke { t: number[]; x: number[]; y: number[]; held: number[] }

/** Steps 1–3 of the module comment: clean position rows grouped into strokes. */
function strokesOf(cols: EventColumns, start: number, end: number, gapMs: number): Stroke[] {
  const strokes: Stroke[] = [];
  let cur: Stroke | null = null;
  for (let i = start; i < end; i++) {
    const k = cols.kind[i];
    if (hidesPointer(k)) { cur = null; continue; }
    if (!isPositional(k)) continue;
    const x = cols.x[i], y = cols.y[i], t = cols.tMs[i];
    if (!isUsableCoord(x) || !isUsableCoord(y) || !Number.isFinite(t)) continue;
    // The motion leading to a Down was made without it; to an Up, with the button still held.
    const held = k === EventKind.Move ? cols.buttons[i] : k === EventKind.Up ? 1 : 0;
    if (cur) {
      const last = cur.t.length - 1;
      const dt = t - cur.t[last];
      if (dt <= 0) { cur.x[last] = x; cur.y[last] = y; cur.held[last] = cur.held[last] || held; continue; }
      if (dt > gapMs) cur = null;
    }
    if (!cur) { cur = { t: [], x: [], y: [], held: [] }; strokes.push(cur); }
    cur.t.push(t); cur.x.push(x); cur.y.push(y); cur.held.push(held);
  }
  return strokes;
}

/** Step 4: positions of a stroke on a fixed time grid from its first row (linear interpolation). */
function resample(s: Stroke, stepMs: number): { x: number[]; y: number[] } {
  const x: number[] = [], y: number[] = [];
  const t0 = s.t[0], tEnd = s.t[s.t.length - 1];
  let j = 0;
  for (let t = t0; t <= tEnd + 1e-9; t += stepMs) {
    while (j + 1 < s.t.length && s.t[j + 1] < t) j++;
    if (j + 1 >= s.t.length) { x.push(s.x[j]); y.push(s.y[j]); break; }
    const f = (t - s.t[j]) / (s.t[j + 1] - s.t[j]);
    x.push(s.x[j] + f * (s.x[j + 1] - s.x[j]));
    y.push(s.y[j] + f * (s.y[j + 1] - s.y[j]));
  }
  return { x, y };
}

/** Signed difference b − a between two angles, in (−π, π]. */
function signedAngle(a: number, b: number): number {
  let d = (b - a) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  else if (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}

/** Index of the sector of width 2π/n centred on angle 0, 2π/n, … that holds `a`. */
function sectorOf(a: number, n: number): number {
  return ((Math.round(a / ((2 * Math.PI) / n)) % n) + n) % n;
}

/** Largest distance of a stroke's raw positions from the chord between its ends, over the chord's length; null without a shape (under 3 rows or a chord under 1 px). */
function strokeDeviation(s: Stroke): number | null {
  const n = s.t.length;
  const cx = s.x[n - 1] - s.x[0], cy = s.y[n - 1] - s.y[0];
  const chord = Math.hypot(cx, cy);
  if (n < 3 || chord < 1) return null;
  let worst = 0;
  for (let i = 1; i < n - 1; i++) worst = Math.max(worst, Math.abs(cx * (s.y[i] - s.y[0]) - cy * (s.x[i] - s.x[0])) / chord);
  return worst / chord;
}

/**
 * The features of events [start, end) of `cols`, in FEATURE_NAMES order. Always finite: a window
 * without usable movement gives zeros for what it lacks.
 */
export function windowFeatures(cols: EventColumns, start: number, end: number, opts: FeatureOptions = {}): Float64Array {
  const o = { ...DEFAULT_FEATURE_OPTIONS, ...opts };
  end = Math.min(end, cols.tMs.length);
  start = Math.max(0, Math.min(start, end));
  const step = o.resampleMs;
  const strokes = strokesOf(cols, start, end, o.strokeGapMs);

  const speed: number[] = [], accel: number[] = [], jerk: number[] = [], turn: number[] = [], curv: number[] = [];
  const dirHist = new Float64Array(DIRECTION_BINS);
  let pathPx = 0, dragPx = 0, strokeMs = 0, moving = 0, steps = 0;
  let strokeStraightSum = 0, strokeStraightN = 0;
  const dirSpeedSum = new Float64Array(DIRECTION_BINS), dirSpeedN = new Float64Array(DIRECTION_BINS);
  const signedTurnSum = new Float64Array(QUARTERS.length), signedTurnN = new Float64Array(QUARTERS.length);
  let peakFractionSum = 0, peakFractionN = 0, deviationSum = 0, deviationN = 0;
  let firstX = NaN, firstY = NaN, lastX = NaN, lastY = NaN;
  for (const s of strokes) {
    const n = s.t.length;
    if (Number.isNaN(firstX)) { firstX = s.x[0]; firstY = s.y[0]; }
    lastX = s.x[n - 1]; lastY = s.y[n - 1];
    strokeMs += s.t[n - 1] - s.t[0];
    // Path and drag from the raw rows (exact), direction weighted by path.
    let sPath = 0;
    for (let i = 1; i < n; i++) {
      const dx = s.x[i] - s.x[i - 1], dy = s.y[i] - s.y[i - 1];
      const len = Math.hypot(dx, dy);
      sPath += len;
      if (s.held[i]) dragPx += len;
      if (len > 0) {
        dirHist[sectorOf(Math.atan2(dy, dx), DIRECTION_BINS)] += len;
      }
    }
    pathPx += sPath;
    if (sPath > 0) { strokeStraightSum += Math.hypot(s.x[n - 1] - s.x[0], s.y[n - 1] - s.y[0]) / sPath; strokeStraightN++; }
    const deviation = strokeDeviation(s);
    if (deviation !== null) { deviationSum += deviation; deviationN++; }
    // Derivatives on the resampled grid.
    const r = resample(s, step);
    const m = r.x.length;
    const v: number[] = [], dir: number[] = [], len: number[] = [];
    for (let i = 1; i < m; i++) {
      const dx = r.x[i] - r.x[i - 1], dy = r.y[i] - r.y[i - 1];
      const l = Math.hypot(dx, dy);
      len.push(l); v.push(l / step); dir.push(Math.atan2(dy, dx));
    }
    // Where the speed peaks within the stroke (needs a few steps to have a shape). A plateau's peak is
    // its middle: steps within 2 % of the top speed all count, so float noise cannot pick an end.
    if (v.length >= 3) {
      let top = 0;
      for (const x of v) top = Math.max(top, x);
      let at = 0, count = 0;
      for (let i = 0; i < v.length; i++) if (v[i] >= top * 0.98) { at += i; count++; }
      if (top > 0) { peakFractionSum += at / count / (v.length - 1); peakFractionN++; }
    }
    const a: number[] = [];
    for (let i = 0; i < v.length; i++) {
      if (len[i] >= o.minStepPx) { const b = sectorOf(dir[i], DIRECTION_BINS); dirSpeedSum[b] += v[i]; dirSpeedN[b]++; }
      speed.push(v[i]);
      steps++;
      if (v[i] > o.movingSpeedPxPerMs) moving++;
      if (i > 0) a.push((v[i] - v[i - 1]) / step);
      if (i > 0 && len[i] >= o.minStepPx && len[i - 1] >= o.minStepPx) {
        const signed = signedAngle(dir[i - 1], dir[i]);
        const th = Math.abs(signed);
        turn.push(th);
        const q = sectorOf(dir[i], QUARTERS.length);
        signedTurnSum[q] += signed; signedTurnN[q]++;
        curv.push(th / (0.5 * (len[i] + len[i - 1])));
      }
    }
    for (let i = 0; i < a.length; i++) {
      accel.push(Math.abs(a[i]));
      if (i > 0) jerk.push(Math.abs(a[i] - a[i - 1]) / step);
    }
  }

  // Window-level timing and buttons (all pointer rows, positions not needed).
  let tFirst = NaN, tLast = NaN, presses = 0, wheel = 0, pressMsSum = 0, pressN = 0;
  let lastMoveT = NaN, pressPauseSum = 0, pressPauseN = 0;
  const downAt = new Map<number, number>();
  for (let i = start; i < end; i++) {
    const k = cols.kind[i], t = cols.tMs[i];
    if (k > EventKind.Wheel || !Number.isFinite(t)) continue;
    if (Number.isNaN(tFirst)) tFirst = t;
    tLast = t;
    if (k === EventKind.Move) lastMoveT = t;
    if (k === EventKind.Down) {
      presses++; downAt.set(cols.button[i], t);
      if (!Number.isNaN(lastMoveT)) { pressPauseSum += Math.min(PRESS_PAUSE_CAP_MS, Math.max(0, t - lastMoveT)); pressPauseN++; }
    }
    else if (k === EventKind.Up) {
      const d = downAt.get(cols.button[i]);
      if (d !== undefined) { pressMsSum += Math.max(0, t - d); pressN++; downAt.delete(cols.button[i]); }
    } else if (k === EventKind.Wheel) wheel++;
  }
  const durationMs = Number.isFinite(tLast - tFirst) ? Math.max(0, tLast - tFirst) : 0;
  let pauseSum = 0;
  for (let i = 1; i < strokes.length; i++) {
    const prev = strokes[i - 1];
    pauseSum += strokes[i].t[0] - prev.t[prev.t.length - 1];
  }

  const out = new Float64Array(FEATURE_COUNT);
  let at = 0;
  for (const series of [speed, accel, jerk, turn, curv]) for (const st of summaryStats(series)) out[at++] = st;
  const totalDir = dirHist.reduce((p, q) => p + q, 0);
  const scalars = [
    pathPx > 0 && !Number.isNaN(firstX) ? Math.hypot(lastX - firstX, lastY - firstY) / pathPx : 0,
    strokeStraightN ? strokeStraightSum / strokeStraightN : 0,
    steps ? moving / steps : 0,
    durationMs > 0 ? Math.min(1, strokeMs / durationMs) : 0,
    durationMs > 0 ? strokes.length / (durationMs / 1000) : 0,
    strokes.length ? strokeMs / strokes.length : 0,
    strokes.length > 1 ? pauseSum / (strokes.length - 1) : 0,
    pathPx,
    presses,
    pressN ? pressMsSum / pressN : 0,
    pathPx > 0 ? dragPx / pathPx : 0,
    wheel,
    durationMs,
  ];
  for (const v of scalars) out[at++] = v;
  for (let b = 0; b < DIRECTION_BINS; b++) out[at++] = totalDir > 0 ? dirHist[b] / totalDir : 0;
  for (let b = 0; b < DIRECTION_BINS; b++) out[at++] = dirSpeedN[b] ? dirSpeedSum[b] / dirSpeedN[b] : out[SPEED_MEAN_COLUMN];
  for (let q = 0; q < QUARTERS.length; q++) out[at++] = signedTurnN[q] ? signedTurnSum[q] / signedTurnN[q] : 0;
  out[at++] = peakFractionN ? peakFractionSum / peakFractionN : 0;
  out[at++] = deviationN ? deviationSum / deviationN : 0;
  out[at++] = pressPauseN ? pressPauseSum / pressPauseN : 0;
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = 0;
  return out;
}

/** Bounds of one window in some session's columns (what the segmenter gives). */
export interface FeatureWindowRef {
  cols: EventColumns;
  start: number;
  end: number;
}

/** Features of many windows, row-major: row i = windows[i], FEATURE_COUNT columns. */
export function featureMatrix(windows: readonly FeatureWindowRef[], opts: FeatureOptions = {}): Float32Array {
  const out = new Float32Array(windows.length * FEATURE_COUNT);
  windows.forEach((w, i) => out.set(windowFeatures(w.cols, w.start, w.end, opts), i * FEATURE_COUNT));
  return out;
}
