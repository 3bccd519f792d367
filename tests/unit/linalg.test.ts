import { describe, expect, it } from 'vitest';
import { choleskyLower, inverseSpdRidged, invertSpd, quadraticForm } from '../../src/core/linalg';

describe('linalg', () => {
  it.each([
    { a: [4, 2, 2, 3], inv: [3 / 8, -2 / 8, -2 / 8, 4 / 8], logDet: Math.log(8) },
    { a: [2, 0, 0, 5], inv: [0.5, 0, 0, 0.2], logDet: Math.log(10) },
  ])('inverts $a with its log-determinant, by hand', ({ a, inv, logDet }) => {
    const r = inverseSpdRidged(a, 2);
    Array.from(r.inv).forEach((v, i) => expect(v).toBeCloseTo(inv[i], 10));
    expect(r.logDet).toBeCloseTo(logDet, 10);
    Array.from(invertSpd(a, 2)).forEach((v, i) => expect(v).toBeCloseTo(inv[i], 10));
  });
  it('Cholesky: L Lᵀ = m, null when m is not positive definite', () => {
    const l = choleskyLower([4, 2, 2, 3], 2)!;
    expect(Array.from(l)).toEqual([2, 0, 1, Math.sqrt(2)]);
    expect(choleskyLower([1, 2, 2, 1], 2)).toBeNull();
  });
  it('a singular matrix: invertSpd refuses, the ridged inverse still answers', () => {
    expect(() => invertSpd([1, 1, 1, 1], 2)).toThrow(/positive definite/);
    const r = inverseSpdRidged([1, 1, 1, 1], 2);
    expect(Array.from(r.inv).every(Number.isFinite)).toBe(true);
  });
  it('quadratic form of a row of a flat matrix', () => {
    // (x − μ)ᵀ P (x − μ) with P = diag(1, 4), μ = (1, 1), second row x = (3, 2): 4 + 4.
    expect(quadraticForm([1, 0, 0, 4], [1, 1], [0, 0, 3, 2], 1)).toBe(8);
  });
});
