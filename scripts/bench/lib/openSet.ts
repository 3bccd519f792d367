/**
 * Open set: impostors no model saw in training. Users are split into folds; for each fold, a feature
 * model is trained on the other users only (training_files, validation as in the challenge), and
 * trials are
 *  - genuine: each trained account's public-labelled *legal* test sessions, claimed as that account;
 *  - impostor: each held-out user's legal test sessions (author known), claimed as every trained account.
 * Balabit's own illegal sessions cannot serve here: their authors are unknown and may be trained users.
 * Scored with the feature branch (the image branch would need one CNN per fold: over the time budget).
 *
 * The live verdict against strangers (`openSet.liveVerdict`, since stop 16): per fold, the app's
 * sequential decision is calibrated and its LLR weight chosen on that fold's validation pseudo-sessions
 * (known users only, as `challenge.sequential` does), then every trial is replayed window by window.
 *
 * What limits it (`openSet.knownPeopleCurve`, `--open-set-known`, since stop 22; chooses nothing): the same
 * folds and the same strangers, each fold's model trained on only K of its known users (drawn per fold and
 * seed), so the AUC can be read against how many people a model has learnt to tell apart.
 */
import { auc, eer } from '../../../src/core/metrics';
import { hashSeed, mulberry32, shuffleInPlace } from '../../../src/core/random';
import { fuseWindows } from '../../../src/core/fusion';
import { defaultFeatureSpec, predictFeatureProba } from '../../../src/ml/featureModel';
import { closeness, fitCloseness, gatedScore } from '../../../src/core/closeness';
import { featureSet, round, seededSubset, seedStat, trainValItems, windowItems, type BenchContext, type Item } from './context';
import { runSequential } from './sequential';
import type { VerifierScores } from './challenge';

export async function runOpenSet(ctx: BenchContext, seed = ctx.o.seed, knownPerFold?: number) {
  const { p, users, testSessions, log, elapsed } = ctx;
  const folds = Math.min(p.openSetFolds, Math.floor(users.length / 2));
  if (folds < 2) return null;
  const order = shuffleInPlace([...users], mulberry32(hashSeed('open-set', seed)));
  const scores: number[] = [], ungated: number[] = [], impostor: boolean[] = [];
  const verdicts: ReturnType<typeof runSequential>[] = [], strangerLikeVerdicts: ReturnType<typeof runSequential>[] = [];
  for (let f = 0; f < folds; f++) {
    const out = order.filter((_, i) => i % folds === f);
    const known = seededSubset(users.filter((u) => !out.includes(u)), knownPerFold, hashSeed(`open-set-known-fold${f}`, seed));
    const idx = new Map(known.map((u, i) => [u, i]));
    // 1,000 windows per user beat 500 (and tied 2,000) on the open-set validation (explore-open-set.ts,
    // open-set-choices.json). Until stop 13 the folds kept the CNN's 500 to fit the quick profile's 15
    // minutes; MLP training is ~4× faster since (src/ml/wasmGrads.ts).
    const { train, val } = trainValItems(ctx.sessions, known, (u) => idx.get(u)!, p, p.openSetTrainWindowsPerUser);
    const spec = { ...defaultFeatureSpec(known.length), ...p.featureModel, numClasses: known.length };
    const r = await ctx.trainMlp(`open-set-fold${f + 1}`, spec, featureSet(train), val.length ? featureSet(val) : null, seed);
    const legal = testSessions.filter((s) => !s.illegal && s.windows.length > 0);
    const items: Item[] = [];
    for (const s of legal) items.push(...windowItems(s, 0).slice(0, p.maxWindowsPerTestSession));
    const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(items));
    const vaProba = val.length ? await predictFeatureProba(r.model, r.standardiser, featureSet(val)) : new Float32Array(0);
    r.model.dispose();
    const k = known.length;
    // The app's rule: each window also gated by its closeness to the claimed account's own training windows.
    const gates = known.map((_, u) => fitCloseness(train.filter((it) => it.label === u).map((it) => it.feat), train.map((it) => it.feat)));
    const gated = (pr: Float32Array, its: readonly Item[], i: number, c: number) => gatedScore(pr[i * k + c], closeness(gates[c], its[i].feat));
    const liveTrials: VerifierScores['test'] = [];
    const bySession = new Map<string, number[]>();
    items.forEach((it, i) => { let a = bySession.get(it.sessionId); if (!a) bySession.set(it.sessionId, (a = [])); a.push(i); });
    for (const s of legal) {
      const rows = bySession.get(s.id) ?? [];
      const claim = (c: number, gate: boolean) => 1 - fuseWindows(rows.map((i) => (gate ? gatedScore(proba[i * k + c], closeness(gates[c], items[i].feat)) : proba[i * k + c]))).fusedScore;
      const trial = (c: number, isImpostor: boolean) => {
        scores.push(claim(c, true)); ungated.push(claim(c, false)); impostor.push(isImpostor);
        liveTrials.push({ id: `${s.id} as ${known[c]}`, illegal: isImpostor, p: rows.map((i) => gated(proba, items, i, c)), startMs: rows.map((i) => items[i].startMs), endMs: rows.map((i) => items[i].endMs) });
      };
      if (idx.has(s.user)) trial(idx.get(s.user)!, false);
      else if (out.includes(s.user)) for (let c = 0; c < k; c++) trial(c, true);
    }
    if (val.length) {
      verdicts.push(runSequential({ validation: validationChunks(val, (i, c) => gated(vaProba, val, i, c), k, p.maxWindowsPerTestSession), test: liveTrials, weight: 1 }));
      // Tried, not adopted: validation impostors made stranger-like by taking their own class out of the
      // softmax (P(claimed) / (1 − P(own))), so their probability goes to whoever they resemble, as a
      // stranger's does. Same trials, same rule; reported beside the verdict, chooses nothing.
      const strangerLike = (i: number, c: number) => {
        const own = val[i].label, pc = vaProba[i * k + c];
        return gatedScore(c === own ? pc : Math.min(1, pc / Math.max(1e-9, 1 - vaProba[i * k + own])), closeness(gates[c], val[i].feat));
      };
      strangerLikeVerdicts.push(runSequential({ validation: validationChunks(val, strangerLike, k, p.maxWindowsPerTestSession), test: liveTrials, weight: 1 }));
    }
  }
  const res = {
    verifier: 'features, gated by closeness (the app\'s rule)',
    how: `${folds} folds of users; per fold a feature MLP trained on the other users only; genuine trials = trained accounts' legal test sessions, impostor trials = held-out users' legal test sessions claimed as every trained account`,
    folds, genuineTrials: impostor.filter((x) => !x).length, impostorTrials: impostor.filter(Boolean).length,
    globalAuc: round(auc(scores, impostor)), eer: round(eer(scores, impostor).eer),
    withoutGate: { globalAuc: round(auc(ungated, impostor)), eer: round(eer(ungated, impostor).eer) },
    liveVerdict: verdicts.length === folds ? {
      ...strangersVerdict(verdicts),
      calibratedOnStrangerLikeImpostors: {
        how: 'tried in stop 16, not adopted: the same, with each validation impostor window\'s P(claimed) divided by 1 − P(its own class) (its own class taken out of the softmax), so known impostors look like strangers to the calibration and the weight rule',
        ...withoutHow(strangersVerdict(strangerLikeVerdicts)),
      },
    } : null,
  };
  log(`[open-set] global AUC ${res.globalAuc}, EER ${res.eer}, without the closeness gate ${res.withoutGate.globalAuc} (${res.genuineTrials} genuine / ${res.impostorTrials} impostor trials) — ${elapsed()}`);
  if (res.liveVerdict) {
    const lv = res.liveVerdict, sl = lv.calibratedOnStrangerLikeImpostors;
    log(`[open-set] live verdict against strangers: FAR ${lv.falseAcceptRate} (${lv.falseAccepts} of ${lv.impostorTrials}), FRR ${lv.falseRejectRate}, undecided ${lv.undecidedFraction}, LLR weights ${lv.llrWeights.join(', ')}; calibrated on stranger-like impostors (not adopted): FAR ${sl.falseAcceptRate}, FRR ${sl.falseRejectRate}, undecided ${sl.undecidedFraction}, weights ${sl.llrWeights.join(', ')}`);
  }
  return res;
}

/**
 * The open set with K known users per fold, for each K and seed (the headline's own K and first seed
 * reused): how the AUC moves with the number of people a model knows. Impostors are the folds' held-out
 * users in every row; users neither known nor held out sit the fold out. Trial counts are the first seed's.
 */
export async function runOpenSetKnownCurve(ctx: BenchContext, ks: readonly number[], headline: OpenSetResult) {
  const seeds = [ctx.o.seed, ...(ctx.o.extraSeeds ?? [])];
  // The most known users any fold has: from there on, every fold keeps all of its own (the headline).
  const full = ctx.users.length - Math.floor(ctx.users.length / headline.folds);
  const out = [];
  for (const k of ks) {
    const runs: OpenSetResult[] = [];
    for (const seed of seeds) runs.push(k >= full && seed === ctx.o.seed ? headline : (await runOpenSet(ctx, seed, k))!);
    out.push({
      knownPerFold: Math.min(k, full), seeds, genuineTrials: runs[0].genuineTrials, impostorTrials: runs[0].impostorTrials,
      globalAuc: seedStat(runs.map((r) => r.globalAuc)), withoutGate: seedStat(runs.map((r) => r.withoutGate.globalAuc)),
      liveVerdictFalseAcceptRate: seedStat(runs.map((r) => r.liveVerdict?.falseAcceptRate ?? null)),
    });
  }
  return out;
}

export type OpenSetResult = NonNullable<Awaited<ReturnType<typeof runOpenSet>>>;

/**
 * Validation pseudo-sessions of a fold (as the challenge builds them): each known user's validation
 * windows cut into chunks of `chunk`, every chunk claimed as every known account.
 */
function validationChunks(val: readonly Item[], claimed: (i: number, c: number) => number, k: number, chunk: number): VerifierScores['validation'] {
  const byUser = new Map<number, number[]>();
  val.forEach((it, i) => { let a = byUser.get(it.label); if (!a) byUser.set(it.label, (a = [])); a.push(i); });
  const out: VerifierScores['validation'] = [];
  for (const [u, rows] of byUser) {
    for (let at = 0; at < rows.length; at += chunk) {
      const part = rows.slice(at, at + chunk);
      for (let c = 0; c < k; c++) out.push({ genuine: c === u, p: part.map((i) => claimed(i, c)) });
    }
  }
  return out;
}

const withoutHow = <T extends { how: string }>(x: T): Omit<T, 'how'> => { const { how: _how, ...rest } = x; return rest; };

/** The folds' replays summed: impostor trials are held-out users claiming every known account. */
function strangersVerdict(vs: readonly ReturnType<typeof runSequential>[]) {
  const sum = (f: (v: ReturnType<typeof runSequential>) => number) => vs.reduce((a, v) => a + f(v), 0);
  const impostorTrials = sum((v) => v.impostorSessions), genuineTrials = sum((v) => v.genuineSessions);
  const falseAccepts = sum((v) => v.falseAccepts), falseRejects = sum((v) => v.falseRejects), undecided = sum((v) => v.undecidedSessions);
  return {
    how: 'per fold, Platt calibration and LLR weight (chooseLlrWeight, 95 % upper bound) fitted on validation pseudo-sessions of the known users only (chunks of their held-out training session, each claimed as every known account); every open-set trial replayed window by window through the SPRT; counts summed over folds',
    impostorTrials, genuineTrials, falseAccepts, falseRejects,
    falseAcceptRate: round(impostorTrials ? falseAccepts / impostorTrials : NaN), falseRejectRate: round(genuineTrials ? falseRejects / genuineTrials : NaN),
    undecidedFraction: round((impostorTrials + genuineTrials) ? undecided / (impostorTrials + genuineTrials) : NaN),
    llrWeights: vs.map((v) => v.llrWeight), weightRuleMet: vs.map((v) => v.weightRuleMet),
    validationFarUpper95AtChosenWeight: vs.map((v) => v.validationReplayByWeight[String(v.llrWeight)]?.farUpper95 ?? null),
  };
}
