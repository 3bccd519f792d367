/**
 * "Other days" for a person who enrolled in one sitting, borrowed from people who recorded many.
 *
 * Why: an enrolment of a few minutes shows how a person moves in that session, not how their movement
 * shifts from one day to the next; a classifier trained on it learns the session. The background's
 * people show how much a session's mean moves away from its person's mean. Each such shift (a session
 * offset, on a log scale, since speeds and durations drift by factors) is added to copies of the
 * person's windows: training rows that look like the person on another day.
 * Tried for the small enrolment (`explore-gaussian-enrolment.ts --drift 3,10` →
 * bench-results/drift-enrolment-choices.json): it lowered validation AUC, so the app does not use it;
 * it stays here, with the exploration, as the record of what was measured. Pure: no DOM, no tfjs.
 */
import type { Rng } from '../../../src/core/random';

/** How offsets are measured: per-feature divisors s, values compared as log1p(x / s). */
export interface DriftScale {
  scale: number[];
}

const logOf = (s: DriftScale, x: number, j: number) => Math.log1p((Number.isFinite(x) ? Math.max(0, x) : 0) / s.scale[j]);
const unlog = (s: DriftScale, v: number, j: number) => Math.max(0, s.scale[j] * Math.expm1(v));

/** Per-feature 90th percentile of the rows (1 where that is 0): the scale offsets are measured on. */
export function fitDriftScale(rows: readonly ArrayLike<number>[]): DriftScale {
  if (!rows.length) throw new Error('fitDriftScale: needs rows');
  const d = rows[0].length, scale: number[] = [];
  for (let j = 0; j < d; j++) {
    const col = rows.map((r) => (Number.isFinite(r[j]) ? Math.max(0, r[j]) : 0)).sort((a, b) => a - b);
    const q = col[Math.min(col.length - 1, Math.floor(0.9 * (col.length - 1)))];
    scale.push(q > 0 ? q : col[col.length - 1] > 0 ? col[col.length - 1] : 1);
  }
  return { scale };
}

/**
 * Session offsets: for each (person, session) with at least `minWindows` rows, the mean of the session's
 * logged rows minus the mean of that person's session means (each session counts once).
 * `people[i]` and `sessions[i]` say who made row i and in which session.
 */
export function sessionOffsets(
  s: DriftScale, rows: readonly ArrayLike<number>[], people: readonly string[], sessions: readonly string[], minWindows = 3,
): number[][] {
  if (rows.length !== people.length || rows.length !== sessions.length) throw new Error('sessionOffsets: one person and one session per row');
  const d = s.scale.length;
  const bySession = new Map<string, { person: string; sum: Float64Array; n: number }>();
  rows.forEach((r, i) => {
    const key = `${people[i]}\u0000${sessions[i]}`;
    let e = bySession.get(key);
    if (!e) bySession.set(key, (e = { person: people[i], sum: new Float64Array(d), n: 0 }));
    for (let j = 0; j < d; j++) e.sum[j] += logOf(s, r[j], j);
    e.n++;
  });
  const means = new Map<string, number[][]>();
  for (const e of bySession.values()) {
    if (e.n < minWindows) continue;
    const m = Array.from(e.sum, (v) => v / e.n);
    (means.get(e.person) ?? means.set(e.person, []).get(e.person)!).push(m);
  }
  const out: number[][] = [];
  for (const ms of means.values()) {
    if (ms.length < 2) continue; // one session shows no drift
    const centre = new Array<number>(d).fill(0);
    for (const m of ms) for (let j = 0; j < d; j++) centre[j] += m[j] / ms.length;
    for (const m of ms) out.push(m.map((v, j) => v - centre[j]));
  }
  return out;
}

/** `row` as if recorded on a session shifted by `offset` (on the drift scale). */
export function shiftRow(s: DriftScale, row: ArrayLike<number>, offset: readonly number[]): Float32Array {
  const out = new Float32Array(row.length);
  for (let j = 0; j < row.length; j++) out[j] = unlog(s, logOf(s, row[j], j) + offset[j], j);
  return out;
}

/**
 * `copies` shifted copies of the person's rows: copy c of the whole enrolment gets one random offset
 * (a whole other day), so the copies keep the enrolment's own spread. Empty if there are no offsets.
 */
export function driftCopies(s: DriftScale, own: readonly ArrayLike<number>[], offsets: readonly number[][], copies: number, rng: Rng): Float32Array[] {
  if (!offsets.length || copies <= 0) return [];
  const out: Float32Array[] = [];
  for (let c = 0; c < copies; c++) {
    const off = offsets[Math.floor(rng() * offsets.length)];
    for (const r of own) out.push(shiftRow(s, r, off));
  }
  return out;
}
