/**
 * Gradient kernels the tfjs wasm backend (4.22) lacks, so it can *train* a conv net.
 *
 * tfjs-backend-wasm ships Conv2D, Conv2DBackpropInput, MaxPoolGrad and AvgPoolGrad, but not
 * `Conv2DBackpropFilter` (the weight gradient of a convolution). Without it `model.fit` fails with
 * "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'". We build it from kernels the wasm
 * backend already has (PadV2, Transpose, Conv2D, Slice), so the heavy lifting still runs in XNNPACK:
 *
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} xPad[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co]
 *
 * is itself a "valid" convolution if the batch axis plays the role of channels:
 *   input  = transpose(xPad, [3,1,2,0])   → [ci, Hp, Wp, B]
 *   filter = transpose(dy,   [1,2,0,3])   → [oh, ow, B, co]
 *   conv2d(input, filter, stride 1, dilation s) → [ci, ≥kh, ≥kw, co]  (slice to kh×kw)
 *   transpose(…, [1,2,0,3])                → [kh, kw, ci, co]
 * (A forward stride becomes a filter dilation; tfjs never asks for a dilated filter gradient.)
 *
 * No DOM, no `self`: importable in Node (benchmarks, unit tests) and in workers.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

/** A wasm backend as far as these kernels need it: dispose intermediate tensors by data id. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

type KernelArgs = Parameters<KernelFunc>[0];

/** Run another kernel of the same backend directly (no tape, no engine bookkeeping). */
function run(name: string, backendName: string, args: KernelArgs): TensorInfo {
  const k = tf.getKernel(name, backendName);
  if (!k) throw new Error(`Pointerprint: kernel ${name} missing on backend ${backendName}`);
  const out = k.kernelFunc(args);
  return (Array.isArray(out) ? out[0] : out) as TensorInfo;
}

function conv2DBackpropFilterFor(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const b = backend as unknown as DisposingBackend;
    const dataFormat = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    if (dataFormat !== 'channelsLast') throw new Error('Pointerprint wasm Conv2DBackpropFilter: only NHWC is supported');
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      dataFormat,
    );
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temps.push(t), t);
    const call = (name: string, ins: Record<string, TensorInfo>, at: object) =>
      keep(run(name, backendName, { inputs: ins, backend, attrs: at as NamedAttrMap }));

    const { top, bottom, left, right } = info.padInfo;
    let xp = x;
    if (top || bottom || left || right) {
      xp = call('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
    }
    const xT = call('Transpose', { x: xp }, { perm: [3, 1, 2, 0] });
    const dyT = call('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    let g = call('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
      dimRoundingMode: undefined,
    });
    const [kh, kw] = [info.filterHeight, info.filterWidth];
    if (g.shape[1] !== kh || g.shape[2] !== kw) {
      // Rows/columns past the last full forward window never met the filter: cut them off.
      g = call('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [g.shape[0], kh, kw, g.shape[3]] });
    }
    const out = run('Transpose', backendName, { inputs: { x: g }, backend, attrs: { perm: [1, 2, 0, 3] } });
    for (const t of temps) b.disposeData(t.dataId);
    return out;
  };
}

/**
 * A faster input gradient (after profiling the benchmark: the shipped wasm Conv2DBackpropInput is a
 * plain loop and took ~60 % of a training step, while Conv2D runs in XNNPACK). For stride 1 the input
 * gradient is a forward "valid" convolution of the padded dy with the filter reversed in space and
 * with in/out channels swapped:
 *   dx = conv2d_valid(pad(dy, KH−1−top, KW−1−left, …), transpose(reverse(W, [0,1]), [0,1,3,2])).
 * Other strides (and NCHW) fall back to the shipped kernel.
 */
function fastConv2DBackpropInputFor(backendName: string, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
    if (strides[0] !== 1 || strides[1] !== 1 || a.dataFormat === 'NCHW') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], 1, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const [kh, kw] = [info.filterHeight, info.filterWidth];
    const top = kh - 1 - info.padInfo.top, left = kw - 1 - info.padInfo.left;
    const bottom = info.inHeight - dy.shape[1] - top + kh - 1, right = info.inWidth - dy.shape[2] - left + kw - 1;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return fallback(args);
    const temps: TensorInfo[] = [];
    const call = (name: string, ins: Record<string, TensorInfo>, at: object) => {
      const t = run(name, backendName, { inputs: ins, backend, attrs: at as NamedAttrMap });
      temps.push(t);
      return t;
    };
    const wr = call('Reverse', { x: filter }, { dims: [0, 1] });
    const wt = call('Transpose', { x: wr }, { perm: [0, 1, 3, 2] });
    const dyp = top || bottom || left || right ? call('PadV2', { x: dy }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }) : dy;
    const out = run('Conv2D', backendName, {
      inputs: { x: dyp, filter: wt }, backend,
      attrs: { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as NamedAttrMap,
    });
    for (const t of temps) (backend as unknown as DisposingBackend).disposeData(t.dataId);
    return out;
  };
}

/**
 * A faster matrix product with a transposed operand (after profiling the feature MLP: the shipped wasm
 * BatchMatMul runs in XNNPACK only when neither operand is transposed, and a plain loop otherwise, ~15×
 * slower). Backpropagation asks for exactly those (dW = xᵀ·dy, dx = dy·Wᵀ): they took 40 of a 48 ms
 * training step of the 256/128 MLP. The flagged operand is transposed first (the Transpose kernel is
 * a fast copy), then the untransposed product runs in XNNPACK. The same product, up to float rounding
 * (XNNPACK sums in another order), so a seeded training run takes a slightly different path than before.
 */
function fastBatchMatMulFor(backendName: string, original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const at = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!at.transposeA && !at.transposeB) return original(args);
    const temps: TensorInfo[] = [];
    const lastTwoSwapped = (t: TensorInfo) => {
      const r = t.shape.length;
      const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
      const out = run('Transpose', backendName, { inputs: { x: t }, backend, attrs: { perm } as unknown as NamedAttrMap });
      temps.push(out);
      return out;
    };
    const out = original({
      inputs: { a: at.transposeA ? lastTwoSwapped(a) : a, b: at.transposeB ? lastTwoSwapped(b) : b },
      backend, attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as NamedAttrMap,
    });
    for (const t of temps) (backend as unknown as DisposingBackend).disposeData(t.dataId);
    return out;
  };
}

/** The kernels this module adds, per backend name. */
export function wasmGradientKernels(backendName = 'wasm'): KernelConfig[] {
  return [{ kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: conv2DBackpropFilterFor(backendName) }];
}

let fastInputInstalled = false;
let fastMatMulInstalled = false;

/**
 * Register the missing gradient kernels for the wasm backend (idempotent), and (unless
 * `fastInputGradient` / `fastMatMul` is false) replace its Conv2DBackpropInput and BatchMatMul with the
 * XNNPACK-based ones. Call after importing `@tensorflow/tfjs-backend-wasm`, before training. Returns
 * the names registered now.
 */
export function registerWasmGradients(backendName = 'wasm', opts: { fastInputGradient?: boolean; fastMatMul?: boolean } = {}): string[] {
  const added: string[] = [];
  for (const k of wasmGradientKernels(backendName)) {
    if (tf.getKernel(k.kernelName, backendName)) continue;
    tf.registerKernel(k);
    added.push(k.kernelName);
  }
  const original = tf.getKernel('Conv2DBackpropInput', backendName);
  if ((opts.fastInputGradient ?? true) && original && !fastInputInstalled) {
    tf.unregisterKernel('Conv2DBackpropInput', backendName);
    // Keep the original's setupFunc: it binds the wasm function the fallback path calls, and runs
    // when the backend initialises (which may be after this call).
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: fastConv2DBackpropInputFor(backendName, original.kernelFunc), setupFunc: original.setupFunc });
    fastInputInstalled = true;
    added.push('Conv2DBackpropInput (fast)');
  }
  const matMul = tf.getKernel('BatchMatMul', backendName);
  if ((opts.fastMatMul ?? true) && matMul && !fastMatMulInstalled) {
    tf.unregisterKernel('BatchMatMul', backendName);
    tf.registerKernel({ kernelName: 'BatchMatMul', backendName, kernelFunc: fastBatchMatMulFor(backendName, matMul.kernelFunc), setupFunc: matMul.setupFunc, disposeFunc: matMul.disposeFunc });
    fastMatMulInstalled = true;
    added.push('BatchMatMul (fast transposes)');
  }
  return added;
}
