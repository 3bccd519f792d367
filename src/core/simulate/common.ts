/**
 * Shared pieces of the movement simulator: page geometry, the step format used to drive a real
 * mouse (Playwright's `page.mouse`), and conversions between samples and steps.
 */
import { EventKind, PointerKind, type PointerSample } from '../events';

/** The area the pointer moves in, in CSS/screen px (e.g. the viewport, or a Balabit screen). */
export interface PageGeometry {
  width: number;
  height: number;
  /** Optional click targets (centres, px). When absent, targets are drawn uniformly with a margin. */
  targets?: ReadonlyArray<{ x: number; y: number }>;
  /** Keep targets this far from the edges (px); default 20. */
  marginPx?: number;
}

/** One step of a scripted movement: wait `dtMs`, then do `action` at (x, y). */
export interface MouseStep {
  x: number;
  y: number;
  /** Delay since the previous step, ms. */
  dtMs: number;
  action: 'move' | 'down' | 'up';
}

/** Options common to all generators. */
export interface SimulateOptions {
  seed: number;
  /** Stop after this many reaches (target-to-target movements). */
  reaches: number;
  /** Start position; default: page centre. */
  start?: { x: number; y: number };
}

/** A plain Move sample. */
export function moveSample(tMs: number, x: number, y: number, buttons = 0): PointerSample {
  return { tMs, kind: EventKind.Move, x, y, button: -1, buttons, pointerKind: PointerKind.Mouse, dx: 0, dy: 0 };
}

/** A left-button Down or Up sample. */
export function buttonSample(tMs: number, x: number, y: number, down: boolean): PointerSample {
  return {
    tMs, kind: down ? EventKind.Down : EventKind.Up, x, y, button: 0, buttons: down ? 1 : 0,
    pointerKind: PointerKind.Mouse, dx: 0, dy: 0,
  };
}

/** Clamp a point into the page. */
export function clampToPage(g: PageGeometry, x: number, y: number): { x: number; y: number } {
  return { x: Math.min(g.width - 1, Math.max(0, x)), y: Math.min(g.height - 1, Math.max(0, y)) };
}

/** Convert samples (times since start) into steps with delays, for driving a real mouse. */
export function samplesToSteps(samples: readonly PointerSample[]): MouseStep[] {
  const out: MouseStep[] = [];
  let prevT = samples.length ? samples[0].tMs : 0;
  for (const s of samples) {
    const action = s.kind === EventKind.Down ? 'down' : s.kind === EventKind.Up ? 'up' : s.kind === EventKind.Move ? 'move' : null;
    if (!action) continue;
    out.push({ x: s.x, y: s.y, dtMs: Math.max(0, s.tMs - prevT), action });
    prevT = s.tMs;
  }
  return out;
}

/**
 * Quantise sample times to a recorder's clock tick (e.g. 15.625 ms for the Windows timer behind the
 * Balabit data), keeping order. Used so simulated and recorded data share a clock and a model cannot
 * tell them apart by timestamp granularity alone.
 */
export function quantizeTimes(samples: PointerSample[], tickMs: number): PointerSample[] {
  if (tickMs <= 0) return samples;
  return samples.map((s) => ({ ...s, tMs: Math.floor(s.tMs / tickMs) * tickMs }));
}

/** Minimum-jerk position profile s(τ) for τ in [0,1]: 10τ³ − 15τ⁴ + 6τ⁵ (bell-shaped speed). */
export function minJerk(tau: number): number {
  const t = Math.min(1, Math.max(0, tau));
  return t * t * t * (10 - 15 * t + 6 * t * t);
}
