/**
 * "Not like people": how a group model with a people group (e.g. humans vs bots) judges a window, so a
 * kind of bot that no group held is still caught (issue #8: human vs bot on held-out kinds).
 *
 * A two-class model learns "people vs the bots it was shown": a new kind of bot can land on the people
 * side (on Balabit, jittery bots that no model saw scored as *more* human than humans: window AUC 0.05,
 * bench-results/balabit-quick.json `bots.perKind.jitter-overshoot.variants.twoClass`). Beside it, a
 * one-class model of the people group's own windows (core/novelty, Mahalanobis with Ledoit–Wolf
 * shrinkage) says how unlike those people a window moves. The two scores live on different scales, so
 * each is first put on the validation people's scale (`humanTail`: the share of validation people's
 * windows it exceeds) and the larger one is the window's score. That is the benchmark's human-vs-bot
 * default (`maxTwoClassMahalanobis`, chosen on validation, scripts/bench/lib/bots.ts, which scores with
 * `combineTails` from here): one rule for the app and the benchmark.
 *
 * The operating point: a window is flagged "not people" when its score exceeds what `PEOPLE_FLAG_RATE`
 * of the validation people's windows reach, so about that share of people's windows is flagged; test
 * windows then say how many are, and how many bots pass.
 *
 * The recording clock: the reference also stores the range of clocks its people were recorded on
 * (core/recordingClock), so a session recorded on another clock is reported as not comparable instead
 * of being flagged for its recorder (core/groupTally). Optional: references fitted before it have none,
 * and their sessions are compared as before.
 *
 * Pure: no DOM, no worker, no network.
 */
import { clockReferenceProblem, fitClockReference, type ClockReference } from './recordingClock';
import { fitHumanNovelty, humanTail, noveltyScores, type HumanNoveltyModel, type Rows } from './novelty';

export const PEOPLE_REFERENCE_VERSION = 1;
/** Share of validation people's windows the operating point flags (the same 5 % as the verifier's error targets). */
export const PEOPLE_FLAG_RATE = 0.05;

/** How two tails become one score: the larger (either model alone may raise the alarm) or their mean. */
export type TailCombination = 'max' | 'mean';

/**
 * Two scores (each higher = less like people) on the scale of reference people's scores of each, combined:
 * `(a, b) → combine(tailA(a), tailB(b))`, in 0..1.
 */
export function combineTails(referenceA: ArrayLike<number>, referenceB: ArrayLike<number>, how: TailCombination): (a: number, b: number) => number {
  const ta = humanTail(referenceA), tb = humanTail(referenceB);
  return how === 'max' ? (a, b) => Math.max(ta(a), tb(b)) : (a, b) => (ta(a) + tb(b)) / 2;
}

/** What a group model with a people group stores beside its classifier. */
export interface PeopleReference {
  version: number;
  /** Index of the people group among the model's classes. */
  peopleClass: number;
  /** One-class model of the people group's training windows. */
  novelty: HumanNoveltyModel;
  /** Validation people's scores, ascending: the classifier's P(not people), and the novelty. */
  classifierReference: number[];
  noveltyReference: number[];
  /** Flag a window when its combined score is above this. */
  threshold: number;
  /** The share of validation people's windows the threshold flags (by construction ≤ `PEOPLE_FLAG_RATE`). */
  validationFlagRate: number;
  fittedOn: { trainWindows: number; validationWindows: number };
  /** The clocks the people's training windows were recorded on (absent in references fitted before it). */
  clock?: ClockReference;
}

/**
 * Fit the reference: the one-class model on the people group's training windows, the scales and the
 * threshold on its validation windows (`valNotPeople`: the classifier's P(not people) of each of them);
 * the clock range from the training windows' effective clocks (`trainClocks`, one per training window).
 */
export function fitPeopleReference(peopleClass: number, train: Rows, val: Rows, valNotPeople: ArrayLike<number>, trainClocks: readonly (number | null)[] = []): PeopleReference {
  if (val.count !== valNotPeople.length) throw new Error('fitPeopleReference: one classifier score per validation window');
  if (trainClocks.length && trainClocks.length !== train.count) throw new Error('fitPeopleReference: one clock per training window');
  if (train.count < 2 || val.count < 1) throw new Error('fitPeopleReference: need two training windows and one validation window of people');
  const novelty = fitHumanNovelty(train, { method: 'mahalanobis' });
  const valNovelty = noveltyScores(novelty, val);
  const classifierReference = Array.from(valNotPeople).sort((a, b) => a - b);
  const noveltyReference = Array.from(valNovelty).sort((a, b) => a - b);
  const combined = combineTails(classifierReference, noveltyReference, 'max');
  const { threshold, flagRate } = peopleFlagThreshold(Float64Array.from(valNovelty, (v, i) => combined(valNotPeople[i], v)));
  const clock = fitClockReference(trainClocks);
  return {
    version: PEOPLE_REFERENCE_VERSION, peopleClass, novelty, classifierReference, noveltyReference, threshold,
    validationFlagRate: flagRate,
    fittedOn: { trainWindows: train.count, validationWindows: val.count },
    ...(clock ? { clock } : {}),
  };
}

/**
 * The operating point on validation people's scores (higher = less like people): the smallest threshold
 * that flags at most `PEOPLE_FLAG_RATE` of them (flagged: strictly above), and the share it flags.
 * The app's group models and the benchmark's human-vs-bot task use this one rule.
 */
export function peopleFlagThreshold(validationScores: ArrayLike<number>): { threshold: number; flagRate: number } {
  const scores = Float64Array.from(validationScores).sort();
  if (scores.length === 0) throw new Error('peopleFlagThreshold: no validation scores');
  const allowed = Math.floor(PEOPLE_FLAG_RATE * scores.length);
  const threshold = scores[scores.length - 1 - allowed];
  return { threshold, flagRate: scores.filter((s) => s > threshold).length / scores.length };
}

/** Each window's "not like people" score in 0..1 (higher = less like people), from its classifier P(not people) and features. */
export function notPeopleScores(ref: Pick<PeopleReference, 'classifierReference' | 'noveltyReference' | 'novelty'>, notPeople: ArrayLike<number>, rows: Rows): Float64Array {
  const score = combineTails(ref.classifierReference, ref.noveltyReference, 'max');
  const nov = noveltyScores(ref.novelty, rows);
  return Float64Array.from(nov, (v, i) => score(notPeople[i], v));
}

/** A stored reference that cannot be used as it is (wrong sizes, unsorted scales, a class out of range), in words; null if usable. */
export function peopleReferenceProblem(r: PeopleReference, dim: number, numClasses: number): string | null {
  if (r.version !== PEOPLE_REFERENCE_VERSION) return `people.version is ${r.version}; this version reads ${PEOPLE_REFERENCE_VERSION}`;
  if (!(Number.isInteger(r.peopleClass) && r.peopleClass >= 0 && r.peopleClass < numClasses)) return `people.peopleClass ${r.peopleClass} is not one of the model's ${numClasses} classes`;
  const m = r.novelty.mahalanobis;
  if (r.novelty.method.method !== 'mahalanobis' || !m) return 'people.novelty must be a Mahalanobis model';
  if (r.novelty.standardiser.mean.length !== dim || r.novelty.standardiser.sd.length !== dim) return `people.novelty.standardiser does not have ${dim} columns`;
  if (m.mean.length !== dim || m.precision.length !== dim * dim) return `people.novelty.mahalanobis does not fit ${dim} features`;
  const ascending = (a: number[]) => a.every((v, i) => i === 0 || v >= a[i - 1]);
  if (!ascending(r.classifierReference) || !ascending(r.noveltyReference)) return 'people references must be in ascending order';
  const clockProblem = r.clock === undefined ? null : clockReferenceProblem(r.clock);
  if (clockProblem) return `people.clock: ${clockProblem}`;
  return null;
}
