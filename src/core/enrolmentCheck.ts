/**
 * Deciding whether an enrolment is usable, from window scores alone (pure: the pipeline scores, this
 * judges).
 *
 * Validation windows (the ones that also chose the epoch) fit the calibration and choose the one
 * operating point. Test windows — never used for any choice — then say whether the profile separates
 * the person from others: AUC, FAR/FRR at the stored threshold, and the live verdict (SPRT) replayed on
 * each test session. An enrolment that fails any check is reported as failed, with reasons and advice,
 * and must not be saved as a usable profile.
 */
import { auc, eer, farFrrAt } from './metrics';
import { chooseOperatingPoint, DEFAULT_MAX_WINDOW_LLR, expectedLlr, fitPlatt, windowLlr, type OperatingPoint, type PlattCalibration } from './calibration';
import { chooseLlrWeight, decideSequence, DEFAULT_SEQUENTIAL, rateUpperBound, replayCounts, type LlrWeightChoice, type SequentialSettings, type Verdict } from './sequential';

/** Everything the live decision needs, stored with the profile. */
export interface DecisionModel {
  version: 1;
  operatingPoint: OperatingPoint;
  calibration: PlattCalibration;
  /** Mean clamped window LLR of genuine / impostor validation windows (SPRT drift, for "how much more"). */
  expectedLlr: { genuine: number; impostor: number };
  sequential: SequentialSettings;
  maxWindowLlr: number;
  /**
   * How the LLR weight was chosen (absent in profiles from before stop 16, and when no validation
   * sessions were given): on how many validation sessions, and whether they were enough to bound FAR.
   */
  llrWeightChoice?: LlrWeightBasis;
}

export interface LlrWeightBasis {
  basis: LlrWeightChoice['basis'];
  impostorSessions: number;
  genuineSessions: number;
}

/** Scored windows of one split, in time order within each session. */
export interface ScoredWindows {
  scores: ArrayLike<number>;
  positives: ArrayLike<boolean>;
  /** (Pseudo-)session of each window: the sequential replay runs per session. */
  sessionIds: readonly string[];
}

export interface SequentialReplay {
  sessions: number;
  correct: number;
  wrong: number;
  undecided: number;
  /** Median windows to a verdict over decided sessions (NaN if none). */
  medianWindows: number;
  perSession: { sessionId: string; genuine: boolean; verdict: Verdict; windowsUsed: number }[];
}

export interface TestResults {
  windows: number;
  auc: number;
  /** EER on the test windows (for information only: no threshold is taken from it). */
  eer: number;
  /** At the stored (validation) threshold. */
  far: number;
  frr: number;
  accuracy: number;
  sequential: SequentialReplay;
}

export interface EnrolmentCheck {
  usable: boolean;
  /** Why it is not usable (empty when usable). */
  reasons: string[];
  /** What to do about it (null when usable). */
  advice: string | null;
}

/**
 * The bar a profile must clear on its test windows. Per-window errors are judged as their mean (half
 * total error rate): with one or two held-out sessions per class, a session that sits a little to one
 * side of the validation threshold moves FAR and FRR in opposite directions, while the verdict, which
 * sums calibrated evidence over the session, is what the product decides by (checked separately).
 */
export const ENROLMENT_BAR = { minAuc: 0.75, maxHalfTotalError: 0.35, maxWrongVerdictFraction: 0.25 } as const;

export const ENROLMENT_ADVICE =
  'Record more of your own movement (several sessions on different occasions, with different activity: reading, ' +
  'clicking through forms, dragging, scrolling) and train again. If other people\'s data is scarce, add more of it.';

/**
 * Fit the decision model on validation windows. Throws (PointerprintError) when they hold one class only.
 * With `sessionIds`, the LLR weight is chosen the way the benchmark chooses it (`chooseLlrWeight`: the
 * live verdict replayed on the validation sessions must meet α and β); without, `sequential` is kept.
 */
export function fitDecisionModel(
  val: Pick<ScoredWindows, 'scores' | 'positives'> & { sessionIds?: readonly string[] },
  sequential: SequentialSettings = DEFAULT_SEQUENTIAL, maxWindowLlr = DEFAULT_MAX_WINDOW_LLR,
): DecisionModel {
  const operatingPoint = chooseOperatingPoint(val.scores, val.positives);
  const calibration = fitPlatt(val.scores, val.positives);
  const d: DecisionModel = { version: 1, operatingPoint, calibration, expectedLlr: expectedLlr(calibration, val.scores, val.positives, maxWindowLlr), sequential, maxWindowLlr };
  if (!val.sessionIds) return d;
  const sessions = [...bySession(val.scores, val.positives, val.sessionIds, (s) => windowLlr(calibration, s, maxWindowLlr)).values()];
  const choice = chooseLlrWeight(sessions, sequential.alpha, sequential.beta);
  const impostorSessions = sessions.filter((s) => !s.genuine).length;
  return {
    ...d, sequential: { ...sequential, llrWeight: choice.llrWeight },
    llrWeightChoice: { basis: choice.basis, impostorSessions, genuineSessions: sessions.length - impostorSessions },
  };
}

/**
 * In words, for the report: why the live verdict needs as many windows as it does. Null when the profile
 * does not say how its weight was chosen (older profiles).
 */
export function llrWeightText(d: DecisionModel): string | null {
  const c = d.llrWeightChoice;
  if (!c) return null;
  const w = d.sequential.llrWeight;
  // Windows of the strongest evidence the verdict needs at this weight (Wald's bound over the clamp).
  const atLeast = Math.ceil(Math.log((1 - d.sequential.beta) / d.sequential.alpha) / (w * d.maxWindowLlr) - 1e-9);
  const lead = `Each window counts ${w === 1 ? 'in full' : `at ${w} of its evidence`}, so a verdict needs at least ${atLeast} window${atLeast === 1 ? '' : 's'}.`;
  if (c.basis === 'too-few-impostors') {
    return `${lead} This is the most cautious setting: validation held ${c.impostorSessions} session(s) of other people, too few to show that a faster verdict keeps false accepts within ${Math.round(d.sequential.alpha * 100)} % (${minImpostorSessions(d.sequential.alpha)} are needed). More sessions of other people (imported, or pulled from Splunk) allow a faster one.`;
  }
  const bound = c.basis === 'upper-bound' ? ' (95 % upper bound)' : '';
  return `${lead} Chosen on ${c.impostorSessions} validation session(s) of other people and ${c.genuineSessions} of yours: the largest weight whose replay keeps false accepts within ${Math.round(d.sequential.alpha * 100)} %${bound} and false rejects within ${Math.round(d.sequential.beta * 100)} %.`;
}

/** Fewest impostor sessions for which 0 false accepts bounds FAR (95 %) at α. */
function minImpostorSessions(alpha: number): number {
  let n = 1;
  while (rateUpperBound(0, n) > alpha && n < 100_000) n++;
  return n;
}

/** Windows grouped by (pseudo-)session, in order, each mapped to an LLR. */
export function bySession(scores: ArrayLike<number>, positives: ArrayLike<boolean>, sessionIds: readonly string[], llr: (score: number) => number): Map<string, { genuine: boolean; llrs: number[] }> {
  const m = new Map<string, { genuine: boolean; llrs: number[] }>();
  for (let i = 0; i < scores.length; i++) {
    let s = m.get(sessionIds[i]);
    if (!s) m.set(sessionIds[i], (s = { genuine: positives[i], llrs: [] }));
    s.llrs.push(llr(scores[i]));
  }
  return m;
}

/** Replay the live verdict on each session of a split, window by window. */
export function replaySequential(d: DecisionModel, w: ScoredWindows): SequentialReplay {
  const sessions = bySession(w.scores, w.positives, w.sessionIds, (s) => windowLlr(d.calibration, s, d.maxWindowLlr));
  const list = [...sessions.values()];
  const decisions = list.map((s) => decideSequence(s.llrs, d.sequential));
  const c = replayCounts(list, d.sequential, decisions);
  const perSession = [...sessions.keys()].map((sessionId, i) => ({ sessionId, genuine: list[i].genuine, ...decisions[i] }));
  const wrong = c.falseAccepts + c.falseRejects;
  const used = [...c.windowsUsed].sort((a, b) => a - b);
  const medianWindows = used.length ? (used[(used.length - 1) >> 1] + used[used.length >> 1]) / 2 : NaN;
  return { sessions: list.length, correct: used.length - wrong, wrong, undecided: c.undecided, medianWindows, perSession };
}

/** Measure the test windows at the stored operating point. */
export function testResults(d: DecisionModel, test: ScoredWindows): TestResults {
  const both = Array.prototype.some.call(test.positives, (p: boolean) => p) && Array.prototype.some.call(test.positives, (p: boolean) => !p);
  const t = d.operatingPoint.threshold;
  const ff = farFrrAt(test.scores, test.positives, t);
  let right = 0;
  for (let i = 0; i < test.scores.length; i++) if ((test.scores[i] >= t) === test.positives[i]) right++;
  return {
    windows: test.scores.length,
    auc: both ? auc(test.scores, test.positives) : NaN,
    eer: both ? eer(test.scores, test.positives).eer : NaN,
    far: ff.far, frr: ff.frr,
    accuracy: test.scores.length ? right / test.scores.length : NaN,
    sequential: replaySequential(d, test),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

/** Which of the enrolment bars a profile fails (`checkEnrolment` words them; the benchmark counts them). */
export type EnrolmentBarFailure = 'no-test-windows' | 'auc' | 'error-at-threshold' | 'wrong-verdicts' | 'uncalibrated';

/** The bars failed on its test results (never on validation), in the order the reasons are given. */
export function failedEnrolmentBars(d: DecisionModel, t: TestResults): EnrolmentBarFailure[] {
  const failed: EnrolmentBarFailure[] = [];
  if (!(t.windows > 0) || Number.isNaN(t.auc)) failed.push('no-test-windows');
  else {
    if (t.auc < ENROLMENT_BAR.minAuc) failed.push('auc');
    if (!((t.far + t.frr) / 2 <= ENROLMENT_BAR.maxHalfTotalError)) failed.push('error-at-threshold');
    const s = t.sequential;
    if (s.sessions && s.wrong / s.sessions > ENROLMENT_BAR.maxWrongVerdictFraction) failed.push('wrong-verdicts');
  }
  if (!(d.calibration.a > 0)) failed.push('uncalibrated');
  return failed;
}

function barReason(f: EnrolmentBarFailure, t: TestResults): string {
  switch (f) {
    case 'no-test-windows': return 'There were no held-out windows of both you and others to test the profile on.';
    case 'auc': return `On held-out windows the model tells you from others only weakly (AUC ${t.auc.toFixed(2)}; needs ≥ ${ENROLMENT_BAR.minAuc}).`;
    case 'error-at-threshold': return `At its threshold it would accept ${pct(t.far)} of other people's windows and reject ${pct(t.frr)} of your own (their mean must be ≤ ${pct(ENROLMENT_BAR.maxHalfTotalError)}).`;
    case 'wrong-verdicts': return `The live verdict was wrong on ${t.sequential.wrong} of ${t.sequential.sessions} held-out session(s).`;
    case 'uncalibrated': return 'On validation windows, higher scores did not mean "more likely you": the model learned nothing usable.';
  }
}

/** Judge an enrolment by its test results (never by validation). */
export function checkEnrolment(d: DecisionModel, t: TestResults): EnrolmentCheck {
  const reasons = failedEnrolmentBars(d, t).map((f) => barReason(f, t));
  return reasons.length ? { usable: false, reasons, advice: ENROLMENT_ADVICE } : { usable: true, reasons: [], advice: null };
}
