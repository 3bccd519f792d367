/**
 * Small enrolment: each account trains on only its first few minutes of movement (what a person
 * enrolling themselves gives the app), then the 816 labelled test sessions are scored as in the
 * challenge. "Minutes of movement" = summed durations of the account's training windows, taken in
 * file order; the last fifth of that stretch is the validation set for early stopping.
 * Scored with the feature branch (a CNN on ~3 minutes per account learns little; see docs).
 */
import { defaultFeatureSpec, predictFeatureProba } from '../../../src/ml/featureModel';
import { featureSet, round, windowItems, type BenchContext, type Item } from './context';
import { sessionMetrics } from './verify';
import { closeness, fitCloseness, gatedScore } from '../../../src/core/closeness';

export async function runSmallEnrolment(ctx: BenchContext, seed = ctx.o.seed) {
  const { p, users, testSessions, log, elapsed } = ctx;
  const budgetMs = p.smallEnrolmentSeconds * 1000;
  const idx = new Map(users.map((u, i) => [u, i]));
  const train: Item[] = [], val: Item[] = [];
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
  const res = {
    verifier: 'features, gated by closeness (the app\'s rule)', secondsOfMovementPerAccount: p.smallEnrolmentSeconds,
    meanSecondsUsed: round(perUserMs.reduce((a, b) => a + b, 0) / Math.max(1, perUserMs.length) / 1000, 1),
    trainWindows: train.length, valWindows: val.length, ...m,
    withoutGate: { globalAuc: w.globalAuc, sessionEer: w.sessionEer },
  };
  log(`[small-enrolment] ${p.smallEnrolmentSeconds} s per account: global AUC ${res.globalAuc}, EER ${res.sessionEer} (without the closeness gate ${w.globalAuc}) — ${elapsed()}`);
  return res;
}
