import { describe, it, expect } from 'vitest';
import { closeness, closenessDistance, fitCloseness, gatedScore } from '../../src/core/closeness';
import { mulberry32, randNormal } from '../../src/core/random';

describe('closeness: how typical a window is of the person', () => {
  it('distance is the mean clipped squared robust z over features', () => {
    const m = { center: [0, 10], scale: [1, 2], clip: 25 };
    expect(closenessDistance(m, [0, 10])).toBe(0);
    expect(closenessDistance(m, [1, 14])).toBeCloseTo((1 + 4) / 2);
    // One absurd feature is clipped: it cannot decide alone.
    expect(closenessDistance(m, [1000, 10])).toBe(25 / 2);
    expect(closenessDistance(m, [NaN, 10])).toBe(25 / 2);
  });

  it('centre is the median, scale 1.4826 × MAD floored at a fraction of the sd over all rows', () => {
    const own = [[1, 5], [2, 5], [3, 5], [4, 5], [10, 5]];
    const all = [...own, [0, 0], [0, 10]];
    const m = fitCloseness(own, all, { floorFraction: 0.1, clip: 25 });
    expect(m.center).toEqual([3, 5]);
    expect(m.scale[0]).toBeCloseTo(1.4826); // MAD of |1-3|,|2-3|,0,1,7 = 1 (the outlier does not move it)
    // Feature 2 never varies for the person: its scale is 0.1 × its sd over all rows, not 0.
    const mean = (5 * 5 + 10) / 7, sd = Math.sqrt((5 * (5 - mean) ** 2 + mean ** 2 + (10 - mean) ** 2) / 7);
    expect(m.scale[1]).toBeCloseTo(0.1 * sd);
    expect(m.reference).toHaveLength(5);
    expect([...m.reference].sort((a, b) => a - b)).toEqual(m.reference);
  });

  it("a window like the person's scores like them; one far beyond every own window gets less than 1/(n+1), the less the further", () => {
    const rng = mulberry32(3);
    const person = Array.from({ length: 40 }, () => [randNormal(rng, 1, 0.1), randNormal(rng, 5, 1), randNormal(rng, 0, 0.2)]);
    const others = Array.from({ length: 200 }, () => [randNormal(rng, 0, 1), randNormal(rng, 0, 5), randNormal(rng, 0, 1)]);
    const m = fitCloseness(person, [...person, ...others]);
    // New windows of the person: closeness spread over (0, 1], median near the middle (cross-fitted reference).
    const fresh = Array.from({ length: 200 }, () => closeness(m, [randNormal(rng, 1, 0.1), randNormal(rng, 5, 1), randNormal(rng, 0, 0.2)])).sort((a, b) => a - b);
    expect(fresh[100]).toBeGreaterThan(0.25);
    expect(fresh[100]).toBeLessThan(0.8);
    // Someone further out than anything the person did: below 1/(n+1), falling with the distance.
    const far = closeness(m, [2, 5, 0]), farther = closeness(m, [2, 15, 0]);
    expect(far).toBeLessThanOrEqual(1 / 41);
    expect(farther).toBeLessThan(far);
    expect(farther).toBeLessThan(0.01);
    expect(closeness(m, m.center)).toBe(1);
    // Both must agree.
    expect(gatedScore(0.99, farther)).toBe(farther);
    expect(gatedScore(0.2, 0.9)).toBe(0.2);
  });

  it('refuses to fit on fewer than two rows of the person', () => {
    expect(() => fitCloseness([[1]], [[1], [2]])).toThrow(/two rows/);
  });
});
