import { describe, it, expect } from 'vitest';
import { calibrate, chooseOperatingPoint, expectedLlr, fitPlatt, IDENTITY_CALIBRATION, logit, sigmoid, windowLlr } from '../../src/core/calibration';
import { addLlr, chooseLlrWeight, decideSequence, DEFAULT_SEQUENTIAL, emptySequential, LLR_WEIGHTS, rateUpperBound, readSequential, replayCounts, sprtBounds } from '../../src/core/sequential';
import { mulberry32, randNormal } from '../../src/core/random';

/** Scores drawn from a known logistic model: logit(s) ~ N(±d, 1) per class. */
function synthetic(n: number, d: number, seed: number): { scores: number[]; pos: boolean[] } {
  const rng = mulberry32(seed);
  const scores: number[] = [], pos: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const p = i % 2 === 0;
    scores.push(sigmoid(randNormal(rng, p ? d : -d, 1)));
    pos.push(p);
  }
  return { scores, pos };
}

describe('Platt calibration', () => {
  it('recovers a known logistic map (logit(s) ~ N(±d,1) ⇒ true posterior log-odds = 2d·logit(s))', () => {
    const { scores, pos } = synthetic(4000, 0.5, 7);
    const c = fitPlatt(scores, pos);
    // With equal classes and unit variance, log p(x|+)/p(x|-) = 2·d·x, so a ≈ 1, b ≈ 0.
    expect(c.a).toBeCloseTo(1, 1);
    expect(Math.abs(c.b)).toBeLessThan(0.1);
    expect(c.prior).toBe(0.5);
    expect(c.windows).toBe(4000);
  });
  it('undoes a squashed, shifted score (the model "separates" but every score sits near 0.45)', () => {
    const { scores, pos } = synthetic(4000, 0.5, 9);
    const squashed = scores.map((s) => sigmoid(0.1 * logit(s) - 0.2));
    const c = fitPlatt(squashed, pos);
    expect(c.a).toBeCloseTo(10, 0);
    expect(c.b).toBeCloseTo(2, 0);
  });
  it.each([
    { name: 'perfectly separated', scores: [0.9, 0.8, 0.2, 0.1], pos: [true, true, false, false] },
    { name: 'all tied', scores: [0.5, 0.5, 0.5, 0.5], pos: [true, false, true, false] },
  ])('stays finite when $name', ({ scores, pos }) => {
    const c = fitPlatt(scores, pos);
    expect(Number.isFinite(c.a) && Number.isFinite(c.b)).toBe(true);
    const p = calibrate(c, 0.9);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });
  it('converges to the smoothed-target optimum on separated validation windows (no runaway slope)', () => {
    // 10 + 10 windows, every genuine score above every impostor's, as a well-trained model gives: the
    // fitted probabilities must sit near Platt's targets (11/12 and 1/12), not at 0 / 1 with a ~1e7 slope.
    const gen = [0.97, 0.95, 0.99, 0.9, 0.93, 0.96, 0.98, 0.92, 0.94, 0.91];
    const imp = [0.05, 0.1, 0.02, 0.2, 0.08, 0.12, 0.04, 0.15, 0.07, 0.03];
    const c = fitPlatt([...gen, ...imp], [...gen.map(() => true), ...imp.map(() => false)]);
    expect(Math.abs(c.a)).toBeLessThan(10);
    const meanGen = gen.reduce((m, s) => m + calibrate(c, s), 0) / gen.length;
    const meanImp = imp.reduce((m, s) => m + calibrate(c, s), 0) / imp.length;
    expect(meanGen).toBeCloseTo(11 / 12, 1);
    expect(meanImp).toBeCloseTo(1 / 12, 1);
  });
  it('returns the identity (windows 0) when a class is missing', () => {
    expect(fitPlatt([0.3, 0.7], [true, true])).toEqual(IDENTITY_CALIBRATION);
  });
  it('rejects mismatched lengths', () => {
    expect(() => fitPlatt([0.1], [true, false])).toThrow(/differ in length/);
  });
});

describe('window LLR', () => {
  it.each([
    // prior ½, identity map: LLR = logit(score)
    { c: { ...IDENTITY_CALIBRATION }, score: 0.5, want: 0 },
    { c: { ...IDENTITY_CALIBRATION }, score: 0.75, want: Math.log(3) },
    { c: { ...IDENTITY_CALIBRATION }, score: 0.25, want: -Math.log(3) },
    // clamp at ±2
    { c: { ...IDENTITY_CALIBRATION }, score: 0.999, want: 2 },
    { c: { ...IDENTITY_CALIBRATION }, score: 0.001, want: -2 },
    // the prior is removed: a calibrated posterior of 0.2 under a prior of 0.2 is no evidence
    { c: { kind: 'platt' as const, a: 1, b: 0, prior: 0.2, windows: 10 }, score: 0.2, want: 0 },
    { c: { kind: 'platt' as const, a: 2, b: 1, prior: 0.5, windows: 10 }, score: 0.5, want: 1 },
  ])('LLR of $score → $want', ({ c, score, want }) => {
    expect(windowLlr(c, score)).toBeCloseTo(want, 6);
  });
  it('expected drift is positive for genuine and negative for impostor windows', () => {
    const { scores, pos } = synthetic(2000, 0.8, 3);
    const e = expectedLlr(fitPlatt(scores, pos), scores, pos);
    expect(e.genuine).toBeGreaterThan(0.5);
    expect(e.impostor).toBeLessThan(-0.5);
  });
});

describe('operating point (validation only)', () => {
  it('is the EER threshold of the windows it is given, with their FAR/FRR', () => {
    const op = chooseOperatingPoint([0.9, 0.8, 0.7, 0.4, 0.3, 0.6], [true, true, true, false, false, false]);
    expect(op.chosenOn).toBe('validation');
    expect(op.threshold).toBeGreaterThan(0.6);
    expect(op.threshold).toBeLessThanOrEqual(0.7);
    expect(op.validationFar).toBe(0);
    expect(op.validationFrr).toBe(0);
    expect(op.validationWindows).toBe(6);
  });
  it('refuses one-class validation data with words', () => {
    expect(() => chooseOperatingPoint([0.9, 0.8], [true, true])).toThrow(/only one class/);
  });
});

describe('SPRT', () => {
  const { upper, lower } = sprtBounds({ alpha: 0.05, beta: 0.05 });
  it("uses Wald's bounds", () => {
    expect(upper).toBeCloseTo(Math.log(19), 12);
    expect(lower).toBeCloseTo(-Math.log(19), 12);
    const b = sprtBounds({ alpha: 0.01, beta: 0.1 });
    expect(b.upper).toBeCloseTo(Math.log(0.9 / 0.01), 12);
    expect(b.lower).toBeCloseTo(Math.log(0.1 / 0.99), 12);
    expect(() => sprtBounds({ alpha: 0, beta: 0.1 })).toThrow(RangeError);
  });
  it.each([
    { name: 'strong genuine', llrs: [2, 2, 2, 2], verdict: 'match', at: 2 },
    { name: 'strong impostor', llrs: [-2, -1.5, -2], verdict: 'mismatch', at: 2 },
    { name: 'weak genuine', llrs: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], verdict: 'match', at: 6 },
    { name: 'balanced evidence', llrs: [1, -1, 1, -1, 1, -1], verdict: 'not yet', at: 6 },
    { name: 'no windows', llrs: [], verdict: 'not yet', at: 0 },
    { name: 'NaN counts as no evidence', llrs: [NaN, 2, 2], verdict: 'match', at: 3 },
  ])('$name → $verdict after $at windows', ({ llrs, verdict, at }) => {
    expect(decideSequence(llrs)).toEqual({ verdict, windowsUsed: at });
  });
  it('holds a decision until the other bound is crossed, then flips', () => {
    let s = emptySequential();
    for (const l of [2, 2]) s = addLlr(s, l);
    expect(s.verdict).toBe('match');
    expect(s.sumLlr).toBe(upper);
    s = addLlr(s, -2);
    expect(s.verdict).toBe('match');
    s = addLlr(s, -2);
    expect(s.verdict).toBe('match'); // S = 2.94 − 4 = −1.06
    s = addLlr(s, -2);
    expect(s.verdict).toBe('mismatch'); // S = −3.06 ≤ B = −2.94
    expect(s.decidedAt).toBe(5);
    expect(s.sumLlr).toBe(lower);
  });
  it('down-weights correlated windows', () => {
    const half = { ...DEFAULT_SEQUENTIAL, llrWeight: 0.5 };
    expect(decideSequence([2, 2, 2, 2], half)).toEqual({ verdict: 'match', windowsUsed: 3 });
  });
  it.each([
    // drift from the data: 2 windows of +1 → S = 2, needs (2.944 − 2) / 1 → 1 more
    { llrs: [1, 1], expected: undefined, more: 1 },
    // drift 0.25: S = 0.5, (2.944 − 0.5) / 0.25 = 9.8 → 10
    { llrs: [0.25, 0.25], expected: undefined, more: 10 },
    // no direction yet: fall back on the profile's expected drift (the quicker hypothesis)
    { llrs: [], expected: { genuine: 1.5, impostor: -0.5 }, more: 2 },
    { llrs: [0.01, -0.01], expected: undefined, more: null },
  ])('"not yet" estimates $more more windows', ({ llrs, expected, more }) => {
    let s = emptySequential();
    for (const l of llrs) s = addLlr(s, l);
    const r = readSequential(s, DEFAULT_SEQUENTIAL, expected);
    expect(r.verdict).toBe('not yet');
    expect(r.moreWindows).toBe(more);
  });
  it('reaches its error targets on independent windows from a calibrated model', () => {
    // 400 genuine and 400 impostor sessions of independent windows, d = 0.6 (a weak window model).
    const rng = mulberry32(11);
    const cal = fitPlatt(...(Object.values(synthetic(4000, 0.6, 12)) as [number[], boolean[]]));
    let fa = 0, fr = 0, undecided = 0;
    const used: number[] = [];
    for (let k = 0; k < 800; k++) {
      const genuine = k % 2 === 0;
      const llrs = Array.from({ length: 60 }, () => windowLlr(cal, sigmoid(randNormal(rng, genuine ? 0.6 : -0.6, 1))));
      const d = decideSequence(llrs);
      if (d.verdict === 'not yet') undecided++;
      else if (genuine && d.verdict === 'mismatch') fr++;
      else if (!genuine && d.verdict === 'match') fa++;
      used.push(d.windowsUsed);
    }
    expect(fa / 400).toBeLessThanOrEqual(0.05);
    expect(fr / 400).toBeLessThanOrEqual(0.05);
    expect(undecided).toBe(0);
    used.sort((a, b) => a - b);
    expect(used[400]).toBeLessThanOrEqual(10);
  });
});

describe('rate upper bound (Clopper–Pearson, one-sided 95 %)', () => {
  it.each([
    // 0 of n: closed form 1 − 0.05^(1/n) (the "rule of three" ≈ 3/n)
    [0, 10, 1 - Math.pow(0.05, 1 / 10)],
    [0, 59, 1 - Math.pow(0.05, 1 / 59)],
    // k of n: published one-sided 95 % Clopper–Pearson limits
    [1, 20, 0.2161],
    [5, 100, 0.1024],
  ])('%i of %i → %f', (k, n, want) => {
    expect(rateUpperBound(k, n)).toBeCloseTo(want, 3);
  });
  it('is above the point estimate and shrinks toward it as the sample grows', () => {
    const small = rateUpperBound(2, 50), big = rateUpperBound(40, 1000);
    expect(small).toBeGreaterThan(0.04);
    expect(big).toBeGreaterThan(0.04);
    expect(big).toBeLessThan(small);
    expect(rateUpperBound(4, 4)).toBe(1);
  });
  it('refuses counts that are not counts', () => {
    expect(() => rateUpperBound(3, 2)).toThrow(RangeError);
    expect(() => rateUpperBound(-1, 10)).toThrow(RangeError);
    expect(() => rateUpperBound(1.5, 10)).toThrow(RangeError);
    expect(() => rateUpperBound(1, 10, 1)).toThrow(RangeError);
  });
});

describe('choosing the LLR weight on validation sessions', () => {
  /** Sessions of 12 windows with LLR ~ N(±m, s): impostors to genuine 9 : 1, as in the benchmark's validation. */
  function sessions(nGenuine: number, m: number, s: number, seed: number) {
    const rng = mulberry32(seed);
    const out: { genuine: boolean; llrs: number[] }[] = [];
    for (let i = 0; i < nGenuine * 10; i++) {
      const genuine = i % 10 === 0;
      out.push({ genuine, llrs: Array.from({ length: 12 }, () => randNormal(rng, genuine ? m : -m, s)) });
    }
    return out;
  }
  it('counts the replay: impostors accepted, genuine rejected, undecided, windows used', () => {
    const c = replayCounts([
      { genuine: true, llrs: [2, 2] }, // match after 2
      { genuine: false, llrs: [2, 2] }, // false accept
      { genuine: true, llrs: [-2, -2] }, // false reject
      { genuine: false, llrs: [0.1] }, // undecided
    ], DEFAULT_SEQUENTIAL);
    expect(c).toEqual({ impostors: 2, falseAccepts: 1, genuine: 2, falseRejects: 1, undecided: 1, windowsUsed: [2, 2, 2] });
  });
  it('well separated, independent windows: full weight meets the targets', () => {
    const ch = chooseLlrWeight(sessions(40, 1.5, 0.5, 3));
    expect(ch.met).toBe(true);
    expect(ch.llrWeight).toBe(1);
    expect(ch.tried[0].farUpper95).toBeLessThanOrEqual(0.05);
  });
  it('noisy windows: the weight drops until the FAR bound (not just the estimate) is within α', () => {
    const ch = chooseLlrWeight(sessions(40, 0.4, 1.6, 5));
    expect(ch.llrWeight).toBeLessThan(1);
    const last = ch.tried[ch.tried.length - 1];
    expect(last.llrWeight).toBe(ch.llrWeight);
    if (ch.met) expect(last.farUpper95).toBeLessThanOrEqual(0.05);
    // Every stronger weight was refused for a reason the rule states.
    for (const t of ch.tried.slice(0, -1)) {
      const frr = t.counts.falseRejects / t.counts.genuine;
      expect(t.farUpper95 > 0.05 || frr > 0.05).toBe(true);
    }
  });
  it('enough impostor sessions: the bound decides (basis upper-bound)', () => {
    expect(chooseLlrWeight(sessions(6, 1.5, 0.5, 3)).basis).toBe('too-few-impostors'); // 54 impostors: 0 of 54 bounds at 0.054 > α
    expect(chooseLlrWeight(sessions(7, 1.5, 0.5, 3)).basis).toBe('upper-bound'); // 63 impostors: 0 of 63 bounds at 0.046
  });
  it('too few impostor sessions to bound FAR (a person\'s own enrolment): the most cautious weight, however clean the replay, said so', () => {
    const clean = chooseLlrWeight(sessions(2, 1.5, 0.5, 7)); // 18 impostors: even 0 accepts bounds FAR at 0.15
    expect(clean.basis).toBe('too-few-impostors');
    expect(clean.met).toBe(false);
    expect(clean.llrWeight).toBe(LLR_WEIGHTS[LLR_WEIGHTS.length - 1]);
    expect(clean.rule).toMatch(/too few impostor sessions/);
    // The cautious weight is replayed for the report; no stronger one was tried.
    expect(clean.tried.map((t) => t.llrWeight)).toEqual([LLR_WEIGHTS[LLR_WEIGHTS.length - 1]]);
    expect(clean.tried[0].counts.impostors).toBe(18);
    // The same sessions under the old point-estimate rule (kept for the benchmark's comparison) take full weight.
    expect(chooseLlrWeight(sessions(2, 1.5, 0.5, 7), 0.05, 0.05, LLR_WEIGHTS, 'point-estimate').llrWeight).toBe(1);
  });
  it('the point-estimate rule, forced (comparison only): the weight drops until the fooling session is no longer accepted', () => {
    // One impostor session that looks genuine for a while: accepted at full weight, so the weight drops
    // until that session is no longer accepted (or the most cautious candidate, unmet).
    const fooled = [{ genuine: true, llrs: [2, 2, 2] }, { genuine: false, llrs: [2, 1.5, -2, -2, -2, -2] }, { genuine: false, llrs: [-2, -2] }];
    const ch = chooseLlrWeight(fooled, 0.05, 0.05, LLR_WEIGHTS, 'point-estimate');
    expect(ch.basis).toBe('point-estimate');
    expect(ch.tried[0].counts.falseAccepts).toBe(1);
    expect(ch.llrWeight).toBeLessThan(1);
    expect(ch.met).toBe(true);
    expect(ch.tried[ch.tried.length - 1].counts.falseAccepts).toBe(0);
    const hopeless = chooseLlrWeight([{ genuine: true, llrs: [2] }, { genuine: false, llrs: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2] }], 0.05, 0.05, LLR_WEIGHTS, 'point-estimate');
    expect(hopeless.met).toBe(false);
    expect(hopeless.llrWeight).toBe(LLR_WEIGHTS[LLR_WEIGHTS.length - 1]);
  });
});
