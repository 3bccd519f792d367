/**
 * The recording clock: how finely a recorder stamps time, and whether a session was recorded on a clock
 * like the one a model's people were recorded on.
 *
 * Why (issue #8, measured): a humans-vs-bots model learns the recording setup of its training people as
 * part of "what people look like". On Balabit, three users were recorded at ~16 ms between distinct
 * timestamps and seven at ~110 ms; over five user splits, where no training person was on the fine
 * clock, the app's rule flagged about two thirds of the test people's windows as not people
 * (bench-results/balabit-quick-only-bot-splits.json). The features resample every stroke on a 20 ms
 * grid, which evens out recorders faster than that, but a coarser clock leaves straight segments
 * between its ticks that no resampling restores. So a group model with a people group stores the
 * range of its people's clocks, and a session on a clock outside it is not compared: its flags would
 * be evidence of a different recorder, not of a bot.
 *
 * Definitions:
 * - a window's clock: the median positive step between consecutive timestamps of its position rows
 *   (ties are one instant: many recorders stamp several rows with one tick);
 * - its effective clock: that, but never finer than the features' resampling step (finer detail is
 *   resampled away, so it cannot differ);
 * - the reference: the 5th–95th percentile of the people's training windows' effective clocks;
 * - a session is comparable when the median of its windows' effective clocks lies within the reference
 *   widened by `CLOCK_TOLERANCE` on each side.
 *
 * Pure: no DOM, no worker, no network.
 */
import { DEFAULT_FEATURE_OPTIONS } from './features';
import { isPositional, type EventColumns } from './events';
import { percentile } from './metrics';

/** A session's clock may be this many times finer or coarser than the reference's range and still be compared. */
export const CLOCK_TOLERANCE = 1.5;

/** The clock range a group model's people were recorded on. */
export interface ClockReference {
  /** 5th and 95th percentile of the people's training windows' effective clocks (ms). */
  lowMs: number;
  highMs: number;
  /** Windows it was measured on. */
  windows: number;
}

/** How a session's clock compares with a reference, as score events and views carry it. */
export interface ClockCheck {
  /** Median effective clock of the session's windows so far (ms). */
  sessionMs: number;
  referenceLowMs: number;
  referenceHighMs: number;
  /** Within the reference widened by CLOCK_TOLERANCE: the model's decisions can be compared. */
  comparable: boolean;
}

/** The median positive step (ms) between consecutive position-row timestamps of events [start, end); null with fewer than two distinct times. */
export function windowClockMs(cols: EventColumns, start: number, end: number): number | null {
  const steps: number[] = [];
  let last = NaN;
  for (let i = start; i < end; i++) {
    if (!isPositional(cols.kind[i])) continue;
    const t = cols.tMs[i];
    if (!Number.isFinite(t)) continue;
    if (t > last) steps.push(t - last);
    if (!(t <= last)) last = t;
  }
  return steps.length ? percentile(steps, 50) : null;
}

/** A clock as the features see it: never finer than their resampling step. */
export function effectiveClockMs(clockMs: number, resampleMs = DEFAULT_FEATURE_OPTIONS.resampleMs): number {
  return Math.max(clockMs, resampleMs);
}

/** The effective clock of events [start, end), or null without two distinct times. */
export function windowEffectiveClockMs(cols: EventColumns, start: number, end: number): number | null {
  const c = windowClockMs(cols, start, end);
  return c === null ? null : effectiveClockMs(c);
}

/** The reference from the people's training windows' effective clocks (nulls skipped); null without any. */
export function fitClockReference(windowClocks: readonly (number | null)[]): ClockReference | null {
  const xs = windowClocks.filter((c): c is number => c !== null && Number.isFinite(c) && c > 0);
  if (xs.length === 0) return null;
  return { lowMs: percentile(xs, 5), highMs: percentile(xs, 95), windows: xs.length };
}

/** Compare a session (its windows' effective clocks so far) with a reference; null before any window has a clock. */
export function checkClock(ref: ClockReference, windowClocks: readonly (number | null)[]): ClockCheck | null {
  const xs = windowClocks.filter((c): c is number => c !== null && Number.isFinite(c));
  if (xs.length === 0) return null;
  const sessionMs = percentile(xs, 50);
  return {
    sessionMs, referenceLowMs: ref.lowMs, referenceHighMs: ref.highMs,
    comparable: sessionMs >= ref.lowMs / CLOCK_TOLERANCE && sessionMs <= ref.highMs * CLOCK_TOLERANCE,
  };
}

/** A stored reference that cannot be used, in words; null if usable. */
export function clockReferenceProblem(r: ClockReference): string | null {
  if (typeof r !== 'object' || r === null) return 'clock reference must be an object';
  if (!(Number.isFinite(r.lowMs) && Number.isFinite(r.highMs) && r.lowMs > 0 && r.highMs >= r.lowMs)) return 'clock reference needs 0 < lowMs ≤ highMs';
  if (!(Number.isInteger(r.windows) && r.windows > 0)) return 'clock reference needs a positive window count';
  return null;
}
