/**
 * The network, in one readable place.
 *
 * A small VGG-style CNN: blocks of 3×3 convolutions (+ optional batch norm) + ReLU, each block closed
 * by a 2×2 max-pool, then a small dense head with dropout and a softmax over the classes.
 *
 * One default configuration (spec.ts, `defaultSpec`) for both kinds: `verification` ("this person vs
 * everyone else", 2 classes, index 1 = the person) and `group` (2+ labelled groups of sessions): one
 * convolution per block, 16/32/64 filters at 64 px, no batch norm, a dense head of 32. The layers
 * below still build batch norm, L2 and several convolutions per block: verification models saved
 * before stop 21 used them (2 convs per block of 8/16/32, batch norm), and a saved model is rebuilt
 * from its own spec. They were replaced because on wasm batch norm made the benchmark CNN's epoch 2.8× slower and two
 * convolutions per block with it 7× (docs/benchmark.md, "The CNN and its optimiser"), for no share of
 * an enrolment's decision (docs/learning.md).
 *
 * The spec (sizes per configuration, `defaultSpec`) is plain data in spec.ts so the page can read it
 * without loading tfjs; the layers are built here. No DOM: importable in workers and in Node.
 */
import * as tf from '@tensorflow/tfjs';

export { ARCH_VERSION, defaultSpec, tinySpec, type ModelKind, type ModelSpec } from './spec';
import type { ModelSpec } from './spec';

/**
 * Build the network. Weights come from a seeded initializer so two backends (or two runs) start from
 * the same point: that is what makes the cross-backend agreement tests meaningful.
 */
export function buildModel(spec: ModelSpec, seed = 1): tf.LayersModel {
  let s = seed * 7919;
  const init = () => tf.initializers.glorotUniform({ seed: ++s });
  const m = tf.sequential({ name: `pointerprint_${spec.kind}` });
  let first = true;
  for (const filters of spec.blockFilters) {
    for (let c = 0; c < spec.convsPerBlock; c++) {
      m.add(tf.layers.conv2d({
        ...(first ? { inputShape: [spec.inputSizePx, spec.inputSizePx, spec.channels] } : {}),
        filters, kernelSize: 3, padding: 'same',
        // With batch norm the conv bias is redundant (BN's beta does the same job).
        useBias: !spec.batchNorm,
        activation: spec.batchNorm ? 'linear' : 'relu',
        kernelInitializer: init(),
      }));
      first = false;
      if (spec.batchNorm) {
        m.add(tf.layers.batchNormalization({ momentum: 0.9 }));
        m.add(tf.layers.activation({ activation: 'relu' }));
      }
    }
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  }
  m.add(tf.layers.flatten());
  if (spec.denseUnits > 0) {
    if (spec.dropout > 0) m.add(tf.layers.dropout({ rate: spec.dropout, seed: ++s }));
    m.add(tf.layers.dense({ units: spec.denseUnits, activation: 'relu', kernelInitializer: init() }));
  }
  if (spec.dropout > 0) m.add(tf.layers.dropout({ rate: spec.dropout, seed: ++s }));
  m.add(tf.layers.dense({ units: spec.numClasses, activation: 'softmax', kernelInitializer: init() }));
  return m;
}

/** Trainable parameter count (for the UI and the size table). */
export function countParams(m: tf.LayersModel): number {
  return m.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

/**
 * Load a network from a profile file's artifacts and check it fits the profile (input size × size × 3,
 * `numClasses` outputs). A file's network that does not load or does not fit is refused with
 * `refuse(why)` (the caller's words: the app's import, the embed's scoring), never used.
 */
export async function loadProfileNetwork(
  artifacts: tf.io.ModelArtifacts, sizePx: number, numClasses: number, refuse: (why: string) => Error,
): Promise<tf.LayersModel> {
  let m: tf.LayersModel;
  try {
    m = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw refuse(`its network does not load (${e instanceof Error ? e.message : String(e)})`);
  }
  const inShape = m.inputs[0]?.shape ?? [];
  const outShape = m.outputs[0]?.shape ?? [];
  if (inShape[1] !== sizePx || inShape[2] !== sizePx || inShape[3] !== 3 || outShape[outShape.length - 1] !== numClasses) {
    m.dispose();
    throw refuse(`its network takes ${JSON.stringify(inShape)} and gives ${JSON.stringify(outShape)}, not ${sizePx}×${sizePx}×3 images and ${numClasses} classes`);
  }
  return m;
}
