/**
 * Choosing the tfjs backend: by capability and a short measured probe, not by name.
 *
 * Order of preference is WebGPU → WebGL → wasm → cpu, but a *software* GPU (SwiftShader, common in
 * VMs, remote desktops and headless CI) is far slower than WebAssembly for training, so:
 * - a GPU backend is a candidate only when it exists (adapter / WebGL2 context);
 * - a software GPU (WebGPU `isFallbackAdapter` or adapter info naming SwiftShader; a WebGL renderer
 *   string naming SwiftShader/llvmpipe/software) is marked as such;
 * - each candidate runs a short probe (a few training steps of a small conv net, after one warm-up
 *   step that pays for shader compilation), and the fastest wins. Software GPUs are probed only on
 *   request (`probeAll`), because their warm-up alone takes seconds; without a probe they rank below
 *   wasm.
 *
 * Runs in a worker (or a page): uses `navigator.gpu` and `OffscreenCanvas`, never the DOM.
 * The wasm backend gets the gradient kernels it lacks (see wasmGrads.ts) and its .wasm binaries are
 * served by Vite via `?url` imports.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmGradients } from './wasmGrads';
import { fixedSteps } from './train';
import { tinySpec } from './model';
import { syntheticImageSet } from './synthetic';
import { PointerprintError } from '../core/errors';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendCandidate {
  name: BackendName;
  available: boolean;
  /** A GPU emulated on the CPU (SwiftShader & co.): slower than wasm for training. */
  software: boolean;
  /** Adapter / renderer description, e.g. "google swiftshader (fallback adapter)". */
  device: string;
  /** Why it is unavailable, if it is. */
  note?: string;
  /** Measured: ms per training step of the probe net (after warm-up), if probed. */
  probeMsPerStep?: number;
  /** Measured: warm-up (first step incl. compilation) ms, if probed. */
  warmupMs?: number;
}

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  device: string;
  software: boolean;
  probeMsPerStep?: number;
  /** Chosen automatically or by the user. */
  chosenBy: 'probe' | 'user' | 'capability';
  /** One sentence for the UI: why this one. */
  reason: string;
  candidates: BackendCandidate[];
  /** wasm only: threads and SIMD in use. */
  wasmThreads?: number;
}

let wasmReady = false;
function prepareWasm(): void {
  if (wasmReady) return;
  // The threaded build starts its own pthread workers from its script URL, which fails inside our
  // bundled module worker in production builds ("e is not defined"; measured with `vite build` +
  // preview). The SIMD build runs everywhere; on the 2-core machines we measured, threads added little.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
  });
  registerWasmGradients();
  wasmReady = true;
}

const SOFTWARE_RE = /swiftshader|llvmpipe|softpipe|software|basic render|lavapipe/i;

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
}
interface NavigatorWithGpu {
  gpu?: { requestAdapter(o?: { powerPreference?: string }): Promise<GpuAdapterLike | null> };
}

async function inspectWebGpu(): Promise<BackendCandidate> {
  const c: BackendCandidate = { name: 'webgpu', available: false, software: false, device: '' };
  const gpu = (globalThis.navigator as unknown as NavigatorWithGpu | undefined)?.gpu;
  if (!gpu) return { ...c, note: 'WebGPU is not exposed by this browser.' };
  try {
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!a) return { ...c, note: 'No WebGPU adapter.' };
    const i = a.info ?? {};
    const fallback = !!(a.isFallbackAdapter ?? i.isFallbackAdapter);
    const device = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
    return { ...c, available: true, software: fallback || SOFTWARE_RE.test(device), device: device + (fallback ? ' (fallback adapter)' : '') };
  } catch (e) {
    return { ...c, note: `WebGPU adapter request failed: ${(e as Error).message}` };
  }
}

function inspectWebGl(): BackendCandidate {
  const c: BackendCandidate = { name: 'webgl', available: false, software: false, device: '' };
  try {
    if (typeof OffscreenCanvas === 'undefined') return { ...c, note: 'No OffscreenCanvas for WebGL.' };
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return { ...c, note: 'WebGL2 is not available.' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const device = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { ...c, available: true, software: SOFTWARE_RE.test(device), device };
  } catch (e) {
    return { ...c, note: `WebGL check failed: ${(e as Error).message}` };
  }
}

/** What this browser offers, without running anything heavy. */
export async function inspectBackends(): Promise<BackendCandidate[]> {
  const webgpu = await inspectWebGpu();
  const webgl = inspectWebGl();
  return [
    webgpu,
    webgl,
    { name: 'wasm', available: typeof WebAssembly === 'object', software: false, device: wasmDevice() },
    { name: 'cpu', available: true, software: false, device: 'JavaScript' },
  ];
}

function wasmDevice(): string {
  return 'WebAssembly (XNNPACK, SIMD; single-threaded, see prepareWasm)';
}

/** Switch tfjs to a backend (registering wasm's paths and gradient kernels first). */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wasm') prepareWasm();
  const ok = await tf.setBackend(name);
  if (!ok) throw new PointerprintError('ml/backend', `The ${name} backend could not start in this browser.`);
  await tf.ready();
}

/**
 * Time a few training steps of a small conv net (24 px, 8 images) on a backend. The first step is
 * timed separately as warm-up (shader compilation / wasm instantiation).
 */
export async function probeBackend(name: BackendName, steps = 3): Promise<{ msPerStep: number; warmupMs: number; finalLoss: number }> {
  await useBackend(name);
  const set = syntheticImageSet(8, 24, 11);
  const t0 = performance.now();
  await fixedSteps(tinySpec(24), set, 1);
  const warmupMs = performance.now() - t0;
  const r = await fixedSteps(tinySpec(24), set, steps);
  return { msPerStep: r.msPerStep, warmupMs, finalLoss: r.losses[r.losses.length - 1] };
}

let current: BackendInfo | null = null;

/**
 * Pick and activate a backend.
 * - `override`: the user's choice (must be available).
 * - otherwise probe the available hardware GPUs and wasm (and software GPUs too when `probeAll`),
 *   and take the fastest per step; cpu is the last resort.
 */
export async function chooseBackend(opts: { override?: BackendName | 'auto'; probeAll?: boolean } = {}): Promise<BackendInfo> {
  const candidates = await inspectBackends();
  const byName = (n: BackendName) => candidates.find((c) => c.name === n)!;
  if (opts.override && opts.override !== 'auto') {
    const c = byName(opts.override);
    if (!c.available) throw new PointerprintError('ml/backend-unavailable', `${opts.override} is not available here: ${c.note ?? 'unknown reason'}.`);
    await useBackend(c.name);
    current = { name: c.name, device: c.device, software: c.software, chosenBy: 'user', reason: `You chose ${c.name}.`, candidates };
    return current;
  }
  const toProbe = candidates.filter((c) => c.available && c.name !== 'cpu' && (!c.software || opts.probeAll));
  for (const c of toProbe) {
    try {
      const p = await probeBackend(c.name);
      c.probeMsPerStep = p.msPerStep;
      c.warmupMs = p.warmupMs;
    } catch (e) {
      c.available = false;
      c.note = `probe failed: ${(e as Error).message}`;
    }
  }
  // Nothing fast worked (e.g. wasm failed to start): a software GPU still beats plain JavaScript.
  if (!toProbe.some((c) => c.available && c.probeMsPerStep !== undefined)) {
    for (const c of candidates.filter((c) => c.available && c.software && !toProbe.includes(c))) {
      try {
        const p = await probeBackend(c.name);
        c.probeMsPerStep = p.msPerStep;
        c.warmupMs = p.warmupMs;
        toProbe.push(c);
      } catch (e) {
        c.available = false;
        c.note = `probe failed: ${(e as Error).message}`;
      }
    }
  }
  const probed = toProbe.filter((c) => c.available && c.probeMsPerStep !== undefined).sort((a, b) => a.probeMsPerStep! - b.probeMsPerStep!);
  const pick = probed[0] ?? byName('cpu');
  await useBackend(pick.name);
  const skipped = candidates.filter((c) => c.available && c.software && c.probeMsPerStep === undefined).map((c) => c.name);
  const reason = probed.length
    ? `Fastest in a short training probe (${probed.map((c) => `${c.name} ${c.probeMsPerStep!.toFixed(1)} ms/step`).join(', ')})` +
      (skipped.length ? `; ${skipped.join(', ')} skipped: software GPU emulation, slower than WebAssembly.` : '.')
    : 'No faster backend worked; using plain JavaScript.';
  current = {
    name: pick.name, device: pick.device, software: pick.software, probeMsPerStep: pick.probeMsPerStep,
    chosenBy: probed.length ? 'probe' : 'capability', reason, candidates,
  };
  return current;
}

/** The backend in use, for the UI (null before `chooseBackend`). */
export function describeBackend(): BackendInfo | null {
  return current;
}
