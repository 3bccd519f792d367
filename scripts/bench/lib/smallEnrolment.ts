/**
 * Small enrolment: each account trains on only its first few minutes of movement (what a person
 * enrolling themselves gives the app), then the 816 labelled test sessions are scored as in the
 * challenge. "Minutes of movement" = summed durations of the account's training windows, taken in
 * file order; the last fifth of that stretch is the validation set for early stopping.
 * Scored with the feature branch (a CNN on ~3 minutes per account learns little; see docs).
 *
 * Two ways to train on those minutes, both reported:
 *  - `perAccount` (the headline, what the app does when a person enrols): one "this account vs others"
 *    model per account, its first minutes against other accounts' training windows, as many in all as
 *    the app's shipped background set holds (`smallEnrolmentOthersWindows`), which is what stands in for
 *    others on a fresh install. The others' windows are never the claimed account's. The MLP is the
 *    app's enrolment one (`enrolmentFeatureSpec`, chosen on validation: explore-small-enrolment.ts).
 *  - `multiClass`: one model over all accounts, every account limited to its first minutes (stop 8's
 *    protocol, kept for comparison).
 */
import { defaultFeatureSpec, enrolmentFeatureSpec, predictFeatureProba } from '../../../src/ml/featureModel';
import { featureSet, round, seedStat, trainValItems, windowItems, type BenchContext, type Item } from './context';
import { sessionMetrics } from './verify';
import { closeness, fitCloseness, gatedScore } from '../../../src/core/closeness';
import { fitGaussianBranch, gaussianZ, scoreWithGaussianBranch } from '../../../src/core/gaussianVerifier';
import { sigmoid } from '../../../src/core/calibration';

export async function runSmallEnrolment(ctx: BenchContext, seed = ctx.o.seed) {
  const { p, users, testSessions, log, elapsed } = ctx;
  const budgetMs = p.smallEnrolmentSeconds * 1000;
  const idx = new Map(users.map((u, i) => [u, i]));
  const train: Item[] = [], val: Item[] = [];
  const ownTrain: Item[][] = [], ownVal: Item[][] = [];
  const perUserMs: number[] = [];
  for (const u of users) {
    const items: Item[] = [];
    let ms = 0;
    for (const s of ctx.sessions.filter((x) => x.part === 'train' && x.user === u)) {
      for (const it of windowItems(s, idx.get(u)!)) {
        if (ms >= budgetMs) break;
        items.push(it);
        ms += Math.max(0, it.endMs - it.startMs);
      }
    }
    perUserMs.push(ms);
    const cut = Math.max(1, Math.floor(items.length * 0.8));
    ownTrain.push(items.slice(0, cut));
    ownVal.push(items.slice(cut));
    train.push(...items.slice(0, cut));
    val.push(...items.slice(cut));
  }
  const spec = { ...defaultFeatureSpec(users.length), ...p.featureModel, numClasses: users.length };
  const r = await ctx.trainMlp('small-enrolment', spec, featureSet(train), val.length ? featureSet(val) : null, seed);
  const testItems: Item[] = [];
  for (const s of testSessions) testItems.push(...windowItems(s, idx.get(s.user) ?? 0).slice(0, p.maxWindowsPerTestSession));
  const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(testItems));
  r.model.dispose();
  const k = users.length;
  // The app's verifier gates each window by its closeness to the claimed account's own training windows
  // (src/core/closeness.ts, fixed a priori); the ungated figure is kept beside it.
  const gates = users.map((_, u) => fitCloseness(train.filter((it) => it.label === u).map((it) => it.feat), train.map((it) => it.feat)));
  const probs = new Map<string, number[]>(), ungated = new Map<string, number[]>();
  testItems.forEach((it, i) => {
    const pc = proba[i * k + it.label];
    let a = probs.get(it.sessionId); if (!a) probs.set(it.sessionId, (a = [])); a.push(gatedScore(pc, closeness(gates[it.label], it.feat)));
    let b = ungated.get(it.sessionId); if (!b) ungated.set(it.sessionId, (b = [])); b.push(pc);
  });
  const scored = testSessions.map((s) => ({ id: s.id, user: s.user, illegal: !!s.illegal }));
  const m = sessionMetrics(scored, probs, users, false);
  const w = sessionMetrics(scored, ungated, users, false);
  log(`[small-enrolment] multi-class, ${p.smallEnrolmentSeconds} s per account: global AUC ${m.globalAuc} (without the closeness gate ${w.globalAuc}) — ${elapsed()}`);
  const pa = await perAccountModels(ctx, ownTrain, ownVal, seed);
  const res = {
    verifier: 'features, per account (the app\'s enrolment): an "account vs others" MLP gated by closeness, plus the Gaussian branch (core/gaussianVerifier), each standardised on the others\' validation windows and summed', secondsOfMovementPerAccount: p.smallEnrolmentSeconds,
    meanSecondsUsed: round(perUserMs.reduce((a, b) => a + b, 0) / Math.max(1, perUserMs.length) / 1000, 1),
    trainWindows: train.length, valWindows: val.length, othersWindowsPerOtherAccount: pa.othersPerAccount,
    ...pa.fused,
    classifierOnly: { how: 'the MLP gated by closeness, without the Gaussian branch (the app\'s rule until stop 12)', globalAuc: pa.gated.globalAuc, sessionEer: pa.gated.sessionEer },
    gaussianOnly: { how: 'the Gaussian branch alone (standardised log-likelihood ratio)', globalAuc: pa.gaussian.globalAuc, sessionEer: pa.gaussian.sessionEer },
    withoutGate: { how: 'the MLP alone, without the closeness gate', globalAuc: pa.ungated.globalAuc, sessionEer: pa.ungated.sessionEer },
    multiClass: { how: 'one model over all accounts, each limited to its first minutes (stop 8 protocol)', globalAuc: m.globalAuc, sessionEer: m.sessionEer, withoutGate: { globalAuc: w.globalAuc, sessionEer: w.sessionEer } },
  };
  log(`[small-enrolment] per account, ${p.smallEnrolmentSeconds} s each vs others: global AUC ${res.globalAuc}, EER ${res.sessionEer} (MLP alone ${pa.gated.globalAuc}, Gaussian alone ${pa.gaussian.globalAuc}, MLP without the gate ${pa.ungated.globalAuc}) — ${elapsed()}`);
  return res;
}

export type SmallEnrolmentResult = Awaited<ReturnType<typeof runSmallEnrolment>>;

/**
 * The same protocol at other amounts of own movement: how the figure grows with minutes of enrolment
 * (what limits it). Reported beside the headline; nothing is chosen from it.
 */
export async function runSmallEnrolmentCurve(ctx: BenchContext, seconds: readonly number[], headline: SmallEnrolmentResult) {
  const seeds = [ctx.o.seed, ...(ctx.o.extraSeeds ?? [])];
  const out = [];
  for (const s of seconds) {
    const runs: SmallEnrolmentResult[] = [];
    for (const seed of seeds) {
      // The headline already ran this amount with the first seed.
      const known = s === ctx.p.smallEnrolmentSeconds && seed === ctx.o.seed;
      runs.push(known ? headline : await runSmallEnrolment({ ...ctx, p: { ...ctx.p, smallEnrolmentSeconds: s } }, seed));
    }
    out.push({
      seconds: s, meanSecondsUsed: runs[0].meanSecondsUsed, ownTrainWindowsAllAccounts: runs[0].trainWindows, seeds,
      globalAuc: seedStat(runs.map((r) => r.globalAuc)), sessionEer: seedStat(runs.map((r) => r.sessionEer)),
      classifierOnly: seedStat(runs.map((r) => r.classifierOnly.globalAuc)), withoutGate: seedStat(runs.map((r) => r.withoutGate.globalAuc)), multiClass: seedStat(runs.map((r) => r.multiClass.globalAuc)),
    });
  }
  return out;
}

/**
 * One two-class model per account, as the app enrols a person: the account's own first minutes (label 1)
 * against the other accounts' training windows (label 0, `smallEnrolmentOthersWindows` in all, spread
 * evenly over them, from training_files; validation = the account's last fifth + the others' held-out
 * training session).
 * Each test session is scored by the model of the account it claims.
 */
async function perAccountModels(ctx: BenchContext, ownTrain: Item[][], ownVal: Item[][], seed: number) {
  const { p, users, testSessions } = ctx;
  const idx = new Map(users.map((u, i) => [u, i]));
  const perOther = Math.max(1, Math.ceil(p.smallEnrolmentOthersWindows / Math.max(1, users.length - 1)));
  const { train: others, val: othersVal } = trainValItems(ctx.sessions, users, (u) => idx.get(u)!, p, perOther);
  const scores = { fused: new Map<string, number[]>(), gated: new Map<string, number[]>(), ungated: new Map<string, number[]>(), gaussian: new Map<string, number[]>() };
  const push = (m: Map<string, number[]>, id: string, v: number) => { let a = m.get(id); if (!a) m.set(id, (a = [])); a.push(v); };
  // The app's enrolment MLP (one hidden layer of 128, chosen on validation: explore-small-enrolment.ts).
  const spec = enrolmentFeatureSpec();
  for (const u of users) {
    const ui = idx.get(u)!;
    const negTr = others.filter((it) => it.label !== ui), negVa = othersVal.filter((it) => it.label !== ui);
    const tr = [...ownTrain[ui], ...negTr], va = [...ownVal[ui], ...negVa];
    const lab = (pos: number, n: number) => [...Array<number>(pos).fill(1), ...Array<number>(n).fill(0)];
    const r = await ctx.trainMlp(`small-enrolment-${u}`, spec, featureSet(tr, lab(ownTrain[ui].length, negTr.length)), va.length ? featureSet(va, lab(ownVal[ui].length, negVa.length)) : null, seed);
    const items: Item[] = [];
    for (const s of testSessions) if (s.user === u) items.push(...windowItems(s, 1).slice(0, p.maxWindowsPerTestSession));
    const gate = fitCloseness(ownTrain[ui].map((it) => it.feat), tr.map((it) => it.feat));
    const gatedOf = async (its: Item[]) => {
      const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(its));
      return its.map((it, i) => ({ p: proba[i * 2 + 1], gated: gatedScore(proba[i * 2 + 1], closeness(gate, it.feat)) }));
    };
    const test = await gatedOf(items);
    // The app's Gaussian branch (core/gaussianVerifier): population from the others' training windows,
    // the person from their own, norms from the others' validation windows.
    const branch = fitGaussianBranch(ownTrain[ui].map((it) => it.feat), negTr.map((it) => it.feat), negTr.map((it) => it.user),
      negVa.map((it) => it.feat), (await gatedOf(negVa)).map((x) => x.gated));
    r.model.dispose();
    items.forEach((it, i) => {
      push(scores.fused, it.sessionId, scoreWithGaussianBranch(branch, test[i].gated, it.feat));
      push(scores.gated, it.sessionId, test[i].gated);
      push(scores.ungated, it.sessionId, test[i].p);
      push(scores.gaussian, it.sessionId, sigmoid(gaussianZ(branch, it.feat)));
    });
  }
  const scored = testSessions.map((s) => ({ id: s.id, user: s.user, illegal: !!s.illegal }));
  const m = (x: Map<string, number[]>) => sessionMetrics(scored, x, users, false);
  return { fused: m(scores.fused), gated: m(scores.gated), ungated: m(scores.ungated), gaussian: m(scores.gaussian), othersPerAccount: perOther };
}
