/**
 * `node --import tsx scripts/bench/explore-small-enrolment.ts [--seed 42] [--seeds 3] [--out bench-results/small-enrolment-choices.json]`
 *
 * What limits a verifier trained on three minutes of a person's movement, judged on validation only
 * (test sessions are never loaded): per account, its first 180 s of training windows (sessions other
 * than its last) against others' windows, as the bench's `smallEnrolment` and the app's enrolment do;
 * impostor = pseudo-sessions of 5 consecutive windows of the other users' held-out last training
 * sessions, claimed as it. Genuine, two ways (both reported):
 *  - `lastSession`: pseudo-sessions of the account's own held-out last session (the first design; one
 *    session per account, so it measures little of how a person varies between sessions);
 *  - `allSessions` (added after the quick run showed no test gain for the first choice, and used for the
 *    choice since): pseudo-sessions of every training session of the account, minus the windows its
 *    model trained or stopped on (at most 10 per session, spread over it): 5–7 sessions per account.
 *
 * Candidates: how many windows of others (300 = the shipped background set's size; 1,000; 3,000), the
 * MLP's size (the default 256/128; 128; 64; 32; 64/32; none = logistic regression), and three window scores: the
 * classifier's P(person), gated by closeness (the app's rule), and closeness alone (a one-class
 * model of the person, no others at all).
 */
import { resolve } from 'node:path';
import { featureSet, round, trainValItems, windowItems, type Item } from './lib/context';
import { chunksOf, cliArg, cliSeeds, lastTrainingSession, trainingFilesContext, ownFirstMinutes, writeChoices } from './lib/exploreValidation';
import { defaultFeatureSpec, predictFeatureProba } from '../../src/ml/featureModel';
import { closeness, fitCloseness, gatedScore } from '../../src/core/closeness';
import { fuseWindows } from '../../src/core/fusion';
import { auc } from '../../src/core/metrics';
import { hashSeed, mulberry32, shuffleInPlace } from '../../src/core/random';

const PSEUDO_SESSION_WINDOWS = 5;
const PSEUDO_SESSIONS_PER_USER = 20;
const GENUINE_PSEUDO_SESSIONS_PER_SESSION = 10;
const SMALL_OTHERS = 300;
const OPEN_SET_FOLDS = 3;
const OPEN_SET_CANDIDATES = [[256, 128], [128], [64, 32], [64]];


const CANDIDATES: { othersWindows: number; hidden: number[] }[] = [
  { othersWindows: 300, hidden: [256, 128] },
  { othersWindows: 1000, hidden: [256, 128] },
  { othersWindows: 3000, hidden: [256, 128] },
  { othersWindows: 300, hidden: [128] },
  { othersWindows: 300, hidden: [64] },
  { othersWindows: 300, hidden: [32] },
  { othersWindows: 300, hidden: [64, 32] },
  { othersWindows: 300, hidden: [] },
  { othersWindows: 3000, hidden: [64] },
];

async function main() {
  const seeds = cliSeeds(3);
  const out = resolve(cliArg('--out', 'bench-results/small-enrolment-choices.json'));
  const { ctx, profile } = await trainingFilesContext(seeds[0]);
  const { users } = ctx;
  const idx = new Map(users.map((u, i) => [u, i]));
  const budgetMs = profile.smallEnrolmentSeconds * 1000;
  const pseudo = new Map(users.map((u) => {
    const all = windowItems(lastTrainingSession(ctx, u), 0);
    const chunks: Item[][] = [];
    for (let at = 0; at + PSEUDO_SESSION_WINDOWS <= all.length && chunks.length < PSEUDO_SESSIONS_PER_USER; at += PSEUDO_SESSION_WINDOWS) chunks.push(all.slice(at, at + PSEUDO_SESSION_WINDOWS));
    return [u, chunks];
  }));
  // Genuine, widened: every training session of the account, without its enrolment windows.
  const genuineAll = new Map(users.map((u) => {
    const used = new Set(ownFirstMinutes(ctx, u, budgetMs, 1).map((it) => `${it.sessionId}#${it.order}`));
    const chunks = ctx.sessions.filter((x) => x.part === 'train' && x.user === u)
      .flatMap((x) => chunksOf(windowItems(x, 0).filter((it) => !used.has(`${it.sessionId}#${it.order}`)), PSEUDO_SESSION_WINDOWS, GENUINE_PSEUDO_SESSIONS_PER_SESSION));
    return [u, chunks];
  }));
  const rows = [];
  for (const seed of seeds) {
    for (const c of CANDIDATES) {
      const perOther = Math.ceil(c.othersWindows / (users.length - 1));
      const { train: others, val: othersVal } = trainValItems(ctx.sessions, users, (u) => idx.get(u)!, profile, perOther);
      const spec = { ...defaultFeatureSpec(2), ...profile.featureModel, hidden: c.hidden, numClasses: 2 };
      type Trial = { classifier: number; gated: number; closenessOnly: number; genuine: boolean; design: 'lastSession' | 'allSessions' | 'impostor' };
      const trials: Trial[] = [];
      for (const u of users) {
        const ui = idx.get(u)!;
        const own = ownFirstMinutes(ctx, u, budgetMs, 1);
        const cut = Math.max(1, Math.floor(own.length * 0.8));
        const ownTr = own.slice(0, cut), ownVa = own.slice(cut);
        const negTr = others.filter((it) => it.label !== ui).map((it) => ({ ...it, label: 0 }));
        const negVa = othersVal.filter((it) => it.label !== ui).map((it) => ({ ...it, label: 0 }));
        const r = await ctx.trainMlp('explore-small-enrolment', spec, featureSet([...ownTr, ...negTr]), featureSet([...ownVa, ...negVa]), seed);
        const gate = fitCloseness(ownTr.map((it) => it.feat), [...ownTr, ...negTr].map((it) => it.feat));
        const score = async (ps: Item[], design: Trial['design']) => {
          const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(ps));
          const p = ps.map((_, i) => proba[i * 2 + 1]), cl = ps.map((it) => closeness(gate, it.feat));
          trials.push({
            classifier: fuseWindows(p).fusedScore, gated: fuseWindows(p.map((x, i) => gatedScore(x, cl[i]))).fusedScore,
            closenessOnly: fuseWindows(cl).fusedScore, genuine: design !== 'impostor', design,
          });
        };
        for (const v of users) for (const ps of pseudo.get(v)!) await score(ps, v === u ? 'lastSession' : 'impostor');
        for (const ps of genuineAll.get(u)!) await score(ps, 'allSessions');
        r.model.dispose();
      }
      const aucs = (design: 'lastSession' | 'allSessions') => {
        const t = trials.filter((x) => x.design === design || x.design === 'impostor');
        const of = (k: 'classifier' | 'gated' | 'closenessOnly') => round(auc(t.map((x) => x[k]), t.map((x) => x.genuine)));
        return { genuine: t.filter((x) => x.genuine).length, impostor: t.filter((x) => !x.genuine).length, classifier: of('classifier'), gated: of('gated'), closenessOnly: of('closenessOnly') };
      };
      const row = { seed, ...c, validationAuc: aucs('lastSession'), validationAucAllSessions: aucs('allSessions') };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  // Impostors the model never saw (the app's case: strangers, not the background set's people). Per
  // account, the 9 other users in 3 folds; per fold, a model against the other 6 users' windows (300 in
  // all) and impostors from the held-out 3 users' last sessions; genuine as `allSessions`.
  const openRows = [];
  for (const seed of seeds) {
    for (const hidden of OPEN_SET_CANDIDATES) {
      const spec = { ...defaultFeatureSpec(2), ...profile.featureModel, hidden, numClasses: 2 };
      const sc: number[] = [], genuine: boolean[] = [];
      for (const u of users) {
        const own = ownFirstMinutes(ctx, u, budgetMs, 1);
        const cut = Math.max(1, Math.floor(own.length * 0.8));
        const ownTr = own.slice(0, cut), ownVa = own.slice(cut);
        const rest = shuffleInPlace(users.filter((x) => x !== u), mulberry32(hashSeed(`small-enrolment-open-${u}`, seed)));
        for (let f = 0; f < OPEN_SET_FOLDS; f++) {
          const out = rest.filter((_, i) => i % OPEN_SET_FOLDS === f), known = rest.filter((x) => !out.includes(x));
          const { train: negTr0, val: negVa0 } = trainValItems(ctx.sessions, known, () => 0, profile, Math.ceil(SMALL_OTHERS / known.length));
          const r = await ctx.trainMlp('explore-small-enrolment-open', spec, featureSet([...ownTr, ...negTr0]), featureSet([...ownVa, ...negVa0]), seed);
          const gate = fitCloseness(ownTr.map((it) => it.feat), [...ownTr, ...negTr0].map((it) => it.feat));
          const trialsOf = [...genuineAll.get(u)!.map((ps) => [ps, true] as const), ...out.flatMap((v) => pseudo.get(v)!.map((ps) => [ps, false] as const))];
          for (const [ps, isGenuine] of trialsOf) {
            const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(ps));
            sc.push(fuseWindows(ps.map((it, i) => gatedScore(proba[i * 2 + 1], closeness(gate, it.feat)))).fusedScore);
            genuine.push(isGenuine);
          }
          r.model.dispose();
        }
      }
      const row = { seed, design: 'heldOutImpostors', othersWindows: SMALL_OTHERS, hidden, genuine: genuine.filter(Boolean).length, impostor: genuine.filter((x) => !x).length, validationAucGated: round(auc(sc, genuine)) };
      console.log(JSON.stringify(row));
      openRows.push(row);
    }
  }
  writeChoices(out, 'small-enrolment-choices', { seeds, how: 'validation pseudo-sessions from training_files only (see scripts/bench/explore-small-enrolment.ts); test sessions not loaded', rows, heldOutImpostors: openRows });
}
main().catch((e) => { console.error(e); process.exit(1); });
