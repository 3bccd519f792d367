/**
 * The little dense linear algebra the core needs (row-major d × d matrices, d ≈ 50): Cholesky
 * factors, inverses and log-determinants of symmetric positive-definite matrices, quadratic forms.
 * Shared by the human-novelty model (core/novelty) and the Gaussian verifier (core/gaussianVerifier).
 * Pure: no DOM, no tfjs.
 */

/** Lower Cholesky factor L (L Lᵀ = m), or null when m is not positive definite. */
export function choleskyLower(m: ArrayLike<number>, dim: number, ridge = 0): Float64Array | null {
  const l = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = m[i * dim + j] + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) sum -= l[i * dim + k] * l[j * dim + k];
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i * dim + i] = Math.sqrt(sum);
      } else l[i * dim + j] = sum / l[j * dim + j];
    }
  }
  return l;
}

/** m⁻¹ = L⁻ᵀ L⁻¹ from the Cholesky factor, solved column by column. */
function inverseFromCholesky(l: Float64Array, dim: number): Float64Array {
  const inv = new Float64Array(dim * dim);
  const y = new Float64Array(dim);
  for (let col = 0; col < dim; col++) {
    for (let i = 0; i < dim; i++) { let v = i === col ? 1 : 0; for (let k = 0; k < i; k++) v -= l[i * dim + k] * y[k]; y[i] = v / l[i * dim + i]; }
    for (let i = dim - 1; i >= 0; i--) { let v = y[i]; for (let k = i + 1; k < dim; k++) v -= l[k * dim + i] * inv[k * dim + col]; inv[i * dim + col] = v / l[i * dim + i]; }
  }
  return inv;
}

/** Inverse of a symmetric positive-definite matrix. Throws if it is not positive definite. */
export function invertSpd(m: ArrayLike<number>, dim: number): Float64Array {
  const l = choleskyLower(m, dim);
  if (!l) throw new Error('invertSpd: matrix is not positive definite');
  return inverseFromCholesky(l, dim);
}

/**
 * Inverse and log-determinant of a symmetric positive-definite matrix; a tiny ridge is added until it
 * factors, so a rank-deficient covariance (a feature constant in the data) still gives an answer.
 */
export function inverseSpdRidged(m: ArrayLike<number>, dim: number): { inv: Float64Array; logDet: number } {
  for (let ridge = 0; ridge <= 1; ridge = ridge ? ridge * 10 : 1e-9) {
    const l = choleskyLower(m, dim, ridge);
    if (!l) continue;
    let logDet = 0;
    for (let i = 0; i < dim; i++) logDet += 2 * Math.log(l[i * dim + i]);
    return { inv: inverseFromCholesky(l, dim), logDet };
  }
  throw new Error('inverseSpdRidged: matrix cannot be factored');
}

/** (x − mean)ᵀ P (x − mean) for row `i` of `x` (P row-major dim × dim). */
export function quadraticForm(p: ArrayLike<number>, mean: ArrayLike<number>, x: ArrayLike<number>, i = 0): number {
  const dim = mean.length, o = i * dim;
  let q = 0;
  for (let a = 0; a < dim; a++) {
    const da = x[o + a] - mean[a];
    let v = 0;
    for (let b = 0; b < dim; b++) v += p[a * dim + b] * (x[o + b] - mean[b]);
    q += da * v;
  }
  return q;
}
