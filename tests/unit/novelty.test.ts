import { describe, expect, it } from 'vitest';
import {
  fitHumanNovelty, fitKnn, fitMahalanobis, fitNoveltyStandardiser, humanTail, knnMeanDistance, ledoitWolfCovariance,
  mahalanobisSq, noveltyScores, NOVELTY_CLIP, standardiseRows,
} from '../../src/core/novelty';
import { mulberry32, randNormal } from '../../src/core/random';
import { invertSpd } from '../../src/core/linalg';

const E1 = Math.E - 1; // slog(E1) = 1

describe('novelty standardiser', () => {
  it('takes signed log1p, then z-scores; a constant column gets sd 1; clips far values', () => {
    // column 0: slog = [0, 1] → mean 0.5, sd 0.5; column 1 constant 3.
    const std = fitNoveltyStandardiser({ dim: 2, count: 2, values: [0, 3, E1, 3] });
    expect(std.mean[0]).toBeCloseTo(0.5, 12);
    expect(std.sd[0]).toBeCloseTo(0.5, 12);
    expect(std.sd[1]).toBe(1);
    const z = standardiseRows(std, { dim: 2, count: 3, values: [0, 3, E1, 3, 1e300, -E1] });
    expect(z[0]).toBeCloseTo(-1, 12);
    expect(z[2]).toBeCloseTo(1, 12);
    expect(z[1]).toBeCloseTo(0, 12);
    expect(z[4]).toBe(NOVELTY_CLIP); // (log1p(1e300) − 0.5) / 0.5 ≈ 1380: clipped
    expect(z[5]).toBeCloseTo(-1 - Math.log1p(3), 12); // (−1 − log1p 3) / 1
  });
});

describe('Ledoit–Wolf covariance', () => {
  // Points (±2, 0), (0, ±1): mean 0, S = diag(2, 0.5), μ = 1.25, d² = 2·0.75² = 1.125,
  // every ‖xxᵀ − S‖² = 4.25 (e.g. (2,0): 16 − 2·8 + 4.25), so b̄² = 4·4.25/16 = 1.0625, s = 1.0625/1.125.
  const x = [2, 0, -2, 0, 0, 1, 0, -1];
  it('matches the hand-computed shrinkage and matrix', () => {
    const r = ledoitWolfCovariance(x, 4, 2);
    const s = 1.0625 / 1.125;
    expect(r.shrinkage).toBeCloseTo(s, 12);
    expect(r.mean).toEqual([0, 0]);
    expect(r.cov[0]).toBeCloseTo((1 - s) * 2 + s * 1.25, 12);
    expect(r.cov[3]).toBeCloseTo((1 - s) * 0.5 + s * 1.25, 12);
    expect(r.cov[1]).toBeCloseTo(0, 12);
  });
  it('shrinks fully when S is already a multiple of the identity', () => {
    expect(ledoitWolfCovariance([1, 0, -1, 0, 0, 1, 0, -1], 4, 2).shrinkage).toBe(1);
  });
  it('shrinks little when many rows estimate few dimensions well', () => {
    const rng = mulberry32(3);
    const rows: number[] = [];
    for (let i = 0; i < 5000; i++) { const a = randNormal(rng), b = randNormal(rng); rows.push(a, 0.9 * a + 0.3 * b); }
    const r = ledoitWolfCovariance(rows, 5000, 2);
    expect(r.shrinkage).toBeLessThan(0.01);
    expect(r.cov[1]).toBeCloseTo(0.9, 1);
  });
});

describe('invertSpd and Mahalanobis distance', () => {
  it('inverts [[4,2],[2,3]] to [[3,−2],[−2,4]]/8 and refuses a matrix that is not positive definite', () => {
    const inv = Array.from(invertSpd([4, 2, 2, 3], 2));
    [3 / 8, -2 / 8, -2 / 8, 4 / 8].forEach((v, i) => expect(inv[i]).toBeCloseTo(v, 12));
    expect(() => invertSpd([1, 2, 2, 1], 2)).toThrow(/positive definite/);
  });
  it('gives x²/2 + y²/0.5 without shrinkage, and the Euclidean distance over μ with full shrinkage', () => {
    const x = [2, 0, -2, 0, 0, 1, 0, -1];
    expect(mahalanobisSq(fitMahalanobis(x, 4, 2, 0), [2, 1])).toBeCloseTo(4 / 2 + 1 / 0.5, 10);
    expect(mahalanobisSq(fitMahalanobis(x, 4, 2, 1), [2, 1])).toBeCloseTo(5 / 1.25, 10);
  });
});

describe('k nearest neighbours', () => {
  const ref = [0, 0, 3, 4, 6, 8];
  it('averages the distances to the k nearest reference rows', () => {
    expect(knnMeanDistance(fitKnn(ref, 3, 2, 1), [3, 4])).toBe(0);
    expect(knnMeanDistance(fitKnn(ref, 3, 2, 2), [0, 0])).toBe(2.5); // (0 + 5) / 2
    expect(knnMeanDistance(fitKnn(ref, 3, 2, 2), [0, 0, 6, 8], 1)).toBe(2.5); // second row of the query
    expect(knnMeanDistance(fitKnn(ref, 3, 2, 9), [0, 0])).toBe(5); // k clamped to 3: (0 + 5 + 10) / 3
  });
  it('refuses k < 1 or no reference rows', () => {
    expect(() => fitKnn(ref, 3, 2, 0)).toThrow();
    expect(() => fitKnn([], 0, 2, 1)).toThrow();
  });
});

describe('humanTail', () => {
  it('is the fraction of reference scores below, ties counted half', () => {
    const t = humanTail([4, 1, 3, 2]);
    expect(t(0)).toBe(0);
    expect(t(2)).toBe(0.375); // 1 below, 1 tie
    expect(t(2.5)).toBe(0.5);
    expect(t(5)).toBe(1);
    expect(() => humanTail([])).toThrow();
  });
});

describe('fitHumanNovelty', () => {
  // "Humans": 3 correlated features; an outlier breaks the correlation without extreme values.
  const rng = mulberry32(11);
  const values: number[] = [];
  for (let i = 0; i < 400; i++) { const a = randNormal(rng, 5, 1), b = randNormal(rng, 0, 0.2); values.push(a, a + b, randNormal(rng, 2, 0.5)); }
  const human = { dim: 3, count: 400, values };
  const probe = { dim: 3, count: 2, values: [5, 5, 2, 5.8, 4.2, 2] }; // typical; off the a ≈ a + b line
  for (const method of [{ method: 'mahalanobis' as const }, { method: 'knn' as const, k: 5 }]) {
    it(`${method.method}: a row off the humans' correlation is more novel than a typical one`, () => {
      const m = fitHumanNovelty(human, method);
      const [typical, odd] = noveltyScores(m, probe);
      expect(odd).toBeGreaterThan(typical * 3);
      // Most human rows are less novel than the odd one.
      const own = noveltyScores(m, human);
      expect(own.filter((v) => v < odd).length / own.length).toBeGreaterThan(0.95);
    });
  }
  it('refuses fewer than two rows', () => {
    expect(() => fitHumanNovelty({ dim: 3, count: 1, values: [1, 2, 3] }, { method: 'mahalanobis' })).toThrow();
  });
});
