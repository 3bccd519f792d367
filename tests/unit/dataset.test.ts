import { describe, it, expect } from 'vitest';
import { splitBySession, classWeights, undersample, capPerSession, assertNoSessionLeak, labelCounts } from '../../src/core/dataset';
import { mulberry32, shuffled, hashSeed } from '../../src/core/random';

interface W { sessionId: string; label: number; index: number }
function makeWindows(): W[] {
  const out: W[] = [];
  // 10 sessions of label 1 (3–12 windows each), 30 sessions of label 0.
  for (let s = 0; s < 40; s++) {
    const label = s < 10 ? 1 : 0;
    const n = 3 + (s % 10);
    for (let i = 0; i < n; i++) out.push({ sessionId: `s${s}`, label, index: i });
  }
  return out;
}

describe('random', () => {
  it('mulberry32 is deterministic and roughly uniform', () => {
    const a = mulberry32(42), b = mulberry32(42);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((p, v) => p + v, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
  it('seeded shuffle is a permutation and reproducible', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    expect(shuffled(a, 1)).toEqual(shuffled(a, 1));
    expect(shuffled(a, 1)).not.toEqual(shuffled(a, 2));
    expect([...shuffled(a, 1)].sort((x, y) => x - y)).toEqual(a);
    expect(hashSeed('abc')).toBe(hashSeed('abc'));
  });
});

describe('splitBySession', () => {
  const items = makeWindows();
  it('never puts one session in two splits (no leakage) and keeps every window', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sp = splitBySession(items, { val: 0.2, test: 0.2 }, seed);
      expect(() => assertNoSessionLeak(sp.train, sp.val, sp.test)).not.toThrow();
      const ids = (xs: W[]) => new Set(xs.map((x) => x.sessionId));
      const [a, b, c] = [ids(sp.train), ids(sp.val), ids(sp.test)];
      for (const s of a) { expect(b.has(s)).toBe(false); expect(c.has(s)).toBe(false); }
      for (const s of b) expect(c.has(s)).toBe(false);
      expect(sp.train.length + sp.val.length + sp.test.length).toBe(items.length);
      // All windows of a session travel together.
      for (const w of sp.test) expect(sp.test.filter((x) => x.sessionId === w.sessionId).length).toBe(items.filter((x) => x.sessionId === w.sessionId).length);
    }
  });
  it('is stratified by label and reproducible', () => {
    const sp = splitBySession(items, { val: 0.2, test: 0.2 }, 7);
    const posSessions = (ids: string[]) => ids.filter((s) => Number(s.slice(1)) < 10).length;
    expect(posSessions(sp.sessions.test)).toBe(2); // 20 % of 10
    expect(sp.sessions.test.length - posSessions(sp.sessions.test)).toBe(6); // 20 % of 30
    expect(posSessions(sp.sessions.val)).toBe(2);
    expect(splitBySession(items, { val: 0.2, test: 0.2 }, 7).sessions).toEqual(sp.sessions);
  });
  it('keeps at least one session per label in training', () => {
    const few = [{ sessionId: 'a', label: 1 }, { sessionId: 'b', label: 1 }, { sessionId: 'c', label: 0 }];
    const sp = splitBySession(few, { val: 0.45, test: 0.45 }, 1);
    expect(sp.train.some((x) => x.label === 1)).toBe(true);
    expect(sp.train.some((x) => x.label === 0)).toBe(true);
  });
  it('rejects a session with mixed labels and bad fractions', () => {
    expect(() => splitBySession([{ sessionId: 'a', label: 0 }, { sessionId: 'a', label: 1 }], { val: 0.1, test: 0.1 }, 1)).toThrow(/different labels/);
    expect(() => splitBySession(items, { val: 0.5, test: 0.5 }, 1)).toThrow(/fractions/);
  });
  it('assertNoSessionLeak catches a leak', () => {
    expect(() => assertNoSessionLeak([{ sessionId: 'x', label: 0 }], [{ sessionId: 'x', label: 0 }])).toThrow(/appears in split/);
  });
});

describe('balancing', () => {
  const items = makeWindows();
  it('class weights equalise each class’s total weight', () => {
    const w = classWeights(items);
    const c = labelCounts(items);
    expect(w[0] * c.get(0)!).toBeCloseTo(w[1] * c.get(1)!);
    expect(w[0] * c.get(0)! + w[1] * c.get(1)!).toBeCloseTo(items.length);
  });
  it('undersampling gives equal class counts, drawn across sessions', () => {
    const u = undersample(items, 3);
    const c = labelCounts(u);
    expect(c.get(0)).toBe(c.get(1));
    expect(c.get(1)).toBe(items.filter((x) => x.label === 1).length);
    // Round-robin: the majority class keeps windows from (almost) every session.
    expect(new Set(u.filter((x) => x.label === 0).map((x) => x.sessionId)).size).toBe(30);
    expect(labelCounts(undersample(items, 3, 10)).get(0)).toBe(10);
  });
  it('capPerSession limits windows per session and spreads them', () => {
    const c = capPerSession(items, 4);
    expect(Math.max(...[...new Set(c.map((x) => x.sessionId))].map((s) => c.filter((x) => x.sessionId === s).length))).toBe(4);
    expect(c.filter((x) => x.sessionId === 's9').map((x) => x.index)).toEqual([0, 3, 6, 9]);
  });
});
