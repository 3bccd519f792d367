/**
 * Issue #9 item 3: the app's sequential decision (Platt-calibrated window LLRs, Wald's SPRT,
 * src/core/calibration.ts + sequential.ts) replayed window by window on the labelled test sessions
 * with the challenge's default verifier.
 *
 * Everything the decision depends on comes from validation (training_files only): the Platt fit, and
 * the LLR weight (the discount for correlated windows), chosen by `chooseLlrWeight` (core): the largest
 * candidate whose validation replay keeps the 95 % upper bound of FAR within α and FRR within β. Test
 * labels only score the result. For comparison the report also replays the rule used up to stop 8
 * (largest weight whose validation point estimates meet the targets), scored on the same test sessions
 * and never used for any choice.
 */
import { fitPlatt, windowLlr } from '../../../src/core/calibration';
import { percentile } from '../../../src/core/metrics';
import { chooseLlrWeight, DEFAULT_SEQUENTIAL, decideSequence, LLR_WEIGHTS, replayCounts, type ReplayCounts } from '../../../src/core/sequential';
import { round } from './context';
import type { VerifierScores } from './challenge';

const rates = (c: ReplayCounts, total: number) => ({
  far: round(c.impostors ? c.falseAccepts / c.impostors : NaN),
  frr: round(c.genuine ? c.falseRejects / c.genuine : NaN),
  undecided: round(total ? c.undecided / total : NaN),
  medianWindows: c.windowsUsed.length ? percentile(c.windowsUsed, 50) : null,
});

export function runSequential(v: VerifierScores, alpha = DEFAULT_SEQUENTIAL.alpha, beta = DEFAULT_SEQUENTIAL.beta) {
  const valWindows = v.validation.flatMap((c) => c.p);
  const valGenuine = v.validation.flatMap((c) => c.p.map(() => c.genuine));
  const cal = fitPlatt(valWindows, valGenuine);
  const val = v.validation.map((c) => ({ genuine: c.genuine, llrs: c.p.map((p) => windowLlr(cal, p)) }));
  const choice = chooseLlrWeight(val, alpha, beta);
  const settings = { alpha, beta, llrWeight: choice.llrWeight };
  const test = v.test.map((s) => ({ genuine: !s.illegal, llrs: s.p.map((p) => windowLlr(cal, p)) }));
  const decisions = test.map((s) => decideSequence(s.llrs, settings));
  const r = replayCounts(test, settings, decisions);
  const seconds: number[] = [];
  decisions.forEach((d, i) => {
    if (d.verdict === 'not yet') return;
    seconds.push((v.test[i].endMs[d.windowsUsed - 1] - v.test[i].startMs[0]) / 1000);
  });
  // Stop 8's rule (validation point estimates ≤ α, β), for comparison only: it chooses nothing here.
  const oldWeight = chooseLlrWeight(val, alpha, beta, LLR_WEIGHTS, 'point-estimate').llrWeight;
  const t = rates(r, test.length);
  return {
    how: 'Platt calibration of the default verifier\'s window P(claimed) and the LLR weight are fitted on validation pseudo-sessions (training_files); each labelled test session is then replayed window by window (its first windows, as scored by the challenge) through Wald\'s SPRT until a bound is crossed. FAR = illegal sessions judged "match" / all illegal sessions; FRR = legal sessions judged "mismatch" / all legal sessions; undecided = sessions still "not yet" after their scored windows.',
    alpha, beta, llrWeight: choice.llrWeight, weightRule: choice.rule, weightRuleMet: choice.met,
    calibration: { a: round(cal.a), b: round(cal.b), prior: round(cal.prior), windows: cal.windows },
    validationReplayByWeight: Object.fromEntries(choice.tried.map((x) => [String(x.llrWeight), { ...rates(x.counts, val.length), farUpper95: round(x.farUpper95), impostorSessions: x.counts.impostors, genuineSessions: x.counts.genuine }])),
    sessions: test.length, impostorSessions: r.impostors, genuineSessions: r.genuine, falseAccepts: r.falseAccepts, falseRejects: r.falseRejects,
    falseAcceptRate: t.far, falseRejectRate: t.frr, undecidedFraction: t.undecided, undecidedSessions: r.undecided,
    medianWindowsToDecision: t.medianWindows,
    medianSecondsToDecision: seconds.length ? round(percentile(seconds, 50), 1) : null,
    /** What stop 8's point-estimate rule would have chosen and given here (comparison only; chooses nothing). */
    pointEstimateRule: { llrWeight: oldWeight, ...rates(replayCounts(test, { alpha, beta, llrWeight: oldWeight }), test.length) },
  };
}
