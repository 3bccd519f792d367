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
 * served by Vite via `?url` imports. It runs multi-threaded where the page is cross-origin isolated
 * (SharedArrayBuffer), single-threaded otherwise, and says which and why (see `wasmThreading`); the
 * production build needs scripts/build/tfjsWasmThreads.ts for its pthread workers to start.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmGradients } from './wasmGrads';
import { fixedSteps } from './train';
import { tinySpec, type ModelSpec } from './model';
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
  /** wasm only: threads XNNPACK runs on (1 = single-threaded). */
  wasmThreads?: number;
  /** wasm only: why it runs with that many threads. */
  wasmThreadsReason?: string;
}

/** How the wasm backend starts here, and why (decided before it starts). */
export interface WasmThreading {
  threads: boolean;
  /** XNNPACK threads to ask for (with `threads`). */
  count: number;
  reason: string;
}

/** tfjs-backend-wasm 4.22 caps its threadpool at half the logical cores (it assumes 2 per core), 8 at most. */
const TFJS_MAX_THREADS = 8;
const tfjsDefaultThreads = (logicalCores: number) => Math.min(TFJS_MAX_THREADS, Math.max(1, Math.floor(logicalCores / 2)));

let wasmThreadsWanted: boolean | number = true;
let wasmStarted: WasmThreading | null = null;

/**
 * Threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages (COOP
 * same-origin + COEP require-corp, as vite.config.ts serves). An embed on a site without those headers,
 * or a browser without SharedArrayBuffer, gets the single-threaded SIMD build. So does a machine where
 * tfjs would run one thread anyway (2 logical cores): the threaded build would add 8 idle workers
 * and slower shared-memory access for nothing. `setWasmThreads(n)` asks for n threads regardless.
 */
export function wasmThreading(): WasmThreading {
  if (wasmStarted) return wasmStarted;
  const single = (reason: string): WasmThreading => ({ threads: false, count: 1, reason: `single-threaded: ${reason}` });
  if (wasmThreadsWanted === false || wasmThreadsWanted === 1) return single('threads turned off for comparison');
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return single('this page is not cross-origin isolated (it needs the Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp headers), so the browser withholds SharedArrayBuffer');
  }
  if (typeof SharedArrayBuffer === 'undefined') return single('this browser offers no SharedArrayBuffer');
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  if (typeof wasmThreadsWanted === 'number') {
    const count = Math.min(TFJS_MAX_THREADS, Math.max(2, Math.round(wasmThreadsWanted)));
    return { threads: true, count, reason: `multi-threaded: ${count} threads asked for (${cores} logical cores)` };
  }
  const count = tfjsDefaultThreads(cores);
  if (count < 2) return single(`tfjs uses half of the ${cores} logical cores, i.e. one thread, so its threaded build would only add overhead`);
  return { threads: true, count, reason: `multi-threaded: the page is cross-origin isolated; ${count} threads (half of ${cores} logical cores)` };
}

/**
 * Before wasm first starts in this context: `false` for single-threaded, a number for that many
 * threads (even above tfjs's half-the-cores default), `true` for the automatic choice. Fixed once
 * wasm has started: tfjs instantiates its module once.
 */
export function setWasmThreads(wanted: boolean | number): void {
  if (wasmStarted && wanted !== wasmThreadsWanted) {
    throw new PointerprintError('ml/backend', `WebAssembly already runs ${wasmStarted.threads ? 'multi' : 'single'}-threaded here; start a new worker to change that.`);
  }
  wasmThreadsWanted = wanted;
}

function prepareWasm(): void {
  if (wasmStarted) return;
  wasmStarted = wasmThreading();
  // With threads allowed, tfjs still checks for itself that this browser runs threaded wasm.
  if (!wasmStarted.threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else setThreadsCount(wasmStarted.count);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
  });
  registerWasmGradients();
}

/**
 * tfjs's module reads navigator.hardwareConcurrency once, when it starts, to cap its threadpool at
 * half of it. To get `count` threads above that cap, it sees 2 × count cores while it starts.
 */
async function withThreadCap<T>(count: number, start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as (Navigator & { hardwareConcurrency: number }) | undefined;
  if (!nav || tfjsDefaultThreads(nav.hardwareConcurrency || 1) >= count) return start();
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * count, configurable: true });
  try {
    return await start();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** After wasm started: how many threads XNNPACK uses, and why. */
function wasmThreadsInUse(): { wasmThreads: number; wasmThreadsReason: string } {
  const n = getThreadsCount();
  const why = wasmStarted?.reason ?? '';
  if (wasmStarted?.threads && n <= 1) return { wasmThreads: n, wasmThreadsReason: 'single-threaded: the browser did not start the threaded build' };
  return { wasmThreads: n, wasmThreadsReason: why };
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
  if (wasmStarted && tf.findBackend('wasm')) {
    const n = getThreadsCount();
    return `WebAssembly (XNNPACK, SIMD, ${n > 1 ? `${n} threads` : 'single-threaded'})`;
  }
  return `WebAssembly (XNNPACK, SIMD, ${wasmThreading().threads ? 'threads' : 'single-threaded'})`;
}

/** Switch tfjs to a backend (registering wasm's paths and gradient kernels first). */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wasm') prepareWasm();
  const threads = name === 'wasm' && wasmStarted?.threads ? wasmStarted.count : 1;
  let ok = await withThreadCap(threads, () => tf.setBackend(name));
  if (!ok && name === 'wasm' && wasmStarted?.threads) {
    // E.g. a Content-Security-Policy that refuses its pthread workers: the SIMD build needs none.
    wasmStarted = { threads: false, count: 1, reason: 'single-threaded: the threaded build failed to start here (see the console)' };
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    ok = await tf.setBackend(name);
  }
  if (!ok) throw new PointerprintError('ml/backend', `The ${name} backend could not start in this browser.`);
  await tf.ready();
}

/** Seeded training steps timed on one backend (a probe, the benchmark, or a test of agreement). */
export interface TrainingProbe {
  backend: BackendName;
  device: string;
  /** wasm only: threads in use, and why. */
  wasmThreads?: number;
  wasmThreadsReason?: string;
  /** First step, incl. shader compilation / wasm instantiation. */
  warmupMs: number;
  msPerStep: number;
  /** Loss of each timed step (after the warm-up step, from the same seeded weights). */
  losses: number[];
  /** Predicted probabilities after the timed steps. */
  predictions: number[];
}

/**
 * Time `steps` SGD steps of `spec` (seeded weights, `images` synthetic images) on a backend, after
 * one warm-up step of the same net from the same weights.
 */
export async function probeTraining(name: BackendName, spec: ModelSpec, opts: { images?: number; steps?: number; imageSeed?: number; learningRate?: number } = {}): Promise<TrainingProbe> {
  const { images = 8, steps = 3, imageSeed = 11, learningRate = 0.05 } = opts;
  await useBackend(name);
  const set = syntheticImageSet(images, spec.inputSizePx, imageSeed, spec.numClasses);
  const t0 = performance.now();
  await fixedSteps(spec, set, 1, learningRate);
  const warmupMs = performance.now() - t0;
  const r = await fixedSteps(spec, set, steps, learningRate);
  const device = name === 'wasm' ? wasmDevice() : (await inspectBackends()).find((c) => c.name === name)?.device ?? name;
  return { backend: name, device, ...(name === 'wasm' ? wasmThreadsInUse() : {}), warmupMs, msPerStep: r.msPerStep, losses: r.losses, predictions: Array.from(r.predictions) };
}

/**
 * Time a few training steps of a small conv net (24 px, 8 images) on a backend. The first step is
 * timed separately as warm-up (shader compilation / wasm instantiation).
 */
export async function probeBackend(name: BackendName, steps = 3): Promise<{ msPerStep: number; warmupMs: number; finalLoss: number }> {
  const r = await probeTraining(name, tinySpec(24), { images: 8, steps, imageSeed: 11 });
  return { msPerStep: r.msPerStep, warmupMs: r.warmupMs, finalLoss: r.losses[r.losses.length - 1] };
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
    current = withWasmThreads({ name: c.name, device: c.device, software: c.software, chosenBy: 'user', reason: `You chose ${c.name}.`, candidates });
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
  current = withWasmThreads({
    name: pick.name, device: pick.device, software: pick.software, probeMsPerStep: pick.probeMsPerStep,
    chosenBy: probed.length ? 'probe' : 'capability', reason, candidates,
  });
  return current;
}

/** Once wasm has started: its device names the threads really in use, and wasm in use says why. */
function withWasmThreads(info: BackendInfo): BackendInfo {
  if (!wasmStarted || !tf.findBackend('wasm')) return info;
  const wasm = info.candidates.find((c) => c.name === 'wasm');
  if (wasm) wasm.device = wasmDevice();
  if (info.name !== 'wasm') return info;
  const t = wasmThreadsInUse();
  return { ...info, device: wasmDevice(), ...t, reason: `${info.reason} WebAssembly runs ${t.wasmThreadsReason}.` };
}

/** The backend in use, for the UI (null before `chooseBackend`). */
export function describeBackend(): BackendInfo | null {
  return current;
}
