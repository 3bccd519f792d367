import { test, expect } from '@playwright/test';

/**
 * In the spirit of tfjs-layers' describeMathCPUAndGPU: every backend headless Chromium offers trains
 * the same tiny net from the same seeded weights on the same data, and must agree with the CPU
 * backend. Tolerance: |Δloss| ≤ 2e-3 per step and |Δp| ≤ 5e-3 per predicted probability after 4 SGD
 * steps (float32 everywhere; GPU reductions sum in a different order, and errors compound per step).
 */
const LOSS_TOL = 2e-3;
const PROB_TOL = 5e-3;

test('every available backend trains a tiny net and agrees with cpu', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  const result = await page.evaluate(async () => {
    // Vite serves the sources; the paths are variables so TypeScript does not resolve them itself.
    const u = ['/src/ml/backends.ts', '/src/ml/train.ts', '/src/ml/model.ts', '/src/ml/synthetic.ts'];
    const b = (await import(/* @vite-ignore */ u[0])) as typeof import('../../src/ml/backends');
    const t = (await import(/* @vite-ignore */ u[1])) as typeof import('../../src/ml/train');
    const m = (await import(/* @vite-ignore */ u[2])) as typeof import('../../src/ml/model');
    const s = (await import(/* @vite-ignore */ u[3])) as typeof import('../../src/ml/synthetic');
    const candidates = await b.inspectBackends();
    const set = s.syntheticImageSet(8, 16, 5);
    // Two nets: the plain tiny one, and one with batch norm, L2 over 8 kernels and 3 blocks of 2 convs
    // (the verification net until stop 21; its saved models still load) — the latter caught a wrong
    // tf.addN result on WebGPU/SwiftShader.
    const specs = {
      tiny: m.tinySpec(16),
      verificationShaped: { ...m.defaultSpec('verification', 16), blockFilters: [4, 4, 4], convsPerBlock: 2, batchNorm: true, denseUnits: 8, dropout: 0, l2: 1e-2 },
    };
    const out: Record<string, { losses: number[]; predictions: number[]; msPerStep: number; warmupMs: number; device: string; software: boolean }> = {};
    for (const c of candidates.filter((c) => c.available)) {
      await b.useBackend(c.name);
      for (const [k, spec] of Object.entries(specs)) {
        const t0 = performance.now();
        await t.fixedSteps(spec, set, 1);
        const warmupMs = performance.now() - t0;
        const r = await t.fixedSteps(spec, set, 4, k === 'tiny' ? 0.05 : 0.01);
        out[`${c.name}/${k}`] = { losses: r.losses, predictions: Array.from(r.predictions), msPerStep: r.msPerStep, warmupMs, device: c.device, software: c.software };
      }
    }
    return { out, candidates };
  });
  console.log('backends:', JSON.stringify(result.candidates.map((c) => [c.name, c.available, c.device, c.software, c.note ?? ''])));
  expect(Object.keys(result.out)).toEqual(expect.arrayContaining(['cpu/tiny', 'wasm/tiny', 'webgl/tiny']));
  for (const [name, r] of Object.entries(result.out)) {
    const cpu = result.out[`cpu/${name.split('/')[1]}`];
    const dl = Math.max(...r.losses.map((l, i) => Math.abs(l - cpu.losses[i])));
    const dp = Math.max(...r.predictions.map((p, i) => Math.abs(p - cpu.predictions[i])));
    console.log(`${name.padEnd(26)} ${r.device} software=${r.software} warm-up ${r.warmupMs.toFixed(0)} ms, ${r.msPerStep.toFixed(1)} ms/step, max|Δloss| ${dl.toExponential(2)}, max|Δp| ${dp.toExponential(2)}, losses ${r.losses.map((l) => l.toFixed(4)).join(' ')}`);
    expect(dl, `${name} loss vs cpu`).toBeLessThanOrEqual(LOSS_TOL);
    expect(dp, `${name} predictions vs cpu`).toBeLessThanOrEqual(PROB_TOL);
    // It actually trained: loss went down over the steps.
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
  }
});
