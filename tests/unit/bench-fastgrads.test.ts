/** The benchmark's conv-based Conv2DBackpropInput for wasm agrees with the cpu backend. */
import { describe, it, expect } from 'vitest';
import { selectBackend, tf } from '../../scripts/bench/lib/tfnode';

async function inputGrad(backend: string, pad: 'same' | 'valid', shape: [number, number, number, number], filter: [number, number, number, number]) {
  await tf.setBackend(backend);
  await tf.ready();
  const x = tf.tensor4d(Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 0.37)), shape);
  const w = tf.tensor4d(Array.from({ length: filter.reduce((a, b) => a * b) }, (_, i) => Math.cos(i * 0.11)), filter);
  const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, w, 1, pad))))(x);
  const out = Array.from(await g.data());
  x.dispose(); w.dispose(); g.dispose();
  return out;
}

describe('fast wasm Conv2DBackpropInput', () => {
  it.each([
    ['same 3×3', 'same', [2, 7, 6, 3], [3, 3, 3, 4]],
    ['valid 3×3', 'valid', [1, 6, 6, 2], [3, 3, 2, 5]],
    ['same 2×2 (asymmetric padding)', 'same', [1, 5, 5, 2], [2, 2, 2, 3]],
  ] as const)('%s agrees with cpu', async (_n, pad, shape, filter) => {
    const be = await selectBackend('wasm');
    if (be.backend !== 'wasm') { console.log('wasm backend unavailable: skipped'); return; }
    const a = await inputGrad('wasm', pad, [...shape], [...filter]);
    const b = await inputGrad('cpu', pad, [...shape], [...filter]);
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 3);
  });
});
