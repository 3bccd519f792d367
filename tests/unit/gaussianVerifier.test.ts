import { describe, expect, it } from 'vitest';
import { fitPerson, fitPopulation, gaussianLlr, prepareRow } from '../../src/core/gaussianVerifier';
import { mulberry32 } from '../../src/core/random';

/** Rows of `dim` features around a person's own centre (positive values, as kinematic features are). */
function person(seed: number, centre: number[], n: number, spread = 0.1): number[][] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => centre.map((c) => Math.max(0, c * (1 + spread * (rnd() * 2 - 1)))));
}

describe('gaussianVerifier', () => {
  const centres = [[1, 10, 0.5], [2, 8, 0.2], [1.5, 14, 0.9], [0.7, 9, 0.4]];
  const rows = centres.flatMap((c, i) => person(i + 1, c, 60));
  const who = centres.flatMap((_, i) => Array<string>(60).fill(`p${i}`));

  it('prepares rows on the background scale: log1p(x / 90th percentile), standardised', () => {
    const pop = fitPopulation(rows, who);
    const prepared = rows.map((r) => prepareRow(pop, r));
    for (let j = 0; j < 3; j++) {
      const col = prepared.map((r) => r[j]);
      const m = col.reduce((a, b) => a + b, 0) / col.length;
      expect(m).toBeCloseTo(0, 8);
      expect(Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / (col.length - 1))).toBeCloseTo(1, 8);
    }
    // A negative or non-finite feature is read as 0, not propagated.
    expect(Array.from(prepareRow(pop, [-1, NaN, 0]))).toEqual(Array.from(prepareRow(pop, [0, 0, 0])));
  });

  it('scores a person\'s new windows above strangers\' (a fifth person never in the background)', () => {
    const pop = fitPopulation(rows, who);
    const me = fitPerson(pop, person(11, [1.2, 11, 0.6], 20));
    const mine = person(12, [1.2, 11, 0.6], 30).map((r) => gaussianLlr(pop, me, r));
    const stranger = person(13, [0.9, 12.5, 0.3], 30).map((r) => gaussianLlr(pop, me, r));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(mine)).toBeGreaterThan(0);
    expect(mean(mine)).toBeGreaterThan(mean(stranger) + 1);
  });

  it('clips a window\'s log-likelihood ratio to ±clip', () => {
    const pop = fitPopulation(rows, who, { shrink: 0.05, clip: 3 });
    const me = fitPerson(pop, person(21, centres[0], 20));
    expect(gaussianLlr(pop, me, [50, 500, 50])).toBe(-3);
  });

  it('keeps working when a feature never varies in the background', () => {
    const flat = rows.map((r) => [...r, 7]);
    const pop = fitPopulation(flat, who);
    const me = fitPerson(pop, flat.slice(0, 20));
    expect(Number.isFinite(gaussianLlr(pop, me, flat[5]))).toBe(true);
  });

  it('refuses a background of one person, or rows without people', () => {
    expect(() => fitPopulation(rows.slice(0, 60), who.slice(0, 60))).toThrow(/two people/);
    expect(() => fitPopulation(rows, who.slice(1))).toThrow(/one person per row/);
    expect(() => fitPerson(fitPopulation(rows, who), [])).toThrow(/at least one window/);
  });
});
