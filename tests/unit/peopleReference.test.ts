import { describe, it, expect } from 'vitest';
import { combineTails, fitPeopleReference, notPeopleScores, peopleFlagThreshold, peopleReferenceProblem, PEOPLE_FLAG_RATE } from '../../src/core/peopleReference';
import { mulberry32 } from '../../src/core/random';

/** `count` rows of `dim` values around 1 + j (positive, like kinematic features), spread by `sd`. */
function rows(count: number, dim: number, seed: number, shift = 0, sd = 0.1) {
  const rng = mulberry32(seed);
  const values = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) {
      const u = Math.max(1e-12, rng()), v = rng();
      values[i * dim + j] = 1 + j + shift + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
  }
  return { dim, count, values };
}

describe('combineTails (the benchmark\'s and the app\'s one rule)', () => {
  // Hand-computed: tail = (references below + half the ties) / references.
  const a = [1, 2, 3, 4], b = [10, 20, 30, 40];
  it.each([
    ['max', 2.5, 10, Math.max(2 / 4, 0.5 / 4)],
    ['max', 0, 45, Math.max(0, 1)],
    ['mean', 2.5, 10, (2 / 4 + 0.5 / 4) / 2],
    ['mean', 5, 25, (1 + 2 / 4) / 2],
  ] as const)('%s of tails of (%d, %d)', (how, x, y, want) => {
    expect(combineTails(a, b, how)(x, y)).toBeCloseTo(want, 12);
  });
});

describe('peopleFlagThreshold (the operating point of the app and of the benchmark\'s live rule)', () => {
  it.each([
    // 100 scores 1..100: at most 5 may be flagged (strictly above), so the threshold is the 95th; in any order.
    ['1..100, shuffled', Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1), 95, 0.05],
    // 19 scores: floor(0.05 · 19) = 0 may be flagged, so the threshold is the largest.
    ['19 scores', Array.from({ length: 19 }, (_, i) => i / 19), 18 / 19, 0],
    // Ties at the top: flagging strictly above the tied value flags none of them.
    ['all equal', new Array(40).fill(0.7), 0.7, 0],
  ])('%s', (_name, scores, threshold, rate) => {
    const r = peopleFlagThreshold(scores);
    expect(r.threshold).toBeCloseTo(threshold, 12);
    expect(r.flagRate).toBeCloseTo(rate, 12);
    expect(r.flagRate).toBeLessThanOrEqual(PEOPLE_FLAG_RATE);
  });

  it('refuses an empty set', () => {
    expect(() => peopleFlagThreshold([])).toThrow(/no validation scores/);
  });
});

describe('fitPeopleReference', () => {
  const dim = 4;
  const train = rows(400, dim, 1), val = rows(200, dim, 2);
  // A classifier that calls validation people mostly people.
  const valNotPeople = Array.from({ length: val.count }, (_, i) => (i % 10) / 40);
  const ref = fitPeopleReference(0, train, val, valNotPeople);

  it('flags at most the set share of validation people, and as close to it as ties allow', () => {
    const s = notPeopleScores(ref, valNotPeople, val);
    const flagged = Array.from(s).filter((v) => v > ref.threshold).length / val.count;
    expect(flagged).toBeLessThanOrEqual(PEOPLE_FLAG_RATE);
    expect(flagged).toBe(ref.validationFlagRate);
    expect(flagged).toBeGreaterThan(PEOPLE_FLAG_RATE - 0.03);
    expect(ref.fittedOn).toEqual({ trainWindows: 400, validationWindows: 200 });
    expect(peopleReferenceProblem(ref, dim, 2)).toBeNull();
  });

  it('flags movement unlike people even where the classifier is fooled (calls it people)', () => {
    const strangers = rows(50, dim, 3, 1.5);
    const s = notPeopleScores(ref, new Array(50).fill(0), strangers);
    expect(Array.from(s).every((v) => v > ref.threshold)).toBe(true);
  });

  it('still flags what the classifier flags, however like people it moves', () => {
    const lookalikes = rows(50, dim, 4);
    const s = notPeopleScores(ref, new Array(50).fill(1), lookalikes);
    expect(Array.from(s).every((v) => v > ref.threshold)).toBe(true);
  });

  it('passes most new windows of the same people', () => {
    const more = rows(300, dim, 5);
    const s = notPeopleScores(ref, new Array(300).fill(0.05), more);
    expect(Array.from(s).filter((v) => v > ref.threshold).length / 300).toBeLessThan(0.12);
  });

  it('refuses unusable input in words', () => {
    expect(() => fitPeopleReference(0, rows(1, dim, 6), val, valNotPeople)).toThrow(/two training windows/);
    expect(() => fitPeopleReference(0, train, val, [0.1])).toThrow(/one classifier score per validation window/);
  });

  it('stores the clocks of the people\'s training windows (one per window), or none when not given', () => {
    expect(ref.clock).toBeUndefined();
    const clocks = Array.from({ length: train.count }, (_, i) => (i % 20 === 0 ? null : 100 + (i % 20)));
    const withClock = fitPeopleReference(0, train, val, valNotPeople, clocks);
    expect(withClock.clock).toEqual({ lowMs: 101, highMs: 119, windows: 380 });
    expect(peopleReferenceProblem(withClock, dim, 2)).toBeNull();
    expect(peopleReferenceProblem({ ...withClock, clock: { lowMs: 50, highMs: 10, windows: 3 } }, dim, 2)).toMatch(/people\.clock: .*lowMs ≤ highMs/);
    expect(() => fitPeopleReference(0, train, val, valNotPeople, [20, 20])).toThrow(/one clock per training window/);
  });

  it('says what is wrong with a damaged stored reference', () => {
    expect(peopleReferenceProblem({ ...ref, peopleClass: 2 }, dim, 2)).toMatch(/not one of the model's 2 classes/);
    expect(peopleReferenceProblem(ref, dim + 1, 2)).toMatch(/standardiser does not have 5 columns/);
    expect(peopleReferenceProblem({ ...ref, noveltyReference: [...ref.noveltyReference].reverse() }, dim, 2)).toMatch(/ascending/);
    expect(peopleReferenceProblem({ ...ref, version: 9 }, dim, 2)).toMatch(/version is 9/);
  });
});
