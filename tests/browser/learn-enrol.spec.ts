import { test, expect } from '@playwright/test';
import { PERSONAS } from '../../src/core/simulate';
import { addPad, blockHmr, configureCapture, drive, giveConsent, liveSession, type CaptureModule, removePad, setProfileAndStart, stopCapture, watchConsole } from './learn-helpers';

/**
 * End to end through the real app: two distinctly different synthetic people (the simulator's personas) move the
 * real mouse (the browser's input pipeline, each event stamped with the persona's own time) while the app records; "alice" enrols against "bob";
 * training (seeded) runs in the worker, and the main thread never loads TensorFlow.js meanwhile (long
 * tasks are logged for information: timings belong to the benchmark, not to a test); the enrolment must
 * pass its own test-block check (a failed enrolment is shown, not saved, and fails this test) and the
 * held-out AUC must be clearly above chance. Live scoring then scores a fresh alice session and a fresh
 * bob session (the impostor) against alice's profile: the sequential verdict must be "match" for alice
 * and "mismatch" for bob, each within 20 windows (the cautious LLR weight: at least 9).
 *
 * Kept small for CI on 2 cores: 32 px images, 80 events per window, 5 sessions of 10 reaches per person
 * (with 3 sessions a by-session split leaves one training session per person: AUC ≈ 0.55–0.6 in Node
 * trials; with 5 it was 0.78–0.80).
 */
const SESSIONS_PER_PERSON = 5;
const REACHES_PER_SESSION = Number(process.env.PP_REACHES ?? 10);
/**
 * The live verdict must be reached within this many windows. Validated against one other person's few
 * sessions, the profile takes the most cautious LLR weight (core/sequential 'too-few-impostors'), so a
 * verdict needs at least 9 windows of the strongest evidence.
 */
const MAX_WINDOWS_TO_VERDICT = 20;
/** Live sessions long enough to offer at least 20 windows (20 reaches gave 18–19, so the session's end, not 20, would be the bound). */
const LIVE_REACHES = 25;

test('two synthetic people: enrol alice against bob, model separates them, UI stays responsive', async ({ page }) => {
  test.setTimeout(600_000);
  const log = watchConsole(page);
  await blockHmr(page);
  await giveConsent(page);
  await configureCapture(page);
  // A blank region for the movement: the page below the header (clicks there do nothing).
  await page.goto('/#sessions');
  await addPad(page);

  for (const [name, persona] of [['alice', PERSONAS.alice], ['bob', PERSONAS.bob]] as const) {
    for (let k = 0; k < SESSIONS_PER_PERSON; k++) {
      await setProfileAndStart(page, name);
      await drive(page, persona, 100 * k + (name === 'alice' ? 1 : 2), REACHES_PER_SESSION);
      await stopCapture(page);
    }
  }
  await removePad(page);
  const recorded = await page.evaluate(async () => {
    const u = '/src/store/sessions.ts';
    const { listSessions } = (await import(/* @vite-ignore */ u)) as typeof import('../../src/store/sessions');
    return (await listSessions()).map((s) => `${s.profileId}:${s.eventCount}`);
  });
  console.log('recorded sessions', recorded.join(' '));

  await page.click('nav a[data-tab="enrol"]');
  await page.getByTestId('enrol-name').fill('alice');
  // Against bob alone: the shipped background set (on by default) is switched off here; the fresh-install
  // test (learn-fresh-install.spec.ts) enrols against it.
  await expect(page.getByTestId('enrol-background-size')).toBeVisible();
  await page.getByTestId('enrol-neg-background').uncheck();
  await expect(page.getByTestId('enrol-negatives-background')).toHaveCount(0);
  await expect(page.getByTestId('enrol-negatives')).toContainText(`${SESSIONS_PER_PERSON} session(s) of 1 other profile`);
  await expect(page.getByTestId('backend-name')).toBeVisible({ timeout: 60_000 });
  const backend = await page.getByTestId('backend-name').textContent();
  await page.getByTestId('enrol-epochs').fill('40');

  // Long-task observer on the main thread, armed once training (not data loading) begins.
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: false });
  });
  await page.getByTestId('enrol-train').click();
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-stage', 'training', { timeout: 60_000 });
  const trainingStart = await page.evaluate(() => performance.now());
  // Responsiveness probe: the UI answers while training (a tab switch and back).
  await page.click('nav a[data-tab="sessions"]');
  await page.click('nav a[data-tab="enrol"]');
  await expect(page.getByTestId('quality-report')).toBeVisible({ timeout: 300_000 });
  const trainingEnd = await page.evaluate(() => performance.now());
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks);
  const during = longTasks.filter((t) => t.start >= trainingStart && t.start <= trainingEnd);

  // A failed enrolment is reported with reasons instead of being saved: then this test fails here, loudly.
  if (await page.getByTestId('enrol-failed').count()) console.log('ENROLMENT FAILED:', await page.getByTestId('enrol-failed').textContent());
  await expect(page.getByTestId('enrol-failed')).toHaveCount(0);
  const auc = Number(await page.getByTestId('q-auc').textContent());
  const testWindows = Number(await page.getByTestId('q-test-windows').textContent());
  const epochLine = await page.getByTestId('epoch-line').textContent();
  const report = { threshold: await page.getByTestId('q-threshold').textContent(), far: await page.getByTestId('q-far').textContent(), frr: await page.getByTestId('q-frr').textContent(), sequential: await page.getByTestId('q-sequential').textContent() };
  console.log(`backend ${backend}; held-out AUC ${auc} on ${testWindows} windows; stored threshold ${report.threshold}, test FAR ${report.far}, FRR ${report.frr}; ${report.sequential?.replace(/\s+/g, ' ').trim()}; ${epochLine?.trim()}; training ${(trainingEnd - trainingStart).toFixed(0)} ms; long tasks during training: ${JSON.stringify(during)}`);
  expect(testWindows).toBeGreaterThan(0);
  expect(auc).toBeGreaterThan(0.7);
  // Responsiveness is a structural property here, not a timing: the main thread must not even load
  // TensorFlow.js while the worker trains (all tfjs work is in the worker). Long tasks are logged above
  // for information only; on a shared 2-core machine their count depends on load, and speed targets
  // belong to the benchmark, not to a test.
  // tfjs-core creates its engine as the global `_tfengine` when it is first evaluated in a realm: absent
  // here means this page's main thread never ran TensorFlow.js (the worker's realm has its own).
  const tfjsOnMainThread = await page.evaluate(() => '_tfengine' in globalThis);
  expect(tfjsOnMainThread, 'TensorFlow.js never runs on the main thread during training').toBe(false);
  await expect(page.getByTestId('trained-against')).toContainText('bob');
  await expect(page.getByTestId('enrol-message')).toContainText('saved');

  // Export → delete the stored copy → import: the profile and a loadable model come back.
  const roundTrip = await page.evaluate(async () => {
    const u = '/src/store/profiles.ts';
    const p = (await import(/* @vite-ignore */ u)) as typeof import('../../src/store/profiles');
    const blob = await p.exportProfile('alice');
    const text = await blob.text();
    const before = await p.getProfile('alice');
    await p.deleteModel(before!.modelId!);
    const goneAfterDelete0 = !(await p.modelStored(before!.modelId!));
    const back = await p.importProfile(text, { replace: true }); // alice is still on the device
    const goneAfterDelete = goneAfterDelete0;
    const rec = await p.getModelRecord(back.modelId!);
    return { bytes: text.length, same: JSON.stringify(back) === JSON.stringify(before), url: rec?.url, goneAfterDelete, stored: await p.modelStored(back.modelId!) };
  }).catch((e: Error) => ({ error: e.message }));
  console.log('export/import round trip:', JSON.stringify(roundTrip));
  expect(roundTrip).toMatchObject({ same: true, goneAfterDelete: true, stored: true });

  // Live scoring. First: a model trained under other settings is refused with a clear message.
  await page.click('nav a[data-tab="score"]');
  await page.evaluate(async () => {
    const u = '/src/app/capture/captureController.svelte.ts';
    ((await import(/* @vite-ignore */ u)) as CaptureModule).capture.sizePx = 64;
  });
  await page.getByTestId('score-start').click();
  await expect(page.getByTestId('score-error')).toContainText('trained on 32 px images');
  await configureCapture(page);
  // Then a fresh session of alice (genuine) and one of bob (an impostor): both unseen in training.
  const genuine = await liveSession(page, 'alice', 999, LIVE_REACHES);
  const impostor = await liveSession(page, 'bob', 998, LIVE_REACHES);
  console.log(`live verdicts: alice ${genuine.verdict} after ${genuine.decidedAt} windows, bob ${impostor.verdict} after ${impostor.decidedAt} windows (must be match / mismatch within ${MAX_WINDOWS_TO_VERDICT}); evidence margin ${(genuine.evidence - impostor.evidence).toFixed(2)} (bounds span ${(genuine.upper - genuine.lower).toFixed(2)})`);
  // Each session offered at least MAX_WINDOWS_TO_VERDICT windows, so the bound is real, not the session's end.
  expect(genuine.windows).toBeGreaterThanOrEqual(MAX_WINDOWS_TO_VERDICT);
  expect(impostor.windows).toBeGreaterThanOrEqual(MAX_WINDOWS_TO_VERDICT);
  expect(genuine.verdict, 'the enrolled person is recognised').toBe('match');
  expect(impostor.verdict, 'the impostor is rejected').toBe('mismatch');
  expect(genuine.decidedAt!).toBeLessThanOrEqual(MAX_WINDOWS_TO_VERDICT);
  expect(impostor.decidedAt!).toBeLessThanOrEqual(MAX_WINDOWS_TO_VERDICT);

  expect(log.warnings.filter((w) => w.includes('derived_inert')), 'no Svelte derived_inert warning after leaving the view mid-training').toEqual([]);
  expect(log.errors).toEqual([]);
});
