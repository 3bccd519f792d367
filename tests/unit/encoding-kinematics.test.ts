import { describe, it, expect } from 'vitest';
import { EventKind, PointerKind, columnsFromSamples, type PointerSample } from '../../src/core/events';
import { computeKinematics, isValidPosition, pathLengthPx, MIN_DT_MS } from '../../src/core/kinematics';

const SPACE = { width: 1920, height: 1080 };
const mv = (tMs: number, x: number, y: number, buttons = 0, kind: EventKind = EventKind.Move): PointerSample => ({
  tMs, kind, x, y, button: -1, buttons, pointerKind: PointerKind.Mouse, dx: 0, dy: 0,
});
const kin = (samples: PointerSample[]) => {
  const c = columnsFromSamples(samples);
  return computeKinematics(c, 0, c.length, SPACE);
};

describe('kinematics: constant motion (table)', () => {
  // dx, dy per 10 ms step → expected speed px/ms and direction rad (screen: y down)
  const cases: [string, number, number, number, number][] = [
    ['right', 10, 0, 1, 0],
    ['down', 0, 20, 2, Math.PI / 2],
    ['left', -5, 0, 0.5, Math.PI],
    ['up', 0, -30, 3, -Math.PI / 2],
    ['down-right diagonal', 30, 40, 5, Math.atan2(40, 30)],
  ];
  it.each(cases)('%s', (_name, dx, dy, speed, dir) => {
    const s = Array.from({ length: 10 }, (_, i) => mv(i * 10, 500 + i * dx, 500 + i * dy));
    const k = kin(s);
    expect(k.count).toBe(9);
    for (let i = 0; i < k.count; i++) {
      expect(k.speedPxPerMs[i]).toBeCloseTo(speed, 4);
      expect(k.directionRad[i]).toBeCloseTo(dir, 4);
      expect(k.dtMs[i]).toBeCloseTo(10, 6);
      expect(k.vxPxPerMs[i]).toBeCloseTo(dx / 10, 4);
      expect(k.vyPxPerMs[i]).toBeCloseTo(dy / 10, 4);
    }
    // steady: no acceleration after the first segment (which starts from rest)
    for (let i = 1; i < k.count; i++) expect(Math.abs(k.accelPxPerMs2[i])).toBeLessThan(1e-4);
  });
});

describe('kinematics: acceleration sign', () => {
  it('speeding up gives positive, slowing down negative along-track acceleration', () => {
    // x = t² / 20 → speed grows linearly
    const up = Array.from({ length: 20 }, (_, i) => mv(i * 10, 100 + (i * 10) ** 2 / 20, 300));
    const ku = kin(up);
    for (let i = 2; i < ku.count - 1; i++) expect(ku.accelPxPerMs2[i]).toBeGreaterThan(0);
    // expected d(speed)/dt = 1/10 px/ms² in the middle
    expect(ku.accelPxPerMs2[10]).toBeCloseTo(0.1, 2);
    // x = 2t − t²/400 → speed 2 − t/200 shrinks; d(speed)/dt = −0.005 px/ms²
    const down = Array.from({ length: 20 }, (_, i) => mv(i * 10, 100 + 2 * i * 10 - (i * 10) ** 2 / 400, 300));
    const kd = kin(down);
    for (let i = 2; i < kd.count - 1; i++) expect(kd.accelPxPerMs2[i]).toBeLessThan(0);
    expect(kd.accelPxPerMs2[10]).toBeCloseTo(-0.005, 4);
  });
});

describe('kinematics: stable time base', () => {
  it('spreads repeated timestamps instead of dividing by zero', () => {
    // 4 samples at t=10 after one at t=0: the 40 px since t=0 took 10 ms in total.
    const s = [mv(0, 100, 100), mv(10, 110, 100), mv(10, 120, 100), mv(10, 130, 100), mv(10, 140, 100), mv(20, 150, 100)];
    const k = kin(s);
    expect(k.count).toBe(5);
    for (let i = 0; i < k.count; i++) {
      expect(Number.isFinite(k.speedPxPerMs[i])).toBe(true);
      expect(Number.isFinite(k.accelPxPerMs2[i])).toBe(true);
      expect(k.dtMs[i]).toBeGreaterThanOrEqual(MIN_DT_MS);
    }
    // total time preserved: 20 ms over the five segments
    expect(k.dtMs.subarray(0, k.count).reduce((a, b) => a + b, 0)).toBeCloseTo(20, 5);
    // mean speed over the tie run is the true one (40 px / 10 ms = 4 px/ms for the first four)
    expect(k.speedPxPerMs[1]).toBeCloseTo(4, 3);
  });
  it('survives a stroke whose first samples share a timestamp', () => {
    const s = [mv(5, 100, 100), mv(5, 200, 100), mv(5, 300, 100)];
    const k = kin(s);
    expect(k.count).toBe(2);
    for (let i = 0; i < k.count; i++) {
      expect(Number.isFinite(k.speedPxPerMs[i])).toBe(true);
      expect(k.speedPxPerMs[i]).toBeLessThanOrEqual(100 / MIN_DT_MS + 1e-6);
    }
  });
  it('handles timestamps going backwards like ties', () => {
    const k = kin([mv(0, 0, 0), mv(10, 10, 0), mv(8, 20, 0), mv(20, 30, 0)]);
    for (let i = 0; i < k.count; i++) expect(k.dtMs[i]).toBeGreaterThanOrEqual(MIN_DT_MS);
  });
});

describe('kinematics: out-of-range positions', () => {
  it.each([
    ['Balabit overflow 65535', 65535, 65535],
    ['negative', -50, 20],
    ['NaN', NaN, 10],
    ['beyond the space', 4000, 10],
  ])('excludes %s and never bridges across it', (_n, bx, by) => {
    const s = [mv(0, 100, 100), mv(10, 110, 100), mv(20, bx, by), mv(30, 130, 100), mv(40, 140, 100)];
    const k = kin(s);
    expect(k.count).toBe(2); // 100→110 and 130→140; nothing to or from the bad sample
    for (let i = 0; i < k.count; i++) {
      for (const v of [k.x0[i], k.x1[i], k.y0[i], k.y1[i]]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(SPACE.width);
      }
    }
    expect(k.strokeStart[1]).toBe(1);
    expect(pathLengthPx(columnsFromSamples(s), 0, s.length, SPACE)).toBeCloseTo(20, 5);
  });
  it('isValidPosition', () => {
    expect(isValidPosition(0, 0, SPACE)).toBe(true);
    expect(isValidPosition(1920, 1080, SPACE)).toBe(true);
    expect(isValidPosition(65535, 5, SPACE)).toBe(false);
    expect(isValidPosition(NaN, 5, SPACE)).toBe(false);
    expect(isValidPosition(-10, 5, SPACE)).toBe(false);
  });
  it('breaks strokes at Hidden/Blur/Idle markers and ignores wheel rows', () => {
    const s = [mv(0, 100, 100), mv(10, 110, 100), mv(20, 0, 0, 0, EventKind.Hidden), mv(30, 500, 500), mv(40, 510, 500),
      { ...mv(45, 0, 0, 0, EventKind.Wheel), dy: 100 }, mv(50, 520, 500)];
    const k = kin(s);
    expect(k.count).toBe(3);
    expect(Array.from(k.strokeStart.subarray(0, 3))).toEqual([1, 1, 0]);
    expect(k.x0[2]).toBe(510);
  });
  it('a move into a press is no drag; a drag into a release is', () => {
    const D = (t: number, x: number) => ({ ...mv(t, x, 100, 1, EventKind.Down), button: 0 });
    const U = (t: number, x: number) => ({ ...mv(t, x, 100, 0, EventKind.Up), button: 0 });
    const k = kin([mv(0, 100, 100), D(10, 110), mv(20, 120, 100, 1), U(30, 130), mv(40, 140, 100)]);
    expect(Array.from(k.buttons.subarray(0, 4))).toEqual([0, 1, 1, 0]);
  });
  it('marks drag segments by the buttons held', () => {
    const k = kin([mv(0, 100, 100), mv(10, 110, 100, 1), mv(20, 120, 100, 1), mv(30, 130, 100, 0)]);
    expect(Array.from(k.buttons.subarray(0, 3))).toEqual([1, 1, 0]);
  });
});
