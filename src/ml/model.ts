/**
 * The network, in one readable place.
 *
 * A small VGG-style CNN: blocks of 3×3 convolutions (+ optional batch norm) + ReLU, each block closed
 * by a 2×2 max-pool, then a small dense head with dropout and a softmax over the classes.
 *
 * Two configurations:
 * - `verification` ("this person vs everyone else", 2 classes, index 1 = the person): trained from a
 *   few hundred images, so it fights overfitting: batch norm, dropout, L2 weight decay (applied in the
 *   training loss, see train.ts), and two convolutions per block for depth at few parameters.
 * - `group` (2+ labelled groups of sessions): usually more data per class and coarser differences
 *   (e.g. humans vs bots), so one convolution per block and a lighter head.
 *
 * Sizes were chosen from measurements (docs/learning.md, "Sizes"; wasm backend, Node, 1 thread, a
 * shared 2-core machine, batch 32 at 64 px): verification with 2 convs per block of 8/16/32 filters
 * took 849 ms/step, 16/32/64 took 2185 ms/step, 32/64/128 took 6774 ms/step. A verification net
 * trains on a few hundred images where more filters mostly add overfitting, so 8/16/32 (~0.15 M
 * parameters, most in the dense head) is the default; the group net (1 conv per block, 16/32/64)
 * took 417 ms/step.
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
