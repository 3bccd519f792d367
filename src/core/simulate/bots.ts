/**
 * Scripted cursors of the kinds fraud and automation tools use, for the human-vs-bot task and for
 * testing `humanRules`:
 * - `linear`: straight lines at constant speed on a fixed timer (naive `mouse.move(x, y, {steps})`).
 * - `bezier-eased`: cubic Bézier curves with random control points and ease-in-out timing (the
 *   "human-like mouse" libraries such as ghost-cursor).
 * - `jitter-overshoot`: eased paths with per-sample noise, overshoot and a correction, and jittered
 *   timing (tools that try harder to look human).
 * - `replay`: a recorded human path replayed with positional noise, time scaling and an offset.
 */
import { EventKind, type PointerSample } from '../events';
import { mulberry32, randNormal, randRange, type Rng } from '../random';
import { buttonSample, clampToPage, moveSample, samplesToSteps, type MouseStep, type PageGeometry, type SimulateOptions } from './common';
import { nextTarget } from './human';

export const BOT_KINDS = ['linear', 'bezier-eased', 'jitter-overshoot', 'replay'] as const;
export type BotKind = (typeof BOT_KINDS)[number];

export interface BotOptions extends SimulateOptions {
  /** For `replay`: the human samples to replay (required for that kind). */
  source?: readonly PointerSample[];
}

const easeInOutCubic = (t: number) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

function clickAt(out: PointerSample[], t: number, x: number, y: number, dwellMs: number): number {
  out.push(buttonSample(t, x, y, true));
  t += dwellMs;
  out.push(buttonSample(t, x, y, false));
  return t;
}

function linearBot(g: PageGeometry, o: SimulateOptions, rng: Rng): PointerSample[] {
  const out: PointerSample[] = [];
  let x = o.start?.x ?? g.width / 2, y = o.start?.y ?? g.height / 2, t = 0;
  const stepMs = 10; // a fixed timer
  const speed = randRange(rng, 0.8, 2.5); // px/ms, constant per session
  out.push(moveSample(t, Math.round(x), Math.round(y)));
  for (let r = 0; r < o.reaches; r++) {
    const tgt = nextTarget(g, rng);
    const dist = Math.hypot(tgt.x - x, tgt.y - y);
    const steps = Math.max(1, Math.round(dist / speed / stepMs));
    for (let i = 1; i <= steps; i++) {
      t += stepMs;
      out.push(moveSample(t, Math.round(x + ((tgt.x - x) * i) / steps), Math.round(y + ((tgt.y - y) * i) / steps)));
    }
    x = tgt.x; y = tgt.y;
    if (rng() < 0.5) t = clickAt(out, t + 50, Math.round(x), Math.round(y), 50);
    t += randRange(rng, 300, 900); // waiting for the page between actions
  }
  return out;
}

function bezierBot(g: PageGeometry, o: SimulateOptions, rng: Rng, jitter: boolean): PointerSample[] {
  const out: PointerSample[] = [];
  let x = o.start?.x ?? g.width / 2, y = o.start?.y ?? g.height / 2, t = 0;
  out.push(moveSample(t, Math.round(x), Math.round(y)));
  const path = (x0: number, y0: number, x1: number, y1: number, durMs: number, spread: number) => {
    const dx = x1 - x0, dy = y1 - y0;
    const len = Math.hypot(dx, dy) || 1;
    const nxp = -dy / len, nyp = dx / len;
    const o1 = randRange(rng, -spread, spread) * len, o2 = randRange(rng, -spread, spread) * len;
    const c1x = x0 + dx / 3 + nxp * o1, c1y = y0 + dy / 3 + nyp * o1;
    const c2x = x0 + (2 * dx) / 3 + nxp * o2, c2y = y0 + (2 * dy) / 3 + nyp * o2;
    const stepMs = jitter ? 0 : 16;
    const t0 = t;
    for (;;) {
      t += jitter ? Math.max(2, randRange(rng, 6, 22)) : stepMs;
      const tau = Math.min(1, (t - t0) / durMs);
      const s = easeInOutCubic(tau), u = 1 - s;
      let px = u * u * u * x0 + 3 * u * u * s * c1x + 3 * u * s * s * c2x + s * s * s * x1;
      let py = u * u * u * y0 + 3 * u * u * s * c1y + 3 * u * s * s * c2y + s * s * s * y1;
      if (jitter) { px += randNormal(rng, 0, 1.5); py += randNormal(rng, 0, 1.5); }
      const q = clampToPage(g, Math.round(px), Math.round(py));
      out.push(moveSample(t, q.x, q.y));
      if (tau >= 1) return;
    }
  };
  for (let r = 0; r < o.reaches; r++) {
    const tgt = nextTarget(g, rng);
    const dist = Math.hypot(tgt.x - x, tgt.y - y);
    const dur = jitter ? 150 + dist * randRange(rng, 0.6, 1.2) : 300 + dist * 0.5;
    if (jitter && dist > 40 && rng() < 0.6) {
      const f = randRange(rng, 0.04, 0.15);
      const ox = tgt.x + (tgt.x - x) * f, oy = tgt.y + (tgt.y - y) * f;
      path(x, y, ox, oy, dur, 0.25);
      t += randRange(rng, 20, 80);
      path(ox, oy, tgt.x, tgt.y, 120 + dist * f * 2, 0.1);
    } else {
      path(x, y, tgt.x, tgt.y, dur, jitter ? 0.25 : 0.35);
    }
    const last = out[out.length - 1];
    x = last.x; y = last.y;
    if (rng() < 0.5) t = clickAt(out, t + (jitter ? randRange(rng, 30, 120) : 50), x, y, jitter ? randRange(rng, 60, 140) : 60);
    t += jitter ? randRange(rng, 100, 600) : 250;
  }
  return out;
}

function replayBot(g: PageGeometry, o: BotOptions, rng: Rng): PointerSample[] {
  const src = o.source;
  if (!src || src.length === 0) throw new Error('replay bot needs a source path (BotOptions.source)');
  const scale = randRange(rng, 0.8, 1.25);
  const offX = randRange(rng, -30, 30), offY = randRange(rng, -30, 30);
  const t0 = src[0].tMs;
  const out: PointerSample[] = [];
  let reaches = 0;
  for (const s of src) {
    if (s.kind !== EventKind.Move && s.kind !== EventKind.Down && s.kind !== EventKind.Up) continue;
    const q = clampToPage(g, Math.round(s.x + offX + randNormal(rng, 0, 1)), Math.round(s.y + offY + randNormal(rng, 0, 1)));
    out.push({ ...s, tMs: (s.tMs - t0) * scale, x: q.x, y: q.y });
    if (s.kind === EventKind.Up && ++reaches >= o.reaches) break;
  }
  return out;
}

/** Generate a bot session of a given kind (seeded). */
export function simulateBot(kind: BotKind, g: PageGeometry, opts: BotOptions): PointerSample[] {
  const rng = mulberry32(opts.seed);
  switch (kind) {
    case 'linear': return linearBot(g, opts, rng);
    case 'bezier-eased': return bezierBot(g, opts, rng, false);
    case 'jitter-overshoot': return bezierBot(g, opts, rng, true);
    case 'replay': return replayBot(g, opts, rng);
  }
}

/** The bot session as steps for `page.mouse`. */
export function botSteps(kind: BotKind, g: PageGeometry, opts: BotOptions): MouseStep[] {
  return samplesToSteps(simulateBot(kind, g, opts));
}
