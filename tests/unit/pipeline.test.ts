import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '../../src/ml/wasmGrads';
import { runTrainJob, withTimeBlocks, type LabelledImage, type LabelledSession } from '../../src/ml/pipeline';
import { tinySpec } from '../../src/ml/model';
import { renderToRgba } from '../../src/node/render';
import { simulateHuman, PERSONAS } from '../../src/core/simulate';
import { columnsFromSamples } from '../../src/core/events';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, encodingFingerprint } from '../../src/core/settings';
import { assertCompatible, APP_MODEL_FORMAT } from '../../src/store/profiles';
import { defaultSpec } from '../../src/ml/model';

function sessions(n: number, reaches: number): LabelledSession[] {
  const out: LabelledSession[] = [];
  for (const [label, persona] of [[1, PERSONAS.alice], [0, PERSONAS.bob]] as const) {
    for (let k = 0; k < n; k++) {
      const samples = simulateHuman(persona, { width: 1100, height: 420 }, { seed: 10 * k + label, reaches });
      out.push({ sessionId: `${persona.id}-${k}`, label, space: { width: 1280, height: 900 }, columns: columnsFromSamples(samples), origin: `simulated ${persona.id}` });
    }
  }
  return out;
}

describe('pipeline (Node, wasm, @napi-rs/canvas)', () => {
  it('renders, splits by session, trains and reports quality without leaking tensors', async () => {
    registerWasmGradients();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const ws = { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 80 };
    const es = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 16 };
    const out = await runTrainJob({
      kind: 'verification', classNames: ['others', 'alice'], sessions: sessions(5, 6), windowSettings: ws, encoding: es,
      options: { epochs: 3, batchSize: 16, seed: 1 }, maxWindowsPerSession: 50, valFraction: 0.2, testFraction: 0.2,
      spec: { ...tinySpec(16), kind: 'verification' },
    }, renderToRgba);
    expect(out.trainedAgainst.heldOutBy).toBe('sessions');
    expect(out.trainedAgainst.classes.map((c) => c.sessions)).toEqual([5, 5]);
    expect(out.trainedAgainst.split.test).toBeGreaterThan(0);
    expect(out.quality?.testWindows).toBe(out.trainedAgainst.split.test);
    expect(out.quality!.roc.length).toBeGreaterThan(1);
    expect(out.fingerprint).toBe(encodingFingerprint(ws, es));
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('falls back to time blocks when a class has fewer than 3 sessions', () => {
    const items: LabelledImage[] = Array.from({ length: 20 }, (_, i) => ({ sessionId: i < 10 ? 'me' : `o${i}`, label: i < 10 ? 1 : 0, windowIndex: i, rgb: new Uint8Array(0) }));
    const r = withTimeBlocks(items);
    expect(r.used).toBe(true);
    expect(new Set(r.items.filter((x) => x.label === 1).map((x) => x.sessionId)).size).toBe(5);
    // Blocks are contiguous in time: block ids never decrease along the window order.
    const blocks = r.items.filter((x) => x.label === 1).map((x) => Number(x.sessionId.split('#t')[1]));
    expect(blocks).toEqual([...blocks].sort((a, b) => a - b));
    // Classes with enough sessions are untouched.
    expect(r.items.filter((x) => x.label === 0).every((x) => !x.sessionId.includes('#'))).toBe(true);
  });

  it('refuses a model trained under other settings with a clear message', () => {
    const ws = DEFAULT_WINDOW_SETTINGS, es = DEFAULT_ENCODING_SETTINGS;
    const m = { fingerprint: encodingFingerprint(ws, es), windowSettings: ws, encoding: es, spec: defaultSpec('verification', 64), formatVersion: APP_MODEL_FORMAT };
    expect(() => assertCompatible(m, ws, es)).not.toThrow();
    expect(() => assertCompatible(m, ws, { ...es, sizePx: 32 })).toThrow(/trained on 64 px images.*current settings make 32 px/);
    expect(() => assertCompatible(m, { ...ws, eventsPerWindow: 200 }, es)).toThrow(/1000 events per window/);
    expect(() => assertCompatible({ ...m, spec: { ...m.spec, archVersion: 0 } }, ws, es)).toThrow(/older version/);
  });
});
