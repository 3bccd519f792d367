/**
 * Fusing window scores into a session score.
 *
 * One window (a few seconds of movement) is a weak witness; a session's many windows together are a
 * strong one. We average the windows' **log-odds** (clamped so one over-confident window cannot
 * dominate) and map back to a probability. Averaging (rather than summing, as a naive Bayesian update
 * of independent windows would) keeps the fused score calibrated like a single window's and stops it
 * from running to 0 or 1 merely because windows of one session are correlated. Confidence grows with
 * the number of windows seen and shrinks when they disagree.
 */

/** Tuning of the fusion. */
export interface FusionSettings {
  /** Window probabilities are clamped to [clampP, 1 - clampP] before taking log-odds. */
  clampP: number;
  /** Windows needed for ~63 % of full confidence (confidence ∝ 1 - exp(-n / windowsForConfidence)). */
  windowsForConfidence: number;
  /** Log-odds standard deviation at which agreement halves (disagreeing windows lower confidence). */
  disagreementScale: number;
  /** Fused score ≥ this (with enough confidence) ⇒ 'match'. */
  matchAt: number;
  /** Fused score ≤ this (with enough confidence) ⇒ 'mismatch'. */
  mismatchAt: number;
  /** Below this confidence the decision is always 'uncertain'. */
  minConfidence: number;
}

export const DEFAULT_FUSION: FusionSettings = {
  clampP: 0.01,
  windowsForConfidence: 5,
  disagreementScale: 2,
  matchAt: 0.6,
  mismatchAt: 0.4,
  minConfidence: 0.5,
};

/** The running state of one session's fusion (plain data: serialisable, cheap to copy). */
export interface FusionState {
  windowsSeen: number;
  /** Sum of clamped log-odds. */
  sumLogOdds: number;
  /** Sum of squared clamped log-odds (for the spread). */
  sumSqLogOdds: number;
}

export interface FusedScore {
  /** Fused probability that the session belongs to the positive class (e.g. the profile owner). */
  fusedScore: number;
  /** 0..1: evidence behind the fused score. */
  confidence: number;
  windowsSeen: number;
  decision: 'match' | 'uncertain' | 'mismatch';
}

export const emptyFusion = (): FusionState => ({ windowsSeen: 0, sumLogOdds: 0, sumSqLogOdds: 0 });

/** log(p / (1 - p)) with p clamped to [clampP, 1 - clampP]. */
export function clampedLogOdds(p: number, clampP = DEFAULT_FUSION.clampP): number {
  const q = Math.min(1 - clampP, Math.max(clampP, Number.isFinite(p) ? p : 0.5));
  return Math.log(q / (1 - q));
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Add one window's probability; returns a new state (the input is not mutated). */
export function addWindow(s: FusionState, windowProb: number, settings: FusionSettings = DEFAULT_FUSION): FusionState {
  const z = clampedLogOdds(windowProb, settings.clampP);
  return { windowsSeen: s.windowsSeen + 1, sumLogOdds: s.sumLogOdds + z, sumSqLogOdds: s.sumSqLogOdds + z * z };
}

/** Read the fused score, confidence and decision out of a state. */
export function readFusion(s: FusionState, settings: FusionSettings = DEFAULT_FUSION): FusedScore {
  const n = s.windowsSeen;
  if (n === 0) return { fusedScore: 0.5, confidence: 0, windowsSeen: 0, decision: 'uncertain' };
  const mean = s.sumLogOdds / n;
  const variance = Math.max(0, s.sumSqLogOdds / n - mean * mean);
  const sd = Math.sqrt(variance);
  const amount = 1 - Math.exp(-n / settings.windowsForConfidence);
  const agreement = 1 / (1 + sd / settings.disagreementScale);
  const confidence = amount * agreement;
  const fusedScore = sigmoid(mean);
  let decision: FusedScore['decision'] = 'uncertain';
  if (confidence >= settings.minConfidence) {
    if (fusedScore >= settings.matchAt) decision = 'match';
    else if (fusedScore <= settings.mismatchAt) decision = 'mismatch';
  }
  return { fusedScore, confidence, windowsSeen: n, decision };
}

/** Fuse a whole list of window probabilities at once. */
export function fuseWindows(windowProbs: ArrayLike<number>, settings: FusionSettings = DEFAULT_FUSION): FusedScore {
  let s = emptyFusion();
  for (let i = 0; i < windowProbs.length; i++) s = addWindow(s, windowProbs[i], settings);
  return readFusion(s, settings);
}

/**
 * The fused score after each prefix of windows, evaluated at the given counts (e.g. [1, 5, 20]):
 * for "how fast is an impostor caught". A count larger than the list uses all windows.
 */
export function fusedAfter(windowProbs: ArrayLike<number>, counts: readonly number[], settings: FusionSettings = DEFAULT_FUSION): number[] {
  return counts.map((k) => fuseWindows(Array.prototype.slice.call(windowProbs, 0, Math.min(k, windowProbs.length)) as number[], settings).fusedScore);
}

/**
 * Fusing the two branches of the verifier (image CNN and kinematic-feature MLP) per window:
 * p_c ∝ exp((1 − w)·log p_img,c + w·log p_feat,c), probabilities clamped to [clampP, 1 − clampP].
 * With two classes this is the weighted mean of the branches' clamped log-odds (as the benchmark's
 * `fuseBranches`). w = 1: features only; w = 0: image only.
 */
export function fuseBranchProba(pImg: ArrayLike<number>, pFeat: ArrayLike<number>, count: number, k: number, w: number, clampP = DEFAULT_FUSION.clampP): Float32Array {
  const out = new Float32Array(count * k);
  const lg = (p: number) => Math.log(Math.min(1 - clampP, Math.max(clampP, Number.isFinite(p) ? p : 1 / k)));
  for (let i = 0; i < count; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const z = (1 - w) * lg(pImg[i * k + c]) + w * lg(pFeat[i * k + c]);
      out[i * k + c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += (out[i * k + c] = Math.exp(out[i * k + c] - max));
    for (let c = 0; c < k; c++) out[i * k + c] /= sum;
  }
  return out;
}

/** Candidate branch weights tried on validation. */
export const FUSION_WEIGHTS = [0, 0.25, 0.5, 0.75, 1] as const;

/**
 * The branch weight with the lowest mean negative log-likelihood of the true class on (validation)
 * windows; ties go to the weight nearest ½. Returns ½ when there are no windows.
 */
export function chooseFusionWeight(pImg: ArrayLike<number>, pFeat: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const n = labels.length;
  if (n === 0) return 0.5;
  let best = 0.5, bestLoss = Infinity;
  for (const w of [...FUSION_WEIGHTS].sort((a, b) => Math.abs(a - 0.5) - Math.abs(b - 0.5))) {
    const p = fuseBranchProba(pImg, pFeat, n, k, w);
    let loss = 0;
    for (let i = 0; i < n; i++) loss -= Math.log(Math.max(1e-7, p[i * k + labels[i]]));
    if (loss < bestLoss - 1e-9) { bestLoss = loss; best = w; }
  }
  return best;
}
