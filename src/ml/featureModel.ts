/**
 * The feature branch: a small MLP on standardised kinematic features (src/core/features.ts).
 *
 * API (stable from `READY: features` on):
 * - `FeatureSet` { dim, count, features (raw, row-major), labels }: what training and scoring take;
 * - `fitStandardiser(set)` → `FeatureStandardiser` (plain JSON): signed-log then z-score per column,
 *   fitted on training rows only; `standardise(std, features, count)` applies it (clipped to ±CLIP);
 * - `defaultFeatureSpec(numClasses, dim?)` → `FeatureModelSpec` (plain JSON); `enrolmentFeatureSpec(dim?)`
 *   for a person enrolling against others (smaller: little data of their own);
 * - `buildFeatureModel(spec, seed)` → tf.LayersModel (seeded initialisers);
 * - `trainFeatureModel(spec, train, val, options)` → `FeatureTrainResult` { model, standardiser,
 *   history, bestEpoch, stoppedEarly, cancelled, backend }: seeded shuffle, class-balanced loss,
 *   early stopping on validation loss (best weights restored), cancellable (`shouldStop`), progress
 *   (`onEpoch`, `onBatch`), any tfjs backend (only dense layers, matMul/relu/softmax);
 * - `predictFeatureProba(model, std, set)` → Float32Array count × numClasses (softmax);
 * - `describeFeatureModel(model, spec, std)` → `FeatureModelDescription` (plain JSON, storable in a
 *   profile: versions, feature names, standardiser, spec, weights);
 * - `loadFeatureModel(desc)` → { model, spec, standardiser, closeness, gaussian, people }; refuses an incompatible description
 *   with a PointerprintError that says why.
 * The caller owns and disposes every returned model.
 */
import type { ClosenessModel } from '../core/closeness';
import type { GaussianBranch } from '../core/gaussianVerifier';
import type { PeopleReference } from '../core/peopleReference';
import * as tf from '@tensorflow/tfjs';
import { FEATURE_NAMES, FEATURES_VERSION } from '../core/features';
import { PointerprintError } from '../core/errors';
import { mulberry32, randNormal, shuffleInPlace } from '../core/random';
import { runEpochs, type EpochLoopResult } from './earlyStopping';
import { fitStandardiserRows, standardiseInto } from '../core/standardise';

/** Bump when the MLP's layers or the standardisation change meaning. */
export const FEATURE_MODEL_VERSION = 1;
/** Standardised values are clipped to ±CLIP: one wild window must not dominate a batch. */
export const CLIP = 5;

export interface FeatureSet {
  dim: number;
  count: number;
  /** Raw features, row-major, count × dim. */
  features: Float32Array;
  /** Class index per row. */
  labels: Int32Array;
}

export interface FeatureStandardiser {
  /** Per column: mean and sd of slog(x) = sign(x)·ln(1 + |x|) over the training rows. */
  mean: number[];
  sd: number[];
}

export interface FeatureModelSpec {
  inputDim: number;
  /** Units of each hidden ReLU layer. */
  hidden: number[];
  numClasses: number;
  /** Dropout before each dense layer after the first (0 = none). */
  dropout: number;
  /** L2 on kernels, in the loss. */
  l2: number;
  version: number;
  /**
   * The output layer: a softmax over the classes (absent = 'softmax', every profile so far), or one
   * sigmoid per class trained one-vs-rest, so a window unlike every class can score low on all of them
   * (open-set recognition, "DOC", Shu et al. 2017). Tried on the open set's validation and not adopted
   * (docs/benchmark.md); the app builds softmax models only, and a profile's import keeps no `head`.
   */
  head?: 'softmax' | 'oneVsRest';
  /** Softmax only: training targets (1 − ε) on the class and ε / k spread over all (absent = 0). Tried for the open set (docs/benchmark.md). */
  labelSmoothing?: number;
  /** Gaussian noise of this sd added to the standardised inputs of each training batch (absent = 0). Tried for the open set (docs/benchmark.md). */
  inputNoise?: number;
}

export interface FeatureModelDescription {
  kind: 'pointerprint-feature-mlp';
  version: number;
  featuresVersion: number;
  featureNames: string[];
  standardiser: FeatureStandardiser;
  spec: FeatureModelSpec;
  /** Weights in `model.getWeights()` order. */
  weights: { shape: number[]; values: number[] }[];
  /** Verification: how typical a window is of the person's own movement (core/closeness); absent in older profiles. */
  closeness?: ClosenessModel;
  /** Verification: the Gaussian branch beside the classifier (core/gaussianVerifier); absent in older profiles. */
  gaussian?: GaussianBranch;
  /** Group models with a people group: the "not like people" reference (core/peopleReference); absent otherwise. */
  people?: PeopleReference;
}

export interface FeatureTrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Stop after this many epochs without a better validation loss (best weights kept). 0 = off. */
  patience: number;
  balanceClasses: boolean;
  onEpoch?: (e: FeatureEpochReport) => void | Promise<void>;
  shouldStop?: () => boolean;
  onBatch?: () => void | Promise<void>;
}

export const DEFAULT_FEATURE_TRAIN_OPTIONS: FeatureTrainOptions = {
  epochs: 60, batchSize: 64, learningRate: 2e-3, seed: 1, patience: 8, balanceClasses: true,
};

export interface FeatureEpochReport {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valAcc: number;
  ms: number;
  best: boolean;
}

export interface FeatureTrainResult {
  model: tf.LayersModel;
  standardiser: FeatureStandardiser;
  history: FeatureEpochReport[];
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
  backend: string;
}

export function fitStandardiser(set: Pick<FeatureSet, 'dim' | 'count' | 'features'>): FeatureStandardiser {
  return fitStandardiserRows({ dim: set.dim, count: set.count, values: set.features });
}

export function standardise(std: FeatureStandardiser, features: Float32Array, count: number): Float32Array {
  return standardiseInto(std, { count, values: features }, CLIP, new Float32Array(count * std.mean.length));
}

/**
 * Sizes chosen on validation cut from Balabit's training files (docs/benchmark.md, "What was tried";
 * `bench-results/feature-choices.json`): 256/128 units with dropout 0.3 had the best validation AUC of
 * the candidates tried, by a small margin.
 */
export function defaultFeatureSpec(numClasses: number, inputDim = FEATURE_NAMES.length): FeatureModelSpec {
  return { inputDim, hidden: [256, 128], numClasses: Math.max(2, numClasses), dropout: 0.3, l2: 1e-4, version: FEATURE_MODEL_VERSION };
}

/**
 * The feature MLP for enrolling one person against others (verification profiles, the benchmark's
 * small enrolment): one hidden layer of 128. A person gives a few minutes (~20 windows of their own),
 * and on validation cut from Balabit's training files (`scripts/bench/explore-small-enrolment.ts`,
 * `bench-results/small-enrolment-choices.json`, 3 seeds, three designs of the trials) it beat the default
 * 256/128 in every seed and design; 64 and 32 were unstable, none (logistic regression) lower. On the
 * benchmark's test sessions it did not help (docs/benchmark.md, "What was tried").
 */
export function enrolmentFeatureSpec(inputDim = FEATURE_NAMES.length): FeatureModelSpec {
  return { ...defaultFeatureSpec(2, inputDim), hidden: [128] };
}

export function buildFeatureModel(spec: FeatureModelSpec, seed = 1): tf.LayersModel {
  let s = seed * 7919 + 17;
  const init = () => tf.initializers.glorotUniform({ seed: ++s });
  const m = tf.sequential({ name: 'pointerprint_features' });
  spec.hidden.forEach((units, i) => {
    if (i > 0 && spec.dropout > 0) m.add(tf.layers.dropout({ rate: spec.dropout, seed: ++s }));
    m.add(tf.layers.dense({ ...(i === 0 ? { inputShape: [spec.inputDim] } : {}), units, activation: 'relu', kernelInitializer: init() }));
  });
  // Without hidden layers (logistic regression) there is nothing to drop out of: the inputs stay whole.
  if (spec.dropout > 0 && spec.hidden.length) m.add(tf.layers.dropout({ rate: spec.dropout, seed: ++s }));
  m.add(tf.layers.dense({ ...(spec.hidden.length ? {} : { inputShape: [spec.inputDim] }), units: spec.numClasses, activation: spec.head === 'oneVsRest' ? 'sigmoid' : 'softmax', kernelInitializer: init() }));
  return m;
}

function checkSet(set: FeatureSet, spec: FeatureModelSpec, name: string): void {
  if (set.dim !== spec.inputDim || set.features.length !== set.count * set.dim || set.labels.length !== set.count) {
    throw new PointerprintError('features/shape', `The ${name} feature set is inconsistent (expected ${spec.inputDim} features per window; count, features and labels must agree).`);
  }
  for (const l of set.labels) {
    if (l < 0 || l >= spec.numClasses) throw new PointerprintError('features/label', `The ${name} feature set has label ${l}, outside 0..${spec.numClasses - 1}.`);
  }
}

const EPS = 1e-7;

function loss(model: tf.LayersModel, spec: FeatureModelSpec, x: tf.Tensor2D, y: tf.Tensor1D, w: tf.Tensor1D, training: boolean): tf.Scalar {
  const p = tf.clipByValue(model.apply(x, { training }) as tf.Tensor2D, EPS, 1 - EPS);
  const eps = training && spec.head !== 'oneVsRest' ? spec.labelSmoothing ?? 0 : 0;
  const hot = tf.oneHot(y, spec.numClasses);
  const t = eps > 0 ? tf.add(tf.mul(hot, 1 - eps), eps / spec.numClasses) : hot;
  // One-vs-rest: every head's binary cross-entropy (the row's own head positive, the others negative).
  const ce = spec.head === 'oneVsRest'
    ? tf.neg(tf.sum(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)))), 1))
    : tf.neg(tf.sum(tf.mul(t, tf.log(p)), 1));
  const wy = tf.gather(w, y);
  let l: tf.Scalar = tf.div(tf.sum(tf.mul(ce, wy)), tf.sum(wy));
  if (training && spec.l2 > 0) {
    const k = model.trainableWeights.filter((v) => v.name.includes('kernel')).map((v) => tf.sum(tf.square(v.read())));
    l = tf.add(l, tf.mul(spec.l2, k.reduce((a, b) => tf.add(a, b))));
  }
  return l;
}

function classWeightsOf(labels: Int32Array, k: number, balance: boolean): Float32Array {
  const w = new Float32Array(k).fill(1);
  if (!balance) return w;
  const n = new Float64Array(k);
  for (const l of labels) n[l]++;
  const present = n.filter((c) => c > 0).length;
  for (let c = 0; c < k; c++) w[c] = n[c] > 0 ? labels.length / (present * n[c]) : 1;
  return w;
}

async function meanLoss(model: tf.LayersModel, spec: FeatureModelSpec, x: Float32Array, labels: Int32Array): Promise<{ loss: number; acc: number }> {
  const n = labels.length;
  const ones = tf.ones([spec.numClasses]) as tf.Tensor1D;
  const [l, c] = tf.tidy(() => {
    const xt = tf.tensor2d(x, [n, spec.inputDim]);
    const yt = tf.tensor1d(labels, 'int32');
    const p = model.apply(xt, { training: false }) as tf.Tensor2D;
    const hit = tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), yt), 'float32'));
    return [loss(model, spec, xt, yt, ones, false), hit];
  });
  const out = { loss: (await l.data())[0], acc: (await c.data())[0] / n };
  l.dispose(); c.dispose(); ones.dispose();
  return out;
}

/** Train a fresh seeded MLP; the standardiser is fitted on `train` only and returned with it. */
export async function trainFeatureModel(spec: FeatureModelSpec, train: FeatureSet, val: FeatureSet | null, options: Partial<FeatureTrainOptions> = {}): Promise<FeatureTrainResult> {
  const o = { ...DEFAULT_FEATURE_TRAIN_OPTIONS, ...options };
  checkSet(train, spec, 'training');
  if (val) checkSet(val, spec, 'validation');
  if (train.count === 0) throw new PointerprintError('features/empty', 'There are no training windows.');
  const standardiser = fitStandardiser(train);
  const xTr = standardise(standardiser, train.features, train.count);
  const hasVal = !!val && val.count > 0;
  const xVa = hasVal ? standardise(standardiser, val!.features, val!.count) : null;

  const model = buildFeatureModel(spec, o.seed);
  const optimizer = tf.train.adam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const classW = tf.tensor1d(classWeightsOf(train.labels, spec.numClasses, o.balanceClasses));
  const rng = mulberry32(o.seed);
  // Its own stream, so the shuffling order is the same with or without noise.
  const noiseRng = mulberry32(o.seed ^ 0x9e3779b9);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const d = spec.inputDim;
  let loop: EpochLoopResult<Omit<FeatureEpochReport, 'best'>>;
  try {
    loop = await runEpochs<Omit<FeatureEpochReport, 'best'>>(model, o, async (epoch) => {
      const t0 = performance.now();
      shuffleInPlace(order, rng);
      let lossSum = 0;
      for (let at = 0; at < order.length; at += o.batchSize) {
        if (o.shouldStop?.()) return 'cancelled';
        const idx = order.slice(at, at + o.batchSize);
        const xb = new Float32Array(idx.length * d);
        idx.forEach((r, b) => xb.set(xTr.subarray(r * d, r * d + d), b * d));
        if (spec.inputNoise) for (let i = 0; i < xb.length; i++) xb[i] += randNormal(noiseRng, 0, spec.inputNoise);
        const yb = Int32Array.from(idx, (r) => train.labels[r]);
        const lt = tf.tidy(() => {
          const x = tf.tensor2d(xb, [idx.length, d]);
          const y = tf.tensor1d(yb, 'int32');
          const { value, grads } = tf.variableGrads(() => loss(model, spec, x, y, classW, true), vars);
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          return value;
        });
        lossSum += (await lt.data())[0] * idx.length;
        lt.dispose();
        await o.onBatch?.();
      }
      const v = hasVal ? await meanLoss(model, spec, xVa!, val!.labels) : { loss: NaN, acc: NaN };
      return {
        monitored: hasVal ? v.loss : lossSum / train.count,
        report: { epoch, trainLoss: lossSum / train.count, valLoss: v.loss, valAcc: v.acc, ms: performance.now() - t0 },
      };
    });
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
    classW.dispose();
  }
  const { history, bestEpoch, stoppedEarly, cancelled } = loop;
  return { model, standardiser, history, bestEpoch, stoppedEarly, cancelled, backend: tf.getBackend() };
}

/** Softmax probabilities for raw feature rows, count × numClasses, row-major. */
export async function predictFeatureProba(model: tf.LayersModel, std: FeatureStandardiser, set: Pick<FeatureSet, 'count' | 'features'>, batchSize = 512): Promise<Float32Array> {
  const d = std.mean.length;
  const k = (model.outputs[0].shape[1] ?? 2) as number;
  const x = standardise(std, set.features, set.count);
  const out = new Float32Array(set.count * k);
  for (let at = 0; at < set.count; at += batchSize) {
    const n = Math.min(batchSize, set.count - at);
    const p = tf.tidy(() => model.predict(tf.tensor2d(x.subarray(at * d, (at + n) * d), [n, d])) as tf.Tensor);
    out.set(await p.data(), at * k);
    p.dispose();
  }
  return out;
}

export async function describeFeatureModel(model: tf.LayersModel, spec: FeatureModelSpec, standardiser: FeatureStandardiser): Promise<FeatureModelDescription> {
  const weights = [];
  for (const w of model.getWeights()) weights.push({ shape: [...w.shape], values: Array.from(await w.data()) });
  return {
    kind: 'pointerprint-feature-mlp', version: FEATURE_MODEL_VERSION, featuresVersion: FEATURES_VERSION,
    featureNames: [...FEATURE_NAMES], standardiser: { mean: [...standardiser.mean], sd: [...standardiser.sd] }, spec: { ...spec, hidden: [...spec.hidden] }, weights,
  };
}

export function loadFeatureModel(desc: FeatureModelDescription): { model: tf.LayersModel; spec: FeatureModelSpec; standardiser: FeatureStandardiser; closeness: ClosenessModel | null; gaussian: GaussianBranch | null; people: PeopleReference | null } {
  if (!desc || desc.kind !== 'pointerprint-feature-mlp') throw new PointerprintError('features/not-a-model', 'This is not a Pointerprint feature model.');
  if (desc.version !== FEATURE_MODEL_VERSION || desc.featuresVersion !== FEATURES_VERSION || desc.featureNames.join() !== FEATURE_NAMES.join()) {
    throw new PointerprintError('features/version', `This profile's feature model was made by an older version (model v${desc.version}, features v${desc.featuresVersion}; this app uses v${FEATURE_MODEL_VERSION} / v${FEATURES_VERSION}). Enrol again to use it.`);
  }
  const model = buildFeatureModel(desc.spec, 1);
  const shapes = model.getWeights().map((w) => w.shape.join('x'));
  if (shapes.length !== desc.weights.length || shapes.some((s, i) => s !== desc.weights[i].shape.join('x'))) {
    model.dispose();
    throw new PointerprintError('features/corrupt', 'The stored feature model does not match its own specification (corrupt profile?).');
  }
  const ts = desc.weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(ts);
  ts.forEach((t) => t.dispose());
  return { model, spec: desc.spec, standardiser: desc.standardiser, closeness: desc.closeness ?? null, gaussian: desc.gaussian ?? null, people: desc.people ?? null };
}
