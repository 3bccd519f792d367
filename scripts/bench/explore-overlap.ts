/**
 * `node --import tsx scripts/bench/explore-overlap.ts [--seed 42] [--seeds 3] [--out bench-results/overlap-choices.json]`
 *
 * Half-overlapping windows, judged on validation only (test sessions are never loaded). Balabit's test
 * sessions are short (708 of 816 have ≥ 5 windows of 100 events, 150 have ≥ 20), so a session's score
 * rests on few windows. Between two consecutive windows of a session lies a third that shares half of
 * each (events [mid of one, mid of the next)). Adding those gives (a) more training windows from the
 * same movement, (b) about twice as many, correlated, windows to average per session.
 *
 * Two settings, each with and without shifted windows in training and in scoring:
 *  - `challenge`: the 10-class feature MLP (1,000 windows per user), genuine/impostor claims on each
 *    user's held-out last training session cut into pseudo-sessions of 5 and 20 windows;
 *  - `smallEnrolment`: per account, its first 180 s vs 300 windows of the others, with the enrolment
 *    MLP (`enrolmentFeatureSpec`), as the bench's small enrolment and the app do; the
 *    same pseudo-sessions of its held-out last session vs the other users' claimed as it; also with
 *    quarter-shifted windows (three per pair of windows instead of one).
 * Uses the app's `shiftedWindows` (core/segment) through the bench's `shiftedItems`.
 */
import { resolve } from 'node:path';
import { featureSet, round, shiftedItems, trainValItems, windowItems, type FeatSession, type Item } from './lib/context';
import { cliArg, cliSeeds, lastTrainingSession, trainingFilesContext, ownFirstMinutes, writeChoices } from './lib/exploreValidation';
import { defaultFeatureSpec, enrolmentFeatureSpec, predictFeatureProba } from '../../src/ml/featureModel';
import { fuseWindows } from '../../src/core/fusion';
import { auc } from '../../src/core/metrics';


/** The candidates: half-shifted (one window per pair) and quarter-shifted (three per pair). */
const SHIFT_SETS = [[0.5], [0.25, 0.5, 0.75]];
let SHIFTS = SHIFT_SETS[0];
let IDLE_GAP_MS = 5000;

/** Pseudo-sessions: runs of n consecutive windows, each with the shifted windows between them. */
function pseudoSessions(s: FeatSession, label: number, n: number, max: number) {
  const all = windowItems(s, label), sh = shiftedItems([s], all, IDLE_GAP_MS, SHIFTS);
  const out: { plain: Item[]; overlapped: Item[] }[] = [];
  for (let at = 0; at + n <= all.length && out.length < max; at += n) {
    const plain = all.slice(at, at + n);
    const inside = new Set(plain.map((it) => it.order));
    out.push({ plain, overlapped: [...plain, ...sh.filter((it) => inside.has(Math.floor(it.order)) && inside.has(Math.floor(it.order) + 1))].sort((a, b) => a.order - b.order) });
  }
  return out;
}

async function main() {
  const seeds = cliSeeds(1);
  const out = resolve(cliArg('--out', 'bench-results/overlap-choices.json'));
  const { ctx, profile } = await trainingFilesContext(seeds[0]);
  const { users } = ctx;
  const idx = new Map(users.map((u, i) => [u, i]));
  const lastSession = (u: string) => lastTrainingSession(ctx, u);
  IDLE_GAP_MS = ctx.ws.idleGapMs;
  const withShifted = (items: Item[]) => [...items, ...shiftedItems(ctx.sessions, items, IDLE_GAP_MS, SHIFTS)];
  const rows: unknown[] = [];
  const report = (row: Record<string, unknown>) => { console.log(JSON.stringify(row)); rows.push(row); };
  for (const seed of seeds) {

    // 1. The challenge's 10-class feature MLP (half-shifted windows only).
    SHIFTS = SHIFT_SETS[0];
    {
      // 1,000 per user: the quick profile's size when this was measured (overlap-choices.json); 2,000 since stop 13.
      const { train, val } = trainValItems(ctx.sessions, users, (u) => idx.get(u)!, profile, 1000);
      const k = users.length;
      const spec = { ...defaultFeatureSpec(k), ...profile.featureModel, numClasses: k };
      for (const trainShifted of [false, true]) {
        const tr = trainShifted ? withShifted(train) : train;
        const r = await ctx.trainMlp('explore-overlap', spec, featureSet(tr), featureSet(val), seed);
        for (const n of [5, 20]) {
          const sc: Record<'plain' | 'overlapped', number[]> = { plain: [], overlapped: [] };
          const genuine: boolean[] = [];
          for (const u of users) {
            for (const ps of pseudoSessions(lastSession(u), idx.get(u)!, n, 40)) {
              for (const kind of ['plain', 'overlapped'] as const) {
                const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(ps[kind]));
                for (let c = 0; c < k; c++) sc[kind].push(fuseWindows(ps[kind].map((_, i) => proba[i * k + c])).fusedScore);
              }
              for (let c = 0; c < k; c++) genuine.push(c === idx.get(u));
            }
          }
          report({ seed, setting: 'challenge', shifts: SHIFTS, trainWindows: tr.length, trainShifted, windowsPerPseudoSession: n, claims: genuine.length, validationAuc: { scoredPlain: round(auc(sc.plain, genuine)), scoredWithShifted: round(auc(sc.overlapped, genuine)) } });
        }
        r.model.dispose();
      }
    }

    // 2. Small enrolment, per account (the app's enrolment), 180 s of own movement vs 300 windows of others.
    {
      const budgetMs = profile.smallEnrolmentSeconds * 1000;
      const perOther = Math.ceil(profile.smallEnrolmentOthersWindows / (users.length - 1));
      const { train: others, val: othersVal } = trainValItems(ctx.sessions, users, (u) => idx.get(u)!, profile, perOther);
      const spec = enrolmentFeatureSpec();
      for (const [trainShifted, shifts] of [[false, SHIFT_SETS[0]], ...SHIFT_SETS.map((x) => [true, x])] as [boolean, number[]][]) {
        SHIFTS = shifts;
        const sc: Record<'plain' | 'overlapped', number[]> = { plain: [], overlapped: [] };
        const genuine: boolean[] = [];
        let ownWindows = 0;
        for (const u of users) {
          const ui = idx.get(u)!;
          const own = ownFirstMinutes(ctx, u, budgetMs, 1);
          const cut = Math.max(1, Math.floor(own.length * 0.8));
          const ownTr = trainShifted ? withShifted(own.slice(0, cut)) : own.slice(0, cut), ownVa = own.slice(cut);
          const negTr0 = others.filter((it) => it.label !== ui).map((it) => ({ ...it, label: 0 }));
          const negTr = trainShifted ? withShifted(negTr0) : negTr0;
          const negVa = othersVal.filter((it) => it.label !== ui).map((it) => ({ ...it, label: 0 }));
          ownWindows += ownTr.length;
          const r = await ctx.trainMlp('explore-overlap-small', spec, featureSet([...ownTr, ...negTr]), featureSet([...ownVa, ...negVa]), seed);
          for (const v of users) {
            for (const ps of pseudoSessions(lastSession(v), 0, 5, 20)) {
              for (const kind of ['plain', 'overlapped'] as const) {
                const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(ps[kind]));
                sc[kind].push(fuseWindows(ps[kind].map((_, i) => proba[i * 2 + 1])).fusedScore);
              }
              genuine.push(v === u);
            }
          }
          r.model.dispose();
        }
        report({ seed, setting: 'smallEnrolment', shifts: SHIFTS, trainShifted, ownTrainWindowsAllAccounts: ownWindows, windowsPerPseudoSession: 5, claims: genuine.length, validationAuc: { scoredPlain: round(auc(sc.plain, genuine)), scoredWithShifted: round(auc(sc.overlapped, genuine)) } });
      }
    }
  }
  writeChoices(out, 'overlap-choices', { seeds, how: 'validation pseudo-sessions from training_files only (see scripts/bench/explore-overlap.ts); test sessions not loaded', rows });
}
main().catch((e) => { console.error(e); process.exit(1); });
