/**
 * One-class models of human movement: how far a window's kinematic features lie from the human
 * windows a model was fitted on (a novelty score; higher = less like those humans). Fitted on humans
 * only, so a bot kind that no model was trained against is judged by how unlike people it moves, not
 * by how like some trained bot it is.
 *
 * - `fitNoveltyStandardiser` / `standardiseRows`: core/standardise (signed log1p, then z-scores: the feature MLP's
 *   transform, so heavy-tailed features such as jerk do not dominate), clipped at ±`NOVELTY_CLIP`;
 * - `ledoitWolfCovariance`: covariance shrunk towards a scaled identity (Ledoit & Wolf 2004): 66
 *   correlated features from a few thousand windows give a sample covariance too noisy to invert;
 * - `fitMahalanobis` / `mahalanobisSq`: squared Mahalanobis distance to the human mean;
 * - `fitKnn` / `knnMeanDistance`: mean Euclidean distance to the k nearest human windows;
 * - `fitHumanNovelty` / `noveltyScores`: either one, standardiser included;
 * - `humanTail`: a score's place among reference human scores (0..1), so scores of different models
 *   share one scale ("this window is more unusual than p of human windows") and can be combined.
 *
 * Pure: no DOM, no worker, no network.
 */

import { fitStandardiserRows, standardiseInto, type Rows, type Standardiser } from './standardise';
import { invertSpd, quadraticForm } from './linalg';

/** Standardised values beyond this are clipped (far enough out that a wild value still stands out). */
export const NOVELTY_CLIP = 10;

export const NOVELTY_VERSION = 1;

export type NoveltyStandardiser = Standardiser;
export type { Rows };

export const fitNoveltyStandardiser = (rows: Rows): NoveltyStandardiser => fitStandardiserRows(rows);

export function standardiseRows(std: NoveltyStandardiser, rows: Rows): Float64Array {
  return standardiseInto(std, rows, NOVELTY_CLIP, new Float64Array(rows.count * std.mean.length));
}

/** Column means of row-major rows. */
export function columnMeans(x: ArrayLike<number>, count: number, dim: number): number[] {
  const m = new Array<number>(dim).fill(0);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) m[j] += x[i * dim + j];
  return m.map((v) => v / Math.max(1, count));
}

/**
 * Ledoit–Wolf shrunk covariance (maximum-likelihood normalisation, 1/n): Σ = s·μ·I + (1 − s)·S with
 * S the sample covariance, μ = trace(S)/d and s = min(1, b̄² / d²), where d² = ‖S − μI‖²_F and
 * b̄² = (1/n²) Σ_k ‖x_k x_kᵀ − S‖²_F (x_k centred). Returns the d×d matrix row-major and s.
 */
export function ledoitWolfCovariance(x: ArrayLike<number>, count: number, dim: number): { cov: Float64Array; shrinkage: number; mean: number[]; sample: Float64Array; mu: number } {
  const mean = columnMeans(x, count, dim);
  const n = Math.max(1, count);
  const c = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) c[i * dim + j] = x[i * dim + j] - mean[j];
  const s = new Float64Array(dim * dim);
  for (let i = 0; i < count; i++) {
    const o = i * dim;
    for (let a = 0; a < dim; a++) { const va = c[o + a]; if (va === 0) continue; for (let b = a; b < dim; b++) s[a * dim + b] += va * c[o + b]; }
  }
  for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) { s[a * dim + b] /= n; s[b * dim + a] = s[a * dim + b]; }
  let mu = 0;
  for (let a = 0; a < dim; a++) mu += s[a * dim + a];
  mu /= dim;
  let d2 = 0, sNorm2 = 0;
  for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) { const v = s[a * dim + b]; sNorm2 += v * v; const e = v - (a === b ? mu : 0); d2 += e * e; }
  // ‖x xᵀ − S‖²_F = ‖x‖⁴ − 2 xᵀSx + ‖S‖²_F
  let b2 = 0;
  for (let i = 0; i < count; i++) {
    const o = i * dim;
    let xx = 0, xsx = 0;
    for (let a = 0; a < dim; a++) xx += c[o + a] * c[o + a];
    for (let a = 0; a < dim; a++) { let v = 0; for (let b = 0; b < dim; b++) v += s[a * dim + b] * c[o + b]; xsx += c[o + a] * v; }
    b2 += xx * xx - 2 * xsx + sNorm2;
  }
  b2 /= n * n;
  const shrinkage = d2 > 0 ? Math.min(1, Math.max(0, b2 / d2)) : 1;
  return { cov: shrunkCovariance(s, mu, shrinkage, dim), shrinkage, mean, sample: s, mu };
}

/** (1 − s)·S + s·μ·I */
export function shrunkCovariance(sample: ArrayLike<number>, mu: number, s: number, dim: number): Float64Array {
  const cov = new Float64Array(dim * dim);
  for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] = (1 - s) * sample[a * dim + b] + (a === b ? s * mu : 0);
  return cov;
}

export interface MahalanobisModel {
  mean: number[];
  /** d×d precision matrix (inverse covariance), row-major. */
  precision: number[];
  shrinkage: number;
}

/** Mahalanobis model of rows; `shrinkage` fixed (0..1) or Ledoit–Wolf's by default. */
export function fitMahalanobis(x: ArrayLike<number>, count: number, dim: number, shrinkage?: number): MahalanobisModel {
  const lw = ledoitWolfCovariance(x, count, dim);
  const s = shrinkage ?? lw.shrinkage;
  const cov = shrunkCovariance(lw.sample, lw.mu, s, dim);
  // A column with no spread at all (every human the same) still needs a positive variance.
  for (let a = 0; a < dim; a++) if (!(cov[a * dim + a] > 1e-9)) cov[a * dim + a] = 1e-9;
  return { mean: lw.mean, precision: Array.from(invertSpd(cov, dim)), shrinkage: s };
}

/** Squared Mahalanobis distance of row `i` of `x` to the model's mean. */
export function mahalanobisSq(m: MahalanobisModel, x: ArrayLike<number>, i = 0): number {
  return quadraticForm(m.precision, m.mean, x, i);
}

export interface KnnModel {
  k: number;
  dim: number;
  /** The reference rows, row-major. */
  points: number[];
}

export function fitKnn(x: ArrayLike<number>, count: number, dim: number, k: number): KnnModel {
  if (!(k >= 1) || count < 1) throw new Error('fitKnn: need k ≥ 1 and at least one reference row');
  return { k: Math.min(k, count), dim, points: Array.from({ length: count * dim }, (_, i) => x[i]) };
}

/** Mean Euclidean distance from row `i` of `x` to its k nearest reference rows. */
export function knnMeanDistance(m: KnnModel, x: ArrayLike<number>, i = 0): number {
  const { k, dim, points } = m;
  const n = points.length / dim, o = i * dim;
  const best: number[] = []; // k smallest squared distances, ascending
  for (let r = 0; r < n; r++) {
    let d = 0;
    const p = r * dim;
    for (let a = 0; a < dim; a++) { const e = x[o + a] - points[p + a]; d += e * e; }
    if (best.length === k && d >= best[k - 1]) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(d);
    while (at > 0 && best[at - 1] > d) { best[at] = best[at - 1]; at--; }
    best[at] = d;
  }
  return best.reduce((s, d) => s + Math.sqrt(d), 0) / best.length;
}

export type NoveltyMethod = { method: 'mahalanobis'; shrinkage?: number } | { method: 'knn'; k: number };

export interface HumanNoveltyModel {
  version: number;
  method: NoveltyMethod;
  standardiser: NoveltyStandardiser;
  mahalanobis?: MahalanobisModel;
  knn?: KnnModel;
}

/** A one-class model of the given (human) feature rows. */
export function fitHumanNovelty(human: Rows, method: NoveltyMethod): HumanNoveltyModel {
  if (human.count < 2) throw new Error('fitHumanNovelty: need at least two human rows');
  const standardiser = fitNoveltyStandardiser(human);
  const z = standardiseRows(standardiser, human);
  const base = { version: NOVELTY_VERSION, method, standardiser };
  return method.method === 'mahalanobis'
    ? { ...base, mahalanobis: fitMahalanobis(z, human.count, human.dim, method.shrinkage) }
    : { ...base, knn: fitKnn(z, human.count, human.dim, method.k) };
}

/** Novelty of each row (higher = less like the humans the model was fitted on). */
export function noveltyScores(model: HumanNoveltyModel, rows: Rows): Float64Array {
  const z = standardiseRows(model.standardiser, rows);
  const out = new Float64Array(rows.count);
  for (let i = 0; i < rows.count; i++) out[i] = model.mahalanobis ? mahalanobisSq(model.mahalanobis, z, i) : knnMeanDistance(model.knn!, z, i);
  return out;
}

/**
 * Where a score falls among reference (human) scores: the fraction of them below it, ties counted
 * half (0 = below every human, 1 = above every human). Monotone, so it keeps a score's ranking.
 */
export function humanTail(reference: ArrayLike<number>): (score: number) => number {
  const ref = Float64Array.from(reference).sort();
  const n = ref.length;
  if (n === 0) throw new Error('humanTail: need at least one reference score');
  const firstAtLeast = (v: number) => { let lo = 0, hi = n; while (lo < hi) { const mid = (lo + hi) >> 1; if (ref[mid] < v) lo = mid + 1; else hi = mid; } return lo; };
  const firstAbove = (v: number) => { let lo = 0, hi = n; while (lo < hi) { const mid = (lo + hi) >> 1; if (ref[mid] <= v) lo = mid + 1; else hi = mid; } return lo; };
  return (score: number) => { const below = firstAtLeast(score), ties = firstAbove(score) - below; return (below + ties / 2) / n; };
}
