/**
 * Issue #9 item 3: the app's sequential decision (Platt-calibrated window LLRs, Wald's SPRT,
 * src/core/calibration.ts + sequential.ts) replayed window by window on the labelled test sessions
 * with the challenge's default verifier.
 *
 * Everything the decision depends on comes from validation (training_files only): the Platt fit, and
 * the LLR weight (the discount for correlated windows), which is the largest of a few candidates whose
 * replay on the validation pseudo-sessions meets the error targets. Test labels only score the result.
 */
import { fitPlatt, windowLlr } from '../../../src/core/calibration';
import { percentile } from '../../../src/core/metrics';
import { decideSequence, DEFAULT_SEQUENTIAL, type SequentialSettings } from '../../../src/core/sequential';
import { round } from './context';
import type { VerifierScores } from './challenge';

const WEIGHTS = [1, 0.7, 0.5, 0.35, 0.25];

function replay(sessions: readonly { genuine: boolean; llr: number[] }[], settings: SequentialSettings) {
  let fa = 0, fr = 0, nImp = 0, nGen = 0, undecided = 0;
  const used: number[] = [];
  const decisions = sessions.map((s) => {
    const d = decideSequence(s.llr, settings);
    if (s.genuine) { nGen++; if (d.verdict === 'mismatch') fr++; } else { nImp++; if (d.verdict === 'match') fa++; }
    if (d.verdict === 'not yet') undecided++; else used.push(d.windowsUsed);
    return d;
  });
  return { far: nImp ? fa / nImp : NaN, frr: nGen ? fr / nGen : NaN, undecided: sessions.length ? undecided / sessions.length : NaN, used, decisions };
}

export function runSequential(v: VerifierScores, alpha = DEFAULT_SEQUENTIAL.alpha, beta = DEFAULT_SEQUENTIAL.beta) {
  const valWindows = v.validation.flatMap((c) => c.p);
  const valGenuine = v.validation.flatMap((c) => c.p.map(() => c.genuine));
  const cal = fitPlatt(valWindows, valGenuine);
  const val = v.validation.map((c) => ({ genuine: c.genuine, llr: c.p.map((p) => windowLlr(cal, p)) }));
  const tried: Record<string, { far: number; frr: number; undecided: number; medianWindows: number }> = {};
  let chosen = WEIGHTS[WEIGHTS.length - 1];
  for (const w of WEIGHTS) {
    const r = replay(val, { alpha, beta, llrWeight: w });
    tried[String(w)] = { far: round(r.far), frr: round(r.frr), undecided: round(r.undecided), medianWindows: r.used.length ? percentile(r.used, 50) : NaN };
    if (r.far <= alpha && r.frr <= beta) { chosen = w; break; }
  }
  const settings = { alpha, beta, llrWeight: chosen };
  const test = v.test.map((s) => ({ genuine: !s.illegal, llr: s.p.map((p) => windowLlr(cal, p)) }));
  const r = replay(test, settings);
  const seconds: number[] = [];
  r.decisions.forEach((d, i) => {
    if (d.verdict === 'not yet') return;
    const s = v.test[i];
    seconds.push((s.endMs[d.windowsUsed - 1] - s.startMs[0]) / 1000);
  });
  return {
    how: 'Platt calibration of the default verifier\'s window P(claimed) and the LLR weight are fitted on validation pseudo-sessions (training_files); each labelled test session is then replayed window by window (its first windows, as scored by the challenge) through Wald\'s SPRT until a bound is crossed. FAR = illegal sessions judged "match" / all illegal sessions; FRR = legal sessions judged "mismatch" / all legal sessions; undecided = sessions still "not yet" after their scored windows.',
    alpha, beta, llrWeight: chosen, calibration: { a: round(cal.a), b: round(cal.b), prior: round(cal.prior), windows: cal.windows },
    validationReplayByWeight: tried,
    sessions: test.length,
    falseAcceptRate: round(r.far), falseRejectRate: round(r.frr), undecidedFraction: round(r.undecided),
    medianWindowsToDecision: r.used.length ? percentile(r.used, 50) : null,
    medianSecondsToDecision: seconds.length ? round(percentile(seconds, 50), 1) : null,
  };
}
