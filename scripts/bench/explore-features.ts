/**
 * `node --import tsx scripts/bench/explore-features.ts [--out bench-results/feature-choices.json]`
 * `node --import tsx scripts/bench/explore-features.ts --profile-model [--seed 42] [--out ...]`
 * `node --import tsx scripts/bench/explore-features.ts --train-sizes [--out bench-results/feature-train-size.json]`
 *
 * The choices behind the feature branch, made on validation only: for each candidate (window size,
 * MLP size, dropout), a multi-class feature MLP is trained on Balabit training_files windows and scored
 * on validation pseudo-sessions (each user's held-out training session, cut into chunks of 20 windows,
 * each chunk claimed as every account). Test sessions are never loaded.
 *
 * `--train-sizes`: the default MLP with 500 (the CNN's budget), 1000, 2000 and 4000 training windows
 * per user (features are cheap; images are what limits the CNN to 500), the same validation windows.
 * `--profile-model`: only the quick profile's feature branch as the bench trains it (its MLP, its
 * windows per user): how a change of the features themselves moves validation. Since stop 19 it also
 * reports the gate's forms (`gatedValidationAuc`, see `gatedVariants`); `--seed N` (default 42).
 */
import { resolve } from 'node:path';
import { writeChoices } from './lib/exploreValidation';
import { ensureBalabit } from '../lib/balabit-cache';
import { featureSet, createContext, round, trainValItems } from './lib/context';
import { PROFILES } from './lib/profiles';
import { selectBackend } from './lib/tfnode';
import { claimsAuc, validationClaims } from './lib/verify';
import { defaultFeatureSpec, predictFeatureProba } from '../../src/ml/featureModel';
import { closeness, fitCloseness, gatedScore } from '../../src/core/closeness';
import { fuseWindows } from '../../src/core/fusion';
import { auc } from '../../src/core/metrics';
import type { Item } from './lib/context';
import { gatedAgainstRival, rivalOfGated, strongestOther } from './lib/rival';

/**
 * Stop 19, `--profile-model` only: the challenge's validation under window scores for the claimed account c,
 * gated by closeness as the bench's verifier is (g = min(P(c), closeness)): the gated probability (the
 * bench's rule), and two comparisons with the strongest other account m = max P(j ≠ c):
 * `rivalOfGated` g / (g + m(1 − g)/(1 − P(c))) (equals g for two classes) and `marginGated` g / (g + m).
 */
function gatedVariants(train: readonly Item[], val: readonly Item[], proba: Float32Array, k: number, chunk: number) {
  const gates = Array.from({ length: k }, (_, u) => fitCloseness(train.filter((it) => it.label === u).map((it) => it.feat), train.map((it) => it.feat)));
  const rules = {
    gated: (g: number) => g,
    rivalOfGated,
    marginGated: (g: number, _p: number, m: number) => gatedAgainstRival(g, m),
  };
  const out: Record<string, number> = {};
  const byUser = new Map<number, number[]>();
  val.forEach((it, i) => { let a = byUser.get(it.label); if (!a) byUser.set(it.label, (a = [])); a.push(i); });
  for (const [name, rule] of Object.entries(rules)) {
    for (const n of [chunk, 1]) {
      const sc: number[] = [], gen: boolean[] = [];
      for (const [u, idx] of byUser) for (let at = 0; at < idx.length; at += n) {
        const part = idx.slice(at, at + n);
        for (let c = 0; c < k; c++) {
          sc.push(fuseWindows(part.map((i) => {
            const p = proba[i * k + c];
            return rule(gatedScore(p, closeness(gates[c], val[i].feat)), p, strongestOther(proba, i, k, c));
          })).fusedScore);
          gen.push(c === u);
        }
      }
      out[`${name}${n === 1 ? 'Window' : 'PseudoSession'}`] = round(auc(sc, gen));
    }
  }
  return out;
}

/** `--seed N` (default 42): the context's split and the MLP's initialisation. */
const SEED = process.argv.includes('--seed') ? Number(process.argv[process.argv.indexOf('--seed') + 1]) : 42;

async function main() {
  const outArg = process.argv.indexOf('--out');
  const sizes = process.argv.includes('--train-sizes');
  const out = resolve(outArg > 0 ? process.argv[outArg + 1] : sizes ? 'bench-results/feature-train-size.json' : 'bench-results/feature-choices.json');
  const data = ensureBalabit();
  if ('skipReason' in data) throw new Error(data.skipReason);
  const be = await selectBackend('wasm');
  const asProfile = process.argv.includes('--profile-model');
  const quickSpec = { ...defaultFeatureSpec(10), ...PROFILES.quick.featureModel };
  const candidates: { eventsPerWindow: number; hidden: number[]; dropout: number; l2?: number; trainWindowsPerUser?: number }[] = asProfile
    ? [{ eventsPerWindow: 100, hidden: quickSpec.hidden, dropout: quickSpec.dropout, trainWindowsPerUser: PROFILES.quick.featureTrainWindowsPerUser }]
    : sizes
    ? [500, 1000, 2000, 4000].map((n) => ({ eventsPerWindow: 100, hidden: [128, 64], dropout: 0.2, trainWindowsPerUser: n }))
    : [
    { eventsPerWindow: 100, hidden: [128, 64], dropout: 0.2 },
    { eventsPerWindow: 100, hidden: [64], dropout: 0.2 },
    { eventsPerWindow: 100, hidden: [256, 128], dropout: 0.3 },
    { eventsPerWindow: 100, hidden: [128, 64], dropout: 0 },
    { eventsPerWindow: 100, hidden: [128, 64], dropout: 0.2, l2: 0 },
    { eventsPerWindow: 200, hidden: [128, 64], dropout: 0.2 },
    { eventsPerWindow: 50, hidden: [128, 64], dropout: 0.2 },
  ];
  const rows = [];
  let ctx = null as Awaited<ReturnType<typeof createContext>> | null;
  let loadedFor = 0;
  for (const c of candidates) {
    // Only the training files are needed: no test session is loaded (slice of 0 test sessions per user).
    const profile = { ...PROFILES.quick, eventsPerWindow: c.eventsPerWindow, slice: { maxTestSessionsPerUser: 0 } };
    if (!ctx || loadedFor !== c.eventsPerWindow) { ctx = await createContext({ root: data.root, profile, seed: SEED, log: () => {} }, be.backend); loadedFor = c.eventsPerWindow; }
    const users = ctx.users;
    const idx = new Map(users.map((u, i) => [u, i]));
    // Same amount of movement per user whatever the window size.
    const perUser = c.trainWindowsPerUser ?? Math.round((PROFILES.quick.maxTrainWindowsPerUser * 100) / c.eventsPerWindow);
    const { train, val } = trainValItems(ctx.sessions, users, (u) => idx.get(u)!, { ...profile, maxValWindowsPerUser: Math.round((profile.maxValWindowsPerUser * 100) / c.eventsPerWindow) }, perUser);
    const spec = { ...defaultFeatureSpec(users.length), hidden: c.hidden, dropout: c.dropout, ...(c.l2 !== undefined ? { l2: c.l2 } : {}) };
    const r = await ctx.trainMlp(`explore`, spec, featureSet(train), featureSet(val), SEED);
    const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(val));
    // Pseudo-sessions of the same duration: 20 windows of 100 events.
    const chunk = Math.max(1, Math.round((20 * 100) / c.eventsPerWindow));
    const a = claimsAuc(validationClaims(val.map((v) => v.label), proba, null, users.length, chunk), 1);
    // Single windows: the pseudo-session figure saturates near 1, the window figure still discriminates.
    const aw = claimsAuc(validationClaims(val.map((v) => v.label), proba, null, users.length, 1), 1);
    r.model.dispose();
    const row = { ...c, trainWindows: train.length, valWindows: val.length, epochs: r.history.length, validationPseudoSessionAuc: round(a), validationWindowAuc: round(aw), ...(asProfile ? { gatedValidationAuc: gatedVariants(train, val, proba, users.length, chunk) } : {}) };
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  writeChoices(out, sizes ? 'feature-train-size' : 'feature-choices', { seed: SEED, how: 'validation pseudo-sessions from training_files only; test sessions not loaded', rows });
}
main().catch((e) => { console.error(e); process.exit(1); });
