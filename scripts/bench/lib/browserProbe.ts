/**
 * Training throughput of the benchmark's network in headless Chromium, per tfjs backend the browser
 * offers (WebGPU and WebGL run on SwiftShader, a CPU emulation, on machines without a GPU), and wasm
 * single-threaded against wasm with one thread per logical core.
 *
 * Every figure is taken inside the app's own train worker (src/worker/train.worker.ts, its 'probe'
 * request: `useBackend` with wasm's paths, threads and gradient kernels, then seeded `fixedSteps`),
 * each configuration in a fresh worker because wasm's threading is fixed when it starts. Two builds:
 * - `dev`: a Vite dev server (unbundled sources), all backends;
 * - `production`: `vite build` into a temporary folder served by `vite preview` (bundled, minified,
 *   with the CSP and isolation headers a deployment sends), wasm only — that is where threads used to
 *   fail, and GPU backends do not depend on bundling.
 *
 * Node + Playwright only (Debian's /usr/bin/chromium or CHROMIUM_PATH).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { chromiumExecutable, evaluateSettled, serveDevApp, withChromiumPage } from './appPage';
import { REPO_ROOT } from '../../lib/balabit-cache';
import type { ModelSpec } from '../../../src/ml/model';

export type ProbeBuild = 'dev' | 'production';

export interface BrowserBackendFigure {
  build: ProbeBuild;
  backend: string;
  device?: string;
  software?: boolean;
  /** wasm: XNNPACK threads in use, and why. */
  wasmThreads?: number;
  wasmThreadsReason?: string;
  warmupMs?: number;
  msPerStep?: number;
  batch?: number;
  imagesPerS?: number;
  gflopPerS?: number;
  error?: string;
  skipped?: string;
}

/** wasm with threads vs without, same build and page; the faster of the alternating rounds of each. */
export interface WasmThreadsComparison {
  build: ProbeBuild;
  threads: number;
  singleMsPerStep: number;
  threadedMsPerStep: number;
  /** single ÷ threaded: > 1 means threads help. */
  speedup: number;
}

export interface BrowserProbeResult {
  chromium: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  figures: BrowserBackendFigure[];
  wasmThreads: WasmThreadsComparison[];
  note?: string;
}

interface ProbeConfig { label: string; backend: string; /** 'cores': one thread per logical core (at least 2). */ wasmThreads?: boolean | 'cores' }

/**
 * Runs in the page: one fresh train worker per configuration, sequentially. Plain JS in a string:
 * tsx's transform would inject helpers (`__name`) the page does not have.
 */
const BROWSER_CODE = `async ({ workerUrl, configs, spec, steps, images }) => {
  const cores = navigator.hardwareConcurrency || 1;
  const probe = (c) => new Promise((resolve) => {
    const w = new Worker(workerUrl, { type: 'module' });
    const done = (r) => { w.terminate(); resolve(r); };
    w.onerror = (e) => done({ backend: c.label, error: 'worker failed: ' + (e.message || 'unknown') });
    w.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'probe') done({ backend: c.label, device: m.result.device, wasmThreads: m.result.wasmThreads, wasmThreadsReason: m.result.wasmThreadsReason, warmupMs: m.result.warmupMs, msPerStep: m.result.msPerStep });
      else if (m.type === 'error') done({ backend: c.label, error: m.message });
    };
    const wasmThreads = c.wasmThreads === 'cores' ? Math.max(2, cores) : c.wasmThreads;
    w.postMessage({ type: 'probe', id: 1, backend: c.backend, spec, images, steps, wasmThreads });
  });
  const out = [];
  for (const c of configs) out.push(await probe(c));
  return { out, isolated: globalThis.crossOriginIsolated === true, cores };
}`;

/** Alternating rounds, so a load spike on a shared machine hits both wasm variants alike. */
const WASM_ROUNDS = 2;
function configsFor(b: ProbeBuild): ProbeConfig[] {
  const wasm: ProbeConfig[] = [];
  for (let i = 0; i < WASM_ROUNDS; i++) {
    wasm.push({ label: 'wasm, 1 thread', backend: 'wasm', wasmThreads: false });
    wasm.push({ label: 'wasm, 1 thread per core', backend: 'wasm', wasmThreads: 'cores' });
  }
  return b === 'dev' ? [...wasm, { label: 'webgl', backend: 'webgl' }, { label: 'webgpu', backend: 'webgpu' }] : wasm;
}

interface Served { url: string; workerUrl: string; close(): Promise<void> }

async function serveDev(): Promise<Served> {
  return { ...(await serveDevApp(5290)), workerUrl: '/src/worker/train.worker.ts' };
}

async function serveProduction(log: (l: string) => void): Promise<Served> {
  const outDir = mkdtempSync(join(tmpdir(), 'pp-probe-build-'));
  const configFile = join(REPO_ROOT, 'vite.config.ts');
  try {
    log('[browser] vite build (production) …');
    await build({ root: REPO_ROOT, configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    const worker = readdirSync(join(outDir, 'assets')).find((f) => /^train\.worker-[\w-]+\.js$/.test(f));
    if (!worker) throw new Error('the build has no train worker (assets/train.worker-*.js)');
    const server = await preview({ root: REPO_ROOT, configFile, logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 5291, strictPort: false } });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview did not report a URL');
    return { url, workerUrl: `/assets/${worker}`, close: async () => { await server.close(); rmSync(outDir, { recursive: true, force: true }); } };
  } catch (e) {
    rmSync(outDir, { recursive: true, force: true });
    throw e;
  }
}

type PageResult = { out: Omit<BrowserBackendFigure, 'build'>[]; isolated: boolean; cores: number };

async function probeBuild(b: ProbeBuild, spec: ModelSpec, steps: number, exe: string, log: (l: string) => void): Promise<PageResult & { version: string }> {
  const served = b === 'dev' ? await serveDev() : await serveProduction(log);
  try {
    return await withChromiumPage(exe, served.url, async (page, version) => {
      const arg = { workerUrl: served.workerUrl, configs: configsFor(b), spec, steps, images: 32 };
      // The dev server may optimise newly seen dependencies on first import and reload the page: retried.
      return { ...(await evaluateSettled<PageResult>(page, BROWSER_CODE, arg)), version };
    });
  } finally {
    await served.close();
  }
}

function compareThreads(b: ProbeBuild, figures: BrowserBackendFigure[]): WasmThreadsComparison | null {
  const best = (label: string) => figures.filter((f) => f.build === b && f.backend === label && f.msPerStep).sort((x, y) => x.msPerStep! - y.msPerStep!)[0];
  const single = best('wasm, 1 thread'), threaded = best('wasm, 1 thread per core');
  if (!single || !threaded || !threaded.wasmThreads) return null;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return { build: b, threads: threaded.wasmThreads, singleMsPerStep: r2(single.msPerStep!), threadedMsPerStep: r2(threaded.msPerStep!), speedup: r2(single.msPerStep! / threaded.msPerStep!) };
}

/**
 * Time `steps` training steps (batch 32) of `spec` per backend and build, after one warm-up step.
 * `trainFlopsPerImage` converts to GFLOP/s. cpu is skipped (≈ 2 s per image at 48 px).
 */
export async function browserTrainingProbe(
  spec: ModelSpec, trainFlopsPerImage: number, steps = 2, log: (l: string) => void = console.log,
  builds: ProbeBuild[] = ['dev', 'production'],
): Promise<BrowserProbeResult | { skipped: string }> {
  const c = chromiumExecutable();
  if ('skipped' in c) return c;
  const exe = c.exe;
  const figures: BrowserBackendFigure[] = [];
  let version = 'unknown', isolated = true, cores = 0;
  for (const b of builds) {
    const r = await probeBuild(b, spec, steps, exe, log);
    version = r.version; isolated &&= r.isolated; cores = r.cores;
    for (const x of r.out) {
      figures.push(x.msPerStep
        ? { build: b, ...x, batch: 32, imagesPerS: Math.round((32 / x.msPerStep) * 1000 * 10) / 10, gflopPerS: Math.round(((32 * trainFlopsPerImage) / (x.msPerStep / 1000) / 1e9) * 100) / 100 }
        : { build: b, ...x });
    }
  }
  figures.push({ build: 'dev', backend: 'cpu', skipped: 'plain JS: ~2 s per 48 px training image in Node; not worth the minutes' });
  for (const x of figures) log(`[browser] ${x.build} ${x.backend}: ${x.msPerStep ? `${x.msPerStep.toFixed(0)} ms/step (batch 32), ${x.imagesPerS} images/s, ${x.gflopPerS} GFLOP/s, warm-up ${x.warmupMs?.toFixed(0)} ms — ${x.device}` : x.error ?? x.skipped}`);
  const wasmThreads = builds.map((b) => compareThreads(b, figures)).filter((c): c is WasmThreadsComparison => c !== null);
  for (const c of wasmThreads) log(`[browser] ${c.build} wasm threads: ${c.threads} threads ${c.threadedMsPerStep} ms/step vs 1 thread ${c.singleMsPerStep} ms/step (×${c.speedup})`);
  return { chromium: version, crossOriginIsolated: isolated, hardwareConcurrency: cores, figures, wasmThreads };
}
