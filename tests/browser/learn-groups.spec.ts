import { test, expect } from '@playwright/test';
import { blockHmr, configureCapture, watchConsole } from './learn-helpers';

/**
 * The Groups view end to end: two clearly different groups of sessions (the simulator's personas
 * "alice" — quick, direct — and "bob" — slow, curved, shaky) are stored in IndexedDB through the app's
 * own `saveSession`, labelled by group; the user picks the two groups in the Groups view, trains the
 * group model in the worker (32 px images, 80 events per window, a few epochs), leaves the view while
 * it trains and comes back; the report must show held-out accuracy and AUC clearly above chance, a
 * confusion matrix that recognises both groups, and no Svelte `derived_inert` warning.
 *
 * The sessions are simulated (no real-time mouse driving), so the test is fast. Each group has 10
 * sessions so the by-session split holds out 2 whole sessions per group for the report.
 *
 * PP_GROUPS_SHUFFLE=1 mixes both personas into each group (labels unrelated to movement): the same
 * test must then fail (AUC near 0.5) — run it to see the test can fail.
 */
const SESSIONS_PER_GROUP = 10;
const REACHES_PER_SESSION = 12;
const SHUFFLE = process.env.PP_GROUPS_SHUFFLE === '1';

test('Groups view: two simulated groups are told apart on held-out sessions', async ({ page }) => {
  test.setTimeout(180_000);
  const t0 = Date.now();
  const log = watchConsole(page);
  await blockHmr(page);
  await page.goto('/#capture');
  await configureCapture(page);

  // Two groups of sessions, stored by the app's own means (simulator → columns → saveSession).
  const stored = await page.evaluate(async ({ n, reaches, shuffle }) => {
    const [simUrl, evUrl, stUrl] = ['/src/core/simulate/index.ts', '/src/core/events.ts', '/src/store/sessions.ts'];
    const sim = (await import(/* @vite-ignore */ simUrl)) as typeof import('../../src/core/simulate');
    const ev = (await import(/* @vite-ignore */ evUrl)) as typeof import('../../src/core/events');
    const st = (await import(/* @vite-ignore */ stUrl)) as typeof import('../../src/store/sessions');
    const geometry = { width: 1100, height: 420 };
    const out: string[] = [];
    for (const persona of [sim.PERSONAS.alice, sim.PERSONAS.bob]) {
      for (let k = 0; k < n; k++) {
        const samples = sim.simulateHuman(persona, geometry, { seed: 1000 * k + (persona.id === 'alice' ? 7 : 11), reaches });
        const columns = ev.columnsFromSamples(samples);
        // Shuffled control: each group gets half of each persona, so labels say nothing about movement.
        const group = shuffle ? (k % 2 === 0 ? 'alice' : 'bob') : persona.id;
        const id = `sim-${persona.id}-${k}`;
        await st.saveSession({
          id, profileId: id, label: group, source: 'simulator', startedAtEpochMs: Date.now() - 60_000 * k,
          space: { width: 1280, height: 900 }, eventCount: columns.length, durationMs: samples[samples.length - 1].tMs,
        }, columns);
        out.push(`${group}:${columns.length}`);
      }
    }
    return out;
  }, { n: SESSIONS_PER_GROUP, reaches: REACHES_PER_SESSION, shuffle: SHUFFLE });
  console.log(`stored ${stored.length} sessions (label:events)${SHUFFLE ? ' [labels shuffled]' : ''}:`, stored.join(' '));

  // The real UI from here on.
  await page.click('nav a[data-tab="groups"]');
  await expect(page.getByTestId('groups-by')).toHaveValue('label');
  await expect(page.getByTestId('groups-view')).toContainText(`${SESSIONS_PER_GROUP} session(s)`);
  await expect(page.getByTestId('groups-train')).toBeDisabled();
  await page.getByTestId('group-alice').check();
  await page.getByTestId('group-bob').check();
  await page.getByTestId('groups-name').fill('alice-vs-bob');
  await page.getByTestId('groups-epochs').fill('15');
  await expect(page.getByTestId('backend-name')).toBeVisible({ timeout: 60_000 });
  const backend = await page.getByTestId('backend-name').textContent();
  await expect(page.getByTestId('groups-train')).toHaveText('Train on 2 groups');
  await page.getByTestId('groups-train').click();
  const trainStart = Date.now();

  // Leave the view while the worker trains, then come back: the job and its progress outlive the view.
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-stage', 'training', { timeout: 60_000 });
  await page.click('nav a[data-tab="sessions"]');
  await expect(page.getByTestId('groups-view')).toHaveCount(0);
  await page.click('nav a[data-tab="groups"]');
  // The fresh view has forgotten the ticks (view state), but must see the running job: with both
  // groups ticked again, Train stays disabled while the worker is busy and is enabled once it is done.
  await page.getByTestId('group-alice').check();
  await page.getByTestId('group-bob').check();
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-stage', /rendering|training|evaluating/);
  await expect(page.getByTestId('groups-train')).toBeDisabled();
  await expect(page.getByTestId('quality-report')).toBeVisible({ timeout: 150_000 });
  const trainMs = Date.now() - trainStart;

  const auc = Number(await page.getByTestId('q-auc').textContent());
  const accuracy = parseFloat((await page.getByTestId('q-accuracy').textContent()) ?? '') / 100;
  const testWindows = Number(await page.getByTestId('q-test-windows').textContent());
  const confusion = await page.getByTestId('q-confusion').locator('tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
  const epochLine = (await page.getByTestId('epoch-line').textContent())?.trim();
  console.log(`groups: backend ${backend}; held-out AUC ${auc}, accuracy ${(accuracy * 100).toFixed(1)} % on ${testWindows} windows; confusion ${JSON.stringify(confusion)}; ${epochLine}; training ${trainMs} ms; test ${Date.now() - t0} ms`);

  await expect(page.getByTestId('groups-message')).toContainText('Group model “alice-vs-bob” saved (alice vs bob)');
  await expect(page.getByTestId('trained-against')).toContainText('alice');
  await expect(page.getByTestId('trained-against')).toContainText('bob');
  await expect(page.getByTestId('groups-train')).toBeEnabled();
  expect(testWindows).toBeGreaterThanOrEqual(20);
  // Chance is 0.5 for both; two clearly different movers should be far above it.
  expect(auc).toBeGreaterThan(0.8);
  expect(accuracy).toBeGreaterThan(0.7);
  // Both groups are recognised (not one class predicted for everything): each row's diagonal dominates.
  expect(confusion).toHaveLength(2);
  expect(confusion[0][0]).toBeGreaterThan(confusion[0][1]);
  expect(confusion[1][1]).toBeGreaterThan(confusion[1][0]);

  // The model was stored as a profile of kind 'group'.
  const saved = await page.evaluate(async () => {
    const u = '/src/store/profiles.ts';
    const p = (await import(/* @vite-ignore */ u)) as typeof import('../../src/store/profiles');
    const prof = await p.getProfile('group-alice-vs-bob');
    return prof ? { kind: prof.kind, model: prof.modelId ? await p.modelStored(prof.modelId) : false } : null;
  });
  expect(saved).toEqual({ kind: 'group', model: true });

  expect(log.warnings.filter((w) => w.includes('derived_inert')), 'no Svelte derived_inert warning after leaving the view mid-training').toEqual([]);
  expect(log.errors).toEqual([]);
});
