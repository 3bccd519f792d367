/**
 * Synthetic human personas: reaches shaped like human arm movements (minimum-jerk speed profile,
 * Fitts-like duration, curved paths, tremor, overshoot and correction, click dwell, pauses), with
 * persona-specific parameters so two personas are reliably distinguishable by a model.
 */
import type { PointerSample } from '../events';
import { mulberry32, randNormal, randRange, type Rng } from '../random';
import { buttonSample, clampToPage, minJerk, moveSample, samplesToSteps, type MouseStep, type PageGeometry, type SimulateOptions } from './common';

/** What makes one synthetic person's movement theirs. */
export interface HumanPersona {
  id: string;
  /** Fitts' law a + b·log2(1 + D/W): intercept (ms) and slope (ms/bit). Larger = slower person. */
  fittsAMs: number;
  fittsBMs: number;
  /** Peak lateral deviation of a reach as a fraction of its length; sign = preferred bow side. */
  curvature: number;
  /** Random spread of the curvature between reaches. */
  curvatureSd: number;
  /** Tremor amplitude (px, low-pass filtered noise). */
  tremorPx: number;
  /** Probability that a reach overshoots and is corrected. */
  overshootProb: number;
  /** Overshoot distance as a fraction of the reach. */
  overshootFrac: number;
  /** Probability of clicking at the end of a reach. */
  clickProb: number;
  /** Button dwell (down→up), mean and sd, ms. */
  clickDwellMs: [number, number];
  /** Pause between reaches, mean and sd, ms. */
  pauseMs: [number, number];
  /** Pointer sampling interval (ms) and its jitter sd (ms). */
  sampleMs: number;
  sampleJitterMs: number;
  /** Preferred direction bias: fraction of reaches drawn toward this quadrant (0 = uniform). */
  targetSpreadFrac: number;
}

/** Two clearly different people: a quick, direct, precise one and a slow, curved, shaky one. */
export const PERSONAS: Record<'alice' | 'bob', HumanPersona> = {
  alice: {
    id: 'alice', fittsAMs: 120, fittsBMs: 110, curvature: 0.06, curvatureSd: 0.03, tremorPx: 0.4,
    overshootProb: 0.15, overshootFrac: 0.05, clickProb: 0.6, clickDwellMs: [85, 15], pauseMs: [250, 120],
    sampleMs: 8, sampleJitterMs: 0.6, targetSpreadFrac: 1,
  },
  bob: {
    id: 'bob', fittsAMs: 300, fittsBMs: 240, curvature: -0.2, curvatureSd: 0.06, tremorPx: 2.2,
    overshootProb: 0.6, overshootFrac: 0.14, clickProb: 0.4, clickDwellMs: [170, 40], pauseMs: [700, 300],
    sampleMs: 16, sampleJitterMs: 1.5, targetSpreadFrac: 0.6,
  },
};

/** Pick the next target: from the page's list, or uniformly (or within a persona's favourite region). */
export function nextTarget(g: PageGeometry, rng: Rng, spreadFrac = 1): { x: number; y: number } {
  if (g.targets && g.targets.length) return g.targets[Math.floor(rng() * g.targets.length)];
  const m = g.marginPx ?? 20;
  const w = (g.width - 2 * m) * spreadFrac, h = (g.height - 2 * m) * spreadFrac;
  return { x: m + rng() * w, y: m + rng() * h };
}

/**
 * One curved minimum-jerk reach from (x0,y0) to (x1,y1) lasting durationMs, appended to `out`.
 * The path bows sideways by `bow` × length (a quadratic Bézier), and tremor is added as
 * low-pass-filtered noise. Returns the end time.
 */
function reach(
  out: PointerSample[], rng: Rng, g: PageGeometry, p: HumanPersona,
  t0: number, x0: number, y0: number, x1: number, y1: number, durationMs: number, bow: number,
): number {
  const dx = x1 - x0, dy = y1 - y0;
  const len = Math.hypot(dx, dy) || 1;
  // Control point: midpoint pushed sideways (perpendicular) by 2·bow·len (peak deviation = bow·len).
  const cx = (x0 + x1) / 2 - (dy / len) * bow * len * 2;
  const cy = (y0 + y1) / 2 + (dx / len) * bow * len * 2;
  let t = t0, nx = 0, ny = 0;
  for (;;) {
    t += Math.max(1, p.sampleMs + randNormal(rng, 0, p.sampleJitterMs));
    const tau = Math.min(1, (t - t0) / durationMs);
    const s = minJerk(tau);
    const bx = (1 - s) * (1 - s) * x0 + 2 * (1 - s) * s * cx + s * s * x1;
    const by = (1 - s) * (1 - s) * y0 + 2 * (1 - s) * s * cy + s * s * y1;
    nx = 0.7 * nx + randNormal(rng, 0, p.tremorPx);
    ny = 0.7 * ny + randNormal(rng, 0, p.tremorPx);
    const q = clampToPage(g, Math.round(bx + nx), Math.round(by + ny));
    out.push(moveSample(t, q.x, q.y));
    if (tau >= 1) return t;
  }
}

/** Generate a human-like session of `opts.reaches` reaches as samples (times from 0 ms). */
export function simulateHuman(persona: HumanPersona, g: PageGeometry, opts: SimulateOptions): PointerSample[] {
  const rng = mulberry32(opts.seed);
  const out: PointerSample[] = [];
  let x = opts.start?.x ?? g.width / 2, y = opts.start?.y ?? g.height / 2;
  let t = 0;
  out.push(moveSample(t, Math.round(x), Math.round(y)));
  for (let r = 0; r < opts.reaches; r++) {
    const tgt = nextTarget(g, rng, persona.targetSpreadFrac);
    const dist = Math.hypot(tgt.x - x, tgt.y - y);
    const widthPx = 20;
    const dur = (persona.fittsAMs + persona.fittsBMs * Math.log2(1 + dist / widthPx)) * randRange(rng, 0.85, 1.15);
    const bow = persona.curvature + randNormal(rng, 0, persona.curvatureSd);
    if (rng() < persona.overshootProb && dist > 50) {
      const ox = tgt.x + ((tgt.x - x) / dist) * dist * persona.overshootFrac;
      const oy = tgt.y + ((tgt.y - y) / dist) * dist * persona.overshootFrac;
      t = reach(out, rng, g, persona, t, x, y, ox, oy, dur, bow);
      t = reach(out, rng, g, persona, t + randRange(rng, 30, 90), ox, oy, tgt.x, tgt.y, persona.fittsAMs * 1.2, 0);
    } else {
      t = reach(out, rng, g, persona, t, x, y, tgt.x, tgt.y, dur, bow);
    }
    const last = out[out.length - 1];
    x = last.x; y = last.y;
    if (rng() < persona.clickProb) {
      t += randRange(rng, 20, 80);
      out.push(buttonSample(t, x, y, true));
      t += Math.max(20, randNormal(rng, persona.clickDwellMs[0], persona.clickDwellMs[1]));
      out.push(buttonSample(t, x, y, false));
    }
    t += Math.max(30, randNormal(rng, persona.pauseMs[0], persona.pauseMs[1]));
  }
  return out;
}

/** The same session as steps for `page.mouse` (move/down/up with delays). */
export function humanSteps(persona: HumanPersona, g: PageGeometry, opts: SimulateOptions): MouseStep[] {
  return samplesToSteps(simulateHuman(persona, g, opts));
}
