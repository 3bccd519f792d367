/**
 * Binary-classification metrics for verification and detection: ROC, AUC, EER, FAR/FRR, accuracy,
 * confusion. Pure and allocation-light so they run on the UI thread, in workers and in benchmarks.
 *
 * Convention everywhere: a **higher score means "more likely the positive class"** (e.g. "is the
 * profile owner" for verification, "is an impostor" for anomaly scoring). `positives[i]` says whether
 * item i truly belongs to the positive class.
 */
import { PointerprintError } from './errors';

/** One operating point of a ROC curve: classify positive when score >= threshold. */
export interface RocPoint {
  /** False-positive rate = false accept rate (negatives scored >= threshold) / negatives. */
  fpr: number;
  /** True-positive rate = 1 - false reject rate. */
  tpr: number;
  /** Decision threshold (score >= threshold ⇒ positive). +Infinity for the (0,0) point. */
  threshold: number;
}

function checkInputs(scores: ArrayLike<number>, positives: ArrayLike<boolean>): { nPos: number; nNeg: number } {
  if (scores.length !== positives.length) {
    throw new PointerprintError('metrics/length', `scores (${scores.length}) and labels (${positives.length}) differ in length.`);
  }
  let nPos = 0;
  for (let i = 0; i < positives.length; i++) {
    if (Number.isNaN(scores[i])) throw new PointerprintError('metrics/nan', `Score ${i} is NaN; metrics need numbers.`);
    if (positives[i]) nPos++;
  }
  return { nPos, nNeg: positives.length - nPos };
}

/** Indices sorted by score, descending (stable). */
function orderDesc(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx;
}

/**
 * The ROC curve: one point per distinct score (ties move together, so the curve has diagonal steps
 * where positives and negatives share a score), from (0,0) at threshold +Infinity to (1,1).
 * With no positives (or no negatives) the corresponding rate is reported as 0 (undefined rates).
 */
export function rocCurve(scores: ArrayLike<number>, positives: ArrayLike<boolean>): RocPoint[] {
  const { nPos, nNeg } = checkInputs(scores, positives);
  const idx = orderDesc(scores);
  const pts: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0, fp = 0;
  for (let k = 0; k < idx.length; ) {
    const t = scores[idx[k]];
    while (k < idx.length && scores[idx[k]] === t) {
      if (positives[idx[k]]) tp++; else fp++;
      k++;
    }
    pts.push({ fpr: nNeg ? fp / nNeg : 0, tpr: nPos ? tp / nPos : 0, threshold: t });
  }
  return pts;
}

/**
 * Area under the ROC curve, computed as the Mann–Whitney U statistic: the probability that a random
 * positive scores above a random negative, ties counting one half (average ranks). Equal to the
 * trapezoidal area under `rocCurve`. Returns NaN when either class is empty (AUC is undefined).
 */
export function auc(scores: ArrayLike<number>, positives: ArrayLike<boolean>): number {
  const { nPos, nNeg } = checkInputs(scores, positives);
  if (nPos === 0 || nNeg === 0) return NaN;
  // Ascending order; average rank over each tie group (1-based).
  const idx = orderDesc(scores).reverse();
  let rankSumPos = 0;
  for (let k = 0; k < idx.length; ) {
    let j = k;
    const t = scores[idx[k]];
    while (j < idx.length && scores[idx[j]] === t) j++;
    const avgRank = (k + 1 + j) / 2; // mean of ranks k+1..j
    for (let m = k; m < j; m++) if (positives[idx[m]]) rankSumPos += avgRank;
    k = j;
  }
  const u = rankSumPos - (nPos * (nPos + 1)) / 2;
  return u / (nPos * nNeg);
}

/**
 * Equal error rate: the rate where the false-accept rate (FPR) equals the false-reject rate (1 - TPR),
 * found by linear interpolation between the two ROC points that bracket the crossing. The threshold is
 * interpolated the same way (between finite thresholds). NaN when a class is empty.
 */
export function eer(scores: ArrayLike<number>, positives: ArrayLike<boolean>): { eer: number; threshold: number } {
  const { nPos, nNeg } = checkInputs(scores, positives);
  if (nPos === 0 || nNeg === 0) return { eer: NaN, threshold: NaN };
  const roc = rocCurve(scores, positives);
  // d = FAR - FRR = fpr - (1 - tpr): starts at -1 (threshold +inf) and ends at +1; find where it crosses 0.
  for (let i = 1; i < roc.length; i++) {
    const a = roc[i - 1], b = roc[i];
    const da = a.fpr - (1 - a.tpr);
    const db = b.fpr - (1 - b.tpr);
    if (db >= 0) {
      const f = db === da ? 0 : -da / (db - da); // fraction of the way from a to b
      const farA = a.fpr, farB = b.fpr;
      const rate = farA + f * (farB - farA);
      const tA = Number.isFinite(a.threshold) ? a.threshold : b.threshold;
      const threshold = tA + f * (b.threshold - tA);
      return { eer: rate, threshold };
    }
  }
  return { eer: NaN, threshold: NaN }; // unreachable: the last point always has d = +1
}

/** False-accept and false-reject rates at a threshold (score >= threshold ⇒ accepted as positive). */
export function farFrrAt(scores: ArrayLike<number>, positives: ArrayLike<boolean>, threshold: number): { far: number; frr: number } {
  const c = confusion(scores, positives, threshold);
  const nNeg = c.fp + c.tn, nPos = c.tp + c.fn;
  return { far: nNeg ? c.fp / nNeg : NaN, frr: nPos ? c.fn / nPos : NaN };
}

/** Confusion counts at a threshold (score >= threshold ⇒ predicted positive). */
export interface Confusion { tp: number; fp: number; tn: number; fn: number }

/** Confusion matrix counts at a threshold. */
export function confusion(scores: ArrayLike<number>, positives: ArrayLike<boolean>, threshold: number): Confusion {
  checkInputs(scores, positives);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const pred = scores[i] >= threshold;
    if (positives[i]) { if (pred) c.tp++; else c.fn++; } else { if (pred) c.fp++; else c.tn++; }
  }
  return c;
}

/** Fraction classified correctly at a threshold (default 0.5 for probabilities). NaN when empty. */
export function accuracy(scores: ArrayLike<number>, positives: ArrayLike<boolean>, threshold = 0.5): number {
  const c = confusion(scores, positives, threshold);
  const n = c.tp + c.fp + c.tn + c.fn;
  return n ? (c.tp + c.tn) / n : NaN;
}

/** Balanced accuracy (mean of TPR and TNR) at a threshold: honest when classes are unbalanced. */
export function balancedAccuracy(scores: ArrayLike<number>, positives: ArrayLike<boolean>, threshold = 0.5): number {
  const c = confusion(scores, positives, threshold);
  return ((c.tp / (c.tp + c.fn)) + (c.tn / (c.tn + c.fp))) / 2;
}

/** Multi-class confusion matrix `m[true][predicted]` from integer labels. */
export function confusionMatrix(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, nClasses: number): number[][] {
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < trueLabels.length; i++) m[trueLabels[i]][predicted[i]]++;
  return m;
}

/** Percentile (0..100) of values by linear interpolation between order statistics. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const a = Array.from(values).sort((x, y) => x - y);
  if (!a.length) return NaN;
  const pos = (p / 100) * (a.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return a[lo] + (a[hi] - a[lo]) * (pos - lo);
}
