import { describe, it, expect } from 'vitest';
import { checkEnrolment, fitDecisionModel, llrWeightText, replaySequential, testResults, ENROLMENT_ADVICE } from '../../src/core/enrolmentCheck';
import { mulberry32, randNormal } from '../../src/core/random';
import { sigmoid } from '../../src/core/calibration';
import { LLR_WEIGHTS } from '../../src/core/sequential';

/**
 * Window scores of `sessions` genuine and `sessions` impostor sessions, `windows` each: logit(score) ~
 * N(centre ± d/2, 1), then squashed by `squash` around `centre` (a model whose scores all sit near one value).
 */
function scored(sessions: number, windows: number, d: number, seed: number, squash = 1, centre = 0) {
  const rng = mulberry32(seed);
  const scores: number[] = [], positives: boolean[] = [], sessionIds: string[] = [];
  for (let s = 0; s < 2 * sessions; s++) {
    const genuine = s % 2 === 0;
    for (let w = 0; w < windows; w++) {
      scores.push(sigmoid(centre + squash * randNormal(rng, genuine ? d / 2 : -d / 2, 1)));
      positives.push(genuine);
      sessionIds.push(`s${s}`);
    }
  }
  return { scores, positives, sessionIds };
}

describe('enrolment check (validation chooses, test judges)', () => {
  it.each([
    { name: 'a model that separates', d: 3, squash: 1, centre: 0, usable: true },
    // The CI failure: scores all ≈ 0.45 but well ranked. Calibrated on validation, the verdict works.
    { name: 'a separating model whose scores all sit near 0.45', d: 3, squash: 0.05, centre: -0.2, usable: true },
    { name: 'a model that separates nothing', d: 0, squash: 1, centre: 0, usable: false },
  ])('$name → usable: $usable', ({ d, squash, centre, usable }) => {
    // 60 impostor validation sessions: enough to bound FAR, so the verdict may take full weight.
    const val = scored(60, 10, d, 1, squash, centre);
    const test = scored(4, 10, d, 2, squash, centre);
    const model = fitDecisionModel(val);
    const t = testResults(model, test);
    const c = checkEnrolment(model, t);
    expect(c.usable).toBe(usable);
    if (usable) {
      expect(t.sequential.wrong).toBe(0);
      expect(t.sequential.correct).toBe(8);
      expect(t.sequential.medianWindows).toBeLessThanOrEqual(5);
    } else {
      expect(c.reasons.length).toBeGreaterThan(0);
      expect(c.advice).toBe(ENROLMENT_ADVICE);
      expect(c.advice).toMatch(/Record more/);
    }
  });

  it('measures the test windows at the threshold chosen on validation, not at their own EER', () => {
    const val = { scores: [0.9, 0.8, 0.7, 0.2, 0.1, 0.3], positives: [true, true, true, false, false, false] };
    const model = fitDecisionModel(val);
    // Test scores all shifted down: at the stored threshold every genuine window is rejected.
    const test = { scores: [0.4, 0.35, 0.3, 0.1, 0.05, 0.02], positives: [true, true, true, false, false, false], sessionIds: ['g', 'g', 'g', 'i', 'i', 'i'] };
    const t = testResults(model, test);
    expect(t.auc).toBe(1);
    expect(t.eer).toBe(0);
    expect(t.frr).toBe(1);
    expect(t.far).toBe(0);
    const c = checkEnrolment(model, t);
    expect(c.usable).toBe(false);
    expect(c.reasons.join(' ')).toMatch(/accept 0 % of other people's windows and reject 100 % of your own/);
  });

  it('replays the verdict per session in window order', () => {
    const model = fitDecisionModel(scored(60, 10, 3, 5));
    const r = replaySequential(model, { scores: [0.99, 0.99, 0.99, 0.01, 0.01, 0.01], positives: [true, true, true, false, false, false], sessionIds: ['a', 'a', 'a', 'b', 'b', 'b'] });
    expect(r.perSession.map((p) => [p.sessionId, p.verdict])).toEqual([['a', 'match'], ['b', 'mismatch']]);
    expect(r.correct).toBe(2);
  });

  it('says so when there is nothing to test on', () => {
    const model = fitDecisionModel(scored(2, 5, 3, 6));
    const c = checkEnrolment(model, testResults(model, { scores: [0.9, 0.8], positives: [true, true], sessionIds: ['a', 'a'] }));
    expect(c.usable).toBe(false);
    expect(c.reasons[0]).toMatch(/no held-out windows of both/);
  });
});

describe('the live verdict\'s LLR weight, chosen on the validation sessions (as the benchmark chooses it)', () => {
  it('clean validation sessions, enough impostor sessions to bound FAR: full weight', () => {
    expect(fitDecisionModel(scored(60, 8, 4, 21)).sequential.llrWeight).toBe(1);
  });
  it('too few impostor sessions to bound FAR (a person enrolling against a small background set): the most cautious weight', () => {
    const d = fitDecisionModel(scored(3, 8, 4, 21));
    expect(d.sequential.llrWeight).toBe(LLR_WEIGHTS[LLR_WEIGHTS.length - 1]);
    // Cautious, not blind: a long enough session of strong evidence still reaches a verdict.
    const r = replaySequential(d, { scores: [...Array(12).fill(0.999), ...Array(12).fill(0.001)], positives: [...Array(12).fill(true), ...Array(12).fill(false)], sessionIds: [...Array(12).fill('g'), ...Array(12).fill('i')] });
    expect(r.perSession.map((p) => p.verdict)).toEqual(['match', 'mismatch']);
    expect(r.medianWindows).toBeGreaterThan(5);
  });
  it('the profile says how its weight was chosen, and the report says it in words', () => {
    const cautious = fitDecisionModel(scored(3, 8, 4, 21));
    expect(cautious.llrWeightChoice).toEqual({ basis: 'too-few-impostors', impostorSessions: 3, genuineSessions: 3 });
    // 0.18 × the ±2 clamp per window against Wald's bound log(0.95 / 0.05) = 2.94: 9 windows at best.
    expect(llrWeightText(cautious)).toMatch(/at 0\.18 of its evidence, so a verdict needs at least 9 windows\..*most cautious.*3 session\(s\) of other people.*\(59 are needed\)/);
    const full = fitDecisionModel(scored(60, 8, 4, 21));
    expect(full.llrWeightChoice).toEqual({ basis: 'upper-bound', impostorSessions: 60, genuineSessions: 60 });
    expect(llrWeightText(full)).toMatch(/counts in full, so a verdict needs at least 2 windows\. Chosen on 60 validation session\(s\) of other people and 60 of yours.*\(95 % upper bound\)/);
    // Without sessions nothing was chosen: nothing to say (and older profiles lack the field).
    expect(fitDecisionModel({ scores: [0.9, 0.1], positives: [true, false] }).llrWeightChoice).toBeUndefined();
    expect(llrWeightText(fitDecisionModel({ scores: [0.9, 0.1], positives: [true, false] }))).toBeNull();
  });
  it('an impostor validation session the verdict would accept at full weight: the weight drops until it is not', () => {
    const val = scored(60, 8, 4, 21);
    // An impostor session whose first windows score like the person's, then like an impostor's.
    const fooling = [0.97, 0.96, 0.95, 0.05, 0.04, 0.03, 0.05, 0.04];
    const v = { scores: [...val.scores, ...fooling], positives: [...val.positives, ...fooling.map(() => false)], sessionIds: [...val.sessionIds, ...fooling.map(() => 'fooling')] };
    const d = fitDecisionModel(v);
    expect(d.sequential.llrWeight).toBeLessThan(1);
    const replay = replaySequential(d, v);
    expect(replay.perSession.find((s) => s.sessionId === 'fooling')!.verdict).not.toBe('match');
    // Without session ids nothing can be replayed: the given settings are kept.
    expect(fitDecisionModel({ scores: v.scores, positives: v.positives }).sequential.llrWeight).toBe(1);
  });
});
