/**
 * Training and scoring, backend-agnostic.
 *
 * Runs in the train worker and in Node (benchmarks, unit tests) on whatever tfjs backend is active:
 * no DOM, no `self`/`window` at module level. Everything random is seeded (shuffle, augmentation,
 * initial weights), so two backends fed the same data follow the same path: the agreement tests rely
 * on that.
 *
 * Memory: every step runs inside `tf.tidy`/`variableGrads`; the optimizer and any weight snapshots
 * are disposed explicitly; the caller owns (and disposes) the returned model.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, randInt, shuffleInPlace, type Rng } from '../core/random';
import { classWeights } from '../core/dataset';
import { PointerprintError } from '../core/errors';
import { buildModel, type ModelSpec } from './model';
import { runEpochs, type EpochLoopResult } from './earlyStopping';

/**
 * A set of images as the model sees them: RGB bytes, row-major, `count × size × size × 3`.
 * Bytes (not floats) because a few hundred 64 px images are then ~3.7 MB and transfer cheaply.
 */
export interface ImageSet {
  sizePx: number;
  count: number;
  pixels: Uint8Array;
  /** Class index per image. */
  labels: Int32Array;
  /** Background grey 0..255 of the encoding: what a translation uncovers. */
  background: number;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Stop after this many epochs without a better validation loss (best weights are restored). 0 = off. */
  patience: number;
  /**
   * Largest random translation in px (each axis) applied to training images. Translation is the only
   * augmentation: flips and rotations would change what the direction colours mean.
   */
  maxShiftPx: number;
  /** Weight the loss so each class counts equally (few positives vs many negatives). */
  balanceClasses: boolean;
  /** Called after each epoch; awaited (so a worker can post progress and check for cancel). */
  onEpoch?: (e: EpochReport) => void | Promise<void>;
  /** Checked between batches; when true, training stops and returns what it has. */
  shouldStop?: () => boolean;
  /**
   * Awaited after every batch. A worker passes a macrotask yield here (now and then) so its message
   * queue (cancel, scoring requests) is served during a long epoch.
   */
  onBatch?: () => void | Promise<void>;
  /** Weight init seed (defaults to `seed`). */
  initSeed?: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 30,
  batchSize: 32,
  learningRate: 1e-3,
  seed: 1,
  patience: 6,
  maxShiftPx: 3,
  balanceClasses: true,
};

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  /** NaN when there is no validation set. */
  valLoss: number;
  valAcc: number;
  ms: number;
  msPerStep: number;
  /** This epoch's weights are the best so far (lowest validation loss). */
  best: boolean;
}

export interface TrainResult {
  model: tf.LayersModel;
  history: EpochReport[];
  /** Epoch whose weights the model holds (best validation loss), -1 if none finished. */
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
  backend: string;
}

const EPS = 1e-7;

/** Copy images `idx` into a float batch in [0,1], optionally translated (seeded). */
export function makeBatch(set: ImageSet, idx: readonly number[], rng: Rng | null, maxShiftPx: number): Float32Array {
  const s = set.sizePx;
  const per = s * s * 3;
  const out = new Float32Array(idx.length * per);
  const bg = set.background / 255;
  for (let b = 0; b < idx.length; b++) {
    const src = idx[b] * per;
    const dst = b * per;
    const dx = rng && maxShiftPx > 0 ? randInt(rng, -maxShiftPx, maxShiftPx) : 0;
    const dy = rng && maxShiftPx > 0 ? randInt(rng, -maxShiftPx, maxShiftPx) : 0;
    if (dx === 0 && dy === 0) {
      for (let i = 0; i < per; i++) out[dst + i] = set.pixels[src + i] / 255;
      continue;
    }
    for (let y = 0; y < s; y++) {
      const sy = y - dy;
      for (let x = 0; x < s; x++) {
        const sx = x - dx;
        const o = dst + (y * s + x) * 3;
        if (sy < 0 || sy >= s || sx < 0 || sx >= s) {
          out[o] = out[o + 1] = out[o + 2] = bg;
        } else {
          const i = src + (sy * s + sx) * 3;
          out[o] = set.pixels[i] / 255;
          out[o + 1] = set.pixels[i + 1] / 255;
          out[o + 2] = set.pixels[i + 2] / 255;
        }
      }
    }
  }
  return out;
}

/** Per-class loss weights (1 each unless balancing). */
function lossWeights(labels: Int32Array, numClasses: number, balance: boolean): Float32Array {
  const w = new Float32Array(numClasses).fill(1);
  if (!balance) return w;
  const cw = classWeights(Array.from(labels, (label) => ({ sessionId: '', label })));
  for (let c = 0; c < numClasses; c++) if (cw[c] !== undefined) w[c] = cw[c];
  return w;
}

/**
 * Weighted cross-entropy on softmax outputs (+ L2 on kernels): the training objective.
 * Returns a scalar; `correct` receives the number of argmax hits (kept, caller disposes).
 */
function objective(
  model: tf.LayersModel, spec: ModelSpec, x: tf.Tensor4D, y: tf.Tensor1D, classW: tf.Tensor1D, training: boolean,
): { loss: tf.Scalar; correct: tf.Scalar } {
  const probs = model.apply(x, { training }) as tf.Tensor2D;
  const oneHot = tf.oneHot(y, spec.numClasses);
  const ce = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, EPS, 1 - EPS))), 1));
  const w = tf.gather(classW, y);
  let loss: tf.Scalar = tf.div(tf.sum(tf.mul(ce, w)), tf.sum(w));
  if (spec.l2 > 0 && training) {
    const kernels = model.trainableWeights.filter((v) => v.name.includes('kernel')).map((v) => tf.sum(tf.square(v.read())));
    // Pairwise adds, not tf.addN: tfjs-backend-webgpu 4.22's AddN with 8 inputs returned another
    // buffer's value on SwiftShader (9 storage bindings > the adapter's limit of 8), measured here.
    loss = tf.add(loss, tf.mul(spec.l2, kernels.reduce((a, b) => tf.add(a, b))));
  }
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), tf.cast(y, 'int32')), 'float32')) as tf.Scalar;
  return { loss, correct };
}

/** Mean loss and accuracy on a set, inference mode, unweighted. */
export async function evaluate(model: tf.LayersModel, spec: ModelSpec, set: ImageSet, batchSize = 64): Promise<{ loss: number; acc: number }> {
  if (set.count === 0) return { loss: NaN, acc: NaN };
  const ones = tf.ones([spec.numClasses]) as tf.Tensor1D;
  let lossSum = 0, correct = 0;
  for (let at = 0; at < set.count; at += batchSize) {
    const idx = range(at, Math.min(set.count, at + batchSize));
    const [l, c] = tf.tidy(() => {
      const x = tf.tensor4d(makeBatch(set, idx, null, 0), [idx.length, set.sizePx, set.sizePx, 3]);
      const y = tf.tensor1d(set.labels.subarray(at, at + idx.length), 'int32');
      const r = objective(model, spec, x, y, ones, false);
      return [tf.mul(r.loss, idx.length), r.correct];
    });
    lossSum += (await l.data())[0];
    correct += (await c.data())[0];
    l.dispose(); c.dispose();
  }
  ones.dispose();
  return { loss: lossSum / set.count, acc: correct / set.count };
}

/** Softmax probabilities, `count × numClasses`, row-major. */
export async function predictProba(model: tf.LayersModel, set: ImageSet, batchSize = 64): Promise<Float32Array> {
  const k = (model.outputs[0].shape[1] ?? 2) as number;
  const out = new Float32Array(set.count * k);
  for (let at = 0; at < set.count; at += batchSize) {
    const idx = range(at, Math.min(set.count, at + batchSize));
    const p = tf.tidy(() => model.predict(tf.tensor4d(makeBatch(set, idx, null, 0), [idx.length, set.sizePx, set.sizePx, 3])) as tf.Tensor);
    out.set(await p.data(), at * k);
    p.dispose();
  }
  return out;
}

/** Column `cls` of predictProba: the score of one class (verification: class 1 = the person). */
export async function scoreClass(model: tf.LayersModel, set: ImageSet, cls = 1, batchSize = 64): Promise<Float32Array> {
  const p = await predictProba(model, set, batchSize);
  const k = p.length / Math.max(1, set.count);
  return Float32Array.from({ length: set.count }, (_, i) => p[i * k + cls]);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function checkSet(set: ImageSet, spec: ModelSpec, name: string): void {
  if (set.sizePx !== spec.inputSizePx) {
    throw new PointerprintError('train/size', `The ${name} images are ${set.sizePx} px but the model expects ${spec.inputSizePx} px.`);
  }
  if (set.pixels.length !== set.count * set.sizePx * set.sizePx * 3 || set.labels.length !== set.count) {
    throw new PointerprintError('train/shape', `The ${name} image set is inconsistent (count, pixels and labels disagree).`);
  }
  for (const l of set.labels) {
    if (l < 0 || l >= spec.numClasses) throw new PointerprintError('train/label', `The ${name} set has label ${l}, outside 0..${spec.numClasses - 1}.`);
  }
}

/**
 * Train a model of `spec` (fresh, seeded) on `train`, early-stopping on `val`.
 * The returned model holds the weights of the best validation epoch.
 */
export async function trainModel(spec: ModelSpec, train: ImageSet, val: ImageSet | null, options: Partial<TrainOptions> = {}): Promise<TrainResult> {
  const o: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  checkSet(train, spec, 'training');
  if (val) checkSet(val, spec, 'validation');
  if (train.count === 0) throw new PointerprintError('train/empty', 'There are no training images.');
  const hasVal = !!val && val.count > 0;

  const model = buildModel(spec, o.initSeed ?? o.seed);
  const optimizer = tf.train.adam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const classW = tf.tensor1d(lossWeights(train.labels, spec.numClasses, o.balanceClasses));
  const rng = mulberry32(o.seed);
  const order = range(0, train.count);

  let loop: EpochLoopResult<Omit<EpochReport, 'best'>>;
  try {
    loop = await runEpochs<Omit<EpochReport, 'best'>>(model, o, async (epoch) => {
      const t0 = performance.now();
      shuffleInPlace(order, rng);
      let lossSum = 0, correct = 0, steps = 0;
      for (let at = 0; at < order.length; at += o.batchSize) {
        if (o.shouldStop?.()) return 'cancelled';
        const idx = order.slice(at, at + o.batchSize);
        const xData = makeBatch(train, idx, rng, o.maxShiftPx);
        const yData = Int32Array.from(idx, (i) => train.labels[i]);
        const { lossT, correctT } = tf.tidy(() => {
          const x = tf.tensor4d(xData, [idx.length, spec.inputSizePx, spec.inputSizePx, 3]);
          const y = tf.tensor1d(yData, 'int32');
          let c: tf.Scalar | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const r = objective(model, spec, x, y, classW, true);
            c = tf.keep(r.correct);
            return r.loss;
          }, vars);
          // Adam's typing asks for a variable map; the gradients map is keyed the same way.
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          return { lossT: value, correctT: c! as tf.Scalar };
        });
        lossSum += (await lossT.data())[0] * idx.length;
        correct += (await correctT.data())[0];
        lossT.dispose(); correctT.dispose();
        steps++;
        await o.onBatch?.();
      }
      const v = hasVal ? await evaluate(model, spec, val!, o.batchSize * 2) : { loss: NaN, acc: NaN };
      const ms = performance.now() - t0;
      return {
        monitored: hasVal ? v.loss : lossSum / train.count,
        report: { epoch, trainLoss: lossSum / train.count, trainAcc: correct / train.count, valLoss: v.loss, valAcc: v.acc, ms, msPerStep: ms / Math.max(1, steps) },
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
  return { model, history, bestEpoch, stoppedEarly, cancelled, backend: tf.getBackend() };
}

/**
 * A fixed number of deterministic training steps (no shuffle, no augmentation, no dropout, plain SGD)
 * from seeded weights: the loss after each step and the final predictions. Used to check that
 * backends agree with the CPU backend.
 */
export async function fixedSteps(spec: ModelSpec, set: ImageSet, steps: number, learningRate = 0.05, seed = 1): Promise<{ losses: number[]; predictions: Float32Array; msPerStep: number }> {
  const model = buildModel({ ...spec, dropout: 0 }, seed);
  const optimizer = tf.train.sgd(learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const ones = tf.ones([spec.numClasses]) as tf.Tensor1D;
  const x = tf.tensor4d(makeBatch(set, range(0, set.count), null, 0), [set.count, set.sizePx, set.sizePx, 3]);
  const y = tf.tensor1d(set.labels, 'int32');
  const losses: number[] = [];
  let predictions: Float32Array;
  let ms = 0;
  try {
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const l = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => objective(model, spec, x, y, ones, true).loss, vars);
        optimizer.applyGradients(grads);
        return value;
      });
      losses.push((await l.data())[0]);
      ms += performance.now() - t0;
      l.dispose();
    }
    const p = tf.tidy(() => model.predict(x) as tf.Tensor);
    predictions = (await p.data()) as Float32Array;
    p.dispose();
  } finally {
    x.dispose(); y.dispose(); ones.dispose();
    optimizer.dispose();
    model.dispose();
  }
  return { losses, predictions, msPerStep: ms / Math.max(1, steps) };
}
