/**
 * A live verdict: Wald's sequential probability ratio test over calibrated window log-likelihood
 * ratios (core/calibration `windowLlr`).
 *
 * H1 = "this is the enrolled person", H0 = "someone else". After each window the summed LLR S is
 * compared with Wald's bounds A = log((1 − β) / α) and B = log(β / (1 − α)), where α is the target
 * false-accept rate and β the target false-reject rate:
 *   S ≥ A → "match", S ≤ B → "mismatch", otherwise "not yet" (with an estimate of how many more windows
 *   the evidence needs at the rate it has been arriving).
 *
 * Windows of one session are correlated, so each window's LLR is clamped (calibration) and may be
 * down-weighted (`llrWeight`); the achieved error rates are measured, not assumed (the benchmark
 * replays this on labelled sessions).
 *
 * Continuous use: once a bound is crossed the decision holds, and S is kept within [B, A], so the
 * verdict flips only when the evidence crosses the *other* bound (a person taking over mid-session is
 * caught after about (A − B) / |drift| windows). The first decision equals the classic SPRT's.
 *
 * Pure: no DOM, no tfjs.
 */

export type Verdict = 'match' | 'mismatch' | 'not yet';

export interface SequentialSettings {
  /** Target false-accept rate (an impostor judged "match"). */
  alpha: number;
  /** Target false-reject rate (the person judged "mismatch"). */
  beta: number;
  /** Each window's LLR is multiplied by this (≤ 1: discount for correlated windows). */
  llrWeight: number;
}

export const DEFAULT_SEQUENTIAL: SequentialSettings = { alpha: 0.05, beta: 0.05, llrWeight: 1 };

/** Running state (plain data). */
export interface SequentialState {
  windows: number;
  /** Summed weighted LLR, kept within [B, A] after a decision. */
  sumLlr: number;
  /** Sum of |weighted LLR| (for the rate at which evidence arrives). */
  sumAbsLlr: number;
  verdict: Verdict;
  /** Window count at which the current verdict was first reached (null while "not yet"). */
  decidedAt: number | null;
}

export interface SequentialReading {
  verdict: Verdict;
  windows: number;
  sumLlr: number;
  /** A (match bound) and B (mismatch bound). */
  upper: number;
  lower: number;
  /**
   * "not yet": estimated further windows to reach a bound (≥ 1), from the drift seen so far, or from
   * the profile's expected drift when the windows seen so far point nowhere. null when decided or
   * when nothing suggests a direction.
   */
  moreWindows: number | null;
  decidedAt: number | null;
  alpha: number;
  beta: number;
}

export const emptySequential = (): SequentialState => ({ windows: 0, sumLlr: 0, sumAbsLlr: 0, verdict: 'not yet', decidedAt: null });

export function sprtBounds(s: Pick<SequentialSettings, 'alpha' | 'beta'> = DEFAULT_SEQUENTIAL): { upper: number; lower: number } {
  if (!(s.alpha > 0 && s.alpha < 0.5 && s.beta > 0 && s.beta < 0.5)) {
    throw new RangeError(`SPRT error targets must lie in (0, 0.5): α=${s.alpha}, β=${s.beta}`);
  }
  return { upper: Math.log((1 - s.beta) / s.alpha), lower: Math.log(s.beta / (1 - s.alpha)) };
}

/** Add one window's LLR; returns a new state. */
export function addLlr(state: SequentialState, llr: number, settings: SequentialSettings = DEFAULT_SEQUENTIAL): SequentialState {
  const { upper, lower } = sprtBounds(settings);
  const l = (Number.isFinite(llr) ? llr : 0) * settings.llrWeight;
  const windows = state.windows + 1;
  let sum = state.sumLlr + l;
  let verdict = state.verdict;
  let decidedAt = state.decidedAt;
  if (sum >= upper) {
    if (verdict !== 'match') decidedAt = windows;
    verdict = 'match';
    sum = upper;
  } else if (sum <= lower) {
    if (verdict !== 'mismatch') decidedAt = windows;
    verdict = 'mismatch';
    sum = lower;
  }
  return { windows, sumLlr: sum, sumAbsLlr: state.sumAbsLlr + Math.abs(l), verdict, decidedAt };
}

/**
 * Read the verdict. `expected` (mean window LLR of genuine and impostor windows on validation, before
 * weighting) lets "not yet" estimate the remaining windows before a direction shows in the data.
 */
export function readSequential(
  state: SequentialState, settings: SequentialSettings = DEFAULT_SEQUENTIAL, expected?: { genuine: number; impostor: number },
): SequentialReading {
  const { upper, lower } = sprtBounds(settings);
  const base = { verdict: state.verdict, windows: state.windows, sumLlr: state.sumLlr, upper, lower, decidedAt: state.decidedAt, alpha: settings.alpha, beta: settings.beta };
  if (state.verdict !== 'not yet') return { ...base, moreWindows: null };
  return { ...base, moreWindows: estimateMoreWindows(state, upper, lower, settings.llrWeight, expected) };
}

function estimateMoreWindows(
  state: SequentialState, upper: number, lower: number, weight: number, expected?: { genuine: number; impostor: number },
): number | null {
  const toUpper = upper - state.sumLlr, toLower = state.sumLlr - lower;
  // Drift seen so far, when it clearly points somewhere.
  const drift = state.windows ? state.sumLlr / state.windows : 0;
  if (state.windows >= 2 && Math.abs(drift) > 0.05) return Math.max(1, Math.ceil((drift > 0 ? toUpper : toLower) / Math.abs(drift)));
  if (expected && Number.isFinite(expected.genuine) && Number.isFinite(expected.impostor)) {
    const g = expected.genuine * weight, i = expected.impostor * weight;
    const candidates = [g > 0 ? toUpper / g : Infinity, i < 0 ? toLower / -i : Infinity].filter(Number.isFinite);
    if (candidates.length) return Math.max(1, Math.ceil(Math.min(...candidates)));
  }
  return null;
}

/**
 * Replay a whole sequence of window LLRs as a classic SPRT: the first bound crossed and the window at
 * which it was crossed; "not yet" with `windowsUsed` = all windows when no bound was reached.
 * (For benchmarks replaying labelled sessions window by window.)
 */
export function decideSequence(llrs: ArrayLike<number>, settings: SequentialSettings = DEFAULT_SEQUENTIAL): { verdict: Verdict; windowsUsed: number } {
  let s = emptySequential();
  for (let i = 0; i < llrs.length; i++) {
    s = addLlr(s, llrs[i], settings);
    if (s.verdict !== 'not yet') return { verdict: s.verdict, windowsUsed: i + 1 };
  }
  return { verdict: 'not yet', windowsUsed: llrs.length };
}

/**
 * One-sided upper confidence bound (Clopper–Pearson) on a rate observed as `k` events in `n` trials:
 * the largest p with P(X ≤ k | n, p) ≥ 1 − confidence. A rate measured on a few hundred validation
 * sessions is itself uncertain; promising "≤ α" needs this bound, not the point estimate, within α.
 */
export function rateUpperBound(k: number, n: number, confidence = 0.95): number {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && n > 0 && k <= n)) throw new RangeError(`rateUpperBound needs integers 0 ≤ k ≤ n, n > 0: k=${k}, n=${n}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie in (0, 1): ${confidence}`);
  if (k === n) return 1;
  // P(X ≤ k) falls as p rises: bisect for the p where it equals 1 − confidence.
  const cdf = (p: number) => {
    const lp = Math.log(p), lq = Math.log1p(-p);
    let logTerm = n * lq, sum = Math.exp(logTerm); // i = 0
    for (let i = 1; i <= k; i++) {
      logTerm += Math.log((n - i + 1) / i) + lp - lq;
      sum += Math.exp(logTerm);
    }
    return sum;
  };
  let lo = k / n, hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 1 - confidence) lo = mid; else hi = mid;
  }
  return hi;
}

/** Error rates of the SPRT replayed on labelled (pseudo-)sessions. */
export interface ReplayCounts {
  impostors: number;
  falseAccepts: number;
  genuine: number;
  falseRejects: number;
  undecided: number;
  /** Windows used by each decided session. */
  windowsUsed: number[];
}

/**
 * Count a replay. `decisions` (one per session, in order) default to replaying each session now; pass
 * them when the caller also needs the per-session verdicts, so no session is decided twice.
 */
export function replayCounts(
  sessions: readonly { genuine: boolean; llrs: ArrayLike<number> }[], settings: SequentialSettings,
  decisions: readonly { verdict: Verdict; windowsUsed: number }[] = sessions.map((s) => decideSequence(s.llrs, settings)),
): ReplayCounts {
  const c: ReplayCounts = { impostors: 0, falseAccepts: 0, genuine: 0, falseRejects: 0, undecided: 0, windowsUsed: [] };
  sessions.forEach((s, i) => {
    const d = decisions[i];
    if (s.genuine) { c.genuine++; if (d.verdict === 'mismatch') c.falseRejects++; } else { c.impostors++; if (d.verdict === 'match') c.falseAccepts++; }
    if (d.verdict === 'not yet') c.undecided++; else c.windowsUsed.push(d.windowsUsed);
  });
  return c;
}

/** Candidate LLR weights, strongest first (1 = windows taken as independent evidence). */
export const LLR_WEIGHTS = [1, 0.7, 0.5, 0.35, 0.25, 0.18] as const;

export interface LlrWeightChoice {
  llrWeight: number;
  /** Whether some candidate met the rule (false: the smallest candidate, the most cautious, is used). */
  met: boolean;
  /**
   * 'upper-bound' when the impostor sessions are enough to bound FAR at α; 'too-few-impostors' when
   * they are not (the most cautious candidate is used); 'point-estimate' only when forced (the rule up
   * to stop 15, kept for comparison in the benchmark).
   */
  basis: 'upper-bound' | 'too-few-impostors' | 'point-estimate';
  rule: string;
  tried: { llrWeight: number; counts: ReplayCounts; farUpper95: number }[];
}

const RULES: Record<LlrWeightChoice['basis'], string> = {
  'upper-bound': 'largest LLR weight whose validation replay has a 95 % Clopper–Pearson upper bound on FAR ≤ α and FRR ≤ β; else the smallest candidate',
  'too-few-impostors': 'too few impostor sessions to bound FAR at α: the most cautious LLR weight (a replay on so few sessions cannot show that a stronger one is safe)',
  'point-estimate': 'largest LLR weight whose validation replay has FAR ≤ α and FRR ≤ β; else the smallest candidate',
};

/**
 * The discount for correlated windows, chosen on validation sessions only: the largest candidate weight
 * whose replay keeps the **95 % upper bound** of the false-accept rate (Clopper–Pearson; impostor
 * sessions are the many) within α and the false-reject rate within β. Windows of one session are not
 * independent, so Wald's bounds alone do not hold the rates; the replay measures them, and the bound
 * covers the validation sample being finite (a point estimate at α passes half the time by luck).
 *
 * With too few impostor sessions for any bound to reach α (fewer than 59 at α = 0.05: a person's own
 * enrolment against a small background set), no replay can show a stronger weight to be safe, so the
 * most cautious candidate is used (`basis` 'too-few-impostors'). Until stop 15 the point estimates
 * decided there: an account whose nine validation impostor sessions were all rejected could take full
 * weight, and the benchmark measured FAR 0.081 for 7-minute enrolments (`smallEnrolment.curve`); it
 * keeps that rule for comparison only (`forceBasis` 'point-estimate').
 */
export function chooseLlrWeight(
  sessions: readonly { genuine: boolean; llrs: ArrayLike<number> }[],
  alpha = DEFAULT_SEQUENTIAL.alpha, beta = DEFAULT_SEQUENTIAL.beta, weights: readonly number[] = LLR_WEIGHTS,
  /** Force a basis (the benchmark replays the point-estimate rule beside it, for comparison only). */
  forceBasis?: LlrWeightChoice['basis'],
): LlrWeightChoice {
  const impostors = sessions.filter((s) => !s.genuine).length;
  const basis = forceBasis ?? (impostors > 0 && rateUpperBound(0, impostors) <= alpha ? 'upper-bound' : 'too-few-impostors');
  const rule = RULES[basis];
  const tried: LlrWeightChoice['tried'] = [];
  const replay = (w: number) => {
    const counts = replayCounts(sessions, { alpha, beta, llrWeight: w });
    const t = { llrWeight: w, counts, farUpper95: counts.impostors ? rateUpperBound(counts.falseAccepts, counts.impostors) : 1 };
    tried.push(t);
    return t;
  };
  if (basis === 'too-few-impostors') {
    // Replayed for the report only: nothing here can be shown safe, so nothing is chosen from it.
    replay(weights[weights.length - 1]);
    return { llrWeight: weights[weights.length - 1], met: false, basis, rule, tried };
  }
  for (const w of weights) {
    const { counts, farUpper95 } = replay(w);
    const far = counts.impostors ? counts.falseAccepts / counts.impostors : 1;
    const frr = counts.genuine ? counts.falseRejects / counts.genuine : 1;
    if ((basis === 'upper-bound' ? farUpper95 : far) <= alpha && frr <= beta) return { llrWeight: w, met: true, basis, rule, tried };
  }
  return { llrWeight: weights[weights.length - 1], met: false, basis, rule, tried };
}
