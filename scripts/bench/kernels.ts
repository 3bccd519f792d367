/**
 * `npm run bench -- kernels [--out bench-results/kernels.json] [--repeats 3]`
 *
 * What the app's wasm kernels (src/ml/wasmGrads.ts) change, measured in Node on the wasm backend
 * (SIMD, 1 thread), each configuration in its own process so the kernel registry is clean:
 * `shipped` = tfjs-backend-wasm's own kernels (plus the missing Conv2DBackpropFilter, without which a conv
 * net cannot train at all), `fastConvOnly` = plus the XNNPACK-based convolution input gradient (the app
 * until stop 12), `app` = what the app and the benchmark register now (plus the matrix products with a
 * transposed operand). Measured: one matrix
 * product per transpose layout, one training step of each model the app trains (the challenge's
 * 256/128 feature MLP at batch 256, the enrolment MLP at batch 64, the 48 px CNN at batch 32), median
 * over repeats. Run it alone: it is a timing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '../../src/ml/wasmGrads';
import { buildFeatureModel, defaultFeatureSpec, enrolmentFeatureSpec, trainFeatureModel } from '../../src/ml/featureModel';
import { buildModel, defaultSpec } from '../../src/ml/model';
import { FEATURE_COUNT } from '../../src/core/features';
import { cliArg } from './lib/exploreValidation';

type Config = 'shipped' | 'fastConvOnly' | 'app';
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** Median ms of `f` (which returns a tensor to read back) over `n` runs after 3 warm-ups. */
async function timeIt(f: () => tf.Tensor, n: number): Promise<number> {
  for (let i = 0; i < 3; i++) { const t = f(); await t.data(); t.dispose(); }
  const ms: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); const t = f(); await t.data(); t.dispose(); ms.push(performance.now() - t0); }
  return median(ms);
}

/** One optimiser step of `model` on a random batch, as the app's training loops take it (tape, Adam). */
function stepOf(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, k: number): () => tf.Tensor {
  const opt = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const p = model.apply(x, { training: true }) as tf.Tensor2D;
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y as tf.Tensor1D, k), tf.log(tf.clipByValue(p, 1e-7, 1))), 1))) as tf.Scalar;
    }, vars);
    opt.applyGradients(grads as Parameters<typeof opt.applyGradients>[0]);
    return value;
  });
}

async function measure(config: Config, repeats: number) {
  registerWasmGradients('wasm', { fastInputGradient: config !== 'shipped', fastMatMul: config === 'app' });
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.ready();
  const n = 10 * repeats;
  const a = tf.randomNormal([256, 256], 0, 1, 'float32', 1), b = tf.randomNormal([256, 128], 0, 1, 'float32', 2), c = tf.randomNormal([128, 256], 0, 1, 'float32', 3);
  const matMulMs = {
    'a·b': await timeIt(() => tf.matMul(a, b), n),
    'aᵀ·b (weight gradient)': await timeIt(() => tf.matMul(a, b, true, false), n),
    'a·cᵀ (input gradient)': await timeIt(() => tf.matMul(a, c, false, true), n),
  };
  const stepMs: Record<string, number> = {};
  const labels = (count: number, k: number) => tf.tensor1d(Array.from({ length: count }, (_, i) => i % k), 'int32');
  for (const [name, spec, batch] of [['challenge feature MLP 256/128, batch 256', defaultFeatureSpec(10), 256], ['enrolment MLP 128, batch 64', enrolmentFeatureSpec(), 64]] as const) {
    const m = buildFeatureModel(spec, 1);
    const x = tf.randomNormal([batch, FEATURE_COUNT], 0, 1, 'float32', 4), y = labels(batch, spec.numClasses);
    stepMs[name] = await timeIt(stepOf(m, x, y, spec.numClasses), n);
    tf.dispose([x, y]); m.dispose();
  }
  const cnn = buildModel(defaultSpec('group', 48, 10), 1);
  const xi = tf.randomUniform([32, 48, 48, 3], 0, 1, 'float32', 5), yi = labels(32, 10);
  stepMs['48 px CNN (group spec), batch 32'] = await timeIt(stepOf(cnn, xi, yi, 10), Math.max(3, repeats * 2));
  tf.dispose([xi, yi]); cnn.dispose();
  // A whole training run of the challenge feature MLP: 4,000 windows, 10 epochs (no early stop).
  const rows = 4000, feats = tf.randomNormal([rows, FEATURE_COUNT], 0, 1, 'float32', 6);
  const set = { dim: FEATURE_COUNT, count: rows, features: (await feats.data()) as Float32Array, labels: Int32Array.from({ length: rows }, (_, i) => i % 8) };
  feats.dispose();
  const t0 = performance.now();
  const r = await trainFeatureModel(defaultFeatureSpec(8), set, null, { epochs: 10, patience: 0, batchSize: 256 });
  const mlpTenEpochsMs = performance.now() - t0;
  r.model.dispose();
  tf.dispose([a, b, c]);
  return { config, matMulMs, stepMs, mlpTenEpochsMs };
}

async function main() {
  const repeats = Number(cliArg('--repeats', '3'));
  const which = cliArg('--config', '');
  if (which) { console.log(`RESULT ${JSON.stringify(await measure(which as Config, repeats))}`); return; }
  const out = resolve(cliArg('--out', 'bench-results/kernels.json'));
  const self = fileURLToPath(import.meta.url);
  const results = (['shipped', 'fastConvOnly', 'app'] as Config[]).map((config) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--config', config, '--repeats', String(repeats)], { encoding: 'utf8' });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`kernels bench (${config}) failed: ${r.stderr.slice(-2000)}`);
    return JSON.parse(line.slice(7)) as Awaited<ReturnType<typeof measure>>;
  });
  const [shipped, fastConvOnly, app] = results;
  const round = (x: number) => Math.round(x * 100) / 100;
  type R = typeof app;
  const ratio = (from: R, k: 'stepMs' | 'matMulMs') => Object.fromEntries(Object.keys(app[k]).map((n) => [n, round((from[k] as Record<string, number>)[n] / (app[k] as Record<string, number>)[n])]));
  const report = {
    benchmark: 'kernels', date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAtStart: os.loadavg()[0],
    how: 'Node, tfjs wasm backend (SIMD, 1 thread); each configuration in its own process; medians. shipped = tfjs-backend-wasm 4.22 kernels (+ the missing Conv2DBackpropFilter); fastConvOnly = + the XNNPACK-based Conv2DBackpropInput (the app until stop 12); app = src/ml/wasmGrads.ts as registered by the app and the benchmark now (+ BatchMatMul with transposed operands through XNNPACK)',
    shipped, fastConvOnly, app,
    speedup: {
      overShipped: { matMul: ratio(shipped, 'matMulMs'), step: ratio(shipped, 'stepMs'), mlpTenEpochs: round(shipped.mlpTenEpochsMs / app.mlpTenEpochsMs) },
      overFastConvOnly: { matMul: ratio(fastConvOnly, 'matMulMs'), step: ratio(fastConvOnly, 'stepMs'), mlpTenEpochs: round(fastConvOnly.mlpTenEpochsMs / app.mlpTenEpochsMs) },
    },
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report.speedup, null, 2));
  console.log(`written ${out}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
