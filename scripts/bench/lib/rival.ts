/**
 * Window scores of a claimed account c from a k-class probability row, tried on the open set in stop 19
 * (docs/benchmark.md, "Regularisers, clamps, and the claimed account against its strongest rival"), with
 * g = min(P(c), closeness) the bench's gated score and m the strongest other account's probability.
 * Exploration only: the app and the bench's verifier keep g.
 */

/** m = max P(j ≠ c) in row i of a count × k matrix. */
export function strongestOther(proba: ArrayLike<number>, i: number, k: number, c: number): number {
  let m = 0;
  for (let j = 0; j < k; j++) if (j !== c) m = Math.max(m, proba[i * k + j]);
  return m;
}

/** g / (g + m(1 − g) / (1 − P(c))): the gate's cut shared by the others as before; equals g at two classes. */
export const rivalOfGated = (g: number, p: number, m: number): number => g / Math.max(1e-12, g + (m * (1 - g)) / Math.max(1e-12, 1 - p));

/** g / (g + m): the gate, then the strongest rival; a soft gate (at two classes g / (g + 1 − P)). */
export const gatedAgainstRival = (g: number, m: number): number => g / Math.max(1e-12, g + m);

/** g / (g + 1 − P): the soft gate alone. */
export const softGate = (g: number, p: number): number => g / Math.max(1e-12, g + 1 - p);
