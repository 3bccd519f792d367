/**
 * The challenge protocol (Balabit's 816 public-labelled test sessions): one multi-class model per
 * branch trained on training_files windows only, session anomaly = 1 − fused P(claimed account).
 *
 * Variants, all on the same windows: `features` (MLP on kinematic features), `image` (the CNN on
 * screen-free images), `fused` (window log-odds w·features + (1 − w)·image, w chosen on validation
 * pseudo-sessions cut from training_files), optionally `imageScreenFramed` (the CNN on the older
 * screen-fitted drawing, to measure what the screen contributed). The headline (`globalAuc` at the
 * top level) is the app's default verifier: the fused model at the validation-chosen weight.
 * Baseline `screenOnly`: how well the screen size alone separates impostors (a control).
 */
import { auc } from '../../../src/core/metrics';
import { mulberry32, shuffleInPlace } from '../../../src/core/random';
import { defaultFeatureSpec, predictFeatureProba, type FeatureModelSpec, type FeatureStandardiser } from '../../../src/ml/featureModel';
import { countParams, defaultSpec, type ModelSpec } from '../../../src/ml/model';
import { predictProba } from '../../../src/ml/train';
import { featureSet, round, spread, trainValItems, windowItems, type BenchContext, type Item } from './context';
import { modelFlops } from './flops';
import type { WindowRef } from './images';
import { chooseFeatureWeight } from '../../../src/ml/verifier';
import { closeness, fitCloseness, gatedScore, type ClosenessModel } from '../../../src/core/closeness';
import { fuseBranches, sessionMetrics, validationClaims, type Claim } from './verify';
import type { tf } from './tfnode';

export interface ChallengeOutcome {
  report: Record<string, unknown>;
  /** For the speed probes (caller disposes). */
  cnn: { model: tf.LayersModel; spec: ModelSpec } | null;
  featureModel: { model: tf.LayersModel; standardiser: FeatureStandardiser };
  latencyRefs: WindowRef[];
  /** The default verifier's window probabilities, for the sequential replay. */
  verifier: VerifierScores;
  /** The CNN's window probabilities (validation, test), for the headline's other seeds. */
  imageScores: { test: Float32Array; val: Float32Array } | null;
}

export interface VerifierScores {
  /** Validation pseudo-session claims under the chosen weight (window P(claimed)). */
  validation: { genuine: boolean; p: number[] }[];
  /** Test sessions: window P(claimed) and window times, in order. */
  test: { id: string; illegal: boolean; p: number[]; startMs: number[]; endMs: number[] }[];
  weight: number;
}

/**
 * Validation pseudo-sessions under the app's verifier: the claims (same order as `validationClaims` builds
 * them: per true user, chunks in order, each claimed as every account) with each window's fused
 * probability gated by the claimed account's closeness.
 */
function claimsGated(vaItems: readonly Item[], claims: readonly Claim[], k: number, chunk: number, w: number, gates: readonly ClosenessModel[]): { genuine: boolean; p: number[] }[] {
  const byUser = new Map<number, Item[]>();
  for (const it of vaItems) { let a = byUser.get(it.label); if (!a) byUser.set(it.label, (a = [])); a.push(it); }
  const out: { genuine: boolean; p: number[] }[] = [];
  let n = 0;
  for (const [, its] of byUser) {
    for (let at = 0; at < its.length; at += chunk) {
      const part = its.slice(at, at + chunk);
      for (let c = 0; c < k; c++) {
        const cl = claims[n++];
        out.push({ genuine: cl.genuine, p: cl.features.map((pf, i) => gatedScore(cl.image.length ? fuseBranches(pf, cl.image[i], w) : pf, closeness(gates[c], part[i].feat))) });
      }
    }
  }
  return out;
}

/** Per test session, the claimed class's probability per window from a k-class proba matrix. */
export const claimedProbs = (items: readonly Item[], proba: Float32Array, k: number): Map<string, number[]> =>
  sessionLists(items, (i, it) => proba[i * k + it.label]);

/** Feature-branch only: train on training_files windows, score the test sessions (used per seed too). */
export async function featureBranch(ctx: BenchContext, seed: number, name = 'challenge-features') {
  const { p, users, sessions } = ctx;
  const userIdx = new Map(users.map((u, i) => [u, i]));
  // Features are cheap: the feature branch may train on more windows per user than the CNN (see profiles).
  const { train: trItems, val: vaItems } = trainValItems(sessions, users, (u) => userIdx.get(u)!, p, p.featureTrainWindowsPerUser);
  let trLabels = trItems.map((i) => i.label);
  if (p.shuffledLabelControl) trLabels = shuffleInPlace([...trLabels], mulberry32(seed ^ 0x5eed));
  const spec: FeatureModelSpec = { ...defaultFeatureSpec(users.length), ...p.featureModel, numClasses: users.length };
  const r = await ctx.trainMlp(name, spec, featureSet(trItems, trLabels), vaItems.length ? featureSet(vaItems) : null, seed);
  const testItems: Item[] = [];
  for (const s of ctx.testSessions) testItems.push(...windowItems(s, userIdx.get(s.user) ?? 0).slice(0, p.maxWindowsPerTestSession));
  const testProba = await predictFeatureProba(r.model, r.standardiser, featureSet(testItems));
  const valProba = await predictFeatureProba(r.model, r.standardiser, featureSet(vaItems));
  return { r, spec, trItems, trLabels, vaItems, testItems, testProba, valProba, k: users.length, userIdx };
}

export async function runChallenge(ctx: BenchContext): Promise<ChallengeOutcome> {
  const { p, users, testSessions, log, elapsed } = ctx;
  const k = users.length;
  const fb = await featureBranch(ctx, ctx.o.seed);
  const { trItems, vaItems, testItems } = fb;
  const scored = testSessions.map((s) => ({ id: s.id, user: s.user, illegal: !!s.illegal }));
  const variants: Record<string, unknown> = {};
  const featProbs = claimedProbs(testItems, fb.testProba, k);
  variants.features = { ...sessionMetrics(scored, featProbs, users, false), model: { params: countParams(fb.r.model), spec: fb.spec } };
  log(`[challenge] features: global AUC ${(variants.features as { globalAuc: number }).globalAuc} — ${elapsed()}`);

  // Image branch (screen-free drawing): the same validation and test windows; training windows are the
  // first `maxTrainWindowsPerUser` per user (the feature branch's, or a subset of them when it takes more).
  let cnn: ChallengeOutcome['cnn'] = null;
  let imgTest: Float32Array | null = null, imgVal: Float32Array | null = null;
  const cnnItems = p.featureTrainWindowsPerUser === p.maxTrainWindowsPerUser ? trItems : trainValItems(ctx.sessions, users, (u) => fb.userIdx.get(u)!, p).train;
  const permuted = (items: readonly Item[]) => (p.shuffledLabelControl ? shuffleInPlace(items.map((i) => i.label), mulberry32(ctx.o.seed ^ 0x5eed)) : items.map((i) => i.label));
  const cnnLabels = permuted(cnnItems);
  const cnnVariant = async (name: string, enc: typeof ctx.es, budgetS: number) => {
    const spec: ModelSpec = { ...defaultSpec('group', enc.sizePx, k), ...p.model, numClasses: k };
    const trainSet = ctx.imageSet(cnnItems, cnnLabels, enc);
    const valSet = vaItems.length ? ctx.imageSet(vaItems, undefined, enc) : null;
    log(`[${name}] ${trainSet.count} training images, ${valSet?.count ?? 0} validation images, ${k} classes — ${elapsed()}`);
    const r = await ctx.trainCnn(name, spec, trainSet, valSet, p.epochs, budgetS);
    const test = await predictProba(r.model, ctx.imageSet(testItems, undefined, enc), 128);
    const val = valSet ? await predictProba(r.model, valSet, 128) : new Float32Array(0);
    return { r, spec, test, val };
  };
  if (p.tasks.image) {
    const v = await cnnVariant('challenge-image', ctx.es, p.trainBudgetS.challenge);
    cnn = { model: v.r.model, spec: v.spec };
    imgTest = v.test; imgVal = v.val;
    variants.image = {
      ...sessionMetrics(scored, claimedProbs(testItems, v.test, k), users, false),
      drawing: `screen-free: fixed scale of ${ctx.es.framePx} px across the image, centred on each window's movement`,
      model: { params: countParams(v.r.model), flopsForwardPerImage: modelFlops(v.r.model).forwardPerImage, spec: v.spec },
    };
    log(`[challenge] image (screen-free): global AUC ${(variants.image as { globalAuc: number }).globalAuc} — ${elapsed()}`);
  }
  if (p.tasks.imageScreenFramed) {
    const v = await cnnVariant('challenge-image-screen-framed', ctx.esScreen, p.trainBudgetS.challengeScreenFramed);
    variants.imageScreenFramed = { ...sessionMetrics(scored, claimedProbs(testItems, v.test, k), users, false), drawing: 'the earlier drawing: the whole screen fitted into the image (shows the screen size)' };
    v.r.model.dispose();
    log(`[challenge] image (screen-framed, comparison): global AUC ${(variants.imageScreenFramed as { globalAuc: number }).globalAuc} — ${elapsed()}`);
  }

  const dv = defaultVerifier(ctx, fb, imgTest && imgVal ? { test: imgTest, val: imgVal } : null);
  const { w, choice, headline } = dv;
  variants.fused = { ...dv.fused, featureWeight: w };
  log(`[challenge] fused (feature weight ${w}, chosen on validation): global AUC ${dv.fused.globalAuc} — ${elapsed()}`);
  variants.fusedGated = { globalAuc: headline.globalAuc, sessionEer: headline.sessionEer, meanPerUserAuc: headline.meanPerUserAuc, meanPerUserEer: headline.meanPerUserEer, windowAuc: headline.windowAuc, featureWeight: w };
  log(`[challenge] fused + closeness gate (the app's verifier): GLOBAL AUC ${headline.globalAuc} | EER ${headline.sessionEer} | mean per-user AUC ${headline.meanPerUserAuc} — ${elapsed()}`);

  // Control: screen size alone. Anomaly = 1 − share of the account's training sessions on the same screen.
  const screenKey = (s: { space: { width: number; height: number } }) => `${s.space.width}x${s.space.height}`;
  const screenScores = testSessions.map((s) => {
    const own = ctx.sessions.filter((t) => t.part === 'train' && t.user === s.user);
    return 1 - own.filter((t) => screenKey(t) === screenKey(s)).length / Math.max(1, own.length);
  });
  const screenOnly = {
    globalAuc: round(auc(screenScores, testSessions.map((s) => !!s.illegal))),
    how: 'anomaly = 1 − share of the claimed account\'s training sessions recorded on the same (inferred) screen; no movement used',
    illegalOnOtherScreen: round(testSessions.filter((s, i) => s.illegal && screenScores[i] === 1).length / Math.max(1, testSessions.filter((s) => s.illegal).length), 3),
    legalOnOtherScreen: round(testSessions.filter((s, i) => !s.illegal && screenScores[i] === 1).length / Math.max(1, testSessions.filter((s) => !s.illegal).length), 3),
  };
  log(`[challenge] baseline screen only: global AUC ${screenOnly.globalAuc}`);

  const report = {
    design: `default verifier = the app's: per window, log-odds of P(claimed account) from a ${k}-class feature MLP and a ${k}-class CNN on screen-free images, weighted ${w} : ${round(1 - w, 2)} (weight chosen on validation pseudo-sessions from training_files), then min(that, closeness of the window to the claimed account's own training windows) (src/core/closeness.ts, fixed a priori); session anomaly = 1 − fused probability over the session's first ${p.maxWindowsPerTestSession} windows (mean clamped log-odds)`,
    defaultVerifier: imgTest ? 'fusedGated' : 'featuresGated',
    shuffledLabelControl: !!p.shuffledLabelControl,
    trainWindows: trItems.length, valWindows: vaItems.length, testWindowsScored: testItems.length,
    ...headline,
    fusion: { featureWeight: w, chosenOn: 'validation pseudo-sessions: each user\'s held-out training session cut into chunks, each chunk claimed as every account', validationAucByFeatureWeight: choice.validationAuc },
    variants,
    baselines: { screenOnly },
  };
  return {
    report, cnn, featureModel: { model: fb.r.model, standardiser: fb.r.standardiser }, latencyRefs: spread(testItems, p.latencyWindows).map((i) => i.ref), verifier: dv.verifier,
    imageScores: imgTest && imgVal ? { test: imgTest, val: imgVal } : null,
  };
}

/**
 * The app's default verifier from a feature branch and (optionally) the CNN's window probabilities on
 * the same validation and test windows: the fusion weight chosen on validation pseudo-sessions, then
 * each window gated by its closeness to the claimed account's own training windows (src/core/closeness.ts,
 * fixed a priori; fitted with the branch's training labels, permuted under --control: the gate learns too).
 * Used by the challenge and, per extra seed, by the headline's spread (run.ts `seedRuns`).
 */
export function defaultVerifier(ctx: BenchContext, fb: FeatureBranch, img: { test: Float32Array; val: Float32Array } | null) {
  const { p, users, testSessions } = ctx;
  const { k, trItems, trLabels, vaItems, testItems } = fb;
  const scored = testSessions.map((s) => ({ id: s.id, user: s.user, illegal: !!s.illegal }));
  const claims: Claim[] = validationClaims(vaItems.map((i) => i.label), fb.valProba, img?.val ?? null, k, p.maxWindowsPerTestSession);
  const choice = img ? chooseFeatureWeight(claims) : { featureWeight: 1, validationAuc: { '1.0': NaN } };
  const w = choice.featureWeight;
  const fusedTest = (i: number, it: Item) => (img ? fuseBranches(fb.testProba[i * k + it.label], img.test[i * k + it.label], w) : fb.testProba[i * k + it.label]);
  const fused = sessionMetrics(scored, sessionLists(testItems, fusedTest), users, false);
  const byTime = trItems.map((it, i) => ({ it, label: trLabels[i] })).sort((a, b) => (a.it.sessionId < b.it.sessionId ? -1 : a.it.sessionId > b.it.sessionId ? 1 : a.it.order - b.it.order));
  const gates = users.map((_, u) => fitCloseness(byTime.filter((x) => x.label === u).map((x) => x.it.feat), trItems.map((it) => it.feat)));
  const gatedTest = (i: number, it: Item) => gatedScore(fusedTest(i, it), closeness(gates[it.label], it.feat));
  const headline = sessionMetrics(scored, sessionLists(testItems, gatedTest), users, true);
  // Its window probabilities, for the sequential replay (validation → calibration, test → replay).
  const validation = claimsGated(vaItems, claims, k, p.maxWindowsPerTestSession, w, gates);
  const test = testSessions.map((s) => {
    const its = testItems.map((it, i) => ({ it, i })).filter(({ it }) => it.sessionId === s.id);
    return { id: s.id, illegal: !!s.illegal, p: its.map(({ it, i }) => gatedTest(i, it)), startMs: its.map(({ it }) => it.startMs), endMs: its.map(({ it }) => it.endMs) };
  });
  const verifier: VerifierScores = { validation, test, weight: w };
  return { w, choice, fused, headline, verifier };
}

type FeatureBranch = Awaited<ReturnType<typeof featureBranch>>;

/** Per test session, one window score per item, in order. */
function sessionLists(items: readonly Item[], score: (i: number, it: Item) => number): Map<string, number[]> {
  const m = new Map<string, number[]>();
  items.forEach((it, i) => { let a = m.get(it.sessionId); if (!a) m.set(it.sessionId, (a = [])); a.push(score(i, it)); });
  return m;
}
