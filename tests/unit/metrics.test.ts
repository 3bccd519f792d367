import { describe, it, expect } from 'vitest';
import { auc, eer, rocCurve, farFrrAt, accuracy, confusion, confusionMatrix, percentile, balancedAccuracy } from '../../src/core/metrics';

const T = true, F = false;

describe('auc (Mann–Whitney, hand-computed)', () => {
  it.each([
    ['perfect', [0.9, 0.8, 0.2, 0.1], [T, T, F, F], 1],
    ['inverted', [0.1, 0.2, 0.8, 0.9], [T, T, F, F], 0],
    ['all equal', [0.5, 0.5, 0.5, 0.5], [T, F, T, F], 0.5],
    // pairs (pos,neg): (.9,.5)=1 (.9,.1)=1 (.5,.5)=½ (.5,.1)=1 → 3.5/4
    ['one tie across classes', [0.9, 0.5, 0.5, 0.1], [T, T, F, F], 0.875],
    // pos {.8,.6,.3} neg {.7,.4,.2}: 3 + 2 + 1 = 6 of 9
    ['interleaved', [0.8, 0.7, 0.6, 0.4, 0.3, 0.2], [T, F, T, F, T, F], 6 / 9],
  ] as const)('%s', (_n, s, p, want) => {
    expect(auc(s, p)).toBeCloseTo(want, 12);
  });
  it('equals the trapezoidal area under rocCurve', () => {
    const s = [0.9, 0.5, 0.5, 0.1, 0.5, 0.3, 0.3];
    const p = [T, T, F, F, T, F, T];
    const r = rocCurve(s, p);
    let area = 0;
    for (let i = 1; i < r.length; i++) area += ((r[i].fpr - r[i - 1].fpr) * (r[i].tpr + r[i - 1].tpr)) / 2;
    expect(auc(s, p)).toBeCloseTo(area, 12);
  });
  it('is NaN with one class only, and rejects mismatched lengths', () => {
    expect(auc([1, 2], [T, T])).toBeNaN();
    expect(() => auc([1, 2], [T])).toThrow(/differ in length/);
  });
});

describe('rocCurve', () => {
  it('moves ties together (diagonal step)', () => {
    expect(rocCurve([0.9, 0.5, 0.5, 0.1], [T, T, F, F])).toEqual([
      { fpr: 0, tpr: 0, threshold: Infinity },
      { fpr: 0, tpr: 0.5, threshold: 0.9 },
      { fpr: 0.5, tpr: 1, threshold: 0.5 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ]);
  });
});

describe('eer (interpolated)', () => {
  it.each([
    ['perfect', [0.9, 0.8, 0.2, 0.1], [T, T, F, F], 0],
    ['inverted', [0.1, 0.2, 0.8, 0.9], [T, T, F, F], 1],
    ['all equal', [0.5, 0.5, 0.5, 0.5], [T, F, T, F], 0.5],
    // crossing halfway between (fpr 0, frr .5) and (fpr .5, frr 0) → .25
    ['tie', [0.9, 0.5, 0.5, 0.1], [T, T, F, F], 0.25],
    ['interleaved: exact crossing at (1/3, 1/3)', [0.8, 0.7, 0.6, 0.4, 0.3, 0.2], [T, F, T, F, T, F], 1 / 3],
  ] as const)('%s', (_n, s, p, want) => {
    expect(eer(s, p).eer).toBeCloseTo(want, 12);
  });
  it('interpolates the threshold', () => {
    expect(eer([0.9, 0.5, 0.5, 0.1], [T, T, F, F]).threshold).toBeCloseTo(0.7, 12);
    expect(eer([0.8, 0.7, 0.6, 0.4, 0.3, 0.2], [T, F, T, F, T, F]).threshold).toBeCloseTo(0.6, 12);
  });
});

describe('threshold metrics', () => {
  const s = [0.8, 0.7, 0.6, 0.4, 0.3, 0.2];
  const p = [T, F, T, F, T, F];
  it('farFrrAt', () => {
    const r = farFrrAt(s, p, 0.5);
    expect(r.far).toBeCloseTo(1 / 3);
    expect(r.frr).toBeCloseTo(1 / 3);
    expect(farFrrAt(s, p, 0.9)).toEqual({ far: 0, frr: 1 });
  });
  it('confusion, accuracy, balanced accuracy', () => {
    expect(confusion(s, p, 0.5)).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 });
    expect(accuracy(s, p, 0.5)).toBeCloseTo(4 / 6);
    expect(balancedAccuracy([0.9, 0.1, 0.1, 0.1], [T, F, F, F])).toBe(1);
  });
  it('confusionMatrix and percentile', () => {
    expect(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2], 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 95)).toBeCloseTo(3.85);
  });
});
