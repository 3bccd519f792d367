/**
 * A verifier that needs no training loop: how people's kinematic features vary, learnt once from many
 * people (the background), and one person's mean, learnt from a few minutes of their movement.
 *
 * Why: a classifier trained on ~20 windows of a person against others overfits to the one session they
 * enrolled in. What a few minutes cannot show — how much one person's windows spread, and how they
 * drift from session to session — other people's sessions can: a person's windows are modelled as
 * N(μ_person, W), everyone's as N(μ₀, T), where W is the within-person covariance pooled over the
 * background's people (around each person's mean, so it includes their between-session drift) and T the
 * covariance of all background windows. A window's score is the log-likelihood ratio of the two (the
 * two-covariance model of speaker verification, with the person's mean as the only thing fitted to them).
 *
 * Features are first put on a common scale: log1p(x / s) with s the background's 90th percentile of the
 * feature (speeds, jerks and durations are heavy-tailed), then standardised on the background. The
 * covariances are shrunk towards their diagonals (a few hundred background windows in 66 dimensions).
 * Pure: no DOM, no tfjs.
 */
import { sigmoid } from './calibration';
import { clampedLogOdds } from './fusion';
import { inverseSpdRidged, quadraticForm } from './linalg';

export const GAUSSIAN_VERIFIER_VERSION = 1;

export interface PopulationOptions {
  /** Weight of the diagonal in the shrunk covariances, 0..1. */
  shrink: number;
  /** A window's log-likelihood ratio is clipped to ±clip (one odd window cannot decide alone). */
  clip: number;
}

/** Shrinkage chosen on validation (scripts/bench/explore-gaussian-enrolment.ts); the clip fixed a priori. */
export const DEFAULT_POPULATION_OPTIONS: PopulationOptions = { shrink: 0.01, clip: 10 };

/** What is learnt from the background's people; shared by every person verified against it. */
export interface PopulationModel {
  version: typeof GAUSSIAN_VERIFIER_VERSION;
  dim: number;
  /** Per feature: divisor before log1p, then mean and sd of the logged values. */
  scale: number[];
  logMean: number[];
  logSd: number[];
  /** Mean of everyone's (prepared) windows. */
  mean: number[];
  /** Inverses (row-major dim × dim) and log-determinants of T (everyone) and W (within a person). */
  totalInv: number[];
  withinInv: number[];
  logDetTotal: number;
  logDetWithin: number;
  clip: number;
  people: number;
  windows: number;
}

/** One person: their mean on the population's scale. */
export interface PersonGaussian {
  version: typeof GAUSSIAN_VERIFIER_VERSION;
  mean: number[];
  windows: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  const at = (sorted.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Prepared copy of one row (log-scaled, standardised), as a Float64Array. */
export function prepareRow(pop: Pick<PopulationModel, 'scale' | 'logMean' | 'logSd'>, row: ArrayLike<number>): Float64Array {
  const d = pop.scale.length, out = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const x = Number.isFinite(row[j]) ? Math.max(0, row[j]) : 0;
    out[j] = (Math.log1p(x / pop.scale[j]) - pop.logMean[j]) / pop.logSd[j];
  }
  return out;
}

function shrunkCovariance(rows: readonly Float64Array[], centre: (i: number) => ArrayLike<number>, d: number, shrink: number): Float64Array {
  const c = new Float64Array(d * d), n = rows.length;
  for (let i = 0; i < n; i++) {
    const r = rows[i], m = centre(i);
    for (let a = 0; a < d; a++) { const x = r[a] - m[a]; for (let b = 0; b <= a; b++) c[a * d + b] += x * (r[b] - m[b]); }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
    const v = (c[a * d + b] / Math.max(1, n - 1)) * (a === b ? 1 : 1 - shrink);
    c[a * d + b] = v; c[b * d + a] = v;
  }
  return c;
}

/**
 * Learn the population from background rows and who made each (`people[i]` names row i's person).
 * Needs at least two people and more rows than people.
 */
export function fitPopulation(rows: readonly ArrayLike<number>[], people: readonly string[], o: PopulationOptions = DEFAULT_POPULATION_OPTIONS): PopulationModel {
  if (rows.length !== people.length) throw new Error('fitPopulation: one person per row');
  const persons = [...new Set(people)];
  if (persons.length < 2 || rows.length <= persons.length) throw new Error('fitPopulation: needs windows of at least two people');
  const d = rows[0].length;
  const scale: number[] = [], logMean: number[] = [], logSd: number[] = [];
  for (let j = 0; j < d; j++) {
    const col = rows.map((r) => (Number.isFinite(r[j]) ? Math.max(0, r[j]) : 0)).sort((a, b) => a - b);
    const s = quantile(col, 0.9) || col[col.length - 1] || 1;
    const logged = col.map((x) => Math.log1p(x / s));
    const m = logged.reduce((a, b) => a + b, 0) / logged.length;
    const sd = Math.sqrt(logged.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, logged.length - 1));
    scale.push(s); logMean.push(m); logSd.push(sd > 1e-9 ? sd : 1);
  }
  const prepared = rows.map((r) => prepareRow({ scale, logMean, logSd }, r));
  const mean = new Array<number>(d).fill(0);
  for (const r of prepared) for (let j = 0; j < d; j++) mean[j] += r[j] / prepared.length;
  const personMean = new Map(persons.map((p) => [p, new Float64Array(d)]));
  const count = new Map(persons.map((p) => [p, 0]));
  prepared.forEach((r, i) => { const m = personMean.get(people[i])!; for (let j = 0; j < d; j++) m[j] += r[j]; count.set(people[i], count.get(people[i])! + 1); });
  for (const [p, m] of personMean) for (let j = 0; j < d; j++) m[j] /= count.get(p)!;
  const total = inverseSpdRidged(shrunkCovariance(prepared, () => mean, d, o.shrink), d);
  const within = inverseSpdRidged(shrunkCovariance(prepared, (i) => personMean.get(people[i])!, d, o.shrink), d);
  return {
    version: GAUSSIAN_VERIFIER_VERSION, dim: d, scale, logMean, logSd, mean,
    totalInv: Array.from(total.inv), withinInv: Array.from(within.inv), logDetTotal: total.logDet, logDetWithin: within.logDet,
    clip: o.clip, people: persons.length, windows: rows.length,
  };
}

/** A person's model: the mean of their (prepared) windows. */
export function fitPerson(pop: PopulationModel, own: readonly ArrayLike<number>[]): PersonGaussian {
  if (!own.length) throw new Error('fitPerson: needs at least one window of the person');
  const mean = new Array<number>(pop.dim).fill(0);
  for (const r of own) { const x = prepareRow(pop, r); for (let j = 0; j < pop.dim; j++) mean[j] += x[j] / own.length; }
  return { version: GAUSSIAN_VERIFIER_VERSION, mean, windows: own.length };
}


/** log N(row; μ_person, W) − log N(row; μ₀, T), clipped to ±clip: > 0 means "more like the person than like people in general". */
export function gaussianLlr(pop: PopulationModel, person: PersonGaussian, row: ArrayLike<number>): number {
  const x = prepareRow(pop, row);
  const llr = -0.5 * quadraticForm(pop.withinInv, person.mean, x) + 0.5 * quadraticForm(pop.totalInv, pop.mean, x) + 0.5 * (pop.logDetTotal - pop.logDetWithin);
  return Math.max(-pop.clip, Math.min(pop.clip, llr));
}

// ---- Beside the enrolment classifier --------------------------------------------------------------

/** Mean and sd of an impostor cohort's scores: puts a scorer's output on a scale shared by accounts. */
export interface ScoreNorm {
  mean: number;
  sd: number;
}

export function fitScoreNorm(cohort: ArrayLike<number>): ScoreNorm {
  const n = cohort.length;
  if (!n) throw new Error('fitScoreNorm: needs at least one cohort score');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += cohort[i] / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (cohort[i] - mean) ** 2 / n;
  const sd = Math.sqrt(v);
  return { mean, sd: sd > 1e-9 ? sd : 1 };
}

/**
 * A verification profile's Gaussian branch (stored in the profile beside the classifier): the
 * population, the person, and how each scorer's window scores spread over others' validation windows.
 */
export interface GaussianBranch {
  version: typeof GAUSSIAN_VERIFIER_VERSION;
  population: PopulationModel;
  person: PersonGaussian;
  /** Norms of the classifier's clamped log-odds and of the Gaussian LLR, fitted on others' validation windows. */
  classifierNorm: ScoreNorm;
  gaussianNorm: ScoreNorm;
}

export const standardiseScore = (n: ScoreNorm, x: number): number => (x - n.mean) / n.sd;

/** The classifier's part of a window score: its clamped log-odds (as the session fusion clamps), standardised. */
export const classifierZ = (b: GaussianBranch, classifierScore: number): number => standardiseScore(b.classifierNorm, clampedLogOdds(classifierScore));

/** The Gaussian part of a window score: the window's log-likelihood ratio, standardised. */
export const gaussianZ = (b: GaussianBranch, row: ArrayLike<number>): number => standardiseScore(b.gaussianNorm, gaussianLlr(b.population, b.person, row));

/**
 * Fit the branch: the population from the others' training rows (and who made each), the person from
 * their own training rows, and both norms from the others' validation rows (`othersValClassifier` =
 * the classifier's scores of those rows). Chosen on validation: scripts/bench/explore-gaussian-enrolment.ts.
 */
export function fitGaussianBranch(
  own: readonly ArrayLike<number>[], others: readonly ArrayLike<number>[], othersPeople: readonly string[],
  othersVal: readonly ArrayLike<number>[], othersValClassifier: ArrayLike<number>, o: PopulationOptions = DEFAULT_POPULATION_OPTIONS,
): GaussianBranch {
  if (othersVal.length !== othersValClassifier.length) throw new Error('fitGaussianBranch: one classifier score per validation row');
  const population = fitPopulation(others, othersPeople, o);
  const person = fitPerson(population, own);
  return {
    version: GAUSSIAN_VERIFIER_VERSION, population, person,
    classifierNorm: fitScoreNorm(Array.from(othersValClassifier, (p) => clampedLogOdds(p))),
    gaussianNorm: fitScoreNorm(othersVal.map((r) => gaussianLlr(population, person, r))),
  };
}

/**
 * The window's score with the branch: σ(z_classifier + z_gaussian), each z its scorer's output
 * standardised on others' validation windows, so the profile's calibration treats it as any score.
 */
export function scoreWithGaussianBranch(b: GaussianBranch, classifierScore: number, row: ArrayLike<number>): number {
  return sigmoid(classifierZ(b, classifierScore) + gaussianZ(b, row));
}

/**
 * Why a stored branch cannot be used for `dim` features (wrong sizes, a value that is not a finite
 * number, a scale that is not positive), or null. Shared by the profile import and the embed's reader,
 * so a damaged file is refused in words instead of scoring NaN.
 */
export function gaussianBranchProblem(b: GaussianBranch, dim: number): string | null {
  const g = b?.population, person = b?.person;
  if (!g || !person || !b.classifierNorm || !b.gaussianNorm) return 'gaussian: the branch is incomplete';
  const vectors: Record<string, unknown> = { scale: g.scale, logMean: g.logMean, logSd: g.logSd, mean: g.mean, 'person.mean': person.mean };
  for (const [k, v] of Object.entries(vectors)) {
    const n = Array.isArray(v) ? v.length : 0;
    if (g.dim !== dim || n !== dim) return `gaussian: ${k} has ${n} values (dim ${g.dim}) for ${dim} features`;
  }
  for (const k of ['totalInv', 'withinInv'] as const) {
    const n = Array.isArray(g[k]) ? g[k].length : 0;
    if (n !== dim * dim) return `gaussian.population.${k} has ${n} values, not ${dim}×${dim}`;
  }
  const numbers = [...g.scale, ...g.logMean, ...g.logSd, ...g.mean, ...person.mean, ...g.totalInv, ...g.withinInv,
    g.logDetTotal, g.logDetWithin, g.clip, b.classifierNorm.mean, b.classifierNorm.sd, b.gaussianNorm.mean, b.gaussianNorm.sd];
  if (!numbers.every((x) => typeof x === 'number' && Number.isFinite(x))) return 'gaussian: a value is not a finite number';
  if ([...g.scale, ...g.logSd, g.clip, b.classifierNorm.sd, b.gaussianNorm.sd].some((x) => !(x > 0))) return 'gaussian: a scale, sd or clip is not positive';
  return null;
}
