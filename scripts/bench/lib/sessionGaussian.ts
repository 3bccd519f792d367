/**
 * Exploration only (scripts/bench/explore-gaussian-enrolment.ts `--session-model`): the enrolment's
 * Gaussian branch with the uncertainty of the person's mean taken into account, and T-normed (below).
 *
 * core/gaussianVerifier scores a window with N(μ̂_person, W), treating the mean of ~19 enrolment windows
 * as the person's true mean. But those windows come from one session, and a session's mean sits away
 * from its person's mean (how far: the background's sessions show it). So the mean is uncertain by
 * about the covariance of session means around their person's mean (S), and the predictive density of
 * a window from another day is N(μ̂, W + S) (`predictive`). With a prior over people's means, N(μ₀, B)
 * (B: the covariance of the background people's means), the person's mean is also shrunk towards μ₀
 * where people differ little compared with how much sessions move (`plda`, the two-covariance model of
 * speaker verification with the enrolment as one noisy observation).
 * Everything is learnt from the background (other people); nothing from the person but their mean.
 */
import { gaussianLlr, prepareRow, type PersonGaussian, type PopulationModel } from '../../../src/core/gaussianVerifier';
import { inverseSpdRidged, quadraticForm } from '../../../src/core/linalg';

type Mat = Float64Array;

function covAround(rows: readonly Float64Array[], centre: (i: number) => ArrayLike<number>, d: number, dof: number, shrink: number): Mat {
  const c = new Float64Array(d * d);
  rows.forEach((r, i) => { const m = centre(i); for (let a = 0; a < d; a++) { const x = r[a] - m[a]; for (let b = 0; b <= a; b++) c[a * d + b] += x * (r[b] - m[b]); } });
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) { const v = (c[a * d + b] / Math.max(1, dof)) * (a === b ? 1 : 1 - shrink); c[a * d + b] = v; c[b * d + a] = v; }
  return c;
}

function meansBy(rows: readonly Float64Array[], keys: readonly string[], d: number): Map<string, Float64Array> {
  const sum = new Map<string, Float64Array>(), n = new Map<string, number>();
  rows.forEach((r, i) => { let s = sum.get(keys[i]); if (!s) sum.set(keys[i], (s = new Float64Array(d))); for (let j = 0; j < d; j++) s[j] += r[j]; n.set(keys[i], (n.get(keys[i]) ?? 0) + 1); });
  for (const [k, s] of sum) for (let j = 0; j < d; j++) s[j] /= n.get(k)!;
  return sum;
}

const add = (a: Mat, b: Mat): Mat => a.map((x, i) => x + b[i]);
function mul(a: Mat, b: Mat, d: number): Mat {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) { const v = a[i * d + k]; if (v) for (let j = 0; j < d; j++) c[i * d + j] += v * b[k * d + j]; }
  return c;
}
const mulVec = (a: Mat, x: ArrayLike<number>, d: number): Float64Array => { const y = new Float64Array(d); for (let i = 0; i < d; i++) { let s = 0; for (let j = 0; j < d; j++) s += a[i * d + j] * x[j]; y[i] = s; } return y; };

export interface SessionAwarePopulation { pop: PopulationModel; within: Mat; sessions: Mat; between: Mat }

/** W (within a person), S (session means around their person's mean) and B (people's means around μ₀), on `pop`'s scale. */
export function fitSessionAware(pop: PopulationModel, rows: readonly ArrayLike<number>[], people: readonly string[], sessions: readonly string[], shrink: number): SessionAwarePopulation {
  const d = pop.dim, x = rows.map((r) => prepareRow(pop, r));
  const pm = meansBy(x, people, d), sm = meansBy(x, sessions, d);
  const within = covAround(x, (i) => pm.get(people[i])!, d, x.length - pm.size, shrink);
  const sessionOf = new Map(sessions.map((s, i) => [s, people[i]]));
  const sKeys = [...sm.keys()];
  const sessionCov = covAround(sKeys.map((k) => sm.get(k)!), (i) => pm.get(sessionOf.get(sKeys[i])!)!, d, sKeys.length - pm.size, shrink);
  const pKeys = [...pm.keys()];
  const between = covAround(pKeys.map((k) => pm.get(k)!), () => pop.mean, d, pKeys.length - 1, shrink);
  return { pop, within, sessions: sessionCov, between };
}

/** A window scorer for one person: log N(row; m, C) − log N(row; μ₀, T), clipped as the core clips. */
export function sessionAwareScorer(sp: SessionAwarePopulation, own: readonly ArrayLike<number>[], variant: 'plain' | 'predictive' | 'plda'): (row: ArrayLike<number>) => number {
  const { pop } = sp, d = pop.dim;
  const xbar = new Float64Array(d);
  for (const r of own) { const x = prepareRow(pop, r); for (let j = 0; j < d; j++) xbar[j] += x[j] / own.length; }
  let mean: Float64Array = xbar, cov: Mat;
  if (variant === 'plain') cov = sp.within; // the core's model, for comparison
  else if (variant === 'predictive') cov = add(sp.within, sp.sessions);
  else {
    // K = B (B + S)⁻¹; m = μ₀ + K (x̄ − μ₀); P = B − K B; predictive C = W + P.
    const k = mul(sp.between, inverseSpdRidged(add(sp.between, sp.sessions), d).inv, d);
    const dev = xbar.map((v, j) => v - pop.mean[j]);
    const shift = mulVec(k, dev, d);
    mean = new Float64Array(d).map((_, j) => pop.mean[j] + shift[j]);
    const kb = mul(k, sp.between, d);
    const p = sp.between.map((v, i) => v - kb[i]);
    // Symmetrise (rounding) before factoring.
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) { const v = (p[a * d + b] + p[b * d + a]) / 2; p[a * d + b] = v; p[b * d + a] = v; }
    cov = add(sp.within, p);
  }
  const { inv, logDet } = inverseSpdRidged(cov, d);
  return (row) => {
    const x = prepareRow(pop, row);
    const llr = -0.5 * quadraticForm(inv, mean, x) + 0.5 * quadraticForm(pop.totalInv, pop.mean, x) + 0.5 * (pop.logDetTotal - logDet);
    return Math.max(-pop.clip, Math.min(pop.clip, llr));
  };
}

/**
 * T-norm (test normalisation, speaker verification): a window's LLR for the person, less the mean of its
 * LLRs for each background person (each one's mean, the same model), divided by their sd. A window that
 * looks like many people (generic movement) then counts for less than one that looks like this person only.
 */
export function tNormScorer(pop: PopulationModel, person: PersonGaussian, cohort: readonly PersonGaussian[]): (row: ArrayLike<number>) => number {
  return (row) => {
    const own = gaussianLlr(pop, person, row);
    const c = cohort.map((p) => gaussianLlr(pop, p, row));
    const m = c.reduce((a, b) => a + b, 0) / c.length;
    const sd = Math.sqrt(c.reduce((a, b) => a + (b - m) ** 2, 0) / c.length);
    return (own - m) / Math.max(sd, 1e-6);
  };
}
