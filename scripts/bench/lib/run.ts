/**
 * The Balabit benchmark, in-process: challenge protocol, group task, human vs bot, per-stage speed.
 * `scripts/bench/balabit.ts` is the CLI around `runBench`; the unit tests call it on a tiny slice.
 */
import { readFileSync } from 'node:fs';
import { capPerSession, groupBySession } from '../../../src/core/dataset';
import { BACKGROUND } from '../../../src/core/encode';
import { columnsFromSamples, type SizePx } from '../../../src/core/events';
import { fuseWindows, fusedAfter } from '../../../src/core/fusion';
import { checkHumanRules } from '../../../src/core/humanRules';
import { auc, eer, accuracy, percentile } from '../../../src/core/metrics';
import { hashSeed, mulberry32, shuffleInPlace } from '../../../src/core/random';
import { segmentSession } from '../../../src/core/segment';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, type EncodingSettings, type WindowSettings } from '../../../src/core/settings';
import { BOT_KINDS, quantizeTimes, simulateBot, type BotKind } from '../../../src/core/simulate';
import { buildModel, countParams, defaultSpec, type ModelSpec } from '../../../src/ml/model';
import { predictProba, scoreClass, trainModel, type EpochReport, type ImageSet, type TrainResult } from '../../../src/ml/train';
import { loadDataset, type BenchSession } from './data';
import { modelFlops } from './flops';
import { emptyRenderStats, renderImageSet, renderWindowRgb, type RenderStats, type WindowRef } from './images';
import type { BenchProfile } from './profiles';
import { selectBackend, tf } from './tfnode';

/** The Balabit recorder's clock tick (Windows timer, 1/64 s): bots are put on the same clock. */
export const BALABIT_TICK_MS = 15.625;

export interface BenchOptions {
  root: string;
  profile: BenchProfile;
  seed: number;
  /** Backend to train on ('wasm' falls back to 'cpu'). */
  backend?: 'wasm' | 'cpu';
  log?: (line: string) => void;
}

export interface TrainingSpeed {
  backend: string;
  images: number;
  ms: number;
  imagesPerS: number;
  gflopPerS: number;
  epochs: number;
  bestEpoch: number;
  stoppedBy: 'epochs' | 'early-stopping' | 'time-budget';
  history: Pick<EpochReport, 'epoch' | 'trainLoss' | 'trainAcc' | 'valLoss' | 'valAcc' | 'ms'>[];
}

interface Item { sessionId: string; label: number; user: string; ref: WindowRef; order: number }

const round = (x: number, d = 4) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

function windowItems(s: BenchSession, label: number): Item[] {
  return s.windows.map((w, i) => ({ sessionId: s.id, label, user: s.user, order: i, ref: { cols: s.cols, start: w.start, end: w.end, space: s.space } }));
}

/** Spread-out subset of a list (keeps order), at most n. */
function spread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  const step = xs.length / n;
  for (let i = 0; i < n; i++) out.push(xs[Math.floor(i * step)]);
  return out;
}

/** Training and validation items for a set of users: one training session per user held out for validation. */
function trainValItems(sessions: BenchSession[], users: readonly string[], labelOf: (u: string) => number, p: BenchProfile, perUser = p.maxTrainWindowsPerUser): { train: Item[]; val: Item[] } {
  const train: Item[] = [], val: Item[] = [];
  for (const u of users) {
    const ss = sessions.filter((s) => s.part === 'train' && s.user === u && s.windows.length > 0);
    // Validation = the user's last training session (by name): split by session, never by window.
    const valS = ss.length >= 2 ? ss[ss.length - 1] : null;
    const trS = ss.filter((s) => s !== valS);
    const perSession = Math.ceil(perUser / Math.max(1, trS.length));
    train.push(...capPerSession(trS.flatMap((s) => windowItems(s, labelOf(u))), perSession).slice(0, perUser));
    if (valS) val.push(...spread(windowItems(valS, labelOf(u)), p.maxValWindowsPerUser));
  }
  return { train, val };
}

export async function runBench(o: BenchOptions) {
  const log = o.log ?? ((l: string) => console.log(l));
  const p = o.profile;
  const tStart = performance.now();
  const elapsed = () => `${((performance.now() - tStart) / 1000).toFixed(1)} s`;
  const ws: WindowSettings = { ...DEFAULT_WINDOW_SETTINGS, mode: 'events', eventsPerWindow: p.eventsPerWindow };
  const es: EncodingSettings = { ...DEFAULT_ENCODING_SETTINGS, sizePx: p.sizePx };
  const be = await selectBackend(o.backend ?? 'wasm');
  log(`[bench] profile=${p.name} seed=${o.seed} backend=${be.backend} (simd ${be.simd}, threads ${be.threads})${be.note ? ' — ' + be.note : ''}`);
  log(`[bench] settings: ${JSON.stringify({ ...p, slice: p.slice ?? 'all data' })}`);
  log(`[bench] windows: ${ws.eventsPerWindow} pointer events, idle gap ${ws.idleGapMs} ms, ≥${ws.minMoveEvents} moves; images ${es.sizePx} px; data ${o.root}`);
  let peakHeap = 0;
  const sampleMem = () => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); };

  // ---- Stage 1+2: import and windowing -------------------------------------------------------
  const { sessions, stats: load } = loadDataset(o.root, ws, p.slice);
  sampleMem();
  const users = [...new Set(sessions.map((s) => s.user))];
  const testSessions = sessions.filter((s) => s.part === 'test');
  log(`[bench] ${elapsed()} imported ${load.files} files, ${load.events} events (${(load.events / (load.importMs / 1000) / 1e6).toFixed(2)} M events/s import), ${load.windows} windows (+${load.droppedWindows} dropped); ${users.length} users, ${testSessions.length} public-labelled test sessions`);

  const render = emptyRenderStats();
  const training: Record<string, TrainingSpeed> = {};

  async function train(name: string, spec: ModelSpec, trainSet: ImageSet, valSet: ImageSet | null, epochs: number, budgetS: number): Promise<TrainResult> {
    const budgetEnd = performance.now() + budgetS * 1000;
    let budgetHit = false;
    const t0 = performance.now();
    const r = await trainModel(spec, trainSet, valSet, {
      epochs, batchSize: p.batchSize, learningRate: p.learningRate, seed: o.seed, patience: p.patience,
      maxShiftPx: p.maxShiftPx, balanceClasses: true,
      shouldStop: () => (performance.now() > budgetEnd ? (budgetHit = true) : false),
      onEpoch: (e) => { sampleMem(); log(`[${name}] epoch ${e.epoch + 1}/${epochs}: loss ${e.trainLoss.toFixed(3)} acc ${e.trainAcc.toFixed(3)} | ${Number.isNaN(e.valLoss) ? 'no validation set' : `val loss ${e.valLoss.toFixed(3)} acc ${e.valAcc.toFixed(3)}`} | ${(e.ms / 1000).toFixed(1)} s${e.best ? ' *' : ''}`); },
    });
    const ms = performance.now() - t0;
    // Images processed: full epochs plus the partial one a budget stop cut short (estimated from time).
    const fullEpochMs = r.history.reduce((a, e) => a + e.ms, 0);
    const perImageMs = fullEpochMs / Math.max(1, r.history.length * trainSet.count) || ms / trainSet.count;
    const images = r.history.length * trainSet.count + (budgetHit ? Math.max(0, (ms - fullEpochMs) / perImageMs) : 0);
    const fl = modelFlops(r.model);
    // Training time includes validation passes; count their forward FLOPs too.
    const valImages = r.history.length * (valSet?.count ?? 0);
    const flops = images * fl.trainPerImage + valImages * fl.forwardPerImage;
    training[name] = {
      backend: r.backend, images: Math.round(images), ms: round(ms, 0), imagesPerS: round(images / (ms / 1000), 1),
      gflopPerS: round(flops / (ms / 1000) / 1e9, 2), epochs: r.history.length, bestEpoch: r.bestEpoch,
      stoppedBy: budgetHit ? 'time-budget' : r.stoppedEarly ? 'early-stopping' : 'epochs',
      history: r.history.map((e) => ({ epoch: e.epoch, trainLoss: round(e.trainLoss), trainAcc: round(e.trainAcc), valLoss: round(e.valLoss), valAcc: round(e.valAcc), ms: round(e.ms, 0) })),
    };
    log(`[${name}] trained ${training[name].epochs} epochs (${training[name].stoppedBy}), best epoch ${r.bestEpoch + 1}, ${training[name].imagesPerS} images/s, ${training[name].gflopPerS} GFLOP/s — ${elapsed()}`);
    return r;
  }

  const imageSet = (items: Item[], labels?: number[]) => { const s = renderImageSet(items.map((i) => i.ref), labels ?? items.map((i) => i.label), es, BACKGROUND, render); sampleMem(); return s; };

  // ---- Challenge protocol --------------------------------------------------------------------
  let challenge: Record<string, unknown> | null = null;
  let challengeModel: { model: tf.LayersModel; spec: ModelSpec } | null = null;
  let latencyRefs: WindowRef[] = [];
  if (p.tasks.challenge) {
    const userIdx = new Map(users.map((u, i) => [u, i]));
    const { train: trItems, val: vaItems } = trainValItems(sessions, users, (u) => userIdx.get(u)!, p);
    let trLabels = trItems.map((i) => i.label);
    if (p.shuffledLabelControl) {
      // Control: labels permuted across windows, so no image carries its user's identity.
      trLabels = shuffleInPlace([...trLabels], mulberry32(o.seed ^ 0x5eed));
    }
    const trainSet = imageSet(trItems, trLabels);
    const valSet = vaItems.length ? imageSet(vaItems) : null;
    log(`[challenge] ${trainSet.count} training images, ${valSet?.count ?? 0} validation images (held-out training sessions), ${users.length} classes — ${elapsed()}`);
    const spec: ModelSpec = { ...defaultSpec('group', es.sizePx, users.length), ...p.model, numClasses: users.length };
    const r = await train('challenge', spec, trainSet, valSet, p.epochs, p.trainBudgetS.challenge);
    challengeModel = { model: r.model, spec };

    // Score every public-labelled test session: per window P(claimed user), fused over the session.
    const testItems: Item[] = [];
    for (const s of testSessions) testItems.push(...windowItems(s, userIdx.get(s.user) ?? 0).slice(0, p.maxWindowsPerTestSession));
    const testSet = imageSet(testItems);
    latencyRefs = spread(testItems, p.latencyWindows).map((i) => i.ref);
    const tPred = performance.now();
    const proba = await predictProba(r.model, testSet, 128);
    const predictMs = performance.now() - tPred;
    const k = users.length;
    const pClaimed = new Map<string, number[]>();
    testItems.forEach((it, i) => {
      let a = pClaimed.get(it.sessionId);
      if (!a) pClaimed.set(it.sessionId, (a = []));
      a.push(proba[i * k + it.label]);
    });
    const sessScores: number[] = [], sessPos: boolean[] = [], sessUser: string[] = [], sessWindows: number[] = [];
    const after: Record<number, number[]> = { 1: [], 5: [], 20: [] };
    for (const s of testSessions) {
      const ps = pClaimed.get(s.id) ?? [];
      // Anomaly score: 1 − fused probability that the account owner made the movement.
      // A session with no usable window gets 0.5 (no evidence either way).
      sessScores.push(ps.length ? 1 - fuseWindows(ps).fusedScore : 0.5);
      sessPos.push(!!s.illegal);
      sessUser.push(s.user);
      sessWindows.push(ps.length);
      const fa = ps.length ? fusedAfter(ps, [1, 5, 20]) : [0.5, 0.5, 0.5];
      after[1].push(1 - fa[0]); after[5].push(1 - fa[1]); after[20].push(1 - fa[2]);
    }
    const winScores = testItems.map((it, i) => 1 - proba[i * k + it.label]);
    const winPos = testItems.map((it) => !!testSessions.find((s) => s.id === it.sessionId)!.illegal);
    const perUser: Record<string, { sessions: number; illegal: number; auc: number; eer: number }> = {};
    for (const u of users) {
      const idx = sessUser.map((x, i) => (x === u ? i : -1)).filter((i) => i >= 0);
      const sc = idx.map((i) => sessScores[i]), po = idx.map((i) => sessPos[i]);
      perUser[u] = { sessions: idx.length, illegal: po.filter(Boolean).length, auc: round(auc(sc, po)), eer: round(eer(sc, po).eer) };
    }
    // Top-1 identification of legal windows (made by the account owner): argmax = claimed user.
    const top1 = { hit: 0, n: 0 };
    testItems.forEach((it, i) => {
      if (winPos[i]) return;
      top1.n++;
      let best = 0;
      for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
      if (best === it.label) top1.hit++;
    });
    const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const e = eer(sessScores, sessPos);
    const afterK = (kk: number) => {
      const withK = sessWindows.filter((n) => n >= kk).length;
      return { auc: round(auc(after[kk], sessPos)), eer: round(eer(after[kk], sessPos).eer), sessionsWithAtLeastK: withK };
    };
    challenge = {
      design: `one ${users.length}-class CNN (the app's group architecture${Object.keys(p.model).length ? ' with ' + JSON.stringify(p.model) : ''}) trained on training_files windows only; session anomaly score = 1 − fused P(claimed user) over its first ${p.maxWindowsPerTestSession} windows (mean clamped log-odds)`,
      shuffledLabelControl: !!p.shuffledLabelControl,
      model: { params: countParams(r.model), flopsForwardPerImage: modelFlops(r.model).forwardPerImage, spec },
      trainImages: trainSet.count, valImages: valSet?.count ?? 0, testSessions: testSessions.length,
      testSessionsIllegal: sessPos.filter(Boolean).length, testWindowsScored: testItems.length,
      sessionsWithoutWindows: sessWindows.filter((n) => n === 0).length,
      globalAuc: round(auc(sessScores, sessPos)),
      sessionEer: round(e.eer), sessionEerThreshold: round(e.threshold),
      perUser, meanPerUserAuc: round(mean(finite(Object.values(perUser).map((x) => x.auc)))),
      meanPerUserEer: round(mean(finite(Object.values(perUser).map((x) => x.eer)))),
      windowAuc: round(auc(winScores, winPos)),
      afterWindows: { 1: afterK(1), 5: afterK(5), 20: afterK(20) },
      windowTop1Accuracy: round(top1.n ? top1.hit / top1.n : NaN),
      /** Every scored session, so anyone can recompute the metrics (the tests do). */
      sessionScores: testSessions.map((s, i) => ({ id: s.id, user: s.user, illegal: sessPos[i], anomalyScore: round(sessScores[i], 6), windows: sessWindows[i] })),
      predict: { windows: testItems.length, ms: round(predictMs, 0), windowsPerS: round(testItems.length / (predictMs / 1000), 1) },
    };
    log(`[challenge] GLOBAL AUC ${challenge.globalAuc} | session EER ${challenge.sessionEer} | mean per-user AUC ${challenge.meanPerUserAuc} EER ${challenge.meanPerUserEer} | window AUC ${challenge.windowAuc} | after 1/5/20 windows AUC ${afterK(1).auc}/${afterK(5).auc}/${afterK(20).auc} — ${elapsed()}`);
  }

  // ---- Group tasks ---------------------------------------------------------------------------
  const groups: Record<string, unknown> = {};
  const shuffledUsers = shuffleInPlace([...users], mulberry32(hashSeed('groups', o.seed)));
  async function groupTask(name: string, trainPos: string[], trainNeg: string[], testPos: string[], testNeg: string[], describe: string) {
    const label = (u: string) => (trainPos.includes(u) || testPos.includes(u) ? 1 : 0);
    const { train: trItems, val: vaItems } = trainValItems(sessions, [...trainPos, ...trainNeg], label, p, p.groupTrainWindowsPerUser);
    const trainSet = imageSet(trItems);
    const valSet = vaItems.length ? imageSet(vaItems) : null;
    const spec: ModelSpec = { ...defaultSpec('group', es.sizePx, 2), ...p.model, numClasses: 2 };
    const r = await train(name, spec, trainSet, valSet, p.groupEpochs, p.trainBudgetS.group);
    // Test: public-labelled *legal* test sessions (made by the account owner) of the test users.
    const ts = testSessions.filter((s) => !s.illegal && (testPos.includes(s.user) || testNeg.includes(s.user)) && s.windows.length > 0);
    const items = ts.flatMap((s) => windowItems(s, label(s.user)).slice(0, p.maxWindowsPerTestSession));
    const set = imageSet(items);
    const proba = await predictProba(r.model, set, 128);
    const byS = groupBySession(items.map((it, i) => ({ ...it, p1: proba[i * 2 + 1] })));
    const sc: number[] = [], po: boolean[] = [];
    for (const s of ts) { const g = byS.get(s.id); if (!g) continue; sc.push(fuseWindows(g.map((x) => x.p1)).fusedScore); po.push(label(s.user) === 1); }
    groups[name] = {
      describe, trainPositiveUsers: trainPos, trainNegativeUsers: trainNeg, testPositiveUsers: testPos, testNegativeUsers: testNeg,
      trainImages: trainSet.count, testSessions: sc.length, testPositiveSessions: po.filter(Boolean).length,
      sessionAuc: round(auc(sc, po)), sessionAccuracyAt05: round(accuracy(sc, po, 0.5)),
      windowAuc: round(auc(items.map((_, i) => proba[i * 2 + 1]), items.map((it) => it.label === 1))),
    };
    r.model.dispose();
    log(`[${name}] session AUC ${(groups[name] as { sessionAuc: number }).sessionAuc}, accuracy ${(groups[name] as { sessionAccuracyAt05: number }).sessionAccuracyAt05} on ${sc.length} sessions — ${elapsed()}`);
  }
  if (p.tasks.group && users.length >= 4) {
    // "Regular customers vs others": the regulars are known people (the model learns them from their
    // training sessions and meets them again in their own later sessions); "others" in the test are
    // people the model has never seen, disjoint from the others it was trained against.
    const nReg = Math.ceil(users.length / 2);
    const reg = shuffledUsers.slice(0, nReg), others = shuffledUsers.slice(nReg);
    const nOthTrain = Math.max(1, Math.ceil(others.length * 0.6));
    await groupTask('group-regulars-vs-new', reg, others.slice(0, nOthTrain), reg, others.slice(nOthTrain),
      'regular customers (known users; test = their own later sessions) vs others (test = never-seen users, disjoint from the training negatives)');
  }
  if (p.tasks.groupDisjoint && users.length >= 4) {
    // Control: two arbitrary groups of people, disjoint users in training and test on both sides.
    // With no systematic difference between the groups this should sit near AUC 0.5.
    const half = Math.floor(users.length / 2);
    const A = shuffledUsers.slice(0, half), B = shuffledUsers.slice(half);
    const a = Math.ceil(A.length * 0.6), b = Math.ceil(B.length * 0.6);
    await groupTask('group-disjoint-users', A.slice(0, a), B.slice(0, b), A.slice(a), B.slice(b),
      'two arbitrary groups of people, disjoint users in training and test on both sides (a control: nothing but individual style separates them)');
  }

  // ---- Human vs bot --------------------------------------------------------------------------
  let bots: Record<string, unknown> | null = null;
  if (p.tasks.bot) {
    // Same page geometry as the human data: the most common screen of the Balabit sessions.
    const spaceCount = new Map<string, { s: SizePx; n: number }>();
    for (const s of sessions) { const k = `${s.space.width}x${s.space.height}`; const e = spaceCount.get(k) ?? { s: s.space, n: 0 }; e.n++; spaceCount.set(k, e); }
    const space = [...spaceCount.values()].sort((a, b) => b.n - a.n)[0].s;
    const half = Math.max(1, Math.floor(shuffledUsers.length / 2));
    const humanTrainUsers = shuffledUsers.slice(0, half), humanTestUsers = shuffledUsers.slice(half).length ? shuffledUsers.slice(half) : shuffledUsers.slice(0, half);
    const trainKinds: BotKind[] = ['linear', 'bezier-eased'];
    const heldOut = BOT_KINDS.filter((k) => !trainKinds.includes(k));
    // Replay sources: stretches of real sessions of the *test* humans (a fraud tool replaying recorded people).
    const replaySources = sessions.filter((s) => s.part === 'train' && humanTestUsers.includes(s.user));
    const botItems: (Item & { kind: BotKind; split: 'train' | 'test' })[] = [];
    const genStart = performance.now();
    for (const kind of BOT_KINDS) {
      for (let i = 0; i < p.botSessionsPerKind; i++) {
        const seed = hashSeed(`${kind}-${i}`, o.seed);
        let source;
        if (kind === 'replay') {
          const src = replaySources[i % replaySources.length];
          const from = Math.floor(mulberry32(seed)() * Math.max(1, src.cols.length - 3000));
          source = Array.from({ length: Math.min(3000, src.cols.length - from) }, (_, j) => ({
            tMs: src.cols.tMs[from + j], kind: src.cols.kind[from + j] as 0, x: src.cols.x[from + j], y: src.cols.y[from + j],
            button: src.cols.button[from + j], buttons: src.cols.buttons[from + j], pointerKind: 1 as const, dx: src.cols.dx[from + j], dy: src.cols.dy[from + j],
          }));
        }
        const samples = quantizeTimes(simulateBot(kind, { width: space.width, height: space.height }, { seed, reaches: p.botReachesPerSession, source }), BALABIT_TICK_MS);
        const cols = columnsFromSamples(samples);
        const id = `bot-${kind}-${i}`;
        const seg = segmentSession(cols, id, ws, space);
        // Split by session: even-numbered sessions train, odd test (held-out kinds never train).
        const split = trainKinds.includes(kind) && i % 2 === 0 ? 'train' : 'test';
        seg.windows.forEach((w, j) => botItems.push({ sessionId: id, label: 1, user: kind, order: j, kind, split, ref: { cols, start: w.start, end: w.end, space } }));
      }
    }
    const genMs = performance.now() - genStart;
    const humanTr = trainValItems(sessions, humanTrainUsers, () => 0, p, p.groupTrainWindowsPerUser).train;
    const humanTe = humanTestUsers.flatMap((u) => capPerSession(sessions.filter((s) => s.part === 'train' && s.user === u).flatMap((s) => windowItems(s, 0)), Math.ceil(p.maxValWindowsPerUser / 2)));
    const botTr = botItems.filter((b) => b.split === 'train');
    // Balance: as many bot training windows as human ones at most (class weights handle the rest).
    const botTrCapped = spread(botTr, humanTr.length);
    const trainSet = imageSet([...humanTr, ...botTrCapped]);
    const spec: ModelSpec = { ...defaultSpec('group', es.sizePx, 2), ...p.model, numClasses: 2 };
    const r = await train('bot', spec, trainSet, null, p.botEpochs, p.trainBudgetS.bot);
    const humanSet = imageSet(humanTe);
    const hp = Array.from(await scoreClass(r.model, humanSet, 1, 128));
    const perKind: Record<string, unknown> = {};
    const rulesHuman = humanTe.map((h) => checkHumanRules(h.ref.cols, h.ref.start, h.ref.end).flags.length > 0);
    for (const kind of BOT_KINDS) {
      const te = spread(botItems.filter((b) => b.kind === kind && b.split === 'test'), humanTe.length);
      if (!te.length) continue;
      const bp = Array.from(await scoreClass(r.model, imageSet(te), 1, 128));
      const rules = te.map((b) => checkHumanRules(b.ref.cols, b.ref.start, b.ref.end).flags);
      perKind[kind] = {
        heldOut: heldOut.includes(kind), testWindows: te.length,
        windowAuc: round(auc([...bp, ...hp], [...bp.map(() => true), ...hp.map(() => false)])),
        rulesFlagRate: round(rules.filter((f) => f.length > 0).length / rules.length, 3),
        rulesFlags: Object.fromEntries([...new Set(rules.flat())].map((f) => [f, rules.filter((x) => x.includes(f)).length])),
      };
      log(`[bot] ${kind}${heldOut.includes(kind) ? ' (held out)' : ''}: window AUC ${(perKind[kind] as { windowAuc: number }).windowAuc}, human-rules flag rate ${(perKind[kind] as { rulesFlagRate: number }).rulesFlagRate}`);
    }
    bots = {
      space, trainKinds, heldOutKinds: heldOut, humanTrainUsers, humanTestUsers, clockTickMs: BALABIT_TICK_MS,
      trainImages: trainSet.count, humanTestWindows: humanTe.length, generateMs: round(genMs, 0),
      humanRulesFalseFlagRate: round(rulesHuman.filter(Boolean).length / Math.max(1, rulesHuman.length), 3),
      perKind,
    };
    r.model.dispose();
  }

  // ---- Speed probes --------------------------------------------------------------------------
  const speed: Record<string, unknown> = {};
  speed.import = { files: load.files, events: load.events, mb: round(load.bytes / 1e6, 1), readMs: round(load.readMs, 0), importMs: round(load.importMs, 0), eventsPerS: Math.round(load.events / (load.importMs / 1000)), mbPerS: round(load.bytes / 1e6 / (load.importMs / 1000), 1) };
  speed.windowing = { windows: load.windows, ms: round(load.windowMs, 0), windowsPerS: Math.round(load.windows / (load.windowMs / 1000)), eventsPerS: Math.round(load.events / (load.windowMs / 1000)) };
  speed.render = renderSpeed(render);
  speed.training = training;
  if (challengeModel) {
    speed.scoringLatency = await scoringLatency(challengeModel.model, latencyRefs, es);
    speed.backendProbe = await backendProbe(challengeModel.spec, p, o.seed, be.backend);
    if (p.browserProbe) {
      try {
        // Loaded on demand: Playwright and Vite are only needed for this part.
        const { browserTrainingProbe } = await import('./browserProbe');
        speed.browserProbe = await browserTrainingProbe(challengeModel.spec, modelFlops(challengeModel.model).trainPerImage, 2, log);
      } catch (e) {
        speed.browserProbe = { error: e instanceof Error ? e.message : String(e) };
      }
    }
    challengeModel.model.dispose();
  }
  const ru = process.resourceUsage();
  speed.memory = { peakRssMb: round(ru.maxRSS / 1024, 0), peakHeapMb: round(peakHeap / 1e6, 0), tfNumTensorsAtEnd: tf.memory().numTensors };
  speed.machine = machinePeak();
  const stageMs: Record<string, number> = {
    import: load.readMs + load.importMs, windowing: load.windowMs, encodeRender: render.encodeMs + render.renderMs,
    training: Object.values(training).reduce((a, t) => a + t.ms, 0),
  };
  speed.stageMs = Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, round(v, 0)]));
  speed.slowestStage = Object.entries(stageMs).sort((a, b) => b[1] - a[1])[0][0];
  const wallS = (performance.now() - tStart) / 1000;
  log(`[bench] done in ${wallS.toFixed(1)} s; slowest stage: ${speed.slowestStage}`);
  return {
    benchmark: 'balabit', version: 1, profile: p.name, seed: o.seed, date: new Date().toISOString(), wallSeconds: round(wallS, 1),
    backend: be, node: process.version, dataset: o.root,
    settings: { window: ws, encoding: es, profile: p },
    data: { users, files: load.files, events: load.events, windows: load.windows, droppedWindows: load.droppedWindows, trainSessions: sessions.filter((s) => s.part === 'train').length, publicTestSessions: testSessions.length },
    challenge, groups, bots, speed,
  };
}

function renderSpeed(r: RenderStats) {
  const s = (r.encodeMs + r.renderMs) / 1000;
  return {
    where: 'Node, @napi-rs/canvas via renderDrawList (the render worker runs the same draw list on OffscreenCanvas; its in-browser throughput is measured by `npm run bench capture`)',
    images: r.images, events: r.events, encodeMs: round(r.encodeMs, 0), renderMs: round(r.renderMs, 0),
    imagesPerS: round(r.images / s, 1), eventsPerS: Math.round(r.events / s), segmentsPerImage: round(r.segments / Math.max(1, r.images), 1),
  };
}

/** One window at a time, as live scoring does: encode + render + predict; p50/p95. */
async function scoringLatency(model: tf.LayersModel, refs: WindowRef[], es: EncodingSettings) {
  if (!refs.length) return null;
  const per = es.sizePx * es.sizePx * 3;
  const buf = new Uint8Array(per);
  const total: number[] = [], modelOnly: number[] = [];
  for (let i = 0; i < refs.length + 3; i++) {
    const ref = refs[i % refs.length];
    const t0 = performance.now();
    renderWindowRgb(ref, es, buf, 0);
    const t1 = performance.now();
    const y = tf.tidy(() => model.predict(tf.tensor4d(Float32Array.from(buf, (v) => v / 255), [1, es.sizePx, es.sizePx, 3])) as tf.Tensor);
    await y.data();
    y.dispose();
    const t2 = performance.now();
    if (i >= 3) { total.push(t2 - t0); modelOnly.push(t2 - t1); } // first 3 = warm-up
  }
  return { windows: total.length, p50Ms: round(percentile(total, 50), 2), p95Ms: round(percentile(total, 95), 2), modelP50Ms: round(percentile(modelOnly, 50), 2), modelP95Ms: round(percentile(modelOnly, 95), 2) };
}

/** Training throughput of the challenge architecture on each Node backend (batch of real-size random images). */
async function backendProbe(spec: ModelSpec, p: BenchProfile, seed: number, current: string) {
  const out: Record<string, unknown> = {};
  for (const name of ['wasm', 'cpu'] as const) {
    const steps = p.probeSteps[name];
    if (!steps) { out[name] = { skipped: 'steps = 0 in this profile' }; continue; }
    try {
      await tf.setBackend(name);
      await tf.ready();
      const model = buildModel(spec, seed);
      const fl = modelFlops(model);
      const opt = tf.train.adam(1e-3);
      // The cpu backend (plain JS) takes over a minute per batch of 32 at 48 px: probe it on 4 images.
      const b = name === 'cpu' ? 4 : p.batchSize, s = spec.inputSizePx;
      const x = tf.randomUniform([b, s, s, 3], 0, 1, 'float32', seed);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: b }, (_, i) => i % spec.numClasses), 'int32'), spec.numClasses));
      const step = () => { const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true); return l!; };
      if (name !== 'cpu') await step().data(); // warm-up (wasm: first call allocates)
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) { const l = step(); await l.data(); l.dispose(); }
      const ms = (performance.now() - t0) / steps;
      x.dispose(); y.dispose(); opt.dispose(); model.dispose();
      out[name] = { msPerStep: round(ms, 1), batch: b, imagesPerS: round((b / ms) * 1000, 1), gflopPerS: round(((b * fl.trainPerImage) / (ms / 1000)) / 1e9, 2), trainFlopsPerImage: fl.trainPerImage };
    } catch (e) {
      out[name] = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  await tf.setBackend(current);
  return out;
}

/** The machine's peak FP32 rate, estimated from lscpu flags and frequency (stated, not measured). */
function machinePeak() {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
  let ghz = 2.6, model = 'unknown', flags = '';
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? model;
    const bogo = Number(/bogomips\s*:\s*([\d.]+)/.exec(cpuinfo)?.[1]);
    const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(cpuinfo)?.[1]);
    ghz = mhz > 0 ? mhz / 1000 : bogo > 0 ? bogo / 2000 : ghz;
    flags = /flags\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? '';
  } catch { /* not Linux */ }
  const fma = /\bfma\b/.test(flags), avx2 = /\bavx2\b/.test(flags), avx512 = /\bavx512f\b/.test(flags);
  // FP32 FLOPs/cycle/core: 2 FMA pipes × 8 lanes (256-bit) × 2 = 32 with AVX2+FMA (Zen 4 runs AVX-512
  // on the same 256-bit pipes, so no more). WebAssembly SIMD is 128-bit without FMA: 2 pipes × 4 lanes
  // × 1 = 8, and Node's tfjs wasm backend is single-threaded: 1 core.
  const perCycle = fma && avx2 ? 32 : 16;
  return {
    cpu: model, cores, ghz: round(ghz, 2), avx2, fma, avx512,
    peakGflopPerS: round(cores * ghz * perCycle, 1),
    wasmReachablePeakGflopPerS: round(1 * ghz * 8, 1),
    how: `${cores} cores × ${ghz.toFixed(2)} GHz × ${perCycle} FP32 FLOP/cycle (2 FMA pipes × 8 lanes × 2); wasm SIMD: 128-bit, no FMA, 1 thread in Node → 1 × ${ghz.toFixed(2)} × 8`,
  };
}

export type BenchReport = Awaited<ReturnType<typeof runBench>>;
