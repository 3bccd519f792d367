/**
 * `node --import tsx scripts/bench/explore-small-enrolment.ts [--seed 42] [--seeds 3] [--out bench-results/small-enrolment-choices.json]`
 *
 * What limits a verifier trained on three minutes of a person's movement, judged on validation only
 * (test sessions are never loaded): per account, its first 180 s of training windows (sessions other
 * than its last) against others' windows, as the bench's `smallEnrolment` and the app's enrolment do;
 * genuine = pseudo-sessions of 5 consecutive windows of the account's held-out last training session,
 * impostor = the other users' held-out last sessions claimed as it.
 *
 * Candidates: how many windows of others (300 = the shipped background set's size; 1,000; 3,000), the
 * MLP's size (the default 256/128; 128; 64; 32; 64/32; none = logistic regression), and three window scores: the
 * classifier's P(person), gated by closeness (the app's rule), and closeness alone (a one-class
 * model of the person, no others at all).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ensureBalabit } from '../lib/balabit-cache';
import { createContext, featureSet, round, trainValItems, windowItems, type Item } from './lib/context';
import { lastTrainingSession, ownFirstMinutes } from './lib/exploreValidation';
import { PROFILES } from './lib/profiles';
import { selectBackend } from './lib/tfnode';
import { defaultFeatureSpec, predictFeatureProba } from '../../src/ml/featureModel';
import { closeness, fitCloseness, gatedScore } from '../../src/core/closeness';
import { fuseWindows } from '../../src/core/fusion';
import { auc } from '../../src/core/metrics';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const PSEUDO_SESSION_WINDOWS = 5;
const PSEUDO_SESSIONS_PER_USER = 20;

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
  const seed0 = Number(arg('--seed', '42'));
  const seeds = Array.from({ length: Number(arg('--seeds', '3')) }, (_, i) => seed0 + i);
  const out = resolve(arg('--out', 'bench-results/small-enrolment-choices.json'));
  const data = ensureBalabit();
  if ('skipReason' in data) throw new Error(data.skipReason);
  const be = await selectBackend('wasm');
  const profile = { ...PROFILES.quick, slice: { maxTestSessionsPerUser: 0 } };
  const ctx = await createContext({ root: data.root, profile, seed: seed0, log: () => {} }, be.backend);
  const { users } = ctx;
  const idx = new Map(users.map((u, i) => [u, i]));
  const budgetMs = profile.smallEnrolmentSeconds * 1000;
  const pseudo = new Map(users.map((u) => {
    const all = windowItems(lastTrainingSession(ctx, u), 0);
    const chunks: Item[][] = [];
    for (let at = 0; at + PSEUDO_SESSION_WINDOWS <= all.length && chunks.length < PSEUDO_SESSIONS_PER_USER; at += PSEUDO_SESSION_WINDOWS) chunks.push(all.slice(at, at + PSEUDO_SESSION_WINDOWS));
    return [u, chunks];
  }));
  const rows = [];
  for (const seed of seeds) {
    for (const c of CANDIDATES) {
      const perOther = Math.ceil(c.othersWindows / (users.length - 1));
      const { train: others, val: othersVal } = trainValItems(ctx.sessions, users, (u) => idx.get(u)!, profile, perOther);
      const spec = { ...defaultFeatureSpec(2), ...profile.featureModel, hidden: c.hidden, numClasses: 2 };
      const scores = { classifier: [] as number[], gated: [] as number[], closenessOnly: [] as number[] };
      const genuine: boolean[] = [];
      for (const u of users) {
        const ui = idx.get(u)!;
        const own = ownFirstMinutes(ctx, u, budgetMs, 1);
        const cut = Math.max(1, Math.floor(own.length * 0.8));
        const ownTr = own.slice(0, cut), ownVa = own.slice(cut);
        const negTr = others.filter((it) => it.label !== ui).map((it) => ({ ...it, label: 0 }));
        const negVa = othersVal.filter((it) => it.label !== ui).map((it) => ({ ...it, label: 0 }));
        const r = await ctx.trainMlp('explore-small-enrolment', spec, featureSet([...ownTr, ...negTr]), featureSet([...ownVa, ...negVa]), seed);
        const gate = fitCloseness(ownTr.map((it) => it.feat), [...ownTr, ...negTr].map((it) => it.feat));
        for (const v of users) {
          for (const ps of pseudo.get(v)!) {
            const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(ps));
            const p = ps.map((_, i) => proba[i * 2 + 1]), cl = ps.map((it) => closeness(gate, it.feat));
            scores.classifier.push(fuseWindows(p).fusedScore);
            scores.gated.push(fuseWindows(p.map((x, i) => gatedScore(x, cl[i]))).fusedScore);
            scores.closenessOnly.push(fuseWindows(cl).fusedScore);
            genuine.push(v === u);
          }
        }
        r.model.dispose();
      }
      const row = { seed, ...c, claims: genuine.length, validationAuc: Object.fromEntries(Object.entries(scores).map(([k, s]) => [k, round(auc(s, genuine))])) };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ benchmark: 'small-enrolment-choices', date: new Date().toISOString(), seeds, how: 'validation pseudo-sessions from training_files only (see scripts/bench/explore-small-enrolment.ts); test sessions not loaded', rows }, null, 2));
  console.log(`written ${out}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
