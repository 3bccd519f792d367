/**
 * tfjs in Node for the benchmark: the wasm backend with the app's gradient kernels (src/ml/wasmGrads.ts) (so it can train a
 * conv net), falling back to the pure-JS cpu backend. Node's wasm backend runs single-threaded
 * (tfjs reports no multithread support outside a cross-origin-isolated browser), which bounds what
 * training can reach on this machine: see the peak estimate (`machinePeak`) in run.ts.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '../../../src/ml/wasmGrads';

export { tf };

/** Select a backend ('wasm' preferred); returns the one in use and why a fallback happened. */
export async function selectBackend(preferred: 'wasm' | 'cpu' = 'wasm'): Promise<{ backend: string; note: string; simd: boolean; threads: boolean }> {
  let note = '';
  if (preferred === 'wasm') {
    try {
      registerWasmGradients('wasm'); // + the XNNPACK-based input gradient (src/ml/wasmGrads.ts)
      if (!(await tf.setBackend('wasm'))) throw new Error('setBackend returned false');
      await tf.ready();
    } catch (e) {
      note = `wasm unavailable (${e instanceof Error ? e.message : String(e)}); fell back to cpu`;
      await tf.setBackend('cpu');
      await tf.ready();
    }
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
  }
  const env = tf.env();
  return {
    backend: tf.getBackend(),
    note,
    simd: tf.getBackend() === 'wasm' && env.getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: tf.getBackend() === 'wasm' && env.getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}
