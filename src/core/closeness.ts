/**
 * How typical a window is of the person's **own** movement: the second half of a verification score.
 *
 * Why: the verifier's classifier learns "the person vs the others it was shown". Where the others are
 * few or recorded elsewhere (the shipped background set), it also learns a direction ("away from the
 * others"), and a newcomer who lies even further along that direction scores as *more* like the person
 * than the person does (seen: a slow, shaky simulated impostor scored as high as a fast, smooth
 * enrolled one). A window must therefore also look like the person's own training windows.
 *
 * Model (fitted on the person's training windows only): per feature, a robust centre (median) and
 * scale (1.4826 × MAD, floored at `floorFraction` × the feature's sd over all training windows, so a
 * feature the person never varies cannot veto on noise); a window's distance is the mean over features
 * of its squared robust z, each clipped at `clip` (one odd feature cannot decide alone); its
 * closeness is the share of the person's own training windows at least as far out (an empirical
 * p-value, (1 + k) / (n + 1)), falling on exponentially beyond the farthest own window. The verification score is min(classifier probability, closeness): both
 * must agree. Calibration (Platt, on validation) then maps that score to evidence as before.
 * Pure: no DOM, no tfjs.
 */

export const CLOSENESS_VERSION = 1;

export interface ClosenessModel {
  version: typeof CLOSENESS_VERSION;
  center: number[];
  scale: number[];
  clip: number;
  /** Distances of the person's own training windows, ascending. */
  reference: number[];
}

export interface ClosenessOptions {
  floorFraction: number;
  clip: number;
}

export const DEFAULT_CLOSENESS_OPTIONS: ClosenessOptions = { floorFraction: 0.1, clip: 25 };

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Distance of one feature row from the model's centre (mean clipped squared robust z). */
export function closenessDistance(m: Pick<ClosenessModel, 'center' | 'scale' | 'clip'>, row: ArrayLike<number>): number {
  const d = m.center.length;
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const z = (row[j] - m.center[j]) / m.scale[j];
    sum += Number.isFinite(z) ? Math.min(z * z, m.clip) : m.clip;
  }
  return d ? sum / d : 0;
}

function centreAndScale(own: readonly ArrayLike<number>[], floors: readonly number[]): { center: number[]; scale: number[] } {
  const center: number[] = [], scale: number[] = [];
  for (let j = 0; j < floors.length; j++) {
    const col = own.map((r) => r[j]).sort((a, b) => a - b);
    const c = median(col);
    const mad = median(col.map((v) => Math.abs(v - c)).sort((a, b) => a - b)) * 1.4826;
    center.push(c);
    scale.push(Math.max(mad, floors[j], 1e-9));
  }
  return { center, scale };
}

/**
 * Fit on the person's own training rows (`own`, in time order), with `all` (every training row, the
 * person's and the others') giving the scale floors. The reference distances are cross-fitted: the
 * rows are cut into `folds` contiguous blocks (≈ sessions), and each block is measured against a centre
 * and scale fitted without it, so a new window of the person is compared with distances of windows the
 * fit had not seen, not with optimistic in-sample ones.
 */
export function fitCloseness(own: readonly ArrayLike<number>[], all: readonly ArrayLike<number>[], o: ClosenessOptions = DEFAULT_CLOSENESS_OPTIONS, folds = 5): ClosenessModel {
  if (own.length < 2) throw new Error('fitCloseness: needs at least two rows of the person');
  const d = own[0].length;
  const floors: number[] = [];
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (const r of all) mean += r[j];
    mean /= Math.max(1, all.length);
    let ss = 0;
    for (const r of all) ss += (r[j] - mean) ** 2;
    floors.push(o.floorFraction * Math.sqrt(ss / Math.max(1, all.length)));
  }
  const reference: number[] = [];
  const k = Math.min(folds, own.length);
  for (let f = 0; f < k; f++) {
    const lo = Math.floor((f * own.length) / k), hi = Math.floor(((f + 1) * own.length) / k);
    const fit = centreAndScale([...own.slice(0, lo), ...own.slice(hi)], floors);
    for (let i = lo; i < hi; i++) reference.push(closenessDistance({ ...fit, clip: o.clip }, own[i]));
  }
  return { version: CLOSENESS_VERSION, ...centreAndScale(own, floors), clip: o.clip, reference: reference.sort((a, b) => a - b) };
}

/**
 * Share of the person's own training windows at least as far out as `row`: (1 + k) / (n + 1), in (0, 1];
 * beyond the farthest, 1/(n + 1) · exp(−excess / (farthest − median reference distance)).
 */
export function closeness(m: ClosenessModel, row: ArrayLike<number>): number {
  const dist = closenessDistance(m, row);
  const ref = m.reference;
  // First index with reference ≥ dist (ascending): k = n − index are at least as far.
  let lo = 0, hi = ref.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ref[mid] < dist) lo = mid + 1;
    else hi = mid;
  }
  const n = ref.length;
  if (lo < n) return (1 + n - lo) / (n + 1);
  // Further out than every own window: keep falling with the distance beyond the farthest one (in units
  // of the reference's upper spread), so a window far beyond the person's range is not held at
  // 1/(n+1), which can sit above what the others' windows score.
  const tail = Math.max(ref[n - 1] - ref[Math.floor((n - 1) / 2)], 1e-6);
  return Math.exp(-(dist - ref[n - 1]) / tail) / (n + 1);
}

/** The verification score of a window: the classifier and the person's own movement must both agree. */
export function gatedScore(classifierProbability: number, closenessValue: number): number {
  return Math.min(classifierProbability, closenessValue);
}
