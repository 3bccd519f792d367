/**
 * A faster input gradient of a convolution for the tfjs wasm backend (4.22).
 *
 * Profiling one training step of the 48 px model on wasm showed `Conv2DBackpropInput` taking ~60 % of
 * the step (the backend's own kernel is a plain loop, while the forward `Conv2D` runs in XNNPACK and
 * is ~10× faster for the same FLOPs). For stride 1 and no dilation (every convolution in our
 * networks) the input gradient is itself a forward convolution:
 *
 *   dx[b,i,j,ci] = Σ_{kh,kw,co} dy[b, i − kh + top, j − kw + left, co] · W[kh,kw,ci,co]
 *                = conv2d_valid(pad(dy), W′)   with W′ = transpose(reverse(W, [0,1]), [0,1,3,2]),
 *   pad top = KH−1−top, left = KW−1−left, bottom/right so the output has the input's size.
 *
 * So we route it through XNNPACK's Conv2D (plus PadV2, Reverse, Transpose, all native wasm kernels).
 * Other strides fall back to the shipped kernel. (An im2col matmul for the *filter* gradient was
 * tried too and was 8× slower: the wasm backend's Slice/Concat are plain loops.) Checked against the cpu backend in
 * tests/unit/bench-fastgrads.test.ts. Belongs with src/ml/wasmGrads.ts (H4) once reviewed.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

type KernelArgs = Parameters<KernelFunc>[0];

function run(name: string, backendName: string, args: KernelArgs): TensorInfo {
  const k = tf.getKernel(name, backendName);
  if (!k) throw new Error(`kernel ${name} missing on backend ${backendName}`);
  const out = k.kernelFunc(args);
  return (Array.isArray(out) ? out[0] : out) as TensorInfo;
}

let installed = false;
/** Replace wasm's Conv2DBackpropInput with the conv-based one (idempotent). Returns true if installed now. */
export function installFastConvBackpropInput(backendName = 'wasm'): boolean {
  if (installed) return false;
  const original = tf.getKernel('Conv2DBackpropInput', backendName);
  if (!original) return false;
  const fallback = original.kernelFunc;
  const fast: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
    // Conv2DBackpropInput has no dilation attribute in tfjs 4.22: only strides matter here.
    if (strides[0] !== 1 || strides[1] !== 1 || a.dataFormat === 'NCHW') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], 1, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const [KH, KW] = [info.filterHeight, info.filterWidth];
    const top = KH - 1 - info.padInfo.top, left = KW - 1 - info.padInfo.left;
    const bottom = info.inHeight - dy.shape[1] - top + KH - 1, right = info.inWidth - dy.shape[2] - left + KW - 1;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return fallback(args);
    const b = backend as unknown as { disposeData(id: object): boolean };
    const temps: TensorInfo[] = [];
    const call = (name: string, ins: Record<string, TensorInfo>, at: object) => {
      const t = run(name, backendName, { inputs: ins, backend, attrs: at as NamedAttrMap });
      temps.push(t);
      return t;
    };
    const wr = call('Reverse', { x: filter }, { dims: [0, 1] });
    const wt = call('Transpose', { x: wr }, { perm: [0, 1, 3, 2] });
    const dyp = top || bottom || left || right ? call('PadV2', { x: dy }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }) : dy;
    const out = run('Conv2D', backendName, { inputs: { x: dyp, filter: wt }, backend, attrs: { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as unknown as NamedAttrMap });
    for (const t of temps) b.disposeData(t.dataId);
    return out;
  };
  tf.unregisterKernel('Conv2DBackpropInput', backendName);
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: fast });
  installed = true;
  return true;
}
