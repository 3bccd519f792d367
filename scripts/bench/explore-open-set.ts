/**
 * `node --import tsx scripts/bench/explore-open-set.ts [--sizes 500,1000,2000] [--hidden '256,128'] [--seed 42] [--ensemble 1] [--chunk 20] [--head softmax,oneVsRest] [--label-smoothing 0,0.1] [--input-noise 0,0.3] [--out bench-results/open-set-choices.json]`
 * (`--hidden '256,128;128'`: MLP sizes to try, each at every size)
 *
 * The open set's choices, made on validation only (test sessions are never loaded). The open-set
 * protocol is rebuilt inside training_files: the same folds of users as `openSet` (same seed); per
 * fold a feature MLP on the known users' training sessions except each one's last; genuine
 * pseudo-sessions = 20 consecutive windows of a known user's held-out last session (the windows not
 * used for early stopping or calibration), claimed as that user; impostor pseudo-sessions = 20
 * consecutive windows of a held-out user's training sessions, claimed as every known account.
 *
 * Compared: training windows per user, the MLP's size; on the same models, the closeness gate, and how a session's
 * windows become its score — the mean clamped log-odds of P(claimed) (the bench until now), or the
 * app's evidence: per account, window scores Platt-calibrated on validation (the account's early-stopping
 * windows vs the other known users' claimed as it) and turned into clamped window LLRs (`windowLlr`),
 * averaged. The app already calibrates each profile that way; a pooled AUC over accounts rewards it.
 * Since stop 12 also: the enrolment's Gaussian branch per known account (`gaussian`, and
 * `gatedPlusGaussian` = the app's enrolment rule, core/gaussianVerifier `scoreWithGaussianBranch`),
 * and the gated log-odds standardised the same way without it (`logOddsGatedNormed`).
 * Since stop 14 also (tried, not adopted): scores from the network's pre-softmax outputs, which keep
 * how strongly a window looks like the claimed account whatever the others score (`logit`: the claimed
 * account's logit; `centredLogit`: minus the mean logit; `logitGated`: the logit capped at log closeness);
 * `--ensemble N`: the mean probability of N MLPs trained with different seeds (`ensembleGated`);
 * `--chunk N`: pseudo-sessions of N windows instead of 20 (test sessions mostly have 5–19).
 * Since stop 18 also: `--head softmax,oneVsRest`, one sigmoid per known account trained one-vs-rest instead of
 * the softmax, so a stranger need not give their probability to whoever they resemble.
 * Since stop 19 also (tried, not adopted; docs/benchmark.md): `--label-smoothing 0,0.1` and `--input-noise 0,0.3`
 * (training regularisers, FeatureModelSpec); other clamps of the session's log-odds; and the claimed account
 * against its strongest rival m = max P(j ≠ c) instead of against all the others, with the gate g = min(P(c),
 * closeness) in three places: `margin` (no gate), `rivalThenGate` min(P(c) / (P(c) + m), closeness),
 * `marginGated` g / (g + m) (a soft gate: at two classes g / (g + 1 − P)), `rivalOfGated` g / (g + s(1 − g)),
 * s = m / (1 − P(c)) (the gate's cut shared by the others as before; equals g at two classes), and the soft
 * gate alone on the log-odds, `softGate` g / (g + 1 − P(c)).
 */
import { resolve } from 'node:path';
import { featureSet, round, trainValItems, windowItems, type Item } from './lib/context';
import { cliArg, trainingFilesContext, writeChoices } from './lib/exploreValidation';
import { defaultFeatureSpec, predictFeatureProba } from '../../src/ml/featureModel';
import { closeness, fitCloseness, gatedScore } from '../../src/core/closeness';
import { fitPlatt, sigmoid, windowLlr } from '../../src/core/calibration';
import { clampedLogOdds, fuseWindows } from '../../src/core/fusion';
import { classifierZ, fitPerson, fitPopulation, fitScoreNorm, gaussianLlr, gaussianZ, scoreWithGaussianBranch } from '../../src/core/gaussianVerifier';
import { auc } from '../../src/core/metrics';
import { hashSeed, mulberry32, shuffleInPlace } from '../../src/core/random';
import { standardise } from '../../src/ml/featureModel';
import { tf } from './lib/tfnode';
import type { FeatureStandardiser } from '../../src/ml/featureModel';
import { rivalOfGated, softGate, strongestOther } from './lib/rival';

/** Pre-softmax outputs (count × k) of a trained MLP: its last dense layer without the softmax. Built once per model. */
function logitPredictor(model: tf.LayersModel, std: FeatureStandardiser) {
  const d = std.mean.length;
  const body = tf.model({ inputs: model.inputs, outputs: model.layers[model.layers.length - 2].output as tf.SymbolicTensor });
  const [w, b] = model.layers[model.layers.length - 1].getWeights();
  return async (set: { count: number; features: Float32Array }): Promise<Float32Array> => {
    const x = standardise(std, set.features, set.count);
    const z = tf.tidy(() => tf.add(tf.matMul(body.predict(tf.tensor2d(x, [set.count, d])) as tf.Tensor2D, w as tf.Tensor2D), b));
    const out = (await z.data()) as Float32Array;
    z.dispose();
    return out;
  };
}

const CHUNK = Number(cliArg('--chunk', '20'));
/** `--head softmax,oneVsRest`: the output layers to try; oneVsRest = one sigmoid per account (src/ml/featureModel `head`). */
const HEADS = cliArg('--head', 'softmax').split(',') as ('softmax' | 'oneVsRest')[];
const IMPOSTOR_CHUNKS_PER_USER = 15;
/** `--label-smoothing 0,0.1` / `--input-noise 0,0.3`: training regularisers to try (FeatureModelSpec; stop 19). */
const SMOOTHINGS = cliArg('--label-smoothing', '0').split(',').map(Number);
const NOISES = cliArg('--input-noise', '0').split(',').map(Number);
/** Other clamps of the window probabilities before the session's mean log-odds (the bench's is DEFAULT_FUSION.clampP = 0.01). */
const CLAMPS = [0.001, 0.003, 0.03, 0.1];
const clampKey = (c: number) => `logOddsGatedClamp${c}`;

function chunks(items: readonly Item[], n: number, max = Infinity): Item[][] {
  const out: Item[][] = [];
  for (let at = 0; at + n <= items.length && out.length < max; at += n) out.push(items.slice(at, at + n));
  return out;
}

async function main() {
  const sizes = cliArg('--sizes', '500,1000,2000').split(',').map(Number);
  const hiddens = cliArg('--hidden', '256,128').split(';').map((h) => (h.trim() ? h.split(',').map(Number) : []));
  const seed = Number(cliArg('--seed', '42'));
  const out = resolve(cliArg('--out', 'bench-results/open-set-choices.json'));
  const { ctx, profile } = await trainingFilesContext(seed);
  const { users } = ctx;
  const folds = Math.min(profile.openSetFolds, Math.floor(users.length / 2));
  const order = shuffleInPlace([...users], mulberry32(hashSeed('open-set', seed)));
  const ensemble = Number(cliArg('--ensemble', '1'));
  const variants = ['logit', 'logitGated', 'centredLogit', ...(ensemble > 1 ? ['ensembleGated' as const] : []), 'logOdds', 'logOddsGated', 'calibratedLlr', 'calibratedLlrGated', 'logOddsGatedNormed', 'gaussian', 'gatedPlusGaussian'] as const;
  type V = (typeof variants)[number] | `logOddsGatedClamp${number}` | 'marginGated' | 'rivalThenGate' | 'margin' | 'softGate' | 'rivalOfGated';
  const allVariants: V[] = [...variants, ...CLAMPS.map(clampKey) as V[], 'marginGated', 'rivalThenGate', 'margin', 'softGate', 'rivalOfGated'];
  const rows = [];
  for (const HEAD of HEADS) for (const hidden of hiddens) for (const perUser of sizes) for (const labelSmoothing of SMOOTHINGS) for (const inputNoise of NOISES) {
    const scores = Object.fromEntries(allVariants.map((v) => [v, [] as number[]])) as Record<V, number[]>;
    const impostor: boolean[] = [];
    const t0 = performance.now();
    for (let f = 0; f < folds; f++) {
      const outUsers = order.filter((_, i) => i % folds === f);
      const known = users.filter((u) => !outUsers.includes(u));
      const idx = new Map(known.map((u, i) => [u, i]));
      const { train, val } = trainValItems(ctx.sessions, known, (u) => idx.get(u)!, profile, perUser);
      const k = known.length;
      const spec = { ...defaultFeatureSpec(k), ...profile.featureModel, hidden, numClasses: k, head: HEAD, labelSmoothing, inputNoise };
      const r = await ctx.trainMlp(`explore-open-set-${perUser}-fold${f + 1}`, spec, featureSet(train), featureSet(val), seed);
      // More members for the ensemble variant (seeds seed+1000·m), averaged probabilities.
      const members = [];
      for (let m = 1; m < ensemble; m++) members.push(await ctx.trainMlp(`explore-open-set-${perUser}-fold${f + 1}-m${m}`, spec, featureSet(train), featureSet(val), seed + 1000 * m));
      // Genuine: each known user's held-out session minus the early-stopping windows; impostors: held-out users.
      const trials: { items: Item[]; claim: number; impostor: boolean }[] = [];
      for (const u of known) {
        const ss = ctx.sessions.filter((s) => s.part === 'train' && s.user === u && s.windows.length > 0);
        if (ss.length < 2) continue;
        const last = ss[ss.length - 1];
        const used = new Set(val.filter((v) => v.sessionId === last.id).map((v) => v.order));
        for (const ch of chunks(windowItems(last, idx.get(u)!).filter((it) => !used.has(it.order)), CHUNK)) trials.push({ items: ch, claim: idx.get(u)!, impostor: false });
      }
      for (const u of outUsers) {
        const all = ctx.sessions.filter((s) => s.part === 'train' && s.user === u).flatMap((s) => chunks(windowItems(s, 0), CHUNK));
        const step = Math.max(1, Math.floor(all.length / IMPOSTOR_CHUNKS_PER_USER));
        for (let i = 0; i < all.length && i / step < IMPOSTOR_CHUNKS_PER_USER; i += step) for (let c = 0; c < k; c++) trials.push({ items: all[i], claim: c, impostor: true });
      }
      const logitsOf = logitPredictor(r.model, r.standardiser);
      const gates = known.map((_, u) => fitCloseness(train.filter((it) => it.label === u).map((it) => it.feat), train.map((it) => it.feat)));
      const valProba = await predictFeatureProba(r.model, r.standardiser, featureSet(val));
      const platt = (gated: boolean) => known.map((_, c) => {
        const s = val.map((it, i) => (gated ? gatedScore(valProba[i * k + c], closeness(gates[c], it.feat)) : valProba[i * k + c]));
        return fitPlatt(s, val.map((it) => it.label === c));
      });
      const cal = { plain: platt(false), gated: platt(true) };
      // The Gaussian branch per known account (core/gaussianVerifier): population from every known
      // user's training windows, the account's mean from its own; both scores standardised on the other
      // known users' validation windows claimed as it (the enrolment rule, explore-gaussian-enrolment.ts).
      const population = fitPopulation(train.map((it) => it.feat), train.map((it) => it.user));
      const branches = known.map((_, c) => {
        const othersVal = val.map((it, i) => ({ it, i })).filter((x) => x.it.label !== c);
        const person = fitPerson(population, train.filter((it) => it.label === c).map((it) => it.feat));
        return {
          version: 1 as const, population, person,
          classifierNorm: fitScoreNorm(othersVal.map((x) => clampedLogOdds(gatedScore(valProba[x.i * k + c], closeness(gates[c], x.it.feat))))),
          gaussianNorm: fitScoreNorm(othersVal.map((x) => gaussianLlr(population, person, x.it.feat))),
        };
      });
      for (const t of trials) {
        const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(t.items));
        const raw = t.items.map((_, i) => proba[i * k + t.claim]);
        const logits = await logitsOf(featureSet(t.items));
        const zc = t.items.map((_, i) => logits[i * k + t.claim]);
        const centred = t.items.map((_, i) => { let m = 0; for (let j = 0; j < k; j++) m += logits[i * k + j]; return logits[i * k + t.claim] - m / k; });
        const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
        scores.logit.push(-mean(zc));
        scores.centredLogit.push(-mean(centred));
        scores.logitGated.push(-mean(t.items.map((it, i) => Math.min(zc[i], Math.log(closeness(gates[t.claim], it.feat))))));
        const avg = [...raw];
        for (const m of members) { const pm = await predictFeatureProba(m.model, m.standardiser, featureSet(t.items)); avg.forEach((_, i) => (avg[i] += pm[i * k + t.claim])); }
        if (ensemble > 1) scores.ensembleGated.push(1 - fuseWindows(t.items.map((it, i) => gatedScore(avg[i] / ensemble, closeness(gates[t.claim], it.feat)))).fusedScore);
        const gated = t.items.map((it, i) => gatedScore(raw[i], closeness(gates[t.claim], it.feat)));
        const meanLlr = (ps: number[], c: (typeof cal.plain)[number]) => ps.reduce((a, p) => a + windowLlr(c, p), 0) / ps.length;
        scores.logOdds.push(1 - fuseWindows(raw).fusedScore);
        scores.logOddsGated.push(1 - fuseWindows(gated).fusedScore);
        for (const c of CLAMPS) scores[clampKey(c) as V].push(-gated.reduce((a, p) => a + clampedLogOdds(p, c), 0) / gated.length);
        // Against the strongest other account m (lib/rival): the margin log g − log m (gated) and log P(c) − log m (not), clamped as
        // clampedLogOdds clamps; the soft gate alone; the gate's cut shared before the rival; the rival ratio before the gate.
        const m = t.items.map((_, i) => strongestOther(proba, i, k, t.claim));
        const meanMargin = (top: number[]) => -top.reduce((a, x, i) => a + Math.max(-4.6, Math.min(4.6, Math.log(Math.max(1e-9, x)) - Math.log(Math.max(1e-9, m[i])))), 0) / top.length;
        scores.marginGated.push(meanMargin(gated));
        scores.margin.push(meanMargin(raw));
        scores.softGate.push(1 - fuseWindows(gated.map((g, i) => softGate(g, raw[i]))).fusedScore);
        scores.rivalOfGated.push(1 - fuseWindows(gated.map((g, i) => rivalOfGated(g, raw[i], m[i]))).fusedScore);
        scores.rivalThenGate.push(1 - fuseWindows(t.items.map((it, i) => gatedScore(raw[i] / Math.max(1e-12, raw[i] + m[i]), closeness(gates[t.claim], it.feat)))).fusedScore);
        scores.calibratedLlr.push(-meanLlr(raw, cal.plain[t.claim]));
        scores.calibratedLlrGated.push(-meanLlr(gated, cal.gated[t.claim]));
        const b = branches[t.claim];
        const zM = gated.map((p) => classifierZ(b, p));
        const zG = t.items.map((it) => gaussianZ(b, it.feat));
        scores.logOddsGatedNormed.push(1 - fuseWindows(zM.map(sigmoid)).fusedScore);
        scores.gaussian.push(1 - fuseWindows(zG.map(sigmoid)).fusedScore);
        scores.gatedPlusGaussian.push(1 - fuseWindows(t.items.map((it, i) => scoreWithGaussianBranch(b, gated[i], it.feat))).fusedScore);
        impostor.push(t.impostor);
      }
      r.model.dispose();
      for (const m of members) m.model.dispose();
    }
    const row = {
      hidden, head: HEAD, labelSmoothing, inputNoise, trainWindowsPerUser: perUser, chunk: CHUNK, ensemble, genuine: impostor.filter((x) => !x).length, impostor: impostor.filter(Boolean).length,
      trainSeconds: round((performance.now() - t0) / 1000, 1),
      validationAuc: Object.fromEntries(allVariants.map((v) => [v, round(auc(scores[v], impostor))])),
    };
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  writeChoices(out, 'open-set-choices', { seed, how: 'open-set folds rebuilt on training_files only (see scripts/bench/explore-open-set.ts); test sessions not loaded', rows });
}
main().catch((e) => { console.error(e); process.exit(1); });
