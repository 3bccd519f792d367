/**
 * Issue #9 item 6: the production build runs tfjs wasm with threads in the app's train worker. It
 * used to fail there (the minifier broke the glue tfjs hands its pthread workers: "e is not defined";
 * under the CSP the blob it used was refused); scripts/build/tfjsWasmThreads.ts fixes that.
 *
 * Builds once, serves it with `vite preview` (CSP + COOP/COEP), and asks the built train worker
 * (its 'probe' request) to train a tiny seeded net: wasm with 2 threads must report 2 threads and
 * agree with cpu step by step. Served without the isolation headers, the same build must fall back to
 * single-threaded wasm and say why. Asserts on what the backend reports, never on timings.
 */
import { test, expect, type Page } from '@playwright/test';
import { tinySpec } from '../../src/ml/spec';
import type { TrainingProbe } from '../../src/ml/backends';
import { buildAndPreview, type PreviewBuild } from './preview-build';

test.describe.configure({ timeout: 300_000 });

const LOSS_TOL = 2e-3;
const PROB_TOL = 5e-3;

let built: PreviewBuild;
test.beforeAll(async () => { built = await buildAndPreview(); });
test.afterAll(() => built?.close());

type Probe = { result?: TrainingProbe; error?: string };

/** Each probe in a fresh train worker of the build (wasm's threading is fixed when it starts). */
async function probe(page: Page, backend: 'wasm' | 'cpu', wasmThreads?: boolean | number): Promise<Probe> {
  return page.evaluate(async ({ workerUrl, spec, backend, wasmThreads }) => new Promise<Probe>((resolve) => {
    const w = new Worker(workerUrl, { type: 'module' });
    const done = (r: Probe) => { w.terminate(); resolve(r); };
    w.onerror = (e) => done({ error: `worker failed: ${e.message}` });
    w.onmessage = (e: MessageEvent<{ type: string; result?: TrainingProbe; message?: string }>) => {
      if (e.data.type === 'probe') done({ result: e.data.result });
      else if (e.data.type === 'error') done({ error: e.data.message });
    };
    w.postMessage({ type: 'probe', id: 1, backend, spec, images: 8, steps: 4, learningRate: 0.05, wasmThreads });
  }), { workerUrl: built.asset('train.worker-'), spec: tinySpec(16), backend, wasmThreads });
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error' || /is not defined|Refused|failed/i.test(m.text())) errors.push(`worker: ${m.text()}`); }));
  return errors;
}

function expectAgreement(wasm: TrainingProbe, cpu: TrainingProbe): void {
  const dl = Math.max(...wasm.losses.map((l, i) => Math.abs(l - cpu.losses[i])));
  const dp = Math.max(...wasm.predictions.map((p, i) => Math.abs(p - cpu.predictions[i])));
  console.log(`${wasm.device}: max|Δloss| ${dl.toExponential(2)}, max|Δp| ${dp.toExponential(2)} vs cpu; losses ${wasm.losses.map((l) => l.toFixed(4)).join(' ')}`);
  expect(wasm.losses).toHaveLength(4);
  expect(dl).toBeLessThanOrEqual(LOSS_TOL);
  expect(dp).toBeLessThanOrEqual(PROB_TOL);
  expect(wasm.losses[3]).toBeLessThan(wasm.losses[0]);
}

test('the production build trains with wasm threads in its train worker, agreeing with cpu', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(built.origin + '/#sessions');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  const cpu = await probe(page, 'cpu');
  const threaded = await probe(page, 'wasm', 2);
  const auto = await probe(page, 'wasm');
  expect(cpu.error).toBeUndefined();
  expect(threaded.error).toBeUndefined();
  expect(auto.error).toBeUndefined();
  console.log(`2 threads asked: ${threaded.result!.wasmThreads} (${threaded.result!.wasmThreadsReason}); automatic: ${auto.result!.wasmThreads} (${auto.result!.wasmThreadsReason})`);

  expect(threaded.result!.wasmThreads).toBe(2);
  expect(threaded.result!.wasmThreadsReason).toMatch(/^multi-threaded/);
  expect(threaded.result!.device).toContain('2 threads');
  expectAgreement(threaded.result!, cpu.result!);

  // Automatic: tfjs's own default, half the logical cores (up to 8); one thread means the SIMD build.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const expected = Math.min(8, Math.max(1, Math.floor(cores / 2)));
  expect(auto.result!.wasmThreads).toBe(expected);
  if (expected === 1) expect(auto.result!.wasmThreadsReason).toMatch(/^single-threaded: tfjs uses half of the \d+ logical cores/);
  expectAgreement(auto.result!, cpu.result!);

  expect(errors).toEqual([]);
});

test('served without cross-origin isolation, the build runs wasm single-threaded and says why', async ({ page }) => {
  const errors = watchErrors(page);
  // The same build, as an embed on a site without COOP/COEP would get it: strip the isolation headers.
  await page.route(`${built.origin}/**`, async (route) => {
    const res = await route.fetch();
    const headers = { ...res.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response: res, headers });
  });
  await page.goto(built.origin + '/#sessions');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);

  const cpu = await probe(page, 'cpu');
  const wasm = await probe(page, 'wasm', 2);
  expect(wasm.error).toBeUndefined();
  console.log(`not isolated: ${wasm.result!.wasmThreads} thread(s): ${wasm.result!.wasmThreadsReason}`);
  expect(wasm.result!.wasmThreads).toBe(1);
  expect(wasm.result!.wasmThreadsReason).toMatch(/^single-threaded: this page is not cross-origin isolated/);
  expectAgreement(wasm.result!, cpu.result!);
  expect(errors).toEqual([]);
});
