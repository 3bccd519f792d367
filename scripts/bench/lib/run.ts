/**
 * The Balabit benchmark, in-process: composes the tasks (one module each) into one report.
 * `scripts/bench/balabit.ts` is the CLI around `runBench`; the unit tests call it on a tiny slice.
 *
 * Tasks: challenge.ts (the headline and its variants/baselines), sequential.ts (issue #9's live
 * decision replayed), openSet.ts, smallEnrolment.ts, groups.ts, bots.ts, speed.ts. With extra seeds,
 * the headline figures are recomputed per seed (see `seedRuns`).
 */
import { hashSeed, mulberry32, shuffleInPlace } from '../../../src/core/random';
import { claimedProbs, defaultVerifier, featureBranch, runChallenge, type ChallengeOutcome } from './challenge';
import { createContext, round, seedStat, type BenchContext, type BenchOptions } from './context';
import { runBots } from './bots';
import { runGroups } from './groups';
import { runOpenSet, runOpenSetKnownCurve } from './openSet';
import { runSequential } from './sequential';
import { runSmallEnrolment, runSmallEnrolmentCurve, runStrangersKnownCurve } from './smallEnrolment';
import { backendProbe, featureLatency, machinePeak, renderSpeed, scoringLatency } from './speed';
import { selectBackend, tf } from './tfnode';
import { sessionMetrics } from './verify';

export type { BenchOptions, TrainingSpeed } from './context';

/**
 * Headline figures for more seeds. The CNN is trained once (first seed: the time budget allows no more
 * on this machine); per extra seed the feature branch, the open-set folds and the small enrolment are
 * retrained, and the default verifier (the headline) is rebuilt from that seed's feature branch and the
 * first seed's CNN scores (fusion weight and closeness gates fitted again), and every live verdict is
 * replayed again. The report says which figure has how many values.
 */
async function seedRuns(ctx: BenchContext, seeds: number[], image: ChallengeOutcome['imageScores'], first: { challenge: number; features: number; openSet: number | null; smallEnrolment: number | null; verdicts: ReturnType<typeof liveVerdictRates> }) {
  const rows = [{ seed: ctx.o.seed, ...first }];
  for (const seed of seeds) {
    ctx.log(`[seeds] seed ${seed} — ${ctx.elapsed()}`);
    const fb = await featureBranch(ctx, seed, `seed${seed}-features`);
    const features = sessionMetrics(ctx.testSessions.map((s) => ({ id: s.id, user: s.user, illegal: !!s.illegal })), claimedProbs(fb.testItems, fb.testProba, fb.k), ctx.users, false).globalAuc;
    const dv = Number.isFinite(first.challenge) ? defaultVerifier(ctx, fb, image) : null;
    const challenge = dv?.headline.globalAuc ?? NaN;
    const sequential = dv && ctx.p.tasks.sequential ? runSequential(dv.verifier) : null;
    fb.r.model.dispose();
    const os = ctx.p.tasks.openSet ? await runOpenSet(ctx, seed) : null;
    const se = ctx.p.tasks.smallEnrolment ? await runSmallEnrolment(ctx, seed) : null;
    rows.push({ seed, challenge, features, openSet: os?.globalAuc ?? null, smallEnrolment: se?.globalAuc ?? null, verdicts: liveVerdictRates(sequential, os, se) });
  }
  return {
    seeds: rows.map((r) => r.seed),
    note: 'The image CNN is trained once (first seed). Per seed, the feature variant, open set and small enrolment are retrained, and challenge.globalAuc (the default verifier) is rebuilt from that seed\'s feature branch and the first seed\'s CNN scores (fusion weight and closeness gates fitted again): its spread is the feature branch\'s, not the CNN\'s. liveVerdicts: the FAR / FRR / undecided share of each live verdict per seed (challenge: the default verifier\'s, replayed as challenge.sequential).',
    challengeGlobalAuc: seedStat(rows.map((r) => r.challenge)),
    featuresGlobalAuc: seedStat(rows.map((r) => r.features)),
    openSetGlobalAuc: seedStat(rows.map((r) => r.openSet)),
    smallEnrolmentGlobalAuc: seedStat(rows.map((r) => r.smallEnrolment)),
    // The live verdicts depend on the seed too (their models, calibrations and LLR weights are refitted).
    liveVerdicts: Object.fromEntries(VERDICT_KEYS.map((k) => [k, {
      falseAcceptRate: seedStat(rows.map((r) => r.verdicts[k]?.falseAcceptRate ?? null)),
      falseRejectRate: seedStat(rows.map((r) => r.verdicts[k]?.falseRejectRate ?? null)),
      undecidedFraction: seedStat(rows.map((r) => r.verdicts[k]?.undecidedFraction ?? null)),
    }])),
  };
}

type BotsReport = NonNullable<Awaited<ReturnType<typeof runBots>>>;

/**
 * The bot task on more user splits (`--bot-splits N`): which 5 users train and which 5 test decides a lot
 * (Balabit's users were recorded on two clocks; docs/benchmark.md), so one split is one draw. Per seed: the
 * users split as the task splits them for that seed, the bots drawn again, every model and the scorer's
 * choice refitted; summarised per split and per kind over splits.
 */
async function botSplits(ctx: BenchContext, first: BotsReport, seeds: number[]) {
  const row = (seed: number, b: BotsReport) => ({
    seed, humanTrainUsers: b.humanTrainUsers, humanTestUsers: b.humanTestUsers, chosen: b.verifier,
    // The clock control's rule for "a finer clock": under half the coarsest human clock.
    fastClockTrainUsers: b.humanTrainUsers.filter((u) => (b.diagnostics.humanMedianStepMsByUser[u] ?? Infinity) < b.baselines.coarsestClockMs / 2).length,
    windowAuc: Object.fromEntries(Object.entries(b.perKind).map(([k, v]) => [k, (v as { windowAuc: number }).windowAuc])),
    appRuleWindowAuc: Object.fromEntries(Object.entries(b.perKind).map(([k, v]) => [k, (v as { variants: Record<string, number> }).variants.maxTwoClassMahalanobis])),
    testHumansFlagged: b.appLiveRule.testHumans.windowFlagRate, testHumanSessionsLedByBots: b.appLiveRule.testHumans.sessionsLedByBots,
    // The clock control (fine-clock test humans floored to the coarsest clock vs as recorded; ≈ 0.5 = blind to it).
    clockControl: b.baselines.humansOnCoarsestClockWindowAuc?.[b.verifier] ?? null,
    appRuleClockControl: b.baselines.humansOnCoarsestClockWindowAuc?.maxTwoClassMahalanobis ?? null,
    // The app's clock check (core/recordingClock): what it sets aside, and the figures on what it compares.
    clockReference: b.appLiveRule.clockReference, botSessionsOnFinerClock: b.botSessionsOnFinerClock,
    testHumanSessionsNotCompared: b.appLiveRule.testHumans.sessionsNotCompared,
    testHumanSessionsLedByBotsWithoutClockCheck: b.appLiveRule.testHumans.sessionsLedByBotsWithoutClockCheck, comparedTestHumansFlagged: b.appLiveRule.testHumans.comparedWindowFlagRate,
    comparedWindowAuc: Object.fromEntries(Object.entries(b.perKind).map(([k, v]) => [k, (v as { comparedWindowAuc: Record<string, number | null> }).comparedWindowAuc[b.verifier] ?? null])),
    appRuleComparedWindowAuc: Object.fromEntries(Object.entries(b.perKind).map(([k, v]) => [k, (v as { comparedWindowAuc: Record<string, number | null> }).comparedWindowAuc.maxTwoClassMahalanobis ?? null])),
    botSessionsNotCompared: Object.fromEntries(Object.entries(b.perKind).map(([k, v]) => [k, (v as { appLiveRule: { sessionsNotCompared: number } }).appLiveRule.sessionsNotCompared])),
    botSessionsLedByBots: Object.fromEntries(Object.entries(b.perKind).map(([k, v]) => [k, (v as { appLiveRule: { sessionsLedByBots: number } }).appLiveRule.sessionsLedByBots])),
  });
  const rows = [row(ctx.o.seed, first)];
  for (const seed of seeds) {
    ctx.log(`[bot-splits] seed ${seed} — ${ctx.elapsed()}`);
    const users = shuffleInPlace([...ctx.users], mulberry32(hashSeed('groups', seed)));
    rows.push(row(seed, await runBots({ ...ctx, o: { ...ctx.o, seed } }, users)));
  }
  const kinds = Object.keys(first.perKind);
  return {
    how: 'the bot task once per seed: that seed\'s user split (hashSeed(\'groups\', seed)), bots drawn again, every model and the default scorer\'s choice refitted; fastClockTrainUsers = training users whose median positive time step is under half the coarsest human clock, as in the clock control (Balabit has about 16 ms and about 110 ms)',
    rows,
    windowAucOverSplits: Object.fromEntries(kinds.map((k) => [k, seedStat(rows.map((r) => r.windowAuc[k] ?? null))])),
    appRuleWindowAucOverSplits: Object.fromEntries(kinds.map((k) => [k, seedStat(rows.map((r) => r.appRuleWindowAuc[k] ?? null))])),
    testHumansFlaggedOverSplits: seedStat(rows.map((r) => r.testHumansFlagged)),
    comparedTestHumansFlaggedOverSplits: seedStat(rows.map((r) => r.comparedTestHumansFlagged)),
    appRuleComparedWindowAucOverSplits: Object.fromEntries(kinds.map((k) => [k, seedStat(rows.map((r) => r.appRuleComparedWindowAuc[k] ?? null))])),
  };
}

type VerdictRates = { falseAcceptRate: number; falseRejectRate: number; undecidedFraction: number };
const VERDICT_KEYS = ['challenge', 'openSet', 'openSetStrangerLikeCalibration', 'smallEnrolment', 'smallEnrolmentStrangers'] as const;

/** One seed's live-verdict rates (the challenge's sequential replay, the open set, the small enrolment), by the names `seeds.liveVerdicts` uses. */
function liveVerdictRates(sq: VerdictRates | null, os: Awaited<ReturnType<typeof runOpenSet>> | null, se: Awaited<ReturnType<typeof runSmallEnrolment>> | null): Partial<Record<(typeof VERDICT_KEYS)[number], VerdictRates>> {
  return {
    challenge: sq ?? undefined,
    openSet: os?.liveVerdict ?? undefined,
    openSetStrangerLikeCalibration: os?.liveVerdict?.calibratedOnStrangerLikeImpostors ?? undefined,
    smallEnrolment: se?.liveVerdict ?? undefined,
    smallEnrolmentStrangers: se?.strangers?.liveVerdict ?? undefined,
  };
}

export async function runBench(o: BenchOptions) {
  const be = await selectBackend(o.backend ?? 'wasm');
  const ctx = await createContext(o, be.backend);
  const { p, log, elapsed, load, users, testSessions } = ctx;
  log(`[bench] profile=${p.name} seed=${o.seed} backend=${be.backend} (simd ${be.simd}, threads ${be.threads})${be.note ? ' — ' + be.note : ''}`);
  log(`[bench] windows: ${ctx.ws.eventsPerWindow} pointer events, idle gap ${ctx.ws.idleGapMs} ms; images ${ctx.es.sizePx} px, screen-free frame ${ctx.es.framePx} px; data ${o.root}`);
  log(`[bench] ${elapsed()} imported ${load.files} files, ${load.events} events, ${load.windows} windows (+${load.droppedWindows} dropped), features in ${(load.featureMs / 1000).toFixed(1)} s; ${users.length} users, ${testSessions.length} public-labelled test sessions`);

  const ch = p.tasks.challenge ? await runChallenge(ctx) : null;
  const challenge = ch ? { ...ch.report, sequential: p.tasks.sequential ? runSequential(ch.verifier) : null } : null;
  if (challenge?.sequential) {
    const s = challenge.sequential;
    log(`[sequential] FAR ${s.falseAcceptRate}, FRR ${s.falseRejectRate}, undecided ${s.undecidedFraction}, median ${s.medianWindowsToDecision} windows (${s.medianSecondsToDecision} s), LLR weight ${s.llrWeight}`);
  }
  const os = p.tasks.openSet ? await runOpenSet(ctx) : null;
  const openSet = os && p.openSetKnownCurve?.length ? { ...os, knownPeopleCurve: await runOpenSetKnownCurve(ctx, p.openSetKnownCurve, os) } : os;
  const se = p.tasks.smallEnrolment ? await runSmallEnrolment(ctx) : null;
  const withCurve = se && p.smallEnrolmentCurveSeconds?.length ? { ...se, curve: await runSmallEnrolmentCurve(ctx, p.smallEnrolmentCurveSeconds, se) } : se;
  const smallEnrolment = withCurve && se?.strangers && p.smallEnrolmentStrangersCurve?.length
    ? { ...withCurve, strangers: { ...se.strangers, knownPeopleCurve: await runStrangersKnownCurve(ctx, p.smallEnrolmentStrangersCurve, se) } } : withCurve;
  const shuffledUsers = shuffleInPlace([...users], mulberry32(hashSeed('groups', o.seed)));
  const groups = await runGroups(ctx, shuffledUsers);
  const firstBots = p.tasks.bot ? await runBots(ctx, shuffledUsers) : null;
  const bots = firstBots && o.botSplitSeeds?.length ? { ...firstBots, splits: await botSplits(ctx, firstBots, o.botSplitSeeds) } : firstBots;
  const seeds = o.extraSeeds?.length
    ? await seedRuns(ctx, o.extraSeeds, ch?.imageScores ?? null, {
      challenge: (challenge as { globalAuc?: number } | null)?.globalAuc ?? NaN,
      features: ((challenge as { variants?: Record<string, { globalAuc: number }> } | null)?.variants?.features?.globalAuc) ?? NaN,
      openSet: openSet?.globalAuc ?? null, smallEnrolment: smallEnrolment?.globalAuc ?? null, verdicts: liveVerdictRates(challenge?.sequential ?? null, openSet, se),
    })
    : null;

  const speed: Record<string, unknown> = {};
  speed.import = { files: load.files, events: load.events, mb: round(load.bytes / 1e6, 1), readMs: round(load.readMs, 0), importMs: round(load.importMs, 0), eventsPerS: Math.round(load.events / (load.importMs / 1000)), mbPerS: round(load.bytes / 1e6 / (load.importMs / 1000), 1) };
  speed.windowing = { windows: load.windows, ms: round(load.windowMs, 0), windowsPerS: Math.round(load.windows / (load.windowMs / 1000)), eventsPerS: Math.round(load.events / (load.windowMs / 1000)) };
  speed.features = { windows: load.windows, ms: round(load.featureMs, 0), windowsPerS: Math.round(load.windows / (load.featureMs / 1000)) };
  speed.render = renderSpeed(ctx.render);
  speed.training = ctx.training;
  if (ch) {
    speed.featureScoringLatency = await featureLatency(ch.featureModel.model, ch.featureModel.standardiser, ch.latencyRefs);
    ch.featureModel.model.dispose();
  }
  if (ch?.cnn) {
    speed.scoringLatency = await scoringLatency(ch.cnn.model, ch.latencyRefs, ctx.es);
    speed.backendProbe = await backendProbe(ch.cnn.spec, p, o.seed, be.backend);
    if (p.browserProbe) {
      try {
        const { browserTrainingProbe } = await import('./browserProbe');
        const { modelFlops } = await import('./flops');
        speed.browserProbe = await browserTrainingProbe(ch.cnn.spec, modelFlops(ch.cnn.model).trainPerImage, 2, log);
      } catch (e) {
        speed.browserProbe = { error: e instanceof Error ? e.message : String(e) };
      }
    }
    ch.cnn.model.dispose();
  }
  const ru = process.resourceUsage();
  speed.memory = { peakRssMb: round(ru.maxRSS / 1024, 0), peakHeapMb: round(ctx.peakHeap() / 1e6, 0), tfNumTensorsAtEnd: tf.memory().numTensors };
  speed.machine = machinePeak();
  const stageMs: Record<string, number> = {
    import: load.readMs + load.importMs, windowing: load.windowMs, features: load.featureMs, encodeRender: ctx.render.encodeMs + ctx.render.renderMs,
    training: Object.values(ctx.training).reduce((a, t) => a + t.ms, 0),
  };
  speed.stageMs = Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, round(v, 0)]));
  speed.slowestStage = Object.entries(stageMs).sort((a, b) => b[1] - a[1])[0][0];
  const wallS = (performance.now() - ctx.tStart) / 1000;
  log(`[bench] done in ${wallS.toFixed(1)} s; slowest stage: ${speed.slowestStage}`);
  return {
    benchmark: 'balabit', version: 2, profile: p.name, seed: o.seed, date: new Date().toISOString(), wallSeconds: round(wallS, 1),
    backend: be, node: process.version, dataset: o.root,
    settings: { window: ctx.ws, encoding: ctx.es, profile: p },
    data: { users, files: load.files, events: load.events, windows: load.windows, droppedWindows: load.droppedWindows, trainSessions: ctx.sessions.filter((s) => s.part === 'train').length, publicTestSessions: testSessions.length },
    challenge, openSet, smallEnrolment, seeds, groups, bots, speed,
  };
}

export type BenchReport = Awaited<ReturnType<typeof runBench>>;
