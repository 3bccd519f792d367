/**
 * From labelled sessions to a trained model and an honest quality report.
 *
 * sessions ─► segment (core) ─► encode (core) ─► rasterize (injected: OffscreenCanvas in the worker,
 * @napi-rs/canvas in Node) ─► split by session (core/dataset) ─► train (train.ts) ─► score the held-out
 * test split ─► metrics (core/metrics).
 *
 * No DOM, no worker globals: the worker passes its rasterizer and progress hooks in.
 */
import type * as tf from '@tensorflow/tfjs';
import type { DrawList } from '../core/drawlist';
import type { EventColumns, SizePx } from '../core/events';
import { encodeWindow, BACKGROUND } from '../core/encode';
import { segmentSession, type EventWindow } from '../core/segment';
import type { EncodingSettings, WindowSettings } from '../core/settings';
import { encodingFingerprint } from '../core/settings';
import { splitBySession, capPerSession, assertNoSessionLeak, groupBySession, labelCounts, type Labelled } from '../core/dataset';
import { auc, eer, farFrrAt, rocCurve, accuracy, confusionMatrix } from '../core/metrics';
import { PointerprintError } from '../core/errors';
import { defaultSpec, type ModelKind, type ModelSpec } from './model';
import { trainModel, predictProba, type EpochReport, type ImageSet, type TrainOptions } from './train';

/** One session and the class it stands for. */
export interface LabelledSession {
  sessionId: string;
  /** Class index (verification: 1 = the person enrolling, 0 = others). */
  label: number;
  space: SizePx;
  columns: EventColumns & { length: number };
  /** Human description of where it came from, e.g. "Balabit user 12", "captured 2026-11-25". */
  origin?: string;
}

/** Draw list → RGBA bytes (sizePx² × 4). */
export type Rasterize = (d: DrawList) => Uint8ClampedArray | Uint8Array;

/** A rendered window with its provenance. */
export interface LabelledImage extends Labelled {
  windowIndex: number;
  rgb: Uint8Array;
}

export interface TrainJob {
  kind: ModelKind;
  /** Class names, index = label (verification: ['others', <person>]). */
  classNames: string[];
  sessions: LabelledSession[];
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  options: Partial<TrainOptions>;
  /** At most this many windows per session (long sessions must not dominate). */
  maxWindowsPerSession: number;
  /** Optional spec override (tests use tiny nets); default from `defaultSpec`. */
  spec?: ModelSpec;
  /** Fractions of sessions held out per class. */
  valFraction: number;
  testFraction: number;
}

/** What a model was trained on, said plainly. */
export interface TrainedAgainst {
  /** Per class: sessions and windows used (all splits). */
  classes: { name: string; sessions: number; windows: number; origins: string[] }[];
  /** Windows per split. */
  split: { train: number; val: number; test: number };
  /** How held-out data was formed: 'sessions' (honest) or 'time-blocks' (a class had too few sessions). */
  heldOutBy: 'sessions' | 'time-blocks';
  note: string;
}

/** The honest quality report, measured on held-out (test) windows. */
export interface QualityReport {
  /** Test windows scored. */
  testWindows: number;
  /** Accuracy at argmax (group) or at the chosen threshold (verification). */
  accuracy: number;
  /** Verification: AUC of the person's score; group: mean one-vs-rest AUC. NaN if undefined. */
  auc: number;
  eer: number;
  /** Threshold picked on the test windows at the EER point (verification). */
  threshold: number;
  far: number;
  frr: number;
  /** ROC points (downsampled to ≤ 101) for the chart. */
  roc: { fpr: number; tpr: number }[];
  /** Group models: confusion matrix [true][predicted]. */
  confusion?: number[][];
}

export interface TrainOutcome {
  model: tf.LayersModel;
  spec: ModelSpec;
  history: EpochReport[];
  bestEpoch: number;
  cancelled: boolean;
  stoppedEarly: boolean;
  quality: QualityReport | null;
  trainedAgainst: TrainedAgainst;
  fingerprint: string;
  backend: string;
  droppedWindows: number;
}

export interface PipelineHooks {
  onStage?: (stage: 'rendering' | 'training' | 'evaluating', done: number, total: number) => void | Promise<void>;
  onEpoch?: (e: EpochReport) => void | Promise<void>;
  shouldStop?: () => boolean;
  onBatch?: () => void | Promise<void>;
}

/** RGBA → RGB. */
export function rgbaToRgb(rgba: ArrayLike<number>, sizePx: number): Uint8Array {
  const n = sizePx * sizePx;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = rgba[i * 4];
    out[i * 3 + 1] = rgba[i * 4 + 1];
    out[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return out;
}

/** Render the windows of sessions into labelled images (capped per session, evenly over time). */
export async function renderSessions(
  sessions: readonly LabelledSession[], ws: WindowSettings, es: EncodingSettings, rasterize: Rasterize,
  maxPerSession: number, hooks: PipelineHooks = {},
): Promise<{ images: LabelledImage[]; dropped: number }> {
  const todo: { s: LabelledSession; w: EventWindow }[] = [];
  let dropped = 0;
  for (const s of sessions) {
    const seg = segmentSession(s.columns, s.sessionId, ws, s.space);
    dropped += seg.dropped.length;
    const capped = capPerSession(seg.windows.map((w) => ({ ...w, label: s.label })), maxPerSession);
    for (const w of capped) todo.push({ s, w });
  }
  const images: LabelledImage[] = [];
  for (let i = 0; i < todo.length; i++) {
    if (hooks.shouldStop?.()) break;
    const { s, w } = todo[i];
    const d = encodeWindow(s.columns, w.start, w.end, s.space, es);
    images.push({ sessionId: s.sessionId, label: s.label, windowIndex: w.index, rgb: rgbaToRgb(rasterize(d), es.sizePx) });
    if (i % 16 === 15) await hooks.onStage?.('rendering', i + 1, todo.length);
  }
  await hooks.onStage?.('rendering', images.length, todo.length);
  return { images, dropped };
}

/** Pack images into an ImageSet. */
export function toImageSet(items: readonly LabelledImage[], sizePx: number): ImageSet {
  const per = sizePx * sizePx * 3;
  const pixels = new Uint8Array(items.length * per);
  items.forEach((it, i) => pixels.set(it.rgb, i * per));
  return { sizePx, count: items.length, pixels, labels: Int32Array.from(items, (it) => it.label), background: BACKGROUND };
}

/**
 * When a class has fewer than 3 sessions (typical for self-enrolment: one long recording), a split by
 * session cannot hold any of it out. Then that class's sessions are cut into 5 contiguous time blocks
 * treated as pseudo-sessions: held-out windows come from *later, unseen* stretches of the recording,
 * never interleaved with training windows. Still more optimistic than separate sessions; the report says so.
 */
export function withTimeBlocks(items: LabelledImage[], minSessions = 3, blocks = 5): { items: LabelledImage[]; used: boolean } {
  const sessionsPerLabel = new Map<number, Set<string>>();
  for (const it of items) {
    let s = sessionsPerLabel.get(it.label);
    if (!s) sessionsPerLabel.set(it.label, (s = new Set()));
    s.add(it.sessionId);
  }
  const thin = new Set([...sessionsPerLabel].filter(([, s]) => s.size < minSessions).map(([l]) => l));
  if (thin.size === 0) return { items, used: false };
  const blockOf = new Map<LabelledImage, string>();
  for (const [sid, list] of groupBySession(items.filter((it) => thin.has(it.label)))) {
    list.sort((a, b) => a.windowIndex - b.windowIndex);
    list.forEach((it, i) => blockOf.set(it, `${sid}#t${Math.floor((i * blocks) / list.length)}`));
  }
  return { items: items.map((it) => (blockOf.has(it) ? { ...it, sessionId: blockOf.get(it)! } : it)), used: true };
}

function downsampleRoc(pts: { fpr: number; tpr: number }[], max = 101): { fpr: number; tpr: number }[] {
  if (pts.length <= max) return pts.map(({ fpr, tpr }) => ({ fpr, tpr }));
  const out: { fpr: number; tpr: number }[] = [];
  for (let i = 0; i < max; i++) {
    const p = pts[Math.round((i * (pts.length - 1)) / (max - 1))];
    out.push({ fpr: p.fpr, tpr: p.tpr });
  }
  return out;
}

/** Score the test split and compute the report. */
export async function qualityOf(model: tf.LayersModel, spec: ModelSpec, test: ImageSet): Promise<QualityReport | null> {
  if (test.count === 0) return null;
  const k = spec.numClasses;
  const p = await predictProba(model, test);
  const labels = Array.from(test.labels);
  if (spec.kind === 'verification') {
    const scores = Float32Array.from({ length: test.count }, (_, i) => p[i * k + 1]);
    const pos = labels.map((l) => l === 1);
    const both = pos.some((x) => x) && pos.some((x) => !x);
    const e = both ? eer(scores, pos) : { eer: NaN, threshold: 0.5 };
    const ff = farFrrAt(scores, pos, e.threshold);
    return {
      testWindows: test.count,
      accuracy: accuracy(scores, pos, e.threshold),
      auc: both ? auc(scores, pos) : NaN,
      eer: e.eer,
      threshold: e.threshold,
      far: ff.far,
      frr: ff.frr,
      roc: both ? downsampleRoc(rocCurve(scores, pos)) : [],
    };
  }
  // Groups: one-vs-rest AUC averaged over classes present in the test split.
  const aucs: number[] = [];
  for (let c = 0; c < k; c++) {
    const pos = labels.map((l) => l === c);
    if (pos.some((x) => x) && pos.some((x) => !x)) aucs.push(auc(Float32Array.from({ length: test.count }, (_, i) => p[i * k + c]), pos));
  }
  const predicted = Array.from({ length: test.count }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
    return best;
  });
  const acc = predicted.filter((c, i) => c === labels[i]).length / test.count;
  let roc: { fpr: number; tpr: number }[] = [];
  let eerV = NaN, thr = 0.5, far = NaN, frr = NaN;
  if (k === 2 && aucs.length) {
    const scores = Float32Array.from({ length: test.count }, (_, i) => p[i * k + 1]);
    const pos = labels.map((l) => l === 1);
    roc = downsampleRoc(rocCurve(scores, pos));
    const e = eer(scores, pos);
    eerV = e.eer; thr = e.threshold;
    ({ far, frr } = farFrrAt(scores, pos, thr));
  }
  return {
    testWindows: test.count, accuracy: acc,
    auc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN,
    eer: eerV, threshold: thr, far, frr, roc,
    confusion: confusionMatrix(labels, predicted, k),
  };
}

/** The whole job: render, split, train, evaluate. The caller disposes `outcome.model`. */
export async function runTrainJob(job: TrainJob, rasterize: Rasterize, hooks: PipelineHooks = {}): Promise<TrainOutcome> {
  const es = job.encoding;
  const numClasses = job.classNames.length;
  if (numClasses < 2) throw new PointerprintError('train/classes', 'Training needs at least two groups (for verification: you and others).');
  for (let c = 0; c < numClasses; c++) {
    if (!job.sessions.some((s) => s.label === c)) {
      throw new PointerprintError('train/empty-class', `There are no sessions for “${job.classNames[c]}”. Add some before training.`);
    }
  }
  const spec = job.spec ?? defaultSpec(job.kind, es.sizePx, numClasses);
  const { images, dropped } = await renderSessions(job.sessions, job.windowSettings, es, rasterize, job.maxWindowsPerSession, hooks);
  for (let c = 0; c < numClasses; c++) {
    if (!images.some((im) => im.label === c)) {
      throw new PointerprintError('train/no-windows', `The sessions for “${job.classNames[c]}” gave no usable windows (too little movement). Record or import more.`);
    }
  }
  const blocked = withTimeBlocks(images);
  const split = splitBySession(blocked.items, { val: job.valFraction, test: job.testFraction }, job.options.seed ?? 1);
  assertNoSessionLeak(split.train, split.val, split.test);

  const trainSet = toImageSet(split.train, es.sizePx);
  const valSet = toImageSet(split.val, es.sizePx);
  const testSet = toImageSet(split.test, es.sizePx);
  await hooks.onStage?.('training', 0, job.options.epochs ?? 0);
  const r = await trainModel(spec, trainSet, valSet.count ? valSet : null, { ...job.options, onEpoch: hooks.onEpoch, shouldStop: hooks.shouldStop, onBatch: hooks.onBatch });
  let quality: QualityReport | null = null;
  if (!r.cancelled) {
    await hooks.onStage?.('evaluating', 0, testSet.count);
    quality = await qualityOf(r.model, spec, testSet);
  }
  const counts = labelCounts(images);
  const trainedAgainst: TrainedAgainst = {
    classes: job.classNames.map((name, c) => {
      const ss = job.sessions.filter((s) => s.label === c);
      return { name, sessions: ss.length, windows: counts.get(c) ?? 0, origins: [...new Set(ss.map((s) => s.origin ?? s.sessionId))].slice(0, 20) };
    }),
    split: { train: trainSet.count, val: valSet.count, test: testSet.count },
    heldOutBy: blocked.used ? 'time-blocks' : 'sessions',
    note: blocked.used
      ? 'A class had fewer than 3 sessions, so its held-out windows are later stretches of the same recordings (never mixed with training windows). Record more sessions for a stricter test.'
      : 'Held-out windows come from sessions the model never saw in training.',
  };
  return {
    model: r.model, spec, history: r.history, bestEpoch: r.bestEpoch, cancelled: r.cancelled, stoppedEarly: r.stoppedEarly,
    quality, trainedAgainst, fingerprint: encodingFingerprint(job.windowSettings, es), backend: r.backend, droppedWindows: dropped,
  };
}
