/**
 * Group tasks: "regular customers vs others" (known users vs never-seen ones) and a control of two
 * arbitrary groups of people with disjoint users in training and test (should sit near AUC 0.5).
 * Two-class feature models; session score = fused P(group 1) over the first windows.
 */
import { fuseWindows } from '../../../src/core/fusion';
import { accuracy, auc } from '../../../src/core/metrics';
import { defaultFeatureSpec, predictFeatureProba } from '../../../src/ml/featureModel';
import { featureSet, round, trainValItems, windowItems, type BenchContext, type Item } from './context';

async function groupTask(ctx: BenchContext, name: string, trainPos: string[], trainNeg: string[], testPos: string[], testNeg: string[], describe: string) {
  const { p, testSessions, log, elapsed } = ctx;
  const label = (u: string) => (trainPos.includes(u) || testPos.includes(u) ? 1 : 0);
  const { train, val } = trainValItems(ctx.sessions, [...trainPos, ...trainNeg], label, p, p.groupTrainWindowsPerUser);
  const spec = { ...defaultFeatureSpec(2), ...p.featureModel, numClasses: 2 };
  const r = await ctx.trainMlp(name, spec, featureSet(train), val.length ? featureSet(val) : null);
  // Test: public-labelled *legal* test sessions (made by the account owner) of the test users.
  const ts = testSessions.filter((s) => !s.illegal && (testPos.includes(s.user) || testNeg.includes(s.user)) && s.windows.length > 0);
  const items: Item[] = ts.flatMap((s) => windowItems(s, label(s.user)).slice(0, p.maxWindowsPerTestSession));
  const proba = await predictFeatureProba(r.model, r.standardiser, featureSet(items));
  r.model.dispose();
  const byS = new Map<string, number[]>();
  items.forEach((it, i) => { let a = byS.get(it.sessionId); if (!a) byS.set(it.sessionId, (a = [])); a.push(proba[i * 2 + 1]); });
  const sc: number[] = [], po: boolean[] = [];
  for (const s of ts) { const g = byS.get(s.id); if (!g) continue; sc.push(fuseWindows(g).fusedScore); po.push(label(s.user) === 1); }
  const res = {
    describe, verifier: 'features', trainPositiveUsers: trainPos, trainNegativeUsers: trainNeg, testPositiveUsers: testPos, testNegativeUsers: testNeg,
    trainWindows: train.length, testSessions: sc.length, testPositiveSessions: po.filter(Boolean).length,
    sessionAuc: round(auc(sc, po)), sessionAccuracyAt05: round(accuracy(sc, po, 0.5)),
    windowAuc: round(auc(items.map((_, i) => proba[i * 2 + 1]), items.map((it) => it.label === 1))),
  };
  log(`[${name}] session AUC ${res.sessionAuc}, accuracy ${res.sessionAccuracyAt05} on ${sc.length} sessions — ${elapsed()}`);
  return res;
}

export async function runGroups(ctx: BenchContext, shuffledUsers: string[]) {
  const groups: Record<string, unknown> = {};
  const { p, users } = ctx;
  if (p.tasks.group && users.length >= 4) {
    const nReg = Math.ceil(users.length / 2);
    const reg = shuffledUsers.slice(0, nReg), others = shuffledUsers.slice(nReg);
    const nOthTrain = Math.max(1, Math.ceil(others.length * 0.6));
    groups['group-regulars-vs-new'] = await groupTask(ctx, 'group-regulars-vs-new', reg, others.slice(0, nOthTrain), reg, others.slice(nOthTrain),
      'regular customers (known users; test = their own later sessions) vs others (test = never-seen users, disjoint from the training negatives)');
  }
  if (p.tasks.groupDisjoint && users.length >= 4) {
    const half = Math.floor(users.length / 2);
    const A = shuffledUsers.slice(0, half), B = shuffledUsers.slice(half);
    const a = Math.ceil(A.length * 0.6), b = Math.ceil(B.length * 0.6);
    groups['group-disjoint-users'] = await groupTask(ctx, 'group-disjoint-users', A.slice(0, a), B.slice(0, b), A.slice(a), B.slice(b),
      'two arbitrary groups of people, disjoint users in training and test on both sides (a control: nothing but individual style separates them)');
  }
  return groups;
}
