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
import { featureSet, round, seededSubset, seedStat, trainValItems, windowItems, type BenchContext, type Item } from './context';
import { sessionMetrics } from './verify';
import { closeness, fitCloseness, gatedScore } from '../../../src/core/closeness';
import { fitGaussianBranch, gaussianZ, scoreWithGaussianBranch } from '../../../src/core/gaussianVerifier';
import { sigmoid, windowLlr } from '../../../src/core/calibration';
import { auc } from '../../../src/core/metrics';
import { fuseWindows } from '../../../src/core/fusion';
import { hashSeed, mulberry32, shuffleInPlace } from '../../../src/core/random';
import { chooseLlrWeight, DEFAULT_SEQUENTIAL, LLR_WEIGHTS, replayCounts } from '../../../src/core/sequential';
import { bySession, failedEnrolmentBars, fitDecisionModel, testResults, type DecisionModel, type EnrolmentBarFailure } from '../../../src/core/enrolmentCheck';

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
    liveVerdict: pa.liveVerdict,
    strangers: pa.strangers,
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
      liveVerdict: verdictStats(runs.map((r) => r.liveVerdict)),
      liveVerdictPointEstimateRule: verdictStats(runs.map((r) => r.liveVerdict.pointEstimateRule)),
      strangers: runs.every((r) => r.strangers) ? { globalAuc: seedStat(runs.map((r) => r.strangers!.globalAuc)), liveVerdict: verdictStats(runs.map((r) => r.strangers!.liveVerdict)) } : null,
    });
  }
  return out;
}

const verdictStats = (vs: readonly ReturnType<typeof verdictRates>[]) => ({
  falseAcceptRate: seedStat(vs.map((v) => v.falseAcceptRate)), falseRejectRate: seedStat(vs.map((v) => v.falseRejectRate)),
  undecidedFraction: seedStat(vs.map((v) => v.undecidedFraction)),
});

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
  const illegal = new Map(testSessions.map((s) => [s.id, !!s.illegal]));
  const verdicts: EnrolmentVerdict[] = [];
  for (const u of users) {
    const ui = idx.get(u)!;
    const e = await enrolAccount(ctx, `small-enrolment-${u}`, { train: ownTrain[ui], val: ownVal[ui] },
      others.filter((it) => it.label !== ui), othersVal.filter((it) => it.label !== ui), seed);
    const items: Item[] = [];
    for (const s of testSessions) if (s.user === u) items.push(...windowItems(s, 1).slice(0, p.maxWindowsPerTestSession));
    const test = await e.scoreItems(items);
    e.dispose();
    verdicts.push(enrolmentVerdict(u, e.branch, e.validation, { items, fused: test.map((x) => x.fused), genuine: items.map((it) => !illegal.get(it.sessionId)) }));
    items.forEach((it, i) => {
      push(scores.fused, it.sessionId, test[i].fused);
      push(scores.gated, it.sessionId, test[i].gated);
      push(scores.ungated, it.sessionId, test[i].p);
      push(scores.gaussian, it.sessionId, test[i].gaussian);
    });
  }
  const scored = testSessions.map((s) => ({ id: s.id, user: s.user, illegal: !!s.illegal }));
  const m = (x: Map<string, number[]>) => sessionMetrics(scored, x, users, false);
  return {
    fused: m(scores.fused), gated: m(scores.gated), ungated: m(scores.ungated), gaussian: m(scores.gaussian), othersPerAccount: perOther, liveVerdict: summariseVerdicts(verdicts),
    strangers: await strangers(ctx, ownTrain, ownVal, others, othersVal, seed),
  };
}

/**
 * One account enrolled as the app enrols a person: its own windows (label 1) against others' (label 0),
 * the app's enrolment MLP (one hidden layer of 128, chosen on validation: explore-small-enrolment.ts)
 * gated by closeness, plus the Gaussian branch (core/gaussianVerifier: population from the others'
 * training windows, the person from their own, norms from the others' validation windows).
 */
async function enrolAccount(ctx: BenchContext, name: string, own: { train: Item[]; val: Item[] }, negTr: Item[], negVa: Item[], seed: number) {
  const tr = [...own.train, ...negTr], va = [...own.val, ...negVa];
  const lab = (pos: number, n: number) => [...Array<number>(pos).fill(1), ...Array<number>(n).fill(0)];
  const r = await ctx.trainMlp(name, enrolmentFeatureSpec(), featureSet(tr, lab(own.train.length, negTr.length)), va.length ? featureSet(va, lab(own.val.length, negVa.length)) : null, seed);
  const gate = fitCloseness(own.train.map((it) => it.feat), tr.map((it) => it.feat));
  const gatedOf = async (its: Item[]) => {
    const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(its));
    return its.map((it, i) => ({ p: proba[i * 2 + 1], gated: gatedScore(proba[i * 2 + 1], closeness(gate, it.feat)) }));
  };
  const negVaScored = await gatedOf(negVa);
  const branch = fitGaussianBranch(own.train.map((it) => it.feat), negTr.map((it) => it.feat), negTr.map((it) => it.user),
    negVa.map((it) => it.feat), negVaScored.map((x) => x.gated));
  const ownVaScored = await gatedOf(own.val);
  return {
    branch,
    /** The validation windows the app's decision model is fitted on, with their gated classifier scores. */
    validation: { items: [...own.val, ...negVa], gated: [...ownVaScored, ...negVaScored].map((x) => x.gated), genuine: [...own.val.map(() => true), ...negVa.map(() => false)] },
    scoreItems: async (its: Item[]) => (await gatedOf(its)).map((x, i) => ({ ...x, fused: scoreWithGaussianBranch(branch, x.gated, its[i].feat), gaussian: sigmoid(gaussianZ(branch, its[i].feat)) })),
    dispose: () => r.model.dispose(),
  };
}

/** Groups of other users per account: each group is held out of the account's negatives once. */
export const STRANGER_FOLDS = 3;

/**
 * The enrolment against strangers (`smallEnrolment.strangers`): for each account, the other users are
 * split into STRANGER_FOLDS groups; per group the account is enrolled (same minutes, same model) against
 * the remaining others only, and the group's users' legal test sessions (their own accounts' sessions,
 * author known) are claimed as the account. Genuine trials are the account's legal test sessions, once
 * per group. The session score is the challenge's; the live verdict is the app's decision model, fitted
 * on that enrolment's validation, replayed on every trial.
 */
async function strangers(ctx: BenchContext, ownTrain: Item[][], ownVal: Item[][], others: Item[], othersVal: Item[], seed: number) {
  const { p, users, testSessions } = ctx;
  // Each enrolment must keep others of at least two people (the Gaussian branch's population).
  if (users.length - 1 - Math.ceil((users.length - 1) / STRANGER_FOLDS) < 2) return null;
  const legal = testSessions.filter((s) => !s.illegal && s.windows.length > 0);
  const sessionScores: number[] = [], sessionImpostor: boolean[] = [];
  const verdicts: EnrolmentVerdict[] = [];
  const knownCounts: number[] = [];
  for (const [ui, u] of users.entries()) {
    const rest = shuffleInPlace(users.filter((v) => v !== u), mulberry32(hashSeed(`strangers-${u}`, seed)));
    for (let g = 0; g < STRANGER_FOLDS; g++) {
      const held = new Set(rest.filter((_, i) => i % STRANGER_FOLDS === g));
      const kept = new Set(seededSubset(rest.filter((v) => !held.has(v)), p.smallEnrolmentStrangersKnown, hashSeed(`strangers-known-${u}-${g}`, seed)));
      knownCounts.push(kept.size);
      const known = (it: Item) => kept.has(it.user);
      const e = await enrolAccount(ctx, `small-enrolment-strangers-${u}-${g + 1}`, { train: ownTrain[ui], val: ownVal[ui] }, others.filter(known), othersVal.filter(known), seed);
      const trials = legal.filter((s) => s.user === u || held.has(s.user));
      const items = trials.flatMap((s) => windowItems(s, 1).slice(0, p.maxWindowsPerTestSession));
      const scored = await e.scoreItems(items);
      e.dispose();
      const fused = scored.map((x) => x.fused);
      verdicts.push(enrolmentVerdict(u, e.branch, e.validation, { items, fused, genuine: items.map((it) => it.user === u) }));
      const bySession = new Map<string, number[]>();
      items.forEach((it, i) => { let a = bySession.get(it.sessionId); if (!a) bySession.set(it.sessionId, (a = [])); a.push(fused[i]); });
      for (const s of trials) { sessionScores.push(1 - fuseWindows(bySession.get(s.id)!).fusedScore); sessionImpostor.push(s.user !== u); }
    }
  }
  return {
    how: `per account, the other users split into ${STRANGER_FOLDS} groups; per group the account enrolled (same minutes, the app's model) against the remaining others only; impostor trials = the group's users' legal test sessions claimed as the account, genuine = the account's legal test sessions (once per group); session score as the challenge's; live verdict = the app's decision model fitted on that enrolment's validation`,
    groupsPerAccount: STRANGER_FOLDS, othersKnownPerEnrolment: { min: Math.min(...knownCounts), max: Math.max(...knownCounts) }, genuineTrials: sessionImpostor.filter((x) => !x).length, impostorTrials: sessionImpostor.filter(Boolean).length,
    globalAuc: round(auc(sessionScores, sessionImpostor)),
    liveVerdict: { ...verdictRates(verdicts.flatMap((v) => v.test.sequential.perSession)), llrWeights: [...new Set(verdicts.map((v) => v.decision.sequential.llrWeight))] },
    liveVerdictPointEstimateRule: {
      how: 'the LLR weight rule until stop 15 on the same enrolments and trials, for comparison only (chooses nothing)',
      ...verdictRates(verdicts.flatMap((v) => v.pointEstimateRule.test.sequential.perSession)),
      llrWeights: verdicts.map((v) => v.pointEstimateRule.llrWeight),
    },
  };
}

/**
 * The enrolment against strangers with only K other people among each enrolment's negatives (each
 * giving the windows it gives now), per K and seed, the headline's own run reused: how refusing
 * strangers depends on how many people the person was compared with. Same strangers, same trials in
 * every row; nothing is chosen from it.
 */
export async function runStrangersKnownCurve(ctx: BenchContext, ks: readonly number[], headline: SmallEnrolmentResult) {
  const seeds = [ctx.o.seed, ...(ctx.o.extraSeeds ?? [])];
  const all = headline.strangers?.othersKnownPerEnrolment.max ?? 0;
  const out = [];
  for (const k of ks) {
    const runs: NonNullable<SmallEnrolmentResult['strangers']>[] = [];
    for (const seed of seeds) {
      const r = k >= all && seed === ctx.o.seed ? headline : await runSmallEnrolment({ ...ctx, p: { ...ctx.p, smallEnrolmentStrangersKnown: k } }, seed);
      if (r.strangers) runs.push(r.strangers);
    }
    if (!runs.length) continue;
    out.push({
      othersKnown: runs[0].othersKnownPerEnrolment, seeds, genuineTrials: runs[0].genuineTrials, impostorTrials: runs[0].impostorTrials,
      globalAuc: seedStat(runs.map((r) => r.globalAuc)), liveVerdict: verdictStats(runs.map((r) => r.liveVerdict)),
    });
  }
  return out;
}

type TestResults = ReturnType<typeof testResults>;
interface EnrolmentVerdict {
  user: string; decision: DecisionModel; test: TestResults; validationSessions: { genuine: number; impostor: number };
  pointEstimateRule: { llrWeight: number; test: TestResults };
}

/**
 * The live verdict a person gets from this enrolment, as the app fits it (core/enrolmentCheck
 * `fitDecisionModel`, on the validation windows with their sessions: the person's last fifth, the
 * others' held-out session), replayed on the account's labelled test sessions.
 */
function enrolmentVerdict(
  user: string, branch: ReturnType<typeof fitGaussianBranch>,
  val: { items: Item[]; gated: number[]; genuine: boolean[] }, test: { items: Item[]; fused: number[]; genuine: boolean[] },
): EnrolmentVerdict {
  const scores = val.items.map((it, i) => scoreWithGaussianBranch(branch, val.gated[i], it.feat));
  const sessionIds = val.items.map((it) => it.sessionId);
  const decision = fitDecisionModel({ scores, positives: val.genuine, sessionIds });
  // The rule until stop 15 (point estimates on so few impostor sessions), for comparison only.
  const valSessions = bySession(scores, val.genuine, sessionIds, (x) => windowLlr(decision.calibration, x, decision.maxWindowLlr));
  const old = chooseLlrWeight([...valSessions.values()], decision.sequential.alpha, decision.sequential.beta, LLR_WEIGHTS, 'point-estimate').llrWeight;
  const choice = decision.llrWeightChoice!;
  const testWindows = { scores: test.fused, positives: test.genuine, sessionIds: test.items.map((it) => it.sessionId) };
  return {
    user, decision, validationSessions: { genuine: choice.genuineSessions, impostor: choice.impostorSessions }, test: testResults(decision, testWindows),
    pointEstimateRule: { llrWeight: old, test: testResults({ ...decision, sequential: { ...decision.sequential, llrWeight: old } }, testWindows) },
  };
}

/** Replay counts over every account's test sessions. */
function verdictRates(perSession: readonly TestResults['sequential']['perSession'][number][]) {
  // The core's counting, over verdicts already replayed (no session is decided twice).
  const c = replayCounts(perSession.map((s) => ({ genuine: s.genuine, llrs: [] })), DEFAULT_SEQUENTIAL, perSession);
  const used = [...c.windowsUsed].sort((a, b) => a - b);
  const sessions = c.impostors + c.genuine;
  return {
    sessions, impostorSessions: c.impostors, genuineSessions: c.genuine, falseAccepts: c.falseAccepts, falseRejects: c.falseRejects,
    falseAcceptRate: round(c.impostors ? c.falseAccepts / c.impostors : NaN), falseRejectRate: round(c.genuine ? c.falseRejects / c.genuine : NaN),
    undecidedFraction: round(sessions ? c.undecided / sessions : NaN),
    medianWindowsToDecision: used.length ? used[(used.length - 1) >> 1] : null,
  };
}

function summariseVerdicts(vs: EnrolmentVerdict[]) {
  return {
    how: 'each account\'s decision model fitted as the app fits it (fitDecisionModel on its validation windows and their sessions: Platt calibration, EER threshold, LLR weight by chooseLlrWeight), then each of its labelled test sessions (first windows, as scored above) replayed window by window through the SPRT (replaySequential)',
    ...verdictRates(vs.flatMap((v) => v.test.sequential.perSession)),
    llrWeights: vs.map((v) => v.decision.sequential.llrWeight),
    validationSessionsPerAccount: vs.map((v) => v.validationSessions),
    windowFarAtThreshold: round(mean(vs.map((v) => v.test.far))), windowFrrAtThreshold: round(mean(vs.map((v) => v.test.frr))),
    enrolmentCheck: enrolmentChecks(vs),
    pointEstimateRule: {
      how: 'the LLR weight rule until stop 15, for comparison only (chooses nothing): with too few impostor sessions to bound FAR, the largest weight whose validation replay had FAR ≤ α and FRR ≤ β',
      llrWeights: vs.map((v) => v.pointEstimateRule.llrWeight),
      ...verdictRates(vs.flatMap((v) => v.pointEstimateRule.test.sequential.perSession)),
    },
  };
}

/**
 * What the app's enrolment check (core/enrolmentCheck `failedEnrolmentBars`, which `checkEnrolment` words) would tell each account if these
 * test sessions were its held-out windows: usable or not, and which of its bars failed.
 */
function enrolmentChecks(vs: readonly EnrolmentVerdict[]) {
  const checks = vs.map((v) => ({ user: v.user, auc: round(v.test.auc), far: round(v.test.far), frr: round(v.test.frr), failed: failedEnrolmentBars(v.decision, v.test) }))
    .map((c) => ({ ...c, usable: c.failed.length === 0 }));
  const failing = (bar: EnrolmentBarFailure) => checks.filter((c) => c.failed.includes(bar)).length;
  return {
    how: 'checkEnrolment (the bars the app applies to a new profile: AUC, half total error at the stored threshold, wrong live verdicts) on these test sessions, per account',
    accounts: checks.length, usable: checks.filter((c) => c.usable).length,
    refusedFor: { auc: failing('auc'), errorAtThreshold: failing('error-at-threshold'), wrongVerdicts: failing('wrong-verdicts') },
    perAccount: checks.map(({ user, usable, auc, far, frr }) => ({ user, usable, auc, far, frr })),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
