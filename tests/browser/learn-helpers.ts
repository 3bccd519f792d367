/**
 * Helpers shared by the learning browser tests: a page that Vite's HMR cannot reload, the small
 * capture settings the tests train with, recording under a profile, driving the real mouse through a
 * simulator persona, and watching the page's console.
 */
import type { Page } from '@playwright/test';
import { humanSteps, type HumanPersona } from '../../src/core/simulate';

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

type CaptureModule = typeof import('../../src/ui/capture/captureStore.svelte');

/** Small windows and images so training fits CI on 2 cores: 80 events per window, 32 px. */
export async function configureCapture(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const u = '/src/ui/capture/captureStore.svelte.ts';
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
    const u = '/src/ui/capture/captureStore.svelte.ts';
    const { capture } = (await import(/* @vite-ignore */ u)) as CaptureModule;
    capture.profileId = pid;
    capture.start();
  }, profileId);
}

export async function stopCapture(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const u = '/src/ui/capture/captureStore.svelte.ts';
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

/** Drive the real mouse through a persona's movement inside a blank box of the page, in real time. */
export async function drive(page: Page, persona: HumanPersona, seed: number, reaches: number, box: Box = PAD_BOX): Promise<void> {
  const steps = humanSteps(persona, { width: box.width, height: box.height }, { seed, reaches });
  let due = performance.now();
  for (const s of steps) {
    due += Math.min(s.dtMs, MAX_WAIT_MS);
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const x = box.x + s.x, y = box.y + s.y;
    if (s.action === 'move') await page.mouse.move(x, y);
    else if (s.action === 'down') { await page.mouse.move(x, y); await page.mouse.down(); }
    else { await page.mouse.move(x, y); await page.mouse.up(); }
  }
}
