/**
 * Simple, documented rules for movement no human makes. They run beside the model (not instead of
 * it): each rule is cheap, explainable in one sentence, and tuned to be quiet on real human data
 * (the Balabit recordings, with their 15.6 ms Windows timer) while catching the scripted cursors that
 * fraud tools use (see `simulate/bots.ts`).
 *
 * | flag              | rule (over the pointer moves of a range)                                           |
 * |-------------------|------------------------------------------------------------------------------------|
 * | `no-activity`     | fewer than `minMoves` move events                                                  |
 * | `teleport`        | ≥ `teleportMinCount` jumps of ≥ `teleportMinPx` faster than `teleportMinSpeedPxPerMs` (40 px/ms: no human hand covers 300 px in a few ms; a bot setting the position does) |
 * | `constant-speed`  | speed's coefficient of variation within strokes < `constantSpeedMaxCv` (humans accelerate and brake on every reach) |
 * | `straight-path`   | ≥ `straightMinFraction` of strokes longer than `strokeMinPx` have straightness (chord / path) ≥ `straightMin` (human reaches curve) |
 * | `periodic-timing` | ≥ `periodicMinFraction` of inter-event intervals within `periodicTolMs` of the median (timer-driven bots; real input jitters, and Windows' 15/16 ms alternation does not match) |
 * | `periodic-path`   | ≥ `repeatMinFraction` of 4-point runs of the path (in whole px) repeat an earlier run exactly (a loop replayed) |
 *
 * A stroke is a run of moves without a pause longer than `strokeGapMs` and without a button change.
 */
import { EventKind, type EventColumns } from './events';
import { percentile } from './metrics';

export type HumanFlag = 'no-activity' | 'teleport' | 'constant-speed' | 'straight-path' | 'periodic-timing' | 'periodic-path';

export interface HumanRuleSettings {
  minMoves: number;
  teleportMinPx: number;
  /** A jump counts as a teleport when its speed (distance / max(dt, 1 ms)) is at least this. */
  teleportMinSpeedPxPerMs: number;
  teleportMinCount: number;
  strokeGapMs: number;
  strokeMinPx: number;
  /** Strokes with fewer moves than this are not judged for speed or straightness. */
  strokeMinMoves: number;
  constantSpeedMaxCv: number;
  straightMin: number;
  straightMinFraction: number;
  periodicTolMs: number;
  periodicMinFraction: number;
  repeatMinFraction: number;
  /** Rules other than no-activity need at least this many moves to judge. */
  minMovesToJudge: number;
}

export const DEFAULT_HUMAN_RULES: HumanRuleSettings = {
  minMoves: 5,
  teleportMinPx: 300,
  teleportMinSpeedPxPerMs: 40,
  teleportMinCount: 2,
  strokeGapMs: 150,
  strokeMinPx: 80,
  strokeMinMoves: 6,
  constantSpeedMaxCv: 0.12,
  straightMin: 0.995,
  straightMinFraction: 0.8,
  periodicTolMs: 0.25,
  periodicMinFraction: 0.9,
  repeatMinFraction: 0.5,
  minMovesToJudge: 20,
};

/** Measurements behind the flags (for explanations in the UI and for tuning). */
export interface HumanRuleStats {
  moves: number;
  teleports: number;
  strokesJudged: number;
  /** Median over judged strokes of the speed's coefficient of variation. */
  medianSpeedCv: number;
  /** Fraction of judged strokes that are straight. */
  straightFraction: number;
  /** Fraction of positive intervals within tolerance of the median interval. */
  periodicFraction: number;
  /** Fraction of 4-point runs repeating an earlier run. */
  repeatFraction: number;
}

export interface HumanRuleResult {
  flags: HumanFlag[];
  stats: HumanRuleStats;
}

/**
 * Apply the rules to events [start, end) of a session's columns. Scroll rows with x = y = 0 or
 * markers are ignored; only Move events make the path, Down/Up split strokes.
 */
export function checkHumanRules(c: EventColumns, start = 0, end = c.tMs.length, settings: HumanRuleSettings = DEFAULT_HUMAN_RULES): HumanRuleResult {
  const s = settings;
  const mx: number[] = [], my: number[] = [], mt: number[] = [], strokeBreak: boolean[] = [];
  let pendingBreak = true;
  for (let i = start; i < end; i++) {
    const k = c.kind[i];
    if (k === EventKind.Move) {
      mx.push(c.x[i]); my.push(c.y[i]); mt.push(c.tMs[i]);
      strokeBreak.push(pendingBreak);
      pendingBreak = false;
    } else if (k === EventKind.Down || k === EventKind.Up) {
      pendingBreak = true;
    }
  }
  const n = mx.length;
  const stats: HumanRuleStats = { moves: n, teleports: 0, strokesJudged: 0, medianSpeedCv: NaN, straightFraction: NaN, periodicFraction: NaN, repeatFraction: NaN };
  const flags: HumanFlag[] = [];
  if (n < s.minMoves) return { flags: ['no-activity'], stats };

  // Teleports and interval regularity.
  const intervals: number[] = [];
  for (let i = 1; i < n; i++) {
    const dt = mt[i] - mt[i - 1];
    const d = Math.hypot(mx[i] - mx[i - 1], my[i] - my[i - 1]);
    if (d >= s.teleportMinPx && d / Math.max(dt, 1) >= s.teleportMinSpeedPxPerMs) stats.teleports++;
    if (dt > 0 && dt < s.strokeGapMs && d > 0) intervals.push(dt);
  }
  if (stats.teleports >= s.teleportMinCount) flags.push('teleport');
  if (n < s.minMovesToJudge) return { flags, stats };

  if (intervals.length >= s.minMovesToJudge / 2) {
    const med = percentile(intervals, 50);
    const close = intervals.filter((d) => Math.abs(d - med) <= s.periodicTolMs).length;
    stats.periodicFraction = close / intervals.length;
    if (stats.periodicFraction >= s.periodicMinFraction) flags.push('periodic-timing');
  }

  // Strokes: split at pauses, button changes and teleports.
  const cvs: number[] = [];
  let straight = 0;
  let a = 0;
  const closeStroke = (from: number, to: number) => {
    // moves from..to-1
    const m = to - from;
    if (m < s.strokeMinMoves) return;
    let path = 0;
    const speeds: number[] = [];
    for (let i = from + 1; i < to; i++) {
      const d = Math.hypot(mx[i] - mx[i - 1], my[i] - my[i - 1]);
      path += d;
      const dt = mt[i] - mt[i - 1];
      if (dt > 0) speeds.push(d / dt);
    }
    if (path < s.strokeMinPx) return;
    stats.strokesJudged++;
    const chord = Math.hypot(mx[to - 1] - mx[from], my[to - 1] - my[from]);
    if (chord / path >= s.straightMin) straight++;
    // The first and last samples of a stroke are often partial intervals; judge the middle.
    const mid = speeds.length > 4 ? speeds.slice(1, -1) : speeds;
    if (mid.length >= 3) {
      const mean = mid.reduce((p, v) => p + v, 0) / mid.length;
      const sd = Math.sqrt(mid.reduce((p, v) => p + (v - mean) ** 2, 0) / mid.length);
      if (mean > 0) cvs.push(sd / mean);
    }
  };
  for (let i = 1; i <= n; i++) {
    const brk = i === n || strokeBreak[i] || mt[i] - mt[i - 1] > s.strokeGapMs;
    if (brk) { closeStroke(a, i); a = i; }
  }
  if (stats.strokesJudged > 0) {
    stats.straightFraction = straight / stats.strokesJudged;
    if (stats.straightFraction >= s.straightMinFraction) flags.push('straight-path');
  }
  if (cvs.length > 0) {
    stats.medianSpeedCv = percentile(cvs, 50);
    if (stats.medianSpeedCv < s.constantSpeedMaxCv) flags.push('constant-speed');
  }

  // Exact repetition of 4-point runs (ignoring runs where the pointer stands still).
  const pk = mx.map((x, j) => `${Math.round(x)},${Math.round(my[j])}`); // each point's key, once
  const seen = new Set<string>();
  let grams = 0, repeats = 0;
  for (let i = 3; i < n; i++) {
    const pts = pk.slice(i - 3, i + 1);
    if (pts[0] === pts[3] && pts[1] === pts[2]) continue;
    const key = pts.join(';');
    grams++;
    if (seen.has(key)) repeats++; else seen.add(key);
  }
  if (grams >= s.minMovesToJudge) {
    stats.repeatFraction = repeats / grams;
    if (stats.repeatFraction >= s.repeatMinFraction) flags.push('periodic-path');
  }
  return { flags, stats };
}
