import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildModel, countParams, defaultSpec, loadProfileNetwork, tinySpec } from '../../src/ml/model';
import { trainModel, scoreClass, fixedSteps, makeBatch } from '../../src/ml/train';
import { registerWasmGradients } from '../../src/ml/wasmGrads';
import { syntheticImageSet } from '../../src/ml/synthetic';
import { auc } from '../../src/core/metrics';

beforeAll(async () => {
  registerWasmGradients();
  await tf.setBackend('cpu');
});

async function on<T>(backend: string, f: () => Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  await tf.ready();
  return f();
}

describe('model', () => {
  it('loads a profile file\'s network only if it loads and fits the profile, refusing in the caller\'s words', async () => {
    await tf.setBackend('cpu');
    const built = buildModel(tinySpec(16, 2));
    let artifacts: tf.io.ModelArtifacts | null = null;
    await built.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    built.dispose();
    const refuse = (why: string) => new Error(`refused: ${why}`);
    const m = await loadProfileNetwork(artifacts!, 16, 2, refuse);
    expect(m.outputs[0].shape).toEqual([null, 2]);
    m.dispose();
    await expect(loadProfileNetwork(artifacts!, 32, 2, refuse)).rejects.toThrow(/^refused: its network takes \[null,16,16,3\] and gives \[null,2\], not 32×32×3 images and 2 classes$/);
    await expect(loadProfileNetwork(artifacts!, 16, 3, refuse)).rejects.toThrow(/not 16×16×3 images and 3 classes/);
    await expect(loadProfileNetwork({ ...artifacts!, modelTopology: { class_name: 'Nonsense' } }, 16, 2, refuse)).rejects.toThrow(/^refused: its network does not load/);
  });
  it('a verification network saved before stop 21 (2 convs per block, batch norm, L2) still loads and scores the same', async () => {
    await tf.setBackend('cpu');
    // The layers come from the saved topology, not from today's default spec.
    const old = { ...defaultSpec('verification', 16), blockFilters: [8, 16], convsPerBlock: 2, denseUnits: 64, dropout: 0.4, l2: 1e-4, batchNorm: true };
    const built = buildModel(old, 3);
    let artifacts: tf.io.ModelArtifacts | null = null;
    await built.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const x = tf.tensor4d(makeBatch(syntheticImageSet(4, 16, 2), [0, 1, 2, 3], null, 0), [4, 16, 16, 3]);
    const before = await (built.predict(x) as tf.Tensor).data();
    const m = await loadProfileNetwork(artifacts!, 16, 2, (why) => new Error(why));
    expect(m.layers.filter((l) => l.getClassName() === 'BatchNormalization').length).toBe(4);
    const after = await (m.predict(x) as tf.Tensor).data();
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i], 6);
    expect(countParams(m)).toBe(countParams(built));
    const today = buildModel(defaultSpec('verification', 16), 3);
    expect(countParams(m)).not.toBe(countParams(today));
    x.dispose(); built.dispose(); m.dispose(); today.dispose();
  });

  it('has the documented shapes and parameter counts', async () => {
    await tf.setBackend('cpu');
    const params = [defaultSpec('verification', 64), defaultSpec('group', 64, 3), tinySpec(16)].map((spec) => {
      const m = buildModel(spec);
      expect(m.inputs[0].shape).toEqual([null, spec.inputSizePx, spec.inputSizePx, 3]);
      expect(m.outputs[0].shape).toEqual([null, spec.numClasses]);
      const n = countParams(m);
      m.dispose();
      return n;
    });
    // Pinned so an architecture change is a conscious one (bump ARCH_VERSION with it).
    expect(params).toEqual([EXPECTED_VERIF_64, EXPECTED_GROUP_64, EXPECTED_TINY_16]);
  });
  it('blocks follow the input size', () => {
    expect(defaultSpec("verification", 64).blockFilters).toEqual([16, 32, 64]);
    expect(defaultSpec("verification", 32).blockFilters).toEqual([16, 32]);
    expect(defaultSpec("group", 128).blockFilters).toEqual([16, 32, 64, 128]);
  });
});

describe('augmentation respects the encoding', () => {
  it('only translates: pixel colours are preserved, uncovered area is background', () => {
    const set = syntheticImageSet(4, 16, 3);
    const plain = makeBatch(set, [0], null, 0);
    let seed = 0;
    const shifted = makeBatch(set, [0], () => ((seed = (seed * 9301 + 49297) % 233280) / 233280), 3);
    // The seeded shift is non-zero, so the colour check below is about a translated image.
    expect(shifted).not.toEqual(plain);
    const colours = (a: Float32Array) => new Set(Array.from({ length: a.length / 3 }, (_, i) => `${a[i * 3]},${a[i * 3 + 1]},${a[i * 3 + 2]}`));
    for (const c of colours(shifted)) expect(colours(plain).has(c)).toBe(true);
  });
});

describe('wasm gradient kernels agree with cpu', () => {
  // Tolerance: float32 sums over up to ~1000 products; 1e-4 relative to the largest magnitude.
  const TOL = 1e-4;
  const cases: [string, [number, number, number, number], [number, number, number, number], number, 'same' | 'valid'][] = [
    ['3x3 same s1', [2, 9, 9, 3], [3, 3, 3, 5], 1, 'same'],
    ['3x3 same s2', [3, 8, 8, 4], [3, 3, 4, 2], 2, 'same'],
    ['3x3 valid s2 odd', [2, 10, 7, 2], [3, 3, 2, 3], 2, 'valid'],
    ['5x5 same s1', [4, 16, 16, 8], [5, 5, 8, 8], 1, 'same'],
    ['1x1 valid', [2, 6, 6, 3], [1, 1, 3, 4], 1, 'valid'],
    ['2x2 same s1 (asymmetric padding)', [1, 5, 5, 2], [2, 2, 2, 3], 1, 'same'],
  ];
  for (const [name, xs, fs, stride, pad] of cases) {
    it(`Conv2DBackpropFilter / Input, MaxPoolGrad, AvgPoolGrad: ${name}`, async () => {
      const rx = tf.tidy(() => tf.randomNormal(xs, 0, 1, 'float32', 7).arraySync());
      const rw = tf.tidy(() => tf.randomNormal(fs, 0, 1, 'float32', 8).arraySync());
      const grads = async () => {
        const x = tf.tensor4d(rx as number[][][][]);
        const w = tf.tensor4d(rw as number[][][][]);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
          const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
          const p = tf.maxPool(tf.relu(y), 2, 1, 'same');
          const q = tf.avgPool(y, 2, 1, 'same');
          return tf.sum(tf.add(tf.mul(p, tf.sin(p)), tf.square(q)));
        });
        const [gx, gw] = g([x, w]);
        const out = [await gx.data(), await gw.data()] as Float32Array[];
        tf.dispose([x, w, gx, gw]);
        return out;
      };
      const cpu = await on('cpu', grads);
      const wasm = await on('wasm', grads);
      for (let k = 0; k < 2; k++) {
        const scale = Math.max(1, ...cpu[k].map(Math.abs));
        let md = 0;
        for (let i = 0; i < cpu[k].length; i++) md = Math.max(md, Math.abs(cpu[k][i] - wasm[k][i]));
        expect(md / scale).toBeLessThan(TOL);
      }
    });
  }
});

describe('wasm BatchMatMul with transposed operands (XNNPACK after an explicit transpose) agrees with cpu', () => {
  const shapes: [string, number[], number[], boolean, boolean][] = [
    ['plain', [7, 5], [5, 3], false, false],
    ['transposeA (a weight gradient)', [9, 6], [9, 4], true, false],
    ['transposeB (an input gradient)', [6, 9], [4, 9], false, true],
    ['both', [9, 6], [4, 9], true, true],
    ['batched, transposeA', [3, 9, 6], [3, 9, 4], true, false],
    ['batched, broadcast b, transposeB', [2, 6, 9], [4, 9], false, true],
  ];
  it.each(shapes)('%s', async (_name, as, bs, ta, tb) => {
    const ra = tf.tidy(() => tf.randomNormal(as, 0, 1, 'float32', 3).dataSync());
    const rb = tf.tidy(() => tf.randomNormal(bs, 0, 1, 'float32', 4).dataSync());
    const product = async () => {
      const before = tf.memory().numTensors;
      const [a, b] = [tf.tensor(ra, as), tf.tensor(rb, bs)];
      const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb);
      const out = { shape: c.shape, values: await c.data() };
      tf.dispose([a, b, c]);
      expect(tf.memory().numTensors).toBe(before); // the transposed copies are freed
      return out;
    };
    const cpu = await on('cpu', product);
    const wasm = await on('wasm', product);
    expect(wasm.shape).toEqual(cpu.shape);
    for (let i = 0; i < cpu.values.length; i++) expect(wasm.values[i]).toBeCloseTo(cpu.values[i], 4);
  });
});

describe('training', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`learns a separable task on ${backend} and does not leak tensors`, async () => {
      await on(backend, async () => {
        const spec = tinySpec(16);
        const train = syntheticImageSet(64, 16, 1);
        const val = syntheticImageSet(32, 16, 2);
        const test = syntheticImageSet(32, 16, 3);
        const before = tf.memory().numTensors;
        let lastAuc = 0;
        for (let run = 0; run < 2; run++) {
          const r = await trainModel(spec, train, val, { epochs: 8, batchSize: 16, learningRate: 0.01, seed: run + 1, patience: 0, maxShiftPx: 1 });
          const s = await scoreClass(r.model, test, 1);
          lastAuc = auc(s, Array.from(test.labels, (l) => l === 1));
          r.model.dispose();
          expect(r.history.length).toBe(8);
          expect(r.backend).toBe(backend);
        }
        expect(lastAuc).toBeGreaterThan(0.9);
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  }
  it('a spec with batch norm, dropout and L2 (verification models saved before stop 21) trains on wasm without leaks', async () => {
    await on('wasm', async () => {
      const spec = { ...defaultSpec('verification', 16), convsPerBlock: 2, batchNorm: true, dropout: 0.4, l2: 1e-4 };
      const before = tf.memory().numTensors;
      const r = await trainModel(spec, syntheticImageSet(32, 16, 4), syntheticImageSet(16, 16, 5), { epochs: 2, batchSize: 16 });
      r.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
  it('fixed steps agree between cpu and wasm', async () => {
    const set = syntheticImageSet(8, 16, 9);
    const cpu = await on('cpu', () => fixedSteps(tinySpec(16), set, 5));
    const wasm = await on('wasm', () => fixedSteps(tinySpec(16), set, 5));
    for (let i = 0; i < 5; i++) expect(Math.abs(cpu.losses[i] - wasm.losses[i])).toBeLessThan(1e-4);
    for (let i = 0; i < cpu.predictions.length; i++) expect(Math.abs(cpu.predictions[i] - wasm.predictions[i])).toBeLessThan(1e-4);
  });
  it('stops when asked', async () => {
    await on('cpu', async () => {
      let n = 0;
      const r = await trainModel(tinySpec(16), syntheticImageSet(32, 16, 1), null, { epochs: 5, batchSize: 8, shouldStop: () => ++n > 2 });
      expect(r.cancelled).toBe(true);
      r.model.dispose();
    });
  });
});

const EXPECTED_VERIF_64 = 154754;
const EXPECTED_GROUP_64 = 154787;
const EXPECTED_TINY_16 = 1458;
