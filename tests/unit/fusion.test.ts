import { describe, it, expect } from 'vitest';
import { addWindow, chooseFusionWeight, clampedLogOdds, emptyFusion, fuseBranchProba, fuseWindows, fusedAfter, readFusion, DEFAULT_FUSION } from '../../src/core/fusion';

describe('fusion', () => {
  it('starts uncertain at 0.5 with no confidence', () => {
    expect(readFusion(emptyFusion())).toEqual({ fusedScore: 0.5, confidence: 0, windowsSeen: 0, decision: 'uncertain' });
  });
  it('is the sigmoid of the mean clamped log-odds', () => {
    const f = fuseWindows([0.9, 0.6]);
    const z = (Math.log(9) + Math.log(1.5)) / 2;
    expect(f.fusedScore).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
  });
  it('clamps so one extreme window cannot dominate', () => {
    expect(clampedLogOdds(1)).toBeCloseTo(Math.log(99));
    expect(clampedLogOdds(0)).toBeCloseTo(-Math.log(99));
    const f = fuseWindows([0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]);
    expect(f.fusedScore).toBeGreaterThan(0.5);
  });
  it('confidence grows with agreeing windows and falls with disagreement', () => {
    const c1 = fuseWindows([0.9]).confidence;
    const c5 = fuseWindows([0.9, 0.9, 0.9, 0.9, 0.9]).confidence;
    const c20 = fuseWindows(new Array(20).fill(0.9)).confidence;
    expect(c1).toBeLessThan(c5);
    expect(c5).toBeLessThan(c20);
    expect(c20).toBeGreaterThan(0.95);
    const mixed = fuseWindows([0.99, 0.01, 0.99, 0.01, 0.99, 0.01, 0.99, 0.01, 0.99, 0.01]).confidence;
    expect(mixed).toBeLessThan(0.5 * c20);
  });
  it('decides match / mismatch only with enough confidence', () => {
    expect(fuseWindows([0.95]).decision).toBe('uncertain');
    expect(fuseWindows(new Array(10).fill(0.95)).decision).toBe('match');
    expect(fuseWindows(new Array(10).fill(0.05)).decision).toBe('mismatch');
    expect(fuseWindows(new Array(10).fill(0.5)).decision).toBe('uncertain');
  });
  it('is incremental: addWindow one by one equals fuseWindows, and does not mutate', () => {
    const ps = [0.2, 0.7, 0.9, 0.4];
    let s = emptyFusion();
    const first = s;
    for (const p of ps) s = addWindow(s, p, DEFAULT_FUSION);
    expect(first.windowsSeen).toBe(0);
    expect(readFusion(s)).toEqual(fuseWindows(ps));
  });
  it('fusedAfter reports prefixes', () => {
    const ps = [0.9, 0.1, 0.1, 0.1];
    const [a1, a4, a20] = fusedAfter(ps, [1, 4, 20]);
    expect(a1).toBeCloseTo(0.9);
    expect(a4).toBeLessThan(0.5);
    expect(a20).toBe(a4);
  });
});

describe('branch fusion (image CNN + feature MLP)', () => {
  it.each([
    { w: 0, want: 0.9 },
    { w: 1, want: 0.2 },
    // w = ½, two classes: σ(mean of log-odds) = σ((log 9 + log ¼) / 2) = σ(log 1.5) = 0.6
    { w: 0.5, want: 0.6 },
  ])('w = $w gives $want', ({ w, want }) => {
    const p = fuseBranchProba([0.1, 0.9], [0.8, 0.2], 1, 2, w);
    expect(p[1]).toBeCloseTo(want, 5);
    expect(p[0] + p[1]).toBeCloseTo(1, 6);
  });
  it('chooses on the given windows the weight that explains them best', () => {
    // The feature branch is right, the image branch wrong: features only.
    const labels = [1, 0, 1, 0];
    const pImg = [0.8, 0.2, 0.2, 0.8, 0.8, 0.2, 0.2, 0.8];
    const pFeat = [0.1, 0.9, 0.9, 0.1, 0.1, 0.9, 0.9, 0.1];
    expect(chooseFusionWeight(pImg, pFeat, labels, 2)).toBe(1);
    expect(chooseFusionWeight(pFeat, pImg, labels, 2)).toBe(0);
    expect(chooseFusionWeight([], [], [], 2)).toBe(0.5);
  });
});
