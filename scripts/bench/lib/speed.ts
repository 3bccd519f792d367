/**
 * Speed and resource probes of the benchmark: render throughput, one-window scoring latency (image and
 * feature branches), training throughput per Node backend, memory, and the machine's stated peak.
 */
import { readFileSync } from 'node:fs';
import { FEATURE_COUNT, windowFeatures } from '../../../src/core/features';
import { percentile } from '../../../src/core/metrics';
import type { EncodingSettings } from '../../../src/core/settings';
import { predictFeatureProba, type FeatureStandardiser } from '../../../src/ml/featureModel';
import { buildModel, type ModelSpec } from '../../../src/ml/model';
import { round } from './context';
import { modelFlops } from './flops';
import { renderWindowRgb, type RenderStats, type WindowRef } from './images';
import type { BenchProfile } from './profiles';
import { tf } from './tfnode';

export function renderSpeed(r: RenderStats) {
  const s = (r.encodeMs + r.renderMs) / 1000;
  return {
    where: 'Node, @napi-rs/canvas via renderDrawList (the render worker runs the same draw list on OffscreenCanvas; its in-browser throughput is measured by `npm run bench capture`)',
    images: r.images, events: r.events, encodeMs: round(r.encodeMs, 0), renderMs: round(r.renderMs, 0),
    imagesPerS: round(r.images / s, 1), eventsPerS: Math.round(r.events / s), segmentsPerImage: round(r.segments / Math.max(1, r.images), 1),
  };
}

/** One window at a time, as live scoring does: encode + render + predict; p50/p95. */
export async function scoringLatency(model: tf.LayersModel, refs: WindowRef[], es: EncodingSettings) {
  if (!refs.length) return null;
  const per = es.sizePx * es.sizePx * 3;
  const buf = new Uint8Array(per);
  const total: number[] = [], modelOnly: number[] = [];
  for (let i = 0; i < refs.length + 3; i++) {
    const ref = refs[i % refs.length];
    const t0 = performance.now();
    renderWindowRgb(ref, es, buf, 0);
    const t1 = performance.now();
    const y = tf.tidy(() => model.predict(tf.tensor4d(Float32Array.from(buf, (v) => v / 255), [1, es.sizePx, es.sizePx, 3])) as tf.Tensor);
    await y.data();
    y.dispose();
    const t2 = performance.now();
    if (i >= 3) { total.push(t2 - t0); modelOnly.push(t2 - t1); } // first 3 = warm-up
  }
  return { windows: total.length, p50Ms: round(percentile(total, 50), 2), p95Ms: round(percentile(total, 95), 2), modelP50Ms: round(percentile(modelOnly, 50), 2), modelP95Ms: round(percentile(modelOnly, 95), 2) };
}

/** Training throughput of the challenge architecture on each Node backend (batch of real-size random images). */
export async function backendProbe(spec: ModelSpec, p: BenchProfile, seed: number, current: string) {
  const out: Record<string, unknown> = {};
  for (const name of ['wasm', 'cpu'] as const) {
    const steps = p.probeSteps[name];
    if (!steps) { out[name] = { skipped: 'steps = 0 in this profile' }; continue; }
    try {
      await tf.setBackend(name);
      await tf.ready();
      const model = buildModel(spec, seed);
      const fl = modelFlops(model);
      const opt = tf.train.adam(1e-3);
      // The cpu backend (plain JS) takes over a minute per batch of 32 at 48 px: probe it on 4 images.
      const b = name === 'cpu' ? 4 : p.batchSize, s = spec.inputSizePx;
      const x = tf.randomUniform([b, s, s, 3], 0, 1, 'float32', seed);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: b }, (_, i) => i % spec.numClasses), 'int32'), spec.numClasses));
      const step = () => { const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true); return l!; };
      if (name !== 'cpu') await step().data(); // warm-up (wasm: first call allocates)
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) { const l = step(); await l.data(); l.dispose(); }
      const ms = (performance.now() - t0) / steps;
      x.dispose(); y.dispose(); opt.dispose(); model.dispose();
      out[name] = { msPerStep: round(ms, 1), batch: b, imagesPerS: round((b / ms) * 1000, 1), gflopPerS: round(((b * fl.trainPerImage) / (ms / 1000)) / 1e9, 2), trainFlopsPerImage: fl.trainPerImage };
    } catch (e) {
      out[name] = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  await tf.setBackend(current);
  return out;
}

/** The machine's peak FP32 rate, estimated from lscpu flags and frequency (stated, not measured). */
export function machinePeak() {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
  let ghz = 2.6, model = 'unknown', flags = '';
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? model;
    const bogo = Number(/bogomips\s*:\s*([\d.]+)/.exec(cpuinfo)?.[1]);
    const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(cpuinfo)?.[1]);
    ghz = mhz > 0 ? mhz / 1000 : bogo > 0 ? bogo / 2000 : ghz;
    flags = /flags\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? '';
  } catch { /* not Linux */ }
  const fma = /\bfma\b/.test(flags), avx2 = /\bavx2\b/.test(flags), avx512 = /\bavx512f\b/.test(flags);
  // FP32 FLOPs/cycle/core: 2 FMA pipes × 8 lanes (256-bit) × 2 = 32 with AVX2+FMA (Zen 4 runs AVX-512
  // on the same 256-bit pipes, so no more). WebAssembly SIMD is 128-bit without FMA: 2 pipes × 4 lanes
  // × 1 = 8, and Node's tfjs wasm backend is single-threaded: 1 core.
  const perCycle = fma && avx2 ? 32 : 16;
  return {
    cpu: model, cores, ghz: round(ghz, 2), avx2, fma, avx512,
    peakGflopPerS: round(cores * ghz * perCycle, 1),
    wasmReachablePeakGflopPerS: round(1 * ghz * 8, 1),
    how: `${cores} cores × ${ghz.toFixed(2)} GHz × ${perCycle} FP32 FLOP/cycle (2 FMA pipes × 8 lanes × 2); wasm SIMD: 128-bit, no FMA, 1 thread in Node → 1 × ${ghz.toFixed(2)} × 8`,
  };
}


/** One window at a time through the feature branch: features + standardise + MLP; p50/p95. */
export async function featureLatency(model: tf.LayersModel, std: FeatureStandardiser, refs: WindowRef[]) {
  if (!refs.length) return null;
  const total: number[] = [];
  for (let i = 0; i < refs.length + 3; i++) {
    const ref = refs[i % refs.length];
    const t0 = performance.now();
    const f = Float32Array.from(windowFeatures(ref.cols, ref.start, ref.end));
    await predictFeatureProba(model, std, { count: 1, features: f });
    if (i >= 3) total.push(performance.now() - t0);
  }
  return { windows: total.length, features: FEATURE_COUNT, p50Ms: round(percentile(total, 50), 2), p95Ms: round(percentile(total, 95), 2) };
}
