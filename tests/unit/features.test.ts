/**
 * Kinematic features against hand-computed cases: each row builds a small event stream, and the
 * expected values follow from the definitions in src/core/features.ts by arithmetic on paper.
 */
import { describe, it, expect } from 'vitest';
import { columnsFromSamples, EventKind, PointerKind, type PointerSample } from '../../src/core/events';
import { FEATURE_COUNT, FEATURE_DOCS, FEATURE_NAMES, FEATURES_VERSION, featureMatrix, summaryStats, windowFeatures } from '../../src/core/features';

const mv = (tMs: number, x: number, y: number, buttons = 0): PointerSample => ({ tMs, kind: EventKind.Move, x, y, button: -1, buttons, pointerKind: PointerKind.Mouse, dx: 0, dy: 0 });
const down = (tMs: number, x: number, y: number, button = 0): PointerSample => ({ tMs, kind: EventKind.Down, x, y, button, buttons: 1, pointerKind: PointerKind.Mouse, dx: 0, dy: 0 });
const up = (tMs: number, x: number, y: number, button = 0): PointerSample => ({ tMs, kind: EventKind.Up, x, y, button, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0 });
const wheel = (tMs: number): PointerSample => ({ tMs, kind: EventKind.Wheel, x: 0, y: 0, button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 100 });
const marker = (tMs: number, kind: EventKind): PointerSample => ({ tMs, kind, x: 0, y: 0, button: -1, buttons: 0, pointerKind: PointerKind.Unknown, dx: 0, dy: 0 });

/** A straight movement at `speed` px/ms along angle `deg`, sampled every `dtMs` for `ms` ms. */
function line(ms: number, dtMs: number, speed: number, deg = 0, t0 = 0, x0 = 100, y0 = 100): PointerSample[] {
  const out: PointerSample[] = [];
  const c = Math.cos((deg * Math.PI) / 180), s = Math.sin((deg * Math.PI) / 180);
  for (let t = 0; t <= ms + 1e-9; t += dtMs) out.push(mv(t0 + t, x0 + c * speed * t, y0 + s * speed * t));
  return out;
}

function feats(samples: PointerSample[]): Record<string, number> {
  const c = columnsFromSamples(samples);
  const f = windowFeatures(c, 0, c.length);
  return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, f[i]]));
}

describe('feature catalogue', () => {
  it('names every column once, documents each in one line, and has a version', () => {
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
    expect(FEATURE_DOCS).toHaveLength(FEATURE_COUNT);
    for (const d of FEATURE_DOCS) { expect(d.length).toBeGreaterThan(5); expect(d).not.toMatch(/\n/); }
    expect(FEATURES_VERSION).toBeGreaterThanOrEqual(1);
    // No absolute position or screen size among the features.
    expect(FEATURE_NAMES.join(' ')).not.toMatch(/\b(x|y|screen|width|height|pos)/);
  });

  it('summaryStats: mean, population sd, interpolated percentiles, max', () => {
    expect(summaryStats([4, 1, 3, 2, 5])).toEqual([3, Math.sqrt(2), 1.4, 3, 4.6, 5].map((v, i) => (i === 1 ? v : expect.closeTo(v, 10))) as never);
    expect(summaryStats([])).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('hand-computed windows', () => {
  type Case = { name: string; samples: PointerSample[]; expect: Record<string, number>; digits?: number };
  const cases: Case[] = [
    {
      // 1 px/ms to the right for 400 ms at 10 ms: every resampled step covers 20 px in 20 ms.
      name: 'straight line, constant speed',
      samples: line(400, 10, 1, 0),
      expect: { speed_mean: 1, speed_sd: 0, speed_max: 1, accel_max: 0, jerk_max: 0, turn_max: 0, curv_max: 0, straightness: 1, stroke_straightness: 1, moving_fraction: 1, stroke_time_fraction: 1, strokes_per_s: 2.5, stroke_ms_mean: 400, path_px: 400, duration_ms: 400, dir_0: 1, dir_90: 0, presses: 0 },
    },
    {
      // Downwards (screen y grows) at 0.5 px/ms: the 90° bin takes the whole path.
      name: 'straight line downwards',
      samples: line(200, 8, 0.5, 90),
      expect: { speed_mean: 0.5, dir_90: 1, dir_0: 0, path_px: 100, straightness: 1 },
    },
    {
      // L shape: 100 px right in 100 ms, then 100 px down in 100 ms; the 20 ms grid hits the corner:
      // 10 steps, one turn of π/2 out of 9 turns, curvature there (π/2)/20 px.
      name: 'right angle',
      samples: [...line(100, 10, 1, 0), ...line(100, 10, 1, 90, 100, 200, 100).slice(1)],
      expect: { speed_mean: 1, turn_max: Math.PI / 2, turn_mean: Math.PI / 2 / 9, curv_max: Math.PI / 2 / 20, straightness: Math.SQRT2 * 100 / 200, dir_0: 0.5, dir_90: 0.5, path_px: 200 },
    },
    {
      // Speeds 1 px/ms for 100 ms then 2 px/ms for 100 ms: steps 1,1,1,1,1,2,2,2,2,2 px/ms;
      // one |Δv| of 1 px/ms over 20 ms = 0.05 px/ms² among 9; jerk: 0.05/20 twice among 8.
      name: 'speed step',
      samples: [...line(100, 10, 1, 0), ...line(100, 10, 2, 0, 100, 200, 100).slice(1)],
      expect: { speed_mean: 1.5, speed_p50: 1.5, speed_max: 2, accel_max: 0.05, accel_mean: 0.05 / 9, jerk_max: 0.05 / 20, jerk_mean: (2 * 0.05 / 20) / 8, turn_max: 0 },
    },
    {
      // Two 100 ms strokes with a 1 s rest between them: 2 strokes in 1.2 s.
      name: 'pause splits strokes',
      samples: [...line(100, 10, 1, 0), ...line(100, 10, 1, 180, 1100, 200, 100)],
      expect: { strokes_per_s: 2 / 1.2, stroke_ms_mean: 100, pause_ms_mean: 1000, stroke_time_fraction: 200 / 1200, duration_ms: 1200, straightness: 0, stroke_straightness: 1, dir_0: 0.5, dir_180: 0.5 },
    },
    {
      // A left click held 150 ms and a drag of 50 px after a 50 px move; one wheel row.
      name: 'press, drag, wheel',
      samples: [...line(50, 10, 1, 0), down(60, 150, 100), mv(70, 160, 100, 1), mv(80, 170, 100, 1), mv(90, 180, 100, 1), mv(100, 190, 100, 1), up(210, 200, 100), wheel(220)],
      expect: { presses: 1, press_ms_mean: 150, wheel_events: 1, drag_fraction: 50 / 100, path_px: 100, duration_ms: 220, press_pause_ms_mean: 10 },
    },
    // Version 2: speed by direction, signed turning by quarter, the shape of each stroke.
    {
      // 20 equal steps to the right: speed 1 in the 0° bin, the window's mean (1) where no step goes;
      // the plateau of top speed spans every step, so the peak sits at its middle (9.5 of 0..19).
      name: 'v2: straight line, constant speed',
      samples: line(400, 10, 1, 0),
      expect: { speed_dir_0: 1, speed_dir_90: 1, speed_dir_180: 1, turn_signed_right: 0, turn_signed_down: 0, stroke_peak_fraction: 0.5, stroke_deviation: 0, press_pause_ms_mean: 0 },
    },
    {
      // Steps 1,1,1,1,1,2,2,2,2,2 px/ms: the top speed covers steps 5..9, its middle 7 of 0..9.
      name: 'v2: speed step, peak late in the stroke',
      samples: [...line(100, 10, 1, 0), ...line(100, 10, 2, 0, 100, 200, 100).slice(1)],
      expect: { stroke_peak_fraction: 7 / 9, speed_dir_0: 1.5 },
    },
    {
      // Right then down (clockwise on screen, y grows downwards): the corner's +π/2 belongs to the first
      // downward step; 5 downward steps → mean π/10; rightward steps do not turn. The corner (200, 100)
      // lies 100/√2 px from the chord (100,100)→(200,200), whose length is 100·√2: deviation 0.5.
      name: 'v2: right angle, clockwise',
      samples: [...line(100, 10, 1, 0), ...line(100, 10, 1, 90, 100, 200, 100).slice(1)],
      expect: { turn_signed_down: Math.PI / 10, turn_signed_right: 0, turn_signed_up: 0, stroke_deviation: 0.5, speed_dir_0: 1, speed_dir_90: 1 },
    },
    {
      // Right then up: the same corner turned the other way.
      name: 'v2: right angle, anticlockwise',
      samples: [...line(100, 10, 1, 0), ...line(100, 10, 1, 270, 100, 200, 100).slice(1)],
      expect: { turn_signed_up: -Math.PI / 10, turn_signed_down: 0, stroke_deviation: 0.5 },
    },
    {
      // Two presses: 40 ms and (capped) 2 s after the last position row.
      name: 'v2: pause before a press',
      samples: [...line(50, 10, 1, 0), down(90, 150, 100), up(120, 150, 100), mv(130, 151, 100), down(5000, 151, 100), up(5050, 151, 100)],
      expect: { press_pause_ms_mean: (40 + 2000) / 2 },
    },
  ];
  it.each(cases)('$name', (c) => {
    const f = feats(c.samples);
    for (const [k, v] of Object.entries(c.expect)) {
      expect(FEATURE_NAMES).toContain(k);
      expect(f[k], k).toBeCloseTo(v, c.digits ?? 6);
    }
  });

  it('a circle of radius 100 px: curvature ≈ 1/r, turning ≈ step/r', () => {
    const r = 100, w = 0.01; // rad/ms → 1 px/ms
    const s: PointerSample[] = [];
    for (let t = 0; t <= 600; t += 5) s.push(mv(t, 500 + r * Math.cos(w * t), 500 + r * Math.sin(w * t)));
    const f = feats(s);
    expect(f.curv_p50).toBeCloseTo(1 / r, 3);
    expect(f.turn_p50).toBeCloseTo(0.2, 2);
    expect(f.speed_p50).toBeCloseTo(1, 2);
  });
});

describe('robust to the recorder', () => {
  const base = feats(line(400, 10, 1, 30));
  const kinematic = ['speed_mean', 'speed_p50', 'speed_max', 'accel_max', 'turn_max', 'straightness', 'path_px', 'dir_0', 'dir_45'];
  const same = (f: Record<string, number>) => { for (const k of kinematic) expect(f[k], k).toBeCloseTo(base[k], 4); };

  it('gives the same kinematics at 60 Hz, 125 Hz and 1 kHz', () => {
    same(feats(line(400, 1000 / 125, 1, 30).filter((p) => p.tMs <= 400)));
    same(feats(line(400, 1, 1, 30)));
    const f60 = feats(line(400, 1000 / 60, 1, 30));
    expect(f60.speed_mean).toBeCloseTo(1, 4);
    expect(f60.straightness).toBeCloseTo(1, 6);
  });

  it('ignores repeated timestamps (the last position of a tie wins)', () => {
    const s = line(400, 10, 1, 30).flatMap((p) => [{ ...p, x: p.x - 3, y: p.y - 1 }, p]);
    // The first row of a tie is superseded by the second; the very first tie adds 0 path.
    same(feats(s));
  });

  it('skips overflow, NaN and negative rows without breaking the stroke', () => {
    const s = line(400, 10, 1, 30);
    s.splice(10, 0, mv(s[10].tMs, 65535, 65535), mv(s[10].tMs, NaN, 5), mv(s[10].tMs, -50, 3));
    same(feats(s));
  });

  it('a hidden tab ends the stroke; a window with no movement is all finite zeros', () => {
    const s = [...line(100, 10, 1, 0), marker(105, EventKind.Hidden), ...line(100, 10, 1, 0, 110, 300, 100)];
    expect(feats(s).strokes_per_s).toBeCloseTo(2 / 0.21, 6);
    const empty = windowFeatures(columnsFromSamples([wheel(0), marker(1, EventKind.Blur)]), 0, 2);
    expect(Array.from(empty).every((v) => Number.isFinite(v))).toBe(true);
    expect(empty[FEATURE_NAMES.indexOf('speed_mean')]).toBe(0);
    expect(empty[FEATURE_NAMES.indexOf('wheel_events')]).toBe(1);
  });

  it('does not see absolute position: a translated window gives identical features', () => {
    const a = feats(line(300, 10, 0.7, 120, 0, 400, 100));
    const b = feats(line(300, 10, 0.7, 120, 0, 1500, 900));
    for (const n of FEATURE_NAMES) expect(b[n], n).toBeCloseTo(a[n], 3);
  });

  it('featureMatrix lays windows out row-major', () => {
    const c = columnsFromSamples([...line(100, 10, 1, 0), ...line(100, 10, 2, 90, 5000, 0, 0)]);
    const m = featureMatrix([{ cols: c, start: 0, end: 11 }, { cols: c, start: 11, end: 22 }]);
    expect(m.length).toBe(2 * FEATURE_COUNT);
    expect(m[FEATURE_NAMES.indexOf('speed_mean')]).toBeCloseTo(1, 5);
    expect(m[FEATURE_COUNT + FEATURE_NAMES.indexOf('speed_mean')]).toBeCloseTo(2, 5);
  });
});
