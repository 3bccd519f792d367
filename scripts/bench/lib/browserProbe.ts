/**
 * Training throughput of the benchmark's network in headless Chromium, per tfjs backend the browser
 * offers (WebGPU and WebGL run on SwiftShader, a CPU emulation, on machines without a GPU; wasm runs
 * with threads because the dev server is cross-origin isolated). Uses the app's own modules through
 * Vite: the app's `useBackend` (wasm paths + gradient kernels from src/ml/wasmGrads.ts),
 * `buildModel`/`fixedSteps`.
 *
 * Node + Playwright only (starts a Vite dev server on a free port and Debian's /usr/bin/chromium).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { REPO_ROOT } from '../../lib/balabit-cache';
import type { ModelSpec } from '../../../src/ml/model';

export interface BrowserBackendFigure {
  backend: string;
  device?: string;
  software?: boolean;
  warmupMs?: number;
  msPerStep?: number;
  batch?: number;
  imagesPerS?: number;
  gflopPerS?: number;
  error?: string;
  skipped?: string;
}

export interface BrowserProbeResult {
  chromium: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  figures: BrowserBackendFigure[];
  note?: string;
}

/** Runs in the page: imports the app's modules through Vite and times each backend. */
const BROWSER_CODE = `async ({ spec, steps }) => {
  const b = await import('/src/ml/backends.ts');
  const t = await import('/src/ml/train.ts');
  const s = await import('/src/ml/synthetic.ts');
  const set = s.syntheticImageSet(32, spec.inputSizePx, 3, spec.numClasses);
  const cands = await b.inspectBackends();
  const out = [];
  const run = async (label, name, before) => {
    const c = cands.find((x) => x.name === name);
    if (!c.available) { out.push({ backend: label, skipped: c.note || 'not available' }); return; }
    try {
      await b.useBackend(name);
      if (before) before();
      const t0 = performance.now();
      await t.fixedSteps(spec, set, 1);
      const warmupMs = performance.now() - t0;
      const r = await t.fixedSteps(spec, set, steps);
      out.push({ backend: label, device: c.device, software: c.software, warmupMs, msPerStep: r.msPerStep });
    } catch (e) {
      out.push({ backend: label, error: String(e && e.message || e) });
    }
  };
  await run('wasm (+ our gradient kernels)', 'wasm');
  await run('webgl', 'webgl');
  await run('webgpu', 'webgpu');
  out.push({ backend: 'cpu', skipped: 'plain JS: ~2 s per 48 px training image in Node; not worth the minutes' });
  return { out, isolated: globalThis.crossOriginIsolated === true, cores: navigator.hardwareConcurrency };
}`;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];

/**
 * Time `steps` training steps (batch 32) of `spec` per backend, after one warm-up step.
 * `trainFlopsPerImage` converts to GFLOP/s. Backends: webgpu, webgl, wasm (with the app's
 * gradient kernels); cpu is skipped (≈ 2 s per image at 48 px).
 */
export async function browserTrainingProbe(spec: ModelSpec, trainFlopsPerImage: number, steps = 2, log: (l: string) => void = console.log): Promise<BrowserProbeResult | { skipped: string }> {
  const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(exe)) return { skipped: `no Chromium at ${exe} (set CHROMIUM_PATH)` };
  const server = await createServer({ root: REPO_ROOT, configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'silent', server: { host: '127.0.0.1', port: 5290, strictPort: false } });
  const userDir = mkdtempSync(join(tmpdir(), 'pp-chromium-'));
  try {
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the Vite dev server did not report a URL');
    const ctx = await chromium.launchPersistentContext(userDir, { executablePath: exe, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(url);
      const version = ctx.browser()?.version() ?? 'unknown';
      // Plain JS in a string: tsx's transform would inject helpers (`__name`) the page does not have.
      type PageResult = { out: BrowserBackendFigure[]; isolated: boolean; cores: number };
      let r: PageResult | null = null;
      // Vite may optimise newly seen dependencies on first import and reload the page: retry then.
      for (let attempt = 0; attempt < 3 && !r; attempt++) {
        try {
          await page.waitForLoadState('networkidle');
          r = (await page.evaluate(`(${BROWSER_CODE})(${JSON.stringify({ spec, steps })})`)) as PageResult;
        } catch (e) {
          if (!/context was destroyed|navigation/i.test(String((e as Error).message)) || attempt === 2) throw e;
          await page.waitForTimeout(2000);
        }
      }
      if (!r) throw new Error('the probe page never settled');
      const figures: BrowserBackendFigure[] = r.out.map((x) => x.msPerStep
        ? { ...x, batch: 32, imagesPerS: Math.round((32 / x.msPerStep) * 1000 * 10) / 10, gflopPerS: Math.round(((32 * trainFlopsPerImage) / (x.msPerStep / 1000) / 1e9) * 100) / 100 }
        : x);
      for (const x of figures) log(`[browser] ${x.backend}: ${x.msPerStep ? `${x.msPerStep.toFixed(0)} ms/step (batch 32), ${x.imagesPerS} images/s, ${x.gflopPerS} GFLOP/s, warm-up ${x.warmupMs?.toFixed(0)} ms — ${x.device}` : x.error ?? x.skipped}`);
      return { chromium: version, crossOriginIsolated: r.isolated, hardwareConcurrency: r.cores, figures };
    } finally {
      await ctx.close();
    }
  } finally {
    await server.close();
    rmSync(userDir, { recursive: true, force: true });
  }
}
