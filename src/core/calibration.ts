/**
 * From a model's raw window scores to numbers a decision can rest on.
 *
 * - **Platt scaling**: p = σ(a·logit(s) + b), fitted by Newton with a line search on the validation windows with
 *   Platt's smoothed targets, so a perfectly separated validation set still gives finite a, b.
 * - **Window log-likelihood ratio**: log p(s | genuine) / p(s | impostor) = logit(p) − logit(prior),
 *   where prior is the genuine fraction of the calibration set (Platt's p is a posterior under that
 *   prior; subtracting its log-odds removes it). Clamped, because windows of one session are
 *   correlated and a single over-confident window must not decide alone.
 * - **Operating point**: one threshold on raw scores, chosen on validation windows only (the EER point
 *   there), kept with the profile and used by every consumer (report, gauge, live decision, events).
 *
 * Pure: no DOM, no tfjs.
 */
import { PointerprintError } from './errors';
import { eer, farFrrAt } from './metrics';

export interface PlattCalibration {
  kind: 'platt';
  /** Slope on the raw score's logit. */
  a: number;
  /** Intercept. */
  b: number;
  /** Genuine fraction of the calibration windows (the prior the calibrated p carries). */
  prior: number;
  /** Windows it was fitted on. */
  windows: number;
}

/** Identity calibration (used when there is nothing to fit on): p = s, prior ½. */
export const IDENTITY_CALIBRATION: PlattCalibration = { kind: 'platt', a: 1, b: 0, prior: 0.5, windows: 0 };

const SCORE_EPS = 1e-6;
export const logit = (p: number): number => {
  const q = Math.min(1 - SCORE_EPS, Math.max(SCORE_EPS, Number.isFinite(p) ? p : 0.5));
  return Math.log(q / (1 - q));
};
export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function checkPairs(scores: ArrayLike<number>, positives: ArrayLike<boolean>): { nPos: number; nNeg: number } {
  if (scores.length !== positives.length) {
    throw new PointerprintError('calibration/length', `scores (${scores.length}) and labels (${positives.length}) differ in length.`);
  }
  let nPos = 0;
  for (let i = 0; i < positives.length; i++) if (positives[i]) nPos++;
  return { nPos, nNeg: positives.length - nPos };
}

/**
 * Fit Platt scaling on (score, is-genuine) pairs. Needs both classes; otherwise returns the identity
 * with the observed prior (a caller that cannot calibrate must not pretend it did: `windows` says 0).
 */
export function fitPlatt(scores: ArrayLike<number>, positives: ArrayLike<boolean>, iterations = 100): PlattCalibration {
  const { nPos, nNeg } = checkPairs(scores, positives);
  if (nPos === 0 || nNeg === 0) return { ...IDENTITY_CALIBRATION };
  // Platt's targets: (N+ + 1)/(N+ + 2) and 1/(N- + 2) instead of 1 and 0 (keeps the fit finite).
  const tPos = (nPos + 1) / (nPos + 2);
  const tNeg = 1 / (nNeg + 2);
  const x = Array.from({ length: scores.length }, (_, i) => logit(scores[i]));
  const t = Array.from({ length: scores.length }, (_, i) => (positives[i] ? tPos : tNeg));
  // Newton with a backtracking line search (Lin, Lin & Weng 2007, "A note on Platt's probabilistic
  // outputs"): a plain Newton step overshoots when the data are (nearly) separable (σ saturates, the
  // Hessian vanishes, the step explodes: slopes of 1e7 were seen); the line search only accepts steps
  // that lower the loss, so the fit converges to the finite optimum the smoothed targets guarantee.
  const loss = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < x.length; i++) {
      const z = a * x[i] + b;
      // −[t log σ(z) + (1 − t) log(1 − σ(z))] = softplus(−z) + (1 − t) z, computed without overflow.
      f += (z >= 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z))) + (1 - t[i]) * z;
    }
    return f;
  };
  let a = 0, b = Math.log((nPos + 1) / (nNeg + 1));
  let f = loss(a, b);
  const ridge = 1e-12;
  for (let it = 0; it < iterations; it++) {
    let ga = 0, gb = 0, haa = ridge, hab = 0, hbb = ridge;
    for (let i = 0; i < x.length; i++) {
      const p = sigmoid(a * x[i] + b);
      const d = p - t[i];
      const w = p * (1 - p);
      ga += d * x[i]; gb += d;
      haa += w * x[i] * x[i]; hab += w * x[i]; hbb += w;
    }
    if (Math.abs(ga) < 1e-7 && Math.abs(gb) < 1e-7) break;
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-300)) break;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    const slope = ga * da + gb * db;
    let step = 1;
    while (step >= 1e-10) {
      const fNew = loss(a + step * da, b + step * db);
      if (fNew < f + 1e-4 * step * slope) {
        a += step * da; b += step * db; f = fNew;
        break;
      }
      step /= 2;
    }
    if (step < 1e-10) break;
  }
  return { kind: 'platt', a, b, prior: nPos / (nPos + nNeg), windows: nPos + nNeg };
}

/** Calibrated probability (under the calibration set's prior) that a window is the genuine person. */
export function calibrate(c: PlattCalibration, score: number): number {
  return sigmoid(c.a * logit(score) + c.b);
}

/** Largest |log-likelihood ratio| one window may contribute (≈ a likelihood ratio of 7.4). */
export const DEFAULT_MAX_WINDOW_LLR = 2;

/** log p(score | genuine) / p(score | impostor), clamped to ±maxLlr. Positive = evidence for the person. */
export function windowLlr(c: PlattCalibration, score: number, maxLlr = DEFAULT_MAX_WINDOW_LLR): number {
  const llr = c.a * logit(score) + c.b - logit(c.prior);
  return Math.max(-maxLlr, Math.min(maxLlr, llr));
}

/** A threshold on raw window scores with the error rates it had where it was chosen. */
export interface OperatingPoint {
  /** Accept (genuine) when score ≥ threshold. */
  threshold: number;
  /** Rule: equal error rate on the validation windows. */
  rule: 'eer';
  /** Where it was chosen: always validation (never the test block). */
  chosenOn: 'validation';
  /** FAR / FRR on the validation windows at the threshold (optimistic: the threshold was picked there). */
  validationFar: number;
  validationFrr: number;
  validationWindows: number;
}

/**
 * Choose the operating point on validation windows only. Needs both classes; without them there is no
 * honest threshold and the caller must say so (error).
 */
export function chooseOperatingPoint(valScores: ArrayLike<number>, valPositives: ArrayLike<boolean>): OperatingPoint {
  const { nPos, nNeg } = checkPairs(valScores, valPositives);
  if (nPos === 0 || nNeg === 0) {
    throw new PointerprintError('calibration/one-class', 'The validation windows hold only one class, so no threshold can be chosen honestly. Record more sessions.');
  }
  const e = eer(valScores, valPositives);
  const ff = farFrrAt(valScores, valPositives, e.threshold);
  return { threshold: e.threshold, rule: 'eer', chosenOn: 'validation', validationFar: ff.far, validationFrr: ff.frr, validationWindows: nPos + nNeg };
}

/**
 * Mean clamped window LLR of genuine and of impostor windows (e.g. on validation): the expected drift
 * of the sequential test under each hypothesis, used to say how many more windows a decision needs.
 */
export function expectedLlr(c: PlattCalibration, scores: ArrayLike<number>, positives: ArrayLike<boolean>, maxLlr = DEFAULT_MAX_WINDOW_LLR): { genuine: number; impostor: number } {
  checkPairs(scores, positives);
  let sg = 0, ng = 0, si = 0, ni = 0;
  for (let i = 0; i < scores.length; i++) {
    const l = windowLlr(c, scores[i], maxLlr);
    if (positives[i]) { sg += l; ng++; } else { si += l; ni++; }
  }
  return { genuine: ng ? sg / ng : NaN, impostor: ni ? si / ni : NaN };
}
