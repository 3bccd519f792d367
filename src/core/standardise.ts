/**
 * The one transform kinematic features go through before a model sees them: signed log1p (so
 * heavy-tailed features such as jerk do not dominate), then a z-score per column fitted on training
 * rows only, clipped to ±clip. Used by the feature MLP (src/ml/featureModel.ts) and the one-class
 * novelty models (core/novelty.ts), with their own clips.
 *
 * Pure: no DOM, no tfjs.
 */

export interface Standardiser {
  mean: number[];
  sd: number[];
}

/** Row-major rows: `count` rows of `dim` values. */
export interface Rows {
  dim: number;
  count: number;
  values: ArrayLike<number>;
}

/** Signed log1p: log1p(|x|) with x's sign. */
export const slog = (x: number): number => (x < 0 ? -Math.log1p(-x) : Math.log1p(x));

export function fitStandardiserRows({ dim, count, values }: Rows): Standardiser {
  const mean = new Array<number>(dim).fill(0), sd = new Array<number>(dim).fill(0);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += slog(values[i * dim + j]);
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(1, count);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) { const d = slog(values[i * dim + j]) - mean[j]; sd[j] += d * d; }
  // A constant column gets sd 1: it standardises to 0 for every training row instead of dividing by
  // zero, and any other value stands out.
  for (let j = 0; j < dim; j++) { const s = Math.sqrt(sd[j] / Math.max(1, count)); sd[j] = s > 1e-9 ? s : 1; }
  return { mean, sd };
}

/**
 * Standardise rows into `out` (Float32Array or Float64Array of count × dim). Values beyond ±clip are
 * clipped (an infinite one too); a value that gives no number (NaN) becomes 0, the training mean.
 */
export function standardiseInto<T extends Float32Array | Float64Array>(std: Standardiser, { count, values }: Omit<Rows, 'dim'>, clip: number, out: T): T {
  const dim = std.mean.length;
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) {
    const z = (slog(values[i * dim + j]) - std.mean[j]) / std.sd[j];
    out[i * dim + j] = z > clip ? clip : z < -clip ? -clip : Number.isFinite(z) ? z : 0;
  }
  return out;
}
