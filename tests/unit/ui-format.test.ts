/** ui/format: probabilities near 0 or 1 keep the digits that tell them from 0 or 1. */
import { describe, expect, it } from 'vitest';
import { probabilityText } from '../../src/ui/format';

describe('probabilityText', () => {
  it.each([
    [0.5, '0.500'],
    [0.999, '0.999'],
    [0.001, '0.001'],
    [0.9999977, '0.9999977 (log-odds 13.0)'],
    [0.0004, '0.00040 (log-odds -7.8)'],
    [1 - 1e-12, '1 − 1.0e-12 (log-odds 27.6)'],
    [3e-9, '3.0e-9 (log-odds -19.6)'],
    [1, '1 (beyond float precision)'],
    [0, '0 (beyond float precision)'],
    [NaN, '–'],
  ])('%s → %s', (p, text) => {
    expect(probabilityText(p)).toBe(text);
  });

  it('never shows a probability below 1 as 1', () => {
    for (let z = 5; z < 37; z += 0.7) expect(probabilityText(1 / (1 + Math.exp(-z)))).not.toMatch(/^1(\.0+)? \(/);
  });
});
