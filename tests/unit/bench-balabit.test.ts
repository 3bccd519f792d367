/**
 * The Balabit benchmark on a tiny slice of the real data (3 users, 2 shortened training sessions
 * each, a few public-labelled test sessions): it runs end to end, its metrics are what the
 * definitions give, and a shuffled-label control scores near chance (no leakage path).
 * Skips, saying why, when the shared data set is absent.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBalabit, REPO_ROOT } from '../../scripts/lib/balabit-cache';
import { PROFILES } from '../../scripts/bench/lib/profiles';
import { runBench, type BenchReport } from '../../scripts/bench/lib/run';
import { toBalabitCsv } from '../../scripts/bench/lib/bots';
import { simulateBot } from '../../src/core/simulate';
import { auc, eer } from '../../src/core/metrics';

const data = ensureBalabit();
const skipReason = 'skipReason' in data ? data.skipReason : null;
if (skipReason) console.log(`[bench tests] skipped: ${skipReason}`);

/** AUC by brute force over all (positive, negative) pairs: the definition, independent of metrics.ts. */
function pairwiseAuc(scores: number[], pos: boolean[]): number {
  let s = 0, n = 0;
  for (let i = 0; i < scores.length; i++) if (pos[i]) for (let j = 0; j < scores.length; j++) if (!pos[j]) {
    n++;
    s += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
  }
  return s / n;
}

type Challenge = { globalAuc: number; sessionEer: number; perUser: Record<string, { auc: number; eer: number; sessions: number }>; sessionScores: { id: string; user: string; illegal: boolean; anomalyScore: number; windows: number }[]; testSessions: number; afterWindows: Record<string, { auc: number }> };

describe.skipIf(!!skipReason)('bench: Balabit protocol on a tiny slice', () => {
  let report: BenchReport;
  const root = skipReason ? '' : (data as { root: string }).root;
  beforeAll(async () => {
    // A fraud team's own captures: two scripted sessions written in the Balabit file format.
    const extra = mkdtempSync(join(tmpdir(), 'pp-extra-bots-'));
    mkdirSync(join(extra, 'tool'));
    for (const seed of [1, 2]) writeFileSync(join(extra, 'tool', `session_${seed}`), toBalabitCsv(simulateBot('linear', { width: 1280, height: 1024 }, { seed, reaches: 30 })));
    report = await runBench({ root, profile: PROFILES.tiny, seed: 7, extraSeeds: [8], extraBotsDir: extra, log: () => {} });
  }, 180_000);

  it('runs end to end and reports every part', () => {
    const c = report.challenge as unknown as Challenge;
    expect(report.data.users).toHaveLength(3);
    expect(c.testSessions).toBeGreaterThan(10);
    expect(c.globalAuc).toBeGreaterThanOrEqual(0);
    expect(c.globalAuc).toBeLessThanOrEqual(1);
    expect(Object.keys(c.perUser)).toHaveLength(3);
    expect(Object.keys(c.afterWindows)).toEqual(['1', '5', '20']);
    const bots = report.bots as { perKind: Record<string, { windowAuc: number; heldOut: boolean }> };
    expect(Object.keys(bots.perKind).sort()).toEqual(['bezier-eased', 'extra', 'jitter-overshoot', 'linear', 'replay']);
    expect(bots.perKind.replay.heldOut).toBe(true);
    expect(bots.perKind.extra.heldOut).toBe(true);
    expect(bots.perKind.extra.windowAuc).toBeGreaterThan(0.5);
    // Every human-vs-bot variant is reported per kind, and the default is one of them, chosen on validation.
    const sel = (report.bots as unknown as { verifier: string; selection: { chosen: string; order: string[] } });
    expect(sel.selection.order).toContain(sel.selection.chosen);
    expect(sel.verifier).toBe(sel.selection.chosen);
    const linear = bots.perKind.linear as unknown as { windowAuc: number; variants: Record<string, number> };
    expect(Object.keys(linear.variants).sort()).toEqual([...sel.selection.order].sort());
    expect(linear.windowAuc).toBe(linear.variants[sel.selection.chosen]);
    // The app's live rule per whole test session (core/groupTally): every session led by one side or tied.
    type Tally = { windows: number; sessions: number; windowFlagRate: number; sessionsLedByBots: number; sessionsLedByHumans: number; sessionsTied: number; sessionsNotCompared: number; sessionsLedByBotsWithoutClockCheck: number };
    const live = (report.bots as unknown as { appLiveRule: { validationFlagRate: number; testHumans: Tally; clockReference: { lowMs: number; highMs: number } | null }; perKind: Record<string, { appLiveRule: Tally; comparedWindowAuc: Record<string, number | null> }> });
    // The app's clock reference is the training people's (core/recordingClock): never finer than the 20 ms resampling step.
    expect(live.appLiveRule.clockReference!.lowMs).toBeGreaterThanOrEqual(20);
    expect(live.appLiveRule.clockReference!.highMs).toBeGreaterThanOrEqual(live.appLiveRule.clockReference!.lowMs);
    expect(Object.keys(live.perKind.linear.comparedWindowAuc).sort()).toEqual([...sel.selection.order].sort());
    expect(live.appLiveRule.validationFlagRate).toBeLessThanOrEqual(0.05);
    for (const t of [live.appLiveRule.testHumans, ...Object.values(live.perKind).map((k) => k.appLiveRule)]) {
      expect(t.sessions).toBeGreaterThan(0);
      expect(t.windows).toBeGreaterThanOrEqual(t.sessions);
      // Every session is led by one side, tied, or not compared (its clock unlike the training people's).
      expect(t.sessionsLedByBots + t.sessionsLedByHumans + t.sessionsTied + t.sessionsNotCompared).toBeCloseTo(1, 2);
      // The check only sets sessions aside: it never leads one to "bots" that the rule without it would not.
      expect(t.sessionsLedByBots).toBeLessThanOrEqual(t.sessionsLedByBotsWithoutClockCheck);
    }
    // The key paths the issue fixes, each a number in [0, 1].
    const at = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], report);
    for (const path of ['challenge.globalAuc', 'challenge.variants.image.globalAuc', 'challenge.variants.features.globalAuc', 'challenge.variants.fused.globalAuc',
      'challenge.baselines.screenOnly.globalAuc', 'smallEnrolment.globalAuc', 'challenge.sequential.falseAcceptRate', 'challenge.sequential.falseRejectRate',
      'challenge.sequential.undecidedFraction', 'bots.perKind.extra.rulesFlagRate']) {
      const v = at(path);
      expect(typeof v, path).toBe('number');
      expect(v as number, path).toBeGreaterThanOrEqual(0);
      expect(v as number, path).toBeLessThanOrEqual(1);
    }
    // Three users are too few for leave-users-out folds: the open set says so by being absent.
    expect(report.openSet).toBeNull();
    // The live verdict of the app's enrolment, replayed on every scored test session: counts add up, and
    // a 3-user slice (≤ 2 impostor sessions in validation) can only take the most cautious LLR weight.
    const lv = report.smallEnrolment!.liveVerdict;
    expect(lv.sessions).toBe(lv.impostorSessions + lv.genuineSessions);
    expect(lv.sessions).toBeGreaterThan(10);
    expect(lv.falseAccepts).toBeLessThanOrEqual(lv.impostorSessions);
    expect(lv.falseAcceptRate).toBeCloseTo(lv.falseAccepts / lv.impostorSessions, 3);
    expect(new Set(lv.llrWeights)).toEqual(new Set([0.18]));
    // Too few others to hold some out and keep two: no strangers trial is made up.
    expect(report.smallEnrolment!.strangers).toBeNull();
    // --seeds: the headline (the default verifier) has a value per seed, the first being the challenge's own.
    const seeds = report.seeds!;
    expect(seeds.seeds).toEqual([7, 8]);
    expect(seeds.challengeGlobalAuc.n).toBe(2);
    expect(seeds.challengeGlobalAuc.values[0]).toBe((report.challenge as unknown as Challenge).globalAuc);
    for (const v of seeds.challengeGlobalAuc.values) expect(v).toBeGreaterThanOrEqual(0);
    // Every live verdict is replayed per seed too; the first seed's is the one in the report.
    const lvs = seeds.liveVerdicts;
    expect(lvs.challenge.falseAcceptRate.n).toBe(2);
    expect(lvs.challenge.falseAcceptRate.values[0]).toBe((report.challenge as unknown as { sequential: { falseAcceptRate: number } }).sequential.falseAcceptRate);
    expect(lvs.smallEnrolment.falseRejectRate.n).toBe(2);
    expect(lvs.smallEnrolment.falseRejectRate.values[0]).toBe(report.smallEnrolment!.liveVerdict.falseRejectRate);
    expect(lvs.openSet.falseAcceptRate.n).toBe(0);
    const sp = report.speed as Record<string, Record<string, unknown>>;
    for (const stage of ['import', 'windowing', 'features', 'render', 'training', 'memory', 'machine', 'stageMs']) expect(sp[stage]).toBeTruthy();
    expect(Number(sp.import.eventsPerS)).toBeGreaterThan(0);
    expect(Number(sp.render.imagesPerS)).toBeGreaterThan(0);
    expect(sp.memory.tfNumTensorsAtEnd).toBeLessThanOrEqual(2);
    expect(() => JSON.stringify(report)).not.toThrow();
  });

  it('computes the metrics as defined, from its own per-session scores', () => {
    const c = report.challenge as unknown as Challenge;
    const sc = c.sessionScores.map((s) => s.anomalyScore), pos = c.sessionScores.map((s) => s.illegal);
    expect(c.globalAuc).toBeCloseTo(pairwiseAuc(sc, pos), 3);
    expect(c.sessionEer).toBeCloseTo(eer(sc, pos).eer, 3);
    for (const [u, r] of Object.entries(c.perUser)) {
      const mine = c.sessionScores.filter((s) => s.user === u);
      expect(r.sessions).toBe(mine.length);
      if (Number.isFinite(r.auc)) expect(r.auc).toBeCloseTo(auc(mine.map((s) => s.anomalyScore), mine.map((s) => s.illegal)), 3);
    }
    // Only public-labelled sessions are scored, each once.
    expect(new Set(c.sessionScores.map((s) => s.id)).size).toBe(c.sessionScores.length);
  });

  it('learns on real labels, and a shuffled-label control scores near chance (AUC ≈ 0.5)', async () => {
    // A slice big enough to learn from (32 px, 200 training windows per user, 90 test sessions), so the
    // control is a real comparison: same pipeline, same seed, only the training labels permuted.
    const base = {
      ...PROFILES.tiny, sizePx: 32, maxTrainWindowsPerUser: 200, epochs: 8, learningRate: 3e-3,
      model: { blockFilters: [8, 16], denseUnits: 16, dropout: 0 }, tasks: { ...PROFILES.tiny.tasks, bot: false },
      slice: { ...PROFILES.tiny.slice, maxEventsPerTrainSession: 12000, maxTestSessionsPerUser: 30 },
    };
    const real = (await runBench({ root, profile: base, seed: 7, log: () => {} })).challenge as unknown as Challenge;
    const ctl = (await runBench({ root, profile: { ...base, shuffledLabelControl: true }, seed: 7, log: () => {} })).challenge as unknown as Challenge;
    console.log(`[bench tests] global AUC on the slice: real labels ${real.globalAuc}, shuffled labels ${ctl.globalAuc} (${ctl.testSessions} sessions)`);
    expect(ctl.testSessions).toBeGreaterThan(60);
    expect(real.globalAuc).toBeGreaterThan(0.62);
    expect(Math.abs(ctl.globalAuc - 0.5)).toBeLessThan(0.15);
    expect(real.globalAuc - ctl.globalAuc).toBeGreaterThan(0.1);
  }, 120_000);

  it('--bot-splits repeats the bot task per user split; --bot-clock puts every window on the training people\'s coarsest clock', async () => {
    const only = { ...PROFILES.tiny, tasks: { ...PROFILES.tiny.tasks, challenge: false, sequential: false, openSet: false, smallEnrolment: false, group: false, groupDisjoint: false } };
    type Row = { seed: number; humanTrainUsers: string[]; windowAuc: Record<string, number>; testHumansFlagged: number };
    type Bots = { verifier: string; humanTrainUsers: string[]; windowsOnClockMs: number | null; diagnostics: { humanMedianStepMsByUser: Record<string, number> };
      perKind: Record<string, { windowAuc: number }>; appLiveRule: { testHumans: { windowFlagRate: number } }; splits: { rows: Row[]; windowAucOverSplits: Record<string, { n: number; values: number[] }> } };
    const r = (await runBench({ root, profile: only, seed: 7, botSplitSeeds: [8], log: () => {} })).bots as unknown as Bots;
    expect(r.splits.rows.map((x) => x.seed)).toEqual([7, 8]);
    // The first row is the report's own split, figure for figure.
    expect(r.splits.rows[0].humanTrainUsers).toEqual(r.humanTrainUsers);
    for (const [k, v] of Object.entries(r.perKind)) expect(r.splits.rows[0].windowAuc[k]).toBe(v.windowAuc);
    expect(r.splits.rows[0].testHumansFlagged).toBe(r.appLiveRule.testHumans.windowFlagRate);
    expect(r.splits.windowAucOverSplits.linear.n).toBe(2);
    expect(r.windowsOnClockMs).toBeNull();
    const c = (await runBench({ root, profile: only, seed: 7, botClock: 'coarsest', log: () => {} })).bots as unknown as Bots;
    // The clock is the training people's (90th percentile of their sessions' median steps): at least their coarsest user's median, and a real clock.
    const trainSteps = c.humanTrainUsers.map((u) => c.diagnostics.humanMedianStepMsByUser[u]);
    expect(c.windowsOnClockMs).toBeGreaterThanOrEqual(Math.min(...trainSteps));
    expect(c.windowsOnClockMs).toBeGreaterThan(0);
    expect(c.humanTrainUsers).toEqual(r.humanTrainUsers);
  }, 120_000);

  it('--open-set-known trains each fold on K of its known users, against the same strangers', async () => {
    // Six users in three folds: two strangers and four known users per fold; K = 4 is the headline itself.
    const tiny = PROFILES.tiny;
    const only = { ...tiny, slice: { ...tiny.slice, maxUsers: 6 }, openSetKnownCurve: [2, 4],
      tasks: { ...tiny.tasks, challenge: false, sequential: false, openSet: true, smallEnrolment: false, group: false, groupDisjoint: false, bot: false } };
    type Row = { knownPerFold: number; impostorTrials: number; genuineTrials: number; globalAuc: { values: number[] } };
    const os = (await runBench({ root, profile: only, seed: 7, log: () => {} })).openSet as unknown as { folds: number; globalAuc: number; impostorTrials: number; genuineTrials: number; knownPeopleCurve: Row[] };
    expect(os.folds).toBe(3);
    const [two, four] = os.knownPeopleCurve;
    expect(four.knownPerFold).toBe(4);
    expect(four.globalAuc.values).toEqual([os.globalAuc]);
    expect(four.impostorTrials).toBe(os.impostorTrials);
    // Each stranger's session is claimed as every known account: half the accounts, half the impostor trials.
    expect(two.knownPerFold).toBe(2);
    expect(two.impostorTrials * 2).toBe(os.impostorTrials);
    expect(two.genuineTrials).toBeLessThan(os.genuineTrials);
    expect(two.globalAuc.values[0]).toBeGreaterThanOrEqual(0);
    expect(two.globalAuc.values[0]).toBeLessThanOrEqual(1);
  }, 180_000);

  it('--enrolment-known enrols each account against only K other people, against the same strangers', async () => {
    // Six users: per account five others in three groups (2, 2, 1); each group sits out once as the strangers.
    const tiny = PROFILES.tiny;
    const only = { ...tiny, slice: { ...tiny.slice, maxUsers: 6 }, smallEnrolmentStrangersCurve: [2, 4],
      tasks: { ...tiny.tasks, challenge: false, sequential: false, openSet: false, smallEnrolment: true, group: false, groupDisjoint: false, bot: false } };
    type Strangers = { globalAuc: number; genuineTrials: number; impostorTrials: number; othersKnownPerEnrolment: { min: number; max: number } };
    type Row = Omit<Strangers, 'globalAuc' | 'othersKnownPerEnrolment'> & { othersKnown: { min: number; max: number }; globalAuc: { values: number[] } };
    const st = ((await runBench({ root, profile: only, seed: 7, log: () => {} })).smallEnrolment as unknown as { strangers: Strangers & { knownPeopleCurve: Row[] } }).strangers;
    expect(st.othersKnownPerEnrolment).toEqual({ min: 3, max: 4 });
    const [two, four] = st.knownPeopleCurve;
    expect(two.othersKnown).toEqual({ min: 2, max: 2 });
    expect(four.othersKnown).toEqual(st.othersKnownPerEnrolment);
    expect(four.globalAuc.values).toEqual([st.globalAuc]);
    // The same trials in every row: only the negatives change.
    expect([two.genuineTrials, two.impostorTrials]).toEqual([st.genuineTrials, st.impostorTrials]);
    expect(two.globalAuc.values[0]).toBeGreaterThanOrEqual(0);
    expect(two.globalAuc.values[0]).toBeLessThanOrEqual(1);
  }, 180_000);

  it('the CLI refuses a folder that is not laid out like Balabit, and bad --open-set-known / --enrolment-known, with exit code 2', () => {
    const empty = mkdtempSync(join(tmpdir(), 'pp-bench-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'bench', 'balabit.ts'), '--dataset', empty], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing training_files/);
    const k = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'bench', 'balabit.ts'), '--open-set-known', '1,4'], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(/--open-set-known: whole numbers of known users per fold, each at least 2/);
    const e = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'bench', 'balabit.ts'), '--enrolment-known', '1'], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/--enrolment-known: whole numbers of other people per enrolment, each at least 2/);
  }, 60_000);
});
