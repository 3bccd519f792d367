/**
 * Human vs bot: a 2-class feature model (humans of half the users vs two scripted bot kinds), tested
 * on the other humans and on every bot kind, including kinds never trained on (held out) and, with
 * `--extra-bots DIR`, a folder of bot sessions in the Balabit file format (`perKind.extra`).
 *
 * Nothing here may separate by recording setup rather than movement: each simulated bot session runs
 * on a screen drawn from the human sessions' own screens, and is put on the humans' clock (the median
 * time step of the human data, measured, not assumed). The features carry neither screen nor clock.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { capPerSession } from '../../../src/core/dataset';
import { featureMatrix } from '../../../src/core/features';
import { columnsFromSamples } from '../../../src/core/events';
import { PointerprintError } from '../../../src/core/errors';
import { checkHumanRules } from '../../../src/core/humanRules';
import { parseBalabitSession } from '../../../src/core/importers/balabit';
import { auc, percentile } from '../../../src/core/metrics';
import { hashSeed, mulberry32 } from '../../../src/core/random';
import { segmentSession } from '../../../src/core/segment';
import { BOT_KINDS, quantizeTimes, simulateBot, type BotKind } from '../../../src/core/simulate';
import { defaultFeatureSpec, predictFeatureProba } from '../../../src/ml/featureModel';
import { featureSet, round, spread, trainValItems, windowItems, type BenchContext, type FeatSession, type Item } from './context';

type BotItem = Item & { kind: string; split: 'train' | 'test' };

/** The humans' clock: median positive time step between consecutive rows of their sessions. */
function humanTickMs(sessions: readonly FeatSession[]): number {
  const steps: number[] = [];
  for (const s of sessions.slice(0, 40)) {
    const t = s.cols.tMs;
    for (let i = 1; i < Math.min(s.cols.length, 4000); i++) { const d = t[i] - t[i - 1]; if (d > 0) steps.push(d); }
  }
  return steps.length ? percentile(steps, 50) : 0;
}

function sessionOf(id: string, cols: ReturnType<typeof columnsFromSamples>, space: { width: number; height: number }, ctx: BenchContext): FeatSession {
  const seg = segmentSession(cols, id, ctx.ws, space);
  return { id, user: 'bot', part: 'test', cols, space, windows: seg.windows, droppedWindows: seg.dropped.length, features: featureMatrix(seg.windows.map((w) => ({ cols, start: w.start, end: w.end }))) };
}

/** Bot sessions from a folder of Balabit-format files (any depth). */
export function loadExtraBots(dir: string, ctx: BenchContext): FeatSession[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PointerprintError('bench/extra-bots', `--extra-bots: ${dir} is not a folder.`);
  const files: string[] = [];
  const walk = (d: string) => { for (const f of readdirSync(d).sort()) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p); else if (!f.startsWith('.')) files.push(p); } };
  walk(dir);
  const out: FeatSession[] = [];
  for (const f of files) {
    const imp = parseBalabitSession(readFileSync(f, 'utf8'), { fileName: f, profileId: 'extra-bot' });
    out.push(sessionOf(`extra:${f}`, imp.columns, imp.meta.space, ctx));
  }
  if (!out.some((s) => s.windows.length)) throw new PointerprintError('bench/extra-bots', `--extra-bots: no usable window in the ${files.length} file(s) of ${dir}.`);
  return out;
}

export async function runBots(ctx: BenchContext, shuffledUsers: string[]) {
  const { p, o, sessions, log, elapsed } = ctx;
  const humanScreens = sessions.map((s) => s.space);
  const tick = humanTickMs(sessions);
  const half = Math.max(1, Math.floor(shuffledUsers.length / 2));
  const humanTrainUsers = shuffledUsers.slice(0, half);
  const humanTestUsers = shuffledUsers.slice(half).length ? shuffledUsers.slice(half) : shuffledUsers.slice(0, half);
  const trainKinds: BotKind[] = ['linear', 'bezier-eased'];
  const heldOut = BOT_KINDS.filter((k) => !trainKinds.includes(k));
  const replaySources = sessions.filter((s) => s.part === 'train' && humanTestUsers.includes(s.user));
  const botItems: BotItem[] = [];
  const genStart = performance.now();
  for (const kind of BOT_KINDS) {
    for (let i = 0; i < p.botSessionsPerKind; i++) {
      const seed = hashSeed(`${kind}-${i}`, o.seed);
      const rng = mulberry32(seed ^ 0x9e37);
      let space = humanScreens[Math.floor(rng() * humanScreens.length)];
      let source;
      if (kind === 'replay') {
        const src = replaySources[i % replaySources.length];
        space = src.space; // a replay runs on the screen it was recorded on
        const from = Math.floor(mulberry32(seed)() * Math.max(1, src.cols.length - 3000));
        source = Array.from({ length: Math.min(3000, src.cols.length - from) }, (_, j) => ({
          tMs: src.cols.tMs[from + j], kind: src.cols.kind[from + j] as 0, x: src.cols.x[from + j], y: src.cols.y[from + j],
          button: src.cols.button[from + j], buttons: src.cols.buttons[from + j], pointerKind: 1 as const, dx: src.cols.dx[from + j], dy: src.cols.dy[from + j],
        }));
      }
      const samples = quantizeTimes(simulateBot(kind, { width: space.width, height: space.height }, { seed, reaches: p.botReachesPerSession, source }), tick);
      const s = sessionOf(`bot-${kind}-${i}`, columnsFromSamples(samples), space, ctx);
      const split = trainKinds.includes(kind) && i % 2 === 0 ? 'train' : 'test';
      windowItems(s, 1).forEach((it) => botItems.push({ ...it, user: kind, kind, split }));
    }
  }
  if (o.extraBotsDir) {
    for (const s of loadExtraBots(o.extraBotsDir, ctx)) windowItems(s, 1).forEach((it) => botItems.push({ ...it, user: 'extra', kind: 'extra', split: 'test' }));
  }
  const genMs = performance.now() - genStart;
  const { train: humanTr, val: humanVa } = trainValItems(sessions, humanTrainUsers, () => 0, p, p.groupTrainWindowsPerUser);
  const humanTe = humanTestUsers.flatMap((u) => capPerSession(sessions.filter((s) => s.part === 'train' && s.user === u).flatMap((s) => windowItems(s, 0)), Math.ceil(p.maxValWindowsPerUser / 2)));
  // Bot training sessions split by session into training and validation (every 4th training session validates).
  const botTrAll = botItems.filter((b) => b.split === 'train');
  const botVa = botTrAll.filter((b) => Number(b.sessionId.split('-').pop()) % 4 === 2);
  const botTr = spread(botTrAll.filter((b) => !botVa.includes(b)), humanTr.length);
  const spec = { ...defaultFeatureSpec(2), ...p.featureModel, numClasses: 2 };
  const r = await ctx.trainMlp('bot', spec, featureSet([...humanTr, ...botTr]), featureSet([...humanVa, ...spread(botVa, humanVa.length || 1)]));
  const hp = Array.from(await predictFeatureProba(r.model, r.standardiser, featureSet(humanTe))).filter((_, i) => i % 2 === 1);
  const rulesHuman = humanTe.map((h) => checkHumanRules(h.ref.cols, h.ref.start, h.ref.end).flags.length > 0);
  const perKind: Record<string, unknown> = {};
  for (const kind of [...BOT_KINDS, 'extra']) {
    const te = spread(botItems.filter((b) => b.kind === kind && b.split === 'test'), Math.max(humanTe.length, 1));
    if (!te.length) continue;
    const bp = Array.from(await predictFeatureProba(r.model, r.standardiser, featureSet(te))).filter((_, i) => i % 2 === 1);
    const rules = te.map((b) => checkHumanRules(b.ref.cols, b.ref.start, b.ref.end).flags);
    perKind[kind] = {
      heldOut: kind === 'extra' || heldOut.includes(kind as BotKind), testWindows: te.length,
      windowAuc: round(auc([...bp, ...hp], [...bp.map(() => true), ...hp.map(() => false)])),
      rulesFlagRate: round(rules.filter((f) => f.length > 0).length / rules.length, 3),
      rulesFlags: Object.fromEntries([...new Set(rules.flat())].map((f) => [f, rules.filter((x) => x.includes(f)).length])),
    };
    log(`[bot] ${kind}${(perKind[kind] as { heldOut: boolean }).heldOut ? ' (held out)' : ''}: window AUC ${(perKind[kind] as { windowAuc: number }).windowAuc}, human-rules flag rate ${(perKind[kind] as { rulesFlagRate: number }).rulesFlagRate}`);
  }
  // Control: can the screen alone tell the test bots from the test humans? (Should be near 0.5.)
  const screenArea = (it: Item) => it.ref.space.width * it.ref.space.height;
  const teBots = botItems.filter((b) => b.split === 'test' && b.kind !== 'extra');
  const screenOnlyAuc = round(auc([...teBots.map(screenArea), ...humanTe.map(screenArea)], [...teBots.map(() => true), ...humanTe.map(() => false)]));
  r.model.dispose();
  log(`[bot] screen-area-only control AUC ${screenOnlyAuc} — ${elapsed()}`);
  return {
    verifier: 'features', screens: 'each simulated session on a screen drawn from the human sessions\' screens (replays: their source\'s)',
    clockTickMs: round(tick, 3), clockFrom: 'median positive time step of the human sessions',
    trainKinds, heldOutKinds: [...heldOut, ...(o.extraBotsDir ? ['extra'] : [])], extraBotsDir: o.extraBotsDir ?? null,
    humanTrainUsers, humanTestUsers, trainWindows: humanTr.length + botTr.length, humanTestWindows: humanTe.length, generateMs: round(genMs, 0),
    humanRulesFalseFlagRate: round(rulesHuman.filter(Boolean).length / Math.max(1, rulesHuman.length), 3),
    baselines: { screenAreaOnlyWindowAuc: screenOnlyAuc },
    perKind,
  };
}

