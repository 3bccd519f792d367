/**
 * What every benchmark task shares: the loaded sessions (with each window's kinematic features,
 * computed once), the profile, logging, image rendering, and the two trainers (image CNN, feature MLP)
 * that record their speed in one place. Tasks (challenge.ts, openSet.ts, …) take a context and
 * return their part of the report; run.ts only composes them.
 */
import { capPerSession } from '../../../src/core/dataset';
import { BACKGROUND } from '../../../src/core/encode';
import { FEATURE_COUNT, featureMatrix, windowFeatures } from '../../../src/core/features';
import { mulberry32, shuffleInPlace } from '../../../src/core/random';
import { shiftedWindows } from '../../../src/core/segment';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, SCREEN_FREE_ENCODING_SETTINGS, type EncodingSettings, type WindowSettings } from '../../../src/core/settings';
import { trainFeatureModel, type FeatureModelSpec, type FeatureSet, type FeatureTrainResult } from '../../../src/ml/featureModel';
import type { ModelSpec } from '../../../src/ml/model';
import { trainModel, type EpochReport, type ImageSet, type TrainResult } from '../../../src/ml/train';
import { loadDataset, type BenchSession, type LoadStats } from './data';
import { modelFlops } from './flops';
import { emptyRenderStats, renderImageSet, type RenderStats, type WindowRef } from './images';
import type { BenchProfile } from './profiles';

export interface BenchOptions {
  root: string;
  profile: BenchProfile;
  seed: number;
  /** Extra seeds: the headline figures are recomputed for each (see run.ts); empty = one seed. */
  extraSeeds?: number[];
  /** A folder of bot sessions in the Balabit file format, scored as one more held-out bot kind. */
  extraBotsDir?: string;
  /** More user splits for the bot task (`--bot-splits`): the task is run again per seed, summarised in bots.splits. */
  botSplitSeeds?: number[];
  /** `--bot-clock coarsest` (tried): the bot task's windows re-stamped to the training people's coarsest clock before their features. */
  botClock?: 'coarsest';
  /** Backend to train on ('wasm' falls back to 'cpu'). */
  backend?: 'wasm' | 'cpu';
  log?: (line: string) => void;
}

export interface TrainingSpeed {
  backend: string;
  /** Samples (images or feature rows) seen in training. */
  images: number;
  ms: number;
  imagesPerS: number;
  gflopPerS?: number;
  epochs: number;
  bestEpoch: number;
  stoppedBy: 'epochs' | 'early-stopping' | 'time-budget';
  history: Pick<EpochReport, 'epoch' | 'trainLoss' | 'valLoss' | 'valAcc' | 'ms'>[];
}

/** One window of one session, with its label for the task at hand and its features. */
export interface Item {
  sessionId: string;
  label: number;
  user: string;
  ref: WindowRef;
  /** Position of the window in its session. */
  order: number;
  /** Its kinematic features (a view into the session's feature matrix). */
  feat: Float32Array;
  startMs: number;
  endMs: number;
}

export interface FeatSession extends BenchSession {
  /** windows × FEATURE_COUNT, row-major. */
  features: Float32Array;
}

export const round = (x: number, d = 4) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export const sd = (xs: readonly number[]) => { const m = mean(xs); return xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0; };
/** A figure over seeds: mean ± sample sd of its finite values (nulls and NaN left out). */
export const seedStat = (xs: readonly (number | null)[]) => { const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)); return { mean: round(mean(v)), sd: round(sd(v)), n: v.length, values: v }; };

export function windowItems(s: FeatSession, label: number): Item[] {
  return s.windows.map((w, i) => ({
    sessionId: s.id, label, user: s.user, order: i, ref: { cols: s.cols, start: w.start, end: w.end, space: s.space },
    feat: s.features.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), startMs: w.startMs, endMs: w.endMs,
  }));
}

/**
 * The shifted windows (core/segment; half-shifted by default) between two consecutive windows of one
 * session that are both among `items`, with the label of the first.
 */
export function shiftedItems(sessions: readonly FeatSession[], items: readonly Item[], idleGapMs: number, fractions: readonly number[] = [0.5]): Item[] {
  const bySession = new Map<string, Map<number, Item>>();
  for (const it of items) { let m = bySession.get(it.sessionId); if (!m) bySession.set(it.sessionId, (m = new Map())); m.set(it.order, it); }
  const out: Item[] = [];
  for (const s of sessions) {
    const mine = bySession.get(s.id);
    if (!mine) continue;
    const pos = new Map(s.windows.map((w, i) => [w.index, i]));
    for (const h of shiftedWindows(s.cols, s.windows, idleGapMs, fractions)) {
      const a = mine.get(pos.get(h.between[0])!), b = mine.get(pos.get(h.between[1])!);
      if (!a || !b) continue;
      out.push({
        sessionId: s.id, label: a.label, user: s.user, order: a.order + h.fraction, ref: { cols: s.cols, start: h.start, end: h.end, space: s.space },
        feat: Float32Array.from(windowFeatures(s.cols, h.start, h.end)), startMs: h.startMs, endMs: h.endMs,
      });
    }
  }
  return out;
}

/** Spread-out subset of a list (keeps order), at most n. */
export function spread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  const step = xs.length / n;
  for (let i = 0; i < n; i++) out.push(xs[Math.floor(i * step)]);
  return out;
}

/**
 * Training and validation items for some users, from training_files only: each user's last training
 * session (by name) is held out for validation, so validation is split by session, never by window.
 */
export function trainValItems(sessions: FeatSession[], users: readonly string[], labelOf: (u: string) => number, p: BenchProfile, perUser = p.maxTrainWindowsPerUser): { train: Item[]; val: Item[] } {
  const train: Item[] = [], val: Item[] = [];
  for (const u of users) {
    const ss = sessions.filter((s) => s.part === 'train' && s.user === u && s.windows.length > 0);
    const valS = ss.length >= 2 ? ss[ss.length - 1] : null;
    const trS = ss.filter((s) => s !== valS);
    const perSession = Math.ceil(perUser / Math.max(1, trS.length));
    train.push(...capPerSession(trS.flatMap((s) => windowItems(s, labelOf(u))), perSession).slice(0, perUser));
    if (valS) val.push(...spread(windowItems(valS, labelOf(u)), p.maxValWindowsPerUser));
  }
  return { train, val };
}

/** How the benchmark trains a CNN (its profile's options; the seed, epochs and any stop rule are the caller's). */
export const cnnTrainOptions = (p: BenchProfile, seed: number, epochs: number) => ({
  epochs, batchSize: p.batchSize, learningRate: p.learningRate, seed, patience: p.patience, maxShiftPx: p.maxShiftPx, balanceClasses: true,
});

/** K of `pool` drawn by the seed, in the pool's order (all of it without K, or when K covers it): the people-count curves. */
export function seededSubset<T>(pool: readonly T[], k: number | undefined, seed: number): T[] {
  if (k === undefined || k >= pool.length) return [...pool];
  const kept = new Set(shuffleInPlace([...pool], mulberry32(seed)).slice(0, k));
  return pool.filter((x) => kept.has(x));
}

export function featureSet(items: readonly Item[], labels?: readonly number[]): FeatureSet {
  const features = new Float32Array(items.length * FEATURE_COUNT);
  items.forEach((it, i) => features.set(it.feat, i * FEATURE_COUNT));
  return { dim: FEATURE_COUNT, count: items.length, features, labels: Int32Array.from(labels ?? items.map((i) => i.label)) };
}

export type BenchContext = ReturnType<typeof createContext> extends Promise<infer C> ? C : never;

export async function createContext(o: BenchOptions, backend: string) {
  const log = o.log ?? ((l: string) => console.log(l));
  const p = o.profile;
  const tStart = performance.now();
  const elapsed = () => `${((performance.now() - tStart) / 1000).toFixed(1)} s`;
  const ws: WindowSettings = { ...DEFAULT_WINDOW_SETTINGS, mode: 'events', eventsPerWindow: p.eventsPerWindow };
  // The image branch draws screen-free (fixed scale, centred on the movement); the screen-fitted
  // drawing of earlier versions is kept as a comparison variant.
  const es: EncodingSettings = { ...SCREEN_FREE_ENCODING_SETTINGS, sizePx: p.sizePx, framePx: p.framePx };
  const esScreen: EncodingSettings = { ...DEFAULT_ENCODING_SETTINGS, sizePx: p.sizePx };
  let peakHeap = 0;
  const sampleMem = () => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); };

  const loaded = loadDataset(o.root, ws, p.slice);
  const tf0 = performance.now();
  const sessions: FeatSession[] = loaded.sessions.map((s) => ({ ...s, features: featureMatrix(s.windows.map((w) => ({ cols: s.cols, start: w.start, end: w.end }))) }));
  const featureMs = performance.now() - tf0;
  const load: LoadStats & { featureMs: number } = { ...loaded.stats, featureMs };
  sampleMem();
  const users = [...new Set(sessions.map((s) => s.user))];
  const testSessions = sessions.filter((s) => s.part === 'test');
  const render: RenderStats = emptyRenderStats();
  const training: Record<string, TrainingSpeed> = {};

  const imageSet = (items: readonly Item[], labels?: readonly number[], enc: EncodingSettings = es): ImageSet => {
    const s = renderImageSet(items.map((i) => i.ref), labels ?? items.map((i) => i.label), enc, BACKGROUND, render);
    sampleMem();
    return s;
  };

  async function trainCnn(name: string, spec: ModelSpec, trainSet: ImageSet, valSet: ImageSet | null, epochs: number, budgetS: number, seed = o.seed): Promise<TrainResult> {
    const budgetEnd = performance.now() + budgetS * 1000;
    let budgetHit = false;
    const t0 = performance.now();
    const r = await trainModel(spec, trainSet, valSet, {
      ...cnnTrainOptions(p, seed, epochs),
      shouldStop: () => (performance.now() > budgetEnd ? (budgetHit = true) : false),
      onEpoch: (e) => { sampleMem(); log(`[${name}] epoch ${e.epoch + 1}/${epochs}: loss ${e.trainLoss.toFixed(3)} | ${Number.isNaN(e.valLoss) ? 'no validation set' : `val loss ${e.valLoss.toFixed(3)} acc ${e.valAcc.toFixed(3)}`} | ${(e.ms / 1000).toFixed(1)} s${e.best ? ' *' : ''}`); },
    });
    const ms = performance.now() - t0;
    const fullEpochMs = r.history.reduce((a, e) => a + e.ms, 0);
    const perImageMs = fullEpochMs / Math.max(1, r.history.length * trainSet.count) || ms / trainSet.count;
    const images = r.history.length * trainSet.count + (budgetHit ? Math.max(0, (ms - fullEpochMs) / perImageMs) : 0);
    const fl = modelFlops(r.model);
    const flops = images * fl.trainPerImage + r.history.length * (valSet?.count ?? 0) * fl.forwardPerImage;
    training[name] = {
      backend: r.backend, images: Math.round(images), ms: round(ms, 0), imagesPerS: round(images / (ms / 1000), 1),
      gflopPerS: round(flops / (ms / 1000) / 1e9, 2), epochs: r.history.length, bestEpoch: r.bestEpoch,
      stoppedBy: budgetHit ? 'time-budget' : r.stoppedEarly ? 'early-stopping' : 'epochs',
      history: r.history.map((e) => ({ epoch: e.epoch, trainLoss: round(e.trainLoss), valLoss: round(e.valLoss), valAcc: round(e.valAcc), ms: round(e.ms, 0) })),
    };
    log(`[${name}] trained ${training[name].epochs} epochs (${training[name].stoppedBy}), best epoch ${r.bestEpoch + 1}, ${training[name].imagesPerS} images/s — ${elapsed()}`);
    return r;
  }

  async function trainMlp(name: string, spec: FeatureModelSpec, trainSet: FeatureSet, valSet: FeatureSet | null, seed = o.seed): Promise<FeatureTrainResult> {
    const t0 = performance.now();
    const r = await trainFeatureModel(spec, trainSet, valSet, { epochs: p.featureEpochs, batchSize: p.featureBatchSize, learningRate: p.featureLearningRate, patience: p.featurePatience, seed, balanceClasses: true });
    const ms = performance.now() - t0;
    training[name] = {
      backend: r.backend, images: r.history.length * trainSet.count, ms: round(ms, 0), imagesPerS: round((r.history.length * trainSet.count) / (ms / 1000), 1),
      epochs: r.history.length, bestEpoch: r.bestEpoch, stoppedBy: r.stoppedEarly ? 'early-stopping' : 'epochs',
      history: r.history.map((e) => ({ epoch: e.epoch, trainLoss: round(e.trainLoss), valLoss: round(e.valLoss), valAcc: round(e.valAcc), ms: round(e.ms, 0) })),
    };
    const last = r.history[r.bestEpoch];
    log(`[${name}] feature MLP: ${trainSet.count} windows, ${r.history.length} epochs (best ${r.bestEpoch + 1}${last && Number.isFinite(last.valAcc) ? `, val acc ${last.valAcc.toFixed(3)}` : ''}) in ${(ms / 1000).toFixed(1)} s — ${elapsed()}`);
    return r;
  }

  return {
    o, p, log, elapsed, tStart, ws, es, esScreen, sessions, users, testSessions, load, render, training,
    imageSet, trainCnn, trainMlp, sampleMem, peakHeap: () => peakHeap, backend,
  };
}
