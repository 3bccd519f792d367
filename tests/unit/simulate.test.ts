import { describe, it, expect } from 'vitest';
import { simulateHuman, simulateBot, humanSteps, botSteps, samplesToSteps, quantizeTimes, minJerk, PERSONAS, BOT_KINDS, type PageGeometry } from '../../src/core/simulate';
import { EventKind, type PointerSample } from '../../src/core/events';

const page: PageGeometry = { width: 1280, height: 800 };

function features(s: PointerSample[]) {
  const moves = s.filter((e) => e.kind === EventKind.Move);
  let path = 0, dur = 0;
  const dts: number[] = [];
  for (let i = 1; i < moves.length; i++) {
    const dt = moves[i].tMs - moves[i - 1].tMs;
    if (dt < 100) { path += Math.hypot(moves[i].x - moves[i - 1].x, moves[i].y - moves[i - 1].y); dur += dt; dts.push(dt); }
  }
  return { speed: path / dur, meanDt: dts.reduce((a, b) => a + b, 0) / dts.length };
}

describe('simulator', () => {
  it('minimum-jerk profile runs 0→1 monotonically with a bell-shaped speed', () => {
    expect(minJerk(0)).toBe(0);
    expect(minJerk(1)).toBe(1);
    expect(minJerk(0.5)).toBeCloseTo(0.5);
    expect(minJerk(0.55) - minJerk(0.45)).toBeGreaterThan(minJerk(0.1) - minJerk(0));
  });
  it('is deterministic per seed and stays on the page with increasing time', () => {
    for (const gen of [
      (seed: number) => simulateHuman(PERSONAS.alice, page, { seed, reaches: 8 }),
      ...BOT_KINDS.filter((k) => k !== 'replay').map((k) => (seed: number) => simulateBot(k, page, { seed, reaches: 8 })),
    ]) {
      const a = gen(5);
      expect(gen(5)).toEqual(a);
      expect(gen(6)).not.toEqual(a);
      for (let i = 0; i < a.length; i++) {
        expect(a[i].x).toBeGreaterThanOrEqual(0);
        expect(a[i].x).toBeLessThan(page.width);
        expect(a[i].y).toBeGreaterThanOrEqual(0);
        expect(a[i].y).toBeLessThan(page.height);
        if (i) expect(a[i].tMs).toBeGreaterThanOrEqual(a[i - 1].tMs);
      }
    }
  });
  it('two personas are distinguishable by simple statistics', () => {
    for (const seed of [1, 2, 3]) {
      const a = features(simulateHuman(PERSONAS.alice, page, { seed, reaches: 20 }));
      const b = features(simulateHuman(PERSONAS.bob, page, { seed, reaches: 20 }));
      expect(a.speed).toBeGreaterThan(1.5 * b.speed);
      expect(a.meanDt).toBeLessThan(b.meanDt);
    }
  });
  it('clicks come as Down/Up pairs with persona dwell', () => {
    const s = simulateHuman(PERSONAS.bob, page, { seed: 9, reaches: 20 });
    const downs = s.filter((e) => e.kind === EventKind.Down).length;
    expect(downs).toBeGreaterThan(2);
    expect(s.filter((e) => e.kind === EventKind.Up).length).toBe(downs);
  });
  it('replays a human path with noise and time scaling', () => {
    const src = simulateHuman(PERSONAS.alice, page, { seed: 1, reaches: 5 });
    const r = simulateBot('replay', page, { seed: 2, reaches: 100, source: src });
    expect(r.length).toBe(src.length);
    const dMean = r.reduce((p, e, i) => p + Math.hypot(e.x - src[i].x, e.y - src[i].y), 0) / r.length;
    expect(dMean).toBeGreaterThan(0.5);
    expect(dMean).toBeLessThan(60);
    expect(() => simulateBot('replay', page, { seed: 2, reaches: 3 })).toThrow(/source/);
  });
  it('gives steps for page.mouse with delays and actions', () => {
    const steps = humanSteps(PERSONAS.alice, page, { seed: 1, reaches: 4 });
    expect(steps[0].dtMs).toBe(0);
    expect(steps.every((s) => s.dtMs >= 0 && ['move', 'down', 'up'].includes(s.action))).toBe(true);
    expect(botSteps('linear', page, { seed: 1, reaches: 2 }).length).toBeGreaterThan(2);
    expect(samplesToSteps([]).length).toBe(0);
  });
  it('quantizes times to a recorder tick', () => {
    const q = quantizeTimes(simulateBot('linear', page, { seed: 1, reaches: 2 }), 15.625);
    expect(q.every((s) => Math.abs(s.tMs / 15.625 - Math.round(s.tMs / 15.625)) < 1e-9)).toBe(true);
  });
});
