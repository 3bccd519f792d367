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
import { splitBySession, capPerSession, assertNoSessionLeak, labelCounts, type Labelled, type Split, type SplitFractions } from '../core/dataset';
import { auc, eer, farFrrAt, rocCurve, confusionMatrix } from '../core/metrics';
import { checkEnrolment, ENROLMENT_ADVICE, fitDecisionModel, testResults, type DecisionModel, type EnrolmentCheck, type SequentialReplay } from '../core/enrolmentCheck';
import { PointerprintError } from '../core/errors';
import { defaultSpec, type ModelKind, type ModelSpec } from './model';
import { windowFeatures, FEATURE_COUNT } from '../core/features';
import { checkClock, windowEffectiveClockMs, type ClockReference } from '../core/recordingClock';
import { chooseFusionWeight, fuseBranchProba } from '../core/fusion';
import { closeness, fitCloseness, gatedScore, type ClosenessModel } from '../core/closeness';
import { fitGaussianBranch, scoreWithGaussianBranch, type GaussianBranch } from '../core/gaussianVerifier';
import { fitPeopleReference, notPeopleScores, PEOPLE_FLAG_RATE, type PeopleReference } from '../core/peopleReference';
import type { Rows } from '../core/standardise';
import { defaultFeatureSpec, describeFeatureModel, enrolmentFeatureSpec, predictFeatureProba, trainFeatureModel, type FeatureModelDescription, type FeatureSet } from './featureModel';
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
  /** Who moved (sessions of one person share it): how people vary is learnt across people (core/gaussianVerifier). Default: origin, else the session. */
  person?: string;
  /** When it started (orders a person's sessions in time for the held-out time block). */
  startedAtEpochMs?: number;
}

/** Draw list → RGBA bytes (sizePx² × 4). */
export type Rasterize = (d: DrawList) => Uint8ClampedArray | Uint8Array;

/** A rendered window with its provenance. */
export interface LabelledImage extends Labelled {
  windowIndex: number;
  /** Start of the window's session (epoch ms; 0 if unknown): with windowIndex, the window's place in time. */
  sessionStart: number;
  /** Kinematic features of the same window (core/features; no positions, no screen). */
  features: Float64Array;
  /** The window's effective recording clock (core/recordingClock; null without two distinct times). */
  clockMs: number | null;
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
  /**
   * Group models of two groups: the index of the group that is people (e.g. humans vs bots). The model
   * then also flags windows unlike those people (core/peopleReference), so a kind of bot that neither
   * group held is still caught, and decides at a threshold set on validation people instead of argmax.
   */
  peopleClass?: number;
  /**
   * Group models: groups to check the trained model against, never trained on (e.g. captures of a new
   * kind of bot): their windows are scored after training and reported per group (`TrainOutcome.checks`).
   */
  checkGroups?: CheckGroup[];
}

/** Sessions of a group the model never trains on, scored after training. */
export interface CheckGroup { name: string; sessions: LabelledSession[] }

/** How the trained model judged a check group's windows. */
export interface CheckResult {
  name: string;
  sessions: number;
  windows: number;
  /** Share of its windows decided as each class (argmax; with a people group, at the stored threshold). */
  decidedAs: number[];
  /** With a people group: the share flagged as not people, and the AUC of the people score, held-out people's test windows vs these. */
  flaggedNotPeople?: number;
  aucVsPeople?: number;
  /** With a people reference that stores its people's clocks: sessions recorded on a clock unlike theirs (core/recordingClock), which live scoring would not compare. */
  sessionsOnOtherClock?: number;
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
  /** How the model scores a window, one line per part (shown with the report); absent in older profiles. */
  scoredBy?: string[];
}

/** The honest quality report, measured on held-out (test) windows. */
export interface QualityReport {
  /** Test windows scored. */
  testWindows: number;
  /** Accuracy at argmax (group) or at the stored threshold (verification). */
  accuracy: number;
  /** Verification: AUC of the person's score; group: mean one-vs-rest AUC. NaN if undefined. */
  auc: number;
  /** EER of the test windows (information only: no threshold is taken from the test windows). */
  eer: number;
  /**
   * Verification: the profile's operating point, chosen on the validation windows (never the test
   * windows). Group (2 classes): 0.5, the argmax.
   */
  threshold: number;
  /** FAR / FRR on the test windows at `threshold`. */
  far: number;
  frr: number;
  /** Verification: the live verdict (SPRT) replayed on each held-out session. */
  sequential?: SequentialReplay;
  /** ROC points (downsampled to ≤ 101) for the chart. */
  roc: { fpr: number; tpr: number }[];
  /** Group models: confusion matrix [true][predicted]. */
  confusion?: number[][];
  /** The decision rule in words where it is not the kind's usual one (a group model with a people group). */
  thresholdRule?: string;
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
  /** Verification: calibration, operating point and SPRT settings, fitted on validation (null otherwise). */
  decision: DecisionModel | null;
  /** Verification: whether the profile separates the person on its test windows (groups: always usable). */
  check: EnrolmentCheck;
  /** The kinematic-feature branch (plain JSON, weights included), fused with the image branch. */
  featureModel: FeatureModelDescription | null;
  /** Weight of the feature branch in the fusion (chosen on validation; 1 = features only). */
  fusionWeight: number;
  /** Group models: how each check group (never trained on) was judged; empty without check groups. */
  checks: CheckResult[];
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
    images.push({ sessionId: s.sessionId, label: s.label, windowIndex: w.index, sessionStart: s.startedAtEpochMs ?? 0,
      features: windowFeatures(s.columns, w.start, w.end), clockMs: windowEffectiveClockMs(s.columns, w.start, w.end), rgb: rgbaToRgb(rasterize(d), es.sizePx) });
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
 * Split windows into train / validation / test without leakage.
 *
 * A class with ≥ `minSessions` sessions is split by session (core/dataset). A class with fewer (typical
 * for self-enrolment: one or two recordings) cannot hold a session out, so its windows are put in time
 * order (sessions by start, then window index) and cut into three stretches: the earliest for training,
 * the next for validation, and the **latest** for test, so every test window is later than every
 * training and validation window. One window is dropped at each cut (neighbours share movement).
 * Still more optimistic than separate sessions; the report says so.
 */
export function honestSplit(items: readonly LabelledImage[], fractions: SplitFractions, seed: number, minSessions = 3): { split: Split<LabelledImage>; timeBlocks: boolean } {
  const sessionsPerLabel = new Map<number, Set<string>>();
  for (const it of items) {
    let s = sessionsPerLabel.get(it.label);
    if (!s) sessionsPerLabel.set(it.label, (s = new Set()));
    s.add(it.sessionId);
  }
  const thin = new Set([...sessionsPerLabel].filter(([, s]) => s.size < minSessions).map(([l]) => l));
  const split = splitBySession(items.filter((it) => !thin.has(it.label)), fractions, seed);
  for (const label of [...thin].sort((a, b) => a - b)) {
    const list = items.filter((it) => it.label === label)
      .sort((a, b) => a.sessionStart - b.sessionStart || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0) || a.windowIndex - b.windowIndex);
    const n = list.length;
    const gap = n >= 20 ? 1 : 0;
    const nTest = Math.max(1, Math.round(n * fractions.test));
    const nVal = fractions.val > 0 ? Math.max(1, Math.round(n * fractions.val)) : 0;
    const nTrain = n - nTest - nVal - gap * (nVal ? 2 : 1);
    if (nTrain < 1) {
      throw new PointerprintError('train/too-few-windows', `Too few windows (${n}) of class ${label} to hold any out for testing. Record more movement.`);
    }
    const tag = (its: LabelledImage[], part: string) => its.map((it) => ({ ...it, sessionId: `${label}#${part}` }));
    const train = tag(list.slice(0, nTrain), 'early');
    const val = tag(list.slice(nTrain + gap, nTrain + gap + nVal), 'middle');
    const test = tag(list.slice(n - nTest), 'latest');
    split.train.push(...train); split.val.push(...val); split.test.push(...test);
    split.sessions.train.push(`${label}#early`);
    if (val.length) split.sessions.val.push(`${label}#middle`);
    split.sessions.test.push(`${label}#latest`);
  }
  return { split, timeBlocks: thin.size > 0 };
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

/**
 * Verification: fit the decision model (calibration, operating point) on the validation windows, then
 * measure the test windows at that stored operating point and judge the enrolment by them.
 */
export function verificationQuality(
  valScores: ArrayLike<number>, valItems: readonly Labelled[], scores: ArrayLike<number>, testItems: readonly Labelled[],
): { quality: QualityReport | null; decision: DecisionModel | null; check: EnrolmentCheck } {
  const valPos = valItems.map((it) => it.label === 1);
  if (!valPos.some((x) => x) || !valPos.some((x) => !x)) {
    return { quality: null, decision: null, check: { usable: false, reasons: ['The validation windows did not hold both you and others, so no threshold could be chosen honestly.'], advice: ENROLMENT_ADVICE } };
  }
  const decision = fitDecisionModel({ scores: valScores, positives: valPos, sessionIds: valItems.map((it) => it.sessionId) });
  if (testItems.length === 0) return { quality: null, decision, check: checkEnrolment(decision, { windows: 0, auc: NaN, eer: NaN, far: NaN, frr: NaN, accuracy: NaN, sequential: { sessions: 0, correct: 0, wrong: 0, undecided: 0, medianWindows: NaN, perSession: [] } }) };
  const pos = testItems.map((it) => it.label === 1);
  const t = testResults(decision, { scores, positives: pos, sessionIds: testItems.map((it) => it.sessionId) });
  const both = pos.some((x) => x) && pos.some((x) => !x);
  const quality: QualityReport = {
    testWindows: testItems.length, accuracy: t.accuracy, auc: t.auc, eer: t.eer, threshold: decision.operatingPoint.threshold,
    far: t.far, frr: t.frr, roc: both ? downsampleRoc(rocCurve(scores, pos)) : [], sequential: t.sequential,
  };
  return { quality, decision, check: checkEnrolment(decision, t) };
}

/** Group models: the report from the test windows' (fused) class probabilities (argmax decisions). */
export function qualityOf(p: Float32Array, k: number, test: ImageSet): QualityReport | null {
  if (test.count === 0) return null;
  const labels = Array.from(test.labels);
  // Groups: one-vs-rest AUC averaged over classes present in the test split.
  const aucs: number[] = [];
  for (let c = 0; c < k; c++) {
    const pos = labels.map((l) => l === c);
    if (pos.some((x) => x) && pos.some((x) => !x)) aucs.push(auc(Float32Array.from({ length: test.count }, (_, i) => p[i * k + c]), pos));
  }
  const predicted = Array.from({ length: test.count }, (_, i) => argmaxRow(p, i, k));
  const acc = predicted.filter((c, i) => c === labels[i]).length / test.count;
  let roc: { fpr: number; tpr: number }[] = [];
  // Two groups: FAR/FRR at the argmax (0.5), the rule the group model decides by; EER for information.
  let eerV = NaN, far = NaN, frr = NaN;
  const thr = 0.5;
  if (k === 2 && aucs.length) {
    const scores = Float32Array.from({ length: test.count }, (_, i) => p[i * k + 1]);
    const pos = labels.map((l) => l === 1);
    roc = downsampleRoc(rocCurve(scores, pos));
    eerV = eer(scores, pos).eer;
    ({ far, frr } = farFrrAt(scores, pos, thr));
  }
  return {
    testWindows: test.count, accuracy: acc,
    auc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN,
    eer: eerV, threshold: thr, far, frr, roc,
    confusion: confusionMatrix(labels, predicted, k),
  };
}

/** The class with the highest probability in row `i` of `p` (count × k). */
function argmaxRow(p: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
  return best;
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
  checkGroupOptions(job);
  const spec = job.spec ?? defaultSpec(job.kind, es.sizePx, numClasses);
  const { images, dropped } = await renderSessions(job.sessions, job.windowSettings, es, rasterize, job.maxWindowsPerSession, hooks);
  for (let c = 0; c < numClasses; c++) {
    if (!images.some((im) => im.label === c)) {
      throw new PointerprintError('train/no-windows', `The sessions for “${job.classNames[c]}” gave no usable windows (too little movement). Record or import more.`);
    }
  }
  const { split, timeBlocks } = honestSplit(images, { val: job.valFraction, test: job.testFraction }, job.options.seed ?? 1);
  assertNoSessionLeak(split.train, split.val, split.test);

  const trainSet = toImageSet(split.train, es.sizePx);
  const valSet = toImageSet(split.val, es.sizePx);
  const testSet = toImageSet(split.test, es.sizePx);
  await hooks.onStage?.('training', 0, job.options.epochs ?? 0);
  const r = await trainModel(spec, trainSet, valSet.count ? valSet : null, { ...job.options, onEpoch: hooks.onEpoch, shouldStop: hooks.shouldStop, onBatch: hooks.onBatch });
  // A person enrolling gives a few minutes: the smaller MLP chosen for that on validation.
  const featureSpec = spec.kind === 'verification' ? enrolmentFeatureSpec(FEATURE_COUNT) : defaultFeatureSpec(numClasses, FEATURE_COUNT);
  const f = r.cancelled ? null : await trainFeatureModel(featureSpec, featureSet(split.train), split.val.length ? featureSet(split.val) : null, {
    seed: job.options.seed ?? 1, shouldStop: hooks.shouldStop, onBatch: hooks.onBatch,
  });
  const cancelled = r.cancelled || !!f?.cancelled;
  let quality: QualityReport | null = null;
  let decision: DecisionModel | null = null;
  let check: EnrolmentCheck = { usable: !cancelled, reasons: cancelled ? ['Training was cancelled.'] : [], advice: null };
  let featureModel: FeatureModelDescription | null = null;
  let fusionWeight = 0;
  let checks: CheckResult[] = [];
  let testNotPeople: Float64Array | null = null;
  if (!cancelled && f) {
    await hooks.onStage?.('evaluating', 0, testSet.count);
    const k = numClasses;
    const valImg = await predictProba(r.model, valSet), valFeat = await predictFeatureProba(f.model, f.standardiser, featureSet(split.val));
    fusionWeight = chooseFusionWeight(valImg, valFeat, valSet.labels, k);
    const valP = fuseBranchProba(valImg, valFeat, valSet.count, k, fusionWeight);
    const testP = fuseBranchProba(await predictProba(r.model, testSet), await predictFeatureProba(f.model, f.standardiser, featureSet(split.test)), testSet.count, k, fusionWeight);
    featureModel = await describeFeatureModel(f.model, featureSpec, f.standardiser);
    if (spec.kind === 'verification') {
      // The window must also look like the person's own training windows (core/closeness): fitted on
      // training windows only, applied to validation (calibration, operating point) and test alike.
      const gate = fitPersonCloseness(split.train);
      featureModel.closeness = gate;
      const col1 = (p: Float32Array, items: readonly LabelledImage[]) => Float32Array.from(items, (it, i) => gatedScore(p[i * k + 1], closeness(gate, it.features)));
      let valS = col1(valP, split.val), testS = col1(testP, split.test);
      // Beside the classifier, the Gaussian branch: how people vary, learnt from the others (core/gaussianVerifier).
      const branch = fitGaussianBranchFor(split.train, split.val, valS, personOf(job.sessions));
      if (branch) {
        featureModel.gaussian = branch;
        const withBranch = (sc: Float32Array, items: readonly LabelledImage[]) => Float32Array.from(items, (it, i) => scoreWithGaussianBranch(branch, sc[i], it.features));
        valS = withBranch(valS, split.val);
        testS = withBranch(testS, split.test);
      }
      ({ quality, decision, check } = verificationQuality(valS, split.val, testS, split.test));
    } else if (job.peopleClass !== undefined) {
      const people = fitPeopleReferenceFor(job.peopleClass, job.classNames[job.peopleClass], split.train, split.val, valP, k);
      featureModel.people = people;
      testNotPeople = windowsNotPeople(people, testP, split.test, k);
      quality = peopleQuality(people, testNotPeople, split.test);
    } else quality = qualityOf(testP, k, testSet);
    if (job.checkGroups?.length) {
      const scoreItems = async (items: readonly LabelledImage[]) =>
        fuseBranchProba(await predictProba(r.model, toImageSet(items, es.sizePx)), await predictFeatureProba(f.model, f.standardiser, featureSet(items)), items.length, k, fusionWeight);
      const people = featureModel.people && testNotPeople ? { ref: featureModel.people, testNotPeople, test: split.test } : null;
      checks = await checkAgainst(job.checkGroups, job, rasterize, scoreItems, people);
    }
  }
  f?.model.dispose();
  const counts = labelCounts(images);
  const trainedAgainst: TrainedAgainst = {
    classes: job.classNames.map((name, c) => {
      const ss = job.sessions.filter((s) => s.label === c);
      return { name, sessions: ss.length, windows: counts.get(c) ?? 0, origins: [...new Set(ss.map((s) => s.origin ?? s.sessionId))].slice(0, 20) };
    }),
    split: { train: trainSet.count, val: valSet.count, test: testSet.count },
    heldOutBy: timeBlocks ? 'time-blocks' : 'sessions',
    scoredBy: cancelled ? undefined : describeScoring(spec.kind, featureSpec.hidden, fusionWeight, featureModel, job.classNames),
    note: timeBlocks
      ? 'A class had fewer than 3 sessions, so its recordings were put in time order: the earliest stretch trained the model, the next one chose the epoch and threshold, and the test windows are the latest stretch (later than every training window, never mixed with it). Record 3 or more sessions for a stricter test.'
      : 'Held-out windows come from sessions the model never saw in training.',
  };
  return {
    model: r.model, spec, history: r.history, bestEpoch: r.bestEpoch, cancelled, stoppedEarly: r.stoppedEarly,
    quality, trainedAgainst, fingerprint: encodingFingerprint(job.windowSettings, es), backend: r.backend, droppedWindows: dropped,
    decision, check, featureModel, fusionWeight, checks,
  };
}

/** The parts of the window score in words, for the quality report (what the verifier uses, shown). */
export function describeScoring(kind: ModelKind, hidden: readonly number[], fusionWeight: number, f: FeatureModelDescription | null, classNames: readonly string[] = []): string[] {
  const share = (w: number) => `${Math.round(w * 100)} %`;
  const mlp = `kinematic features (speed, acceleration, curvature, pauses…; no position, no screen size): an MLP (${hidden.length ? `hidden ${hidden.join('/')}` : 'no hidden layer'}), ${share(fusionWeight)} of the per-window fusion`;
  const out = [mlp, `image CNN on the window's colour image, ${share(1 - fusionWeight)} of the fusion (the share was chosen on validation windows)`];
  if (kind !== 'verification') {
    const p = f?.people;
    if (p) {
      const who = classNames[p.peopleClass] ?? `group ${p.peopleClass}`;
      out.push(`not like people: a one-class model of “${who}” (Mahalanobis distance over ${p.fittedOn.trainWindows} training windows) beside the classifier; each score is put on the scale of ${p.fittedOn.validationWindows} validation windows of “${who}” and the larger one counts, so movement unlike “${who}” is flagged even where no group held anything like it`);
      out.push(`decision: flagged as not “${who}” when less like them than ${Math.round((1 - PEOPLE_FLAG_RATE) * 100)} % of those validation windows (no argmax)`);
    }
    return out;
  }
  if (f?.closeness) out.push('closeness: each window must also look like your own training windows (the score is at most its closeness)');
  if (f?.gaussian) out.push(`Gaussian branch: how one person's movement varies, learnt from ${f.gaussian.population.people} other people (${f.gaussian.population.windows} windows), and your mean from ${f.gaussian.person.windows} windows; added to the score above`);
  else out.push('no Gaussian branch: the others were fewer than two people, or none was held out for validation');
  return out;
}

/** A people group only makes sense in a group model of two groups, check groups only beside a group model; said before any work is done. */
function checkGroupOptions(job: TrainJob): void {
  if (job.checkGroups?.length) {
    if (job.kind !== 'group') throw new PointerprintError('train/check-groups', 'Check groups can only be scored by a group model.');
    const trained = new Set(job.sessions.map((s) => s.sessionId));
    const both = job.checkGroups.flatMap((g) => g.sessions).find((s) => trained.has(s.sessionId));
    if (both) throw new PointerprintError('train/check-groups', `Session ${both.sessionId} is both trained on and in a check group: a check must use sessions the model never saw.`);
  }
  const pc = job.peopleClass;
  if (pc === undefined) return;
  if (job.kind !== 'group' || job.classNames.length !== 2) {
    throw new PointerprintError('train/people-class', 'A people group can only be set for a group model of exactly two groups (e.g. humans vs bots).');
  }
  if (!(Number.isInteger(pc) && pc >= 0 && pc < 2)) throw new PointerprintError('train/people-class', `The people group (${pc}) is not one of the two groups.`);
}

const rowsOfItems = (items: readonly LabelledImage[]): Rows => {
  const values = new Float64Array(items.length * FEATURE_COUNT);
  items.forEach((it, i) => values.set(it.features, i * FEATURE_COUNT));
  return { dim: FEATURE_COUNT, count: items.length, values };
};

/** The people reference from the people group's training windows, scaled on its validation windows and their classifier scores. */
export function fitPeopleReferenceFor(peopleClass: number, name: string, train: readonly LabelledImage[], val: readonly LabelledImage[], valP: Float32Array, k: number): PeopleReference {
  const own = train.filter((it) => it.label === peopleClass);
  const ownVal = val.map((it, i) => ({ it, i })).filter((x) => x.it.label === peopleClass);
  if (own.length < 2 || ownVal.length < 1) {
    throw new PointerprintError('train/people-too-few', `Too few windows of “${name}” to learn what its movement looks like (${own.length} for training, ${ownVal.length} for validation). Record or import more sessions of “${name}”.`);
  }
  return fitPeopleReference(peopleClass, rowsOfItems(own), rowsOfItems(ownVal.map((x) => x.it)), ownVal.map((x) => 1 - valP[x.i * k + peopleClass]), own.map((it) => it.clockMs));
}

/** Each window's "not like people" score from the model's class probabilities `p` (count × k) and its features. */
function windowsNotPeople(ref: PeopleReference, p: Float32Array, items: readonly LabelledImage[], k: number): Float64Array {
  return notPeopleScores(ref, items.map((_, i) => 1 - p[i * k + ref.peopleClass]), rowsOfItems(items));
}

/**
 * A group model with a people group, measured on its test windows at its stored threshold: positive =
 * people; FAR = windows of the other group passed as people, FRR = people's windows flagged.
 */
export function peopleQuality(ref: PeopleReference, flagged: Float64Array, test: readonly LabelledImage[]): QualityReport | null {
  if (test.length === 0) return null;
  const pc = ref.peopleClass;
  const peopleScore = Array.from(flagged, (v) => 1 - v);
  const isPeople = test.map((it) => it.label === pc);
  const accepted = Array.from(flagged, (v) => !(v > ref.threshold));
  const nPeople = isPeople.filter(Boolean).length, nOther = test.length - nPeople;
  const wrongOther = accepted.filter((a, i) => a && !isPeople[i]).length, wrongPeople = accepted.filter((a, i) => !a && isPeople[i]).length;
  const both = nPeople > 0 && nOther > 0;
  const predicted = accepted.map((a) => (a ? pc : 1 - pc));
  return {
    testWindows: test.length, accuracy: (test.length - wrongOther - wrongPeople) / test.length,
    auc: both ? auc(peopleScore, isPeople) : NaN, eer: both ? eer(peopleScore, isPeople).eer : NaN,
    threshold: 1 - ref.threshold, far: nOther ? wrongOther / nOther : NaN, frr: nPeople ? wrongPeople / nPeople : NaN,
    roc: both ? downsampleRoc(rocCurve(peopleScore, isPeople)) : [],
    confusion: confusionMatrix(test.map((it) => it.label), predicted, 2),
    thresholdRule: `flags windows less like people than ${Math.round((1 - PEOPLE_FLAG_RATE) * 100)} % of validation people's (FAR: the other group passed as people; FRR: people flagged)`,
  };
}

/**
 * Score each check group's windows with the trained model: the share decided as each class (argmax, or
 * with a people group its stored threshold), and with a people group the share flagged and the AUC
 * against the held-out people's test windows.
 */
async function checkAgainst(
  groups: readonly CheckGroup[], job: TrainJob, rasterize: Rasterize, score: (items: readonly LabelledImage[]) => Promise<Float32Array>,
  people: { ref: PeopleReference; testNotPeople: Float64Array; test: readonly LabelledImage[] } | null,
): Promise<CheckResult[]> {
  const k = job.classNames.length;
  const out: CheckResult[] = [];
  // The held-out people's test windows, scored once by the caller: the other side of each check's AUC.
  const peopleTestScores = people ? people.test.flatMap((it, i) => (it.label === people.ref.peopleClass ? [1 - people.testNotPeople[i]] : [])) : [];
  for (const g of groups) {
    const { images } = await renderSessions(g.sessions.map((s) => ({ ...s, label: 0 })), job.windowSettings, job.encoding, rasterize, job.maxWindowsPerSession);
    const n = images.length;
    const decidedAs = new Array<number>(k).fill(0);
    const res: CheckResult = { name: g.name, sessions: g.sessions.length, windows: n, decidedAs };
    if (n > 0) {
      const p = await score(images);
      if (people) {
        const pc = people.ref.peopleClass;
        const flagged = windowsNotPeople(people.ref, p, images, k);
        const nFlagged = Array.from(flagged).filter((v) => v > people.ref.threshold).length;
        decidedAs[pc] = (n - nFlagged) / n;
        decidedAs[1 - pc] = nFlagged / n;
        res.flaggedNotPeople = nFlagged / n;
        const clockRef = people.ref.clock;
        if (clockRef) res.sessionsOnOtherClock = sessionsOnOtherClock(images, clockRef);
        if (peopleTestScores.length) res.aucVsPeople = auc([...peopleTestScores, ...Array.from(flagged, (v) => 1 - v)], [...peopleTestScores.map(() => true), ...images.map(() => false)]);
      } else for (let i = 0; i < n; i++) decidedAs[argmaxRow(p, i, k)] += 1 / n;
    }
    out.push(res);
  }
  return out;
}

/** How many of the windows' sessions are on a clock the live check would not compare (core/recordingClock). */
function sessionsOnOtherClock(images: readonly LabelledImage[], ref: ClockReference): number {
  const bySession = new Map<string, (number | null)[]>();
  for (const it of images) (bySession.get(it.sessionId) ?? bySession.set(it.sessionId, []).get(it.sessionId)!).push(it.clockMs);
  return [...bySession.values()].filter((cs) => checkClock(ref, cs)?.comparable === false).length;
}

/** Who moved each session (sessionId → person), for the Gaussian branch's population. */
export function personOf(sessions: readonly LabelledSession[]): (sessionId: string) => string {
  const m = new Map(sessions.map((s) => [s.sessionId, s.person ?? s.origin ?? s.sessionId]));
  return (id) => m.get(id) ?? id;
}

/**
 * The verification profile's Gaussian branch: the population from the others' training windows (needs
 * two people or more), the person from their own, the norms from the others' validation windows and
 * the classifier's (gated) scores of them. Null when the others are one person or there is no
 * validation window of others: the profile then scores with its classifier alone, as before.
 */
export function fitGaussianBranchFor(train: readonly LabelledImage[], val: readonly LabelledImage[], valScores: ArrayLike<number>, person: (sessionId: string) => string): GaussianBranch | null {
  const own = train.filter((it) => it.label === 1), others = train.filter((it) => it.label === 0);
  const othersVal = val.map((it, i) => ({ it, score: valScores[i] })).filter((x) => x.it.label === 0);
  const people = others.map((it) => person(it.sessionId));
  if (!own.length || !othersVal.length || new Set(people).size < 2 || others.length <= new Set(people).size) return null;
  return fitGaussianBranch(own.map((it) => it.features), others.map((it) => it.features), people, othersVal.map((x) => x.it.features), othersVal.map((x) => x.score));
}

/** The closeness model of the person (label 1) from training windows, in time order (core/closeness). */
export function fitPersonCloseness(train: readonly LabelledImage[]): ClosenessModel {
  const own = train.filter((it) => it.label === 1)
    .sort((a, b) => a.sessionStart - b.sessionStart || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0) || a.windowIndex - b.windowIndex);
  return fitCloseness(own.map((it) => it.features), train.map((it) => it.features));
}

/** The kinematic features of labelled windows as a FeatureSet. */
export function featureSet(items: readonly LabelledImage[]): FeatureSet {
  const features = new Float32Array(items.length * FEATURE_COUNT);
  items.forEach((it, i) => features.set(it.features, i * FEATURE_COUNT));
  return { dim: FEATURE_COUNT, count: items.length, features, labels: Int32Array.from(items, (it) => it.label) };
}
