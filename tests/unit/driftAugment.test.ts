/**
 * scripts/bench/lib/driftAugment (tried for small enrolment, not adopted): session offsets measured on background people, applied to a person's enrolment.
 * Hand-computed cases on a scale of 1 (so a row's log value is log1p(x)).
 */
import { describe, expect, it } from 'vitest';
import { driftCopies, fitDriftScale, sessionOffsets, shiftRow } from '../../scripts/bench/lib/driftAugment';
import { mulberry32 } from '../../src/core/random';

const unit = { scale: [1, 1] };
/** Raw value whose log1p is v. */
const raw = (v: number) => Math.expm1(v);

describe('fitDriftScale', () => {
  it('takes each feature\'s 90th percentile, 1 for a feature that is always 0, and ignores non-finite values', () => {
    const rows = Array.from({ length: 11 }, (_, i) => [i, 0, i === 3 ? NaN : 5]);
    expect(fitDriftScale(rows).scale).toEqual([9, 1, 5]);
  });
});

describe('sessionOffsets', () => {
  it('is each session mean minus its person\'s mean of session means, on the log scale', () => {
    // Person a: session s1 at log value (1, 2) × 3 rows, s2 at (3, 2) × 5 rows → centre (2, 2), whatever the row counts.
    const rows = [...Array(3).fill([raw(1), raw(2)]), ...Array(5).fill([raw(3), raw(2)])];
    const people = rows.map(() => 'a');
    const sessions = rows.map((_, i) => (i < 3 ? 's1' : 's2'));
    const off = sessionOffsets(unit, rows, people, sessions);
    expect(off).toHaveLength(2);
    expect(off[0][0]).toBeCloseTo(-1, 12); expect(off[0][1]).toBeCloseTo(0, 12);
    expect(off[1][0]).toBeCloseTo(1, 12); expect(off[1][1]).toBeCloseTo(0, 12);
  });

  it('skips sessions under minWindows and people with one usable session (no drift to see)', () => {
    const rows = [[0, 0], [0, 0], [1, 1], [1, 1], [1, 1], [5, 5], [5, 5], [5, 5]];
    const people = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b'];
    const sessions = ['s1', 's1', 's2', 's2', 's2', 't1', 't1', 't1'];
    expect(sessionOffsets(unit, rows, people, sessions, 3)).toEqual([]);
    expect(sessionOffsets(unit, rows, people, sessions, 2)).toHaveLength(2);
  });

  it('refuses rows without a person and a session each', () => {
    expect(() => sessionOffsets(unit, [[1, 1]], ['a'], [])).toThrow(/one person and one session per row/);
  });
});

describe('shiftRow and driftCopies', () => {
  it('shifts on the log scale and back, never below zero', () => {
    const s = { scale: [2, 1] };
    // log1p(6 / 2) = log 4; + log 2 → log 8 → 2 · (8 − 1) = 14. Second: log1p(0) − 5 → clamped to 0.
    const out = shiftRow(s, [6, 0], [Math.log(2), -5]);
    expect(out[0]).toBeCloseTo(14, 4);
    expect(out[1]).toBe(0);
  });

  it('gives each copy of the enrolment one offset, so the copies keep its spread', () => {
    const own = [[raw(1), raw(1)], [raw(2), raw(1)]];
    const offsets = [[0.5, 0], [-0.5, 1]];
    const copies = driftCopies(unit, own, offsets, 3, mulberry32(1));
    expect(copies).toHaveLength(6);
    for (let c = 0; c < 3; c++) {
      const [a, b] = [copies[2 * c], copies[2 * c + 1]].map((r) => Array.from(r, Math.log1p));
      expect(b[0] - a[0]).toBeCloseTo(1, 5); // the enrolment's own difference survives
      expect(offsets.some((o) => Math.abs(a[0] - 1 - o[0]) < 1e-5 && Math.abs(a[1] - 1 - o[1]) < 1e-5)).toBe(true);
    }
  });

  it('makes nothing without offsets', () => {
    expect(driftCopies(unit, [[1, 1]], [], 5, mulberry32(1))).toEqual([]);
  });
});
