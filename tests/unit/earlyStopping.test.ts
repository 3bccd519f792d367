/** The shared epoch loop (src/ml/earlyStopping.ts): best-epoch bookkeeping, patience, cancellation, weights restored. */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runEpochs } from '../../src/ml/earlyStopping';

beforeAll(async () => { await tf.setBackend('cpu'); });

/** A stand-in for a LayersModel: one weight that each epoch sets to the epoch number. */
function fakeModel() {
  let w: tf.Tensor = tf.scalar(-1);
  return {
    model: { getWeights: () => [w], setWeights: (ts: tf.Tensor[]) => { w.dispose(); w = ts[0].clone(); } } as unknown as tf.LayersModel,
    set(v: number) { w.dispose(); w = tf.scalar(v); },
    value: () => w.dataSync()[0],
  };
}

async function run(losses: number[], patience: number, opts: { cancelAt?: number; stopAfter?: number } = {}) {
  const m = fakeModel();
  const seen: boolean[] = [];
  let calls = 0;
  const r = await runEpochs<{ epoch: number }>(m.model, { epochs: losses.length, patience, onEpoch: (rep) => { seen.push(rep.best); }, shouldStop: () => opts.stopAfter !== undefined && calls > opts.stopAfter },
    async (i) => {
      calls++;
      if (i === opts.cancelAt) return 'cancelled';
      m.set(i);
      return { monitored: losses[i], report: { epoch: i } };
    });
  return { r, weight: m.value(), seen };
}

describe('runEpochs', () => {
  it('ends with the weights of the lowest monitored epoch and marks each new best', async () => {
    const { r, weight, seen } = await run([0.9, 0.5, 0.6, 0.4, 0.45], 0);
    expect(r.bestEpoch).toBe(3);
    expect(weight).toBe(3);
    expect(seen).toEqual([true, true, false, true, false]);
    expect(r.stoppedEarly).toBe(false);
    expect(r.cancelled).toBe(false);
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3, 4]);
  });
  it('stops after `patience` epochs without a gain larger than float noise', async () => {
    const { r, weight } = await run([0.5, 0.49995, 0.6, 0.7, 0.1], 3);
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBe(4);
    expect(r.bestEpoch).toBe(0);
    expect(weight).toBe(0);
  });
  it('a cancelled epoch is not recorded; the best finished epoch is kept', async () => {
    const { r, weight } = await run([0.5, 0.4, 0.3], 0, { cancelAt: 2 });
    expect(r.cancelled).toBe(true);
    expect(r.history.length).toBe(2);
    expect(weight).toBe(1);
  });
  it('a stop asked for after an epoch ends the loop there, reported as cancelled', async () => {
    const { r } = await run([0.5, 0.4, 0.3, 0.2], 0, { stopAfter: 1 });
    expect(r.cancelled).toBe(true);
    expect(r.history.length).toBe(2);
  });
  it('leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const { r } = await run([0.9, 0.5, 0.6, 0.4], 0);
    expect(r.bestEpoch).toBe(3);
    expect(tf.memory().numTensors).toBe(before + 1); // the fake model's own weight
  });
});
