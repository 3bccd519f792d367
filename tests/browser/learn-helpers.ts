/**
 * Helpers shared by the learning browser tests: a page that Vite's HMR cannot reload, the small
 * capture settings the tests train with, recording under a profile, driving the real mouse through a
 * simulator persona, and watching the page's console.
 */
import { expect, type Page } from '@playwright/test';
import { humanSteps, PERSONAS, type HumanPersona } from '../../src/core/simulate';

/** Pauses between reaches are capped (they only add idle time, not movement). */
export const MAX_WAIT_MS = 150;

/** The blank region the mouse is driven in (page coordinates; inside `addPad`'s element). */
export const PAD_BOX = { x: 60, y: 420, width: 1100, height: 420 } as const;
export type Box = { x: number; y: number; width: number; height: number };

const NO_HMR_CLIENT = `
const hot = { data: {}, accept() {}, acceptExports() {}, dispose() {}, prune() {}, invalidate() {}, decline() {}, on() {}, off() {}, send() {} };
export const createHotContext = () => hot;
export const updateStyle = (id, css) => { let s = document.querySelector('style[data-vite-dev-id="' + id + '"]'); if (!s) { s = document.createElement('style'); s.setAttribute('data-vite-dev-id', id); document.head.appendChild(s); } s.textContent = css; };
export const removeStyle = (id) => document.querySelector('style[data-vite-dev-id="' + id + '"]')?.remove();
export const injectQuery = (url) => url;
export const ErrorOverlay = class {};
`;

/**
 * Other engineers edit the shared tree while the tests run: Vite's HMR would reload the page mid-test.
 * Serve a no-op HMR client instead (the app itself is unchanged). Call before the first `goto`.
 */
export async function blockHmr(page: Page): Promise<void> {
  await page.route('**/@vite/client', (r) => r.fulfill({ contentType: 'application/javascript', body: NO_HMR_CLIENT }));
}

/**
 * Collect the page's uncaught errors and console warnings/errors (also echoed to the test log), so a
 * test can assert on them (e.g. no Svelte `derived_inert` warning).
 */
export function watchConsole(page: Page): { errors: string[]; warnings: string[] } {
  const out = { errors: [] as string[], warnings: [] as string[] };
  page.on('pageerror', (e) => out.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    console.log('[page]', m.text());
    out.warnings.push(m.text());
  });
  return out;
}

export type CaptureModule = typeof import('../../src/app/capture/captureController.svelte');

/** Small windows and images so training fits CI on 2 cores: 80 events per window, 32 px. */
export async function configureCapture(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const u = '/src/app/capture/captureController.svelte.ts';
    const { capture } = (await import(/* @vite-ignore */ u)) as CaptureModule;
    capture.windowSettings.eventsPerWindow = 80;
    capture.windowSettings.minMoveEvents = 30;
    capture.sizePx = 32;
  });
}

/** Give capture consent through the Capture tab's UI. */
export async function giveConsent(page: Page): Promise<void> {
  await page.goto('/#capture');
  await page.getByTestId('capture-consent-check').check();
  await page.getByTestId('capture-consent-give').click();
}

export async function setProfileAndStart(page: Page, profileId: string): Promise<void> {
  await page.evaluate(async (pid) => {
    const u = '/src/app/capture/captureController.svelte.ts';
    const { capture } = (await import(/* @vite-ignore */ u)) as CaptureModule;
    capture.profileId = pid;
    capture.start();
  }, profileId);
}

export async function stopCapture(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const u = '/src/app/capture/captureController.svelte.ts';
    const { capture } = (await import(/* @vite-ignore */ u)) as CaptureModule;
    await capture.stop();
  });
}

/** A blank, inert region over the page (clicks there do nothing) for `drive`. */
export async function addPad(page: Page): Promise<void> {
  await page.evaluate(() => {
    const d = document.createElement('div');
    d.id = 'pad';
    d.style.cssText = 'position:fixed;left:40px;top:400px;width:1140px;height:460px;background:#101010;z-index:50';
    document.body.appendChild(d);
  });
}

export async function removePad(page: Page): Promise<void> {
  await page.evaluate(() => document.getElementById('pad')?.remove());
}

/**
 * Drive the real mouse through a persona's movement inside a blank box of the page, in real time.
 * Pauses are capped at `maxWaitMs` (default MAX_WAIT_MS, to keep tests short; a test that needs each
 * persona's own pauses passes a larger cap).
 *
 * Each input event is dispatched through the browser's input pipeline (CDP `Input.dispatchMouseEvent`,
 * what `page.mouse` uses) **stamped with the persona's own time**, so the page's `event.timeStamp` follows
 * the persona's schedule whatever the machine's load. Without the stamp, an event's time was when the
 * driver got to send it: with the worker scoring live windows on the same 2 cores, dispatch lagged and
 * bunched, the recorded kinematics of a live session drifted from the same persona's calm enrolment
 * recordings, and a genuine live session could drift to "mismatch" (a CI run). Dispatch still waits in
 * real time, so the app sees the events arrive as a person would send them.
 */
export async function drive(page: Page, persona: HumanPersona, seed: number, reaches: number, box: Box = PAD_BOX, maxWaitMs = MAX_WAIT_MS): Promise<void> {
  const steps = humanSteps(persona, { width: box.width, height: box.height }, { seed, reaches });
  const cdp = await page.context().newCDPSession(page);
  const startWall = Date.now(), startPerf = performance.now();
  let plannedMs = 0;
  let pressed = false;
  // Sends are pipelined (one CDP session keeps their order): awaiting each round trip (~7 ms here) let
  // the driver fall seconds behind a persona that samples every ~8 ms, and events stamped seconds in the
  // past look, to the live window cutter, like a pause. The driver waits for its sends before sleeping.
  let inFlight: Promise<unknown>[] = [];
  const send = (params: Record<string, unknown>) => { inFlight.push(cdp.send('Input.dispatchMouseEvent', params as never)); };
  try {
    for (const s of steps) {
      plannedMs += Math.min(s.dtMs, maxWaitMs);
      if (startPerf + plannedMs - performance.now() > 1 || inFlight.length >= 64) {
        await Promise.all(inFlight);
        inFlight = [];
      }
      const wait = startPerf + plannedMs - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const x = box.x + s.x, y = box.y + s.y;
      const timestamp = (startWall + plannedMs) / 1000; // CDP: seconds since the epoch
      // Every step moves there (with the buttons held so far); a press or release follows at the same point.
      send({ type: 'mouseMoved', x, y, timestamp, button: pressed ? 'left' : 'none', buttons: pressed ? 1 : 0 });
      if (s.action !== 'move') {
        pressed = s.action === 'down';
        send({ type: pressed ? 'mousePressed' : 'mouseReleased', x, y, timestamp, button: 'left', buttons: pressed ? 1 : 0, clickCount: 1 });
      }
    }
    await Promise.all(inFlight);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

type LiveModule = typeof import('../../src/app/learn/liveScorer.svelte');

/** The live scorer's state as the app holds it (exact fused score; the gauge rounds to whole %). */
export async function readLive(page: Page) {
  return page.evaluate(async () => {
    const [lu, cu] = ['/src/app/learn/liveScorer.svelte.ts', '/src/app/capture/captureController.svelte.ts'];
    const { liveScorer } = (await import(/* @vite-ignore */ lu)) as LiveModule;
    const { capture } = (await import(/* @vite-ignore */ cu)) as CaptureModule;
    const last = liveScorer.history.at(-1);
    return {
      session: capture.meta?.id ?? null, lastScoredSession: last?.sessionId ?? null,
      fused: liveScorer.fused.fusedScore, confidence: liveScorer.fused.confidence, windows: liveScorer.fused.windowsSeen,
      verdict: liveScorer.fused.verdict, decidedAt: liveScorer.fused.decidedAt, evidence: liveScorer.fused.sumLlr,
      upper: liveScorer.fused.upper, lower: liveScorer.fused.lower, windowScores: liveScorer.history.filter((h) => h.sessionId === last?.sessionId).map((h) => +h.windowScore.toFixed(3)),
    };
  });
}

/**
 * Score one fresh live session of a persona against the enrolled profile through the Live score view:
 * start, drive the mouse, wait until every completed window of *this* session is scored, stop.
 */
export async function liveSession(page: Page, who: 'alice' | 'bob', seed: number, reaches: number, maxWaitMs = MAX_WAIT_MS) {
  await page.getByTestId('score-start').click();
  await expect(page.getByTestId('score-stop')).toBeVisible();
  await addPad(page);
  await drive(page, PERSONAS[who], seed, reaches, PAD_BOX, maxWaitMs);
  await removePad(page);
  // Windows are scored one by one in the worker: wait until this session's count stops growing.
  let prev = -1;
  await expect.poll(async () => {
    const r = await readLive(page);
    const n = r.session && r.lastScoredSession === r.session ? r.windows : 0;
    const settled = n > 2 && n === prev;
    prev = n;
    return settled;
  }, { timeout: 60_000, intervals: [1000] }).toBe(true);
  const r = await readLive(page);
  // The gauge shows the same fused score the scorer holds.
  await expect(page.getByTestId('score-fused')).toContainText(`${(r.fused * 100).toFixed(0)} %`);
  await expect(page.getByTestId('score-decision')).toHaveAttribute('data-verdict', r.verdict);
  await expect(page.getByTestId('score-windows')).toHaveText(String(r.windows));
  const shown = { fused: (await page.getByTestId('score-fused').textContent())?.trim(), decision: (await page.getByTestId('score-decision').textContent())?.trim() };
  await page.getByTestId('score-stop').click();
  await expect(page.getByTestId('score-start')).toBeVisible();
  console.log(`live ${who} session vs the profile: verdict ${r.verdict} after ${r.decidedAt} of ${r.windows} windows (UI "${shown.decision}"), evidence ${r.evidence.toFixed(2)} (bounds ${r.lower.toFixed(2)} / ${r.upper.toFixed(2)}), fused ${r.fused.toFixed(3)}; window scores ${JSON.stringify(r.windowScores)}`);
  return r;
}
