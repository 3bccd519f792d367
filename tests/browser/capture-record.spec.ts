import { test, expect } from '@playwright/test';
import { optInAndStart, readDb, sessionEvents, stopRecording } from './capture-helpers';

// Event kinds (src/core/events.ts), repeated here so a renumbering there fails this test loudly.
const K = { Move: 0, Down: 1, Up: 2, Wheel: 3, Scroll: 4, Resize: 5, Hidden: 6, Visible: 7, Blur: 8, Focus: 9, Idle: 10 };

test('nothing is recorded before opt-in; schema v1 has every store', async ({ page }) => {
  await page.goto('/#capture');
  await expect(page.getByTestId('capture-optin')).toBeVisible();
  await expect(page.getByTestId('capture-consent-give')).toBeDisabled();
  await page.mouse.move(100, 100);
  await page.mouse.move(600, 400, { steps: 20 });
  await page.mouse.click(600, 400);
  await page.waitForTimeout(1500);
  const db = await readDb(page);
  expect(db.version).toBe(1);
  expect(db.storeNames.sort()).toEqual(['chunks', 'hecQueue', 'kv', 'models', 'profiles', 'sessions']);
  expect(db.sessions).toEqual([]);
  expect(db.chunks).toEqual([]);
  await expect(page.getByTestId('global-recording-indicator')).toHaveCount(0);
});

test('real mouse moves, clicks, drags, wheel and markers reach IndexedDB', async ({ page }) => {
  await optInAndStart(page);
  await expect(page.getByTestId('global-recording-indicator')).toBeVisible();

  // Moves: 60 steps, each one CDP mouse event.
  await page.mouse.move(200, 300);
  await page.mouse.move(700, 320, { steps: 60 });
  // Left click, right click.
  await page.mouse.click(700, 320);
  await page.mouse.click(720, 330, { button: 'right' });
  // Drag with the left button held.
  await page.mouse.move(300, 500);
  await page.mouse.down();
  await page.mouse.move(600, 520, { steps: 30 });
  await page.mouse.up();
  // Wheel over the page (scrolls the document: a Scroll marker with the new offset).
  await page.mouse.move(640, 300);
  await page.mouse.wheel(0, 240);
  await page.waitForTimeout(300);
  // Blur / focus / hidden markers: dispatched as the browser would (headless has no real tab switch).
  await page.evaluate(() => {
    window.dispatchEvent(new FocusEvent('blur'));
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new FocusEvent('focus'));
  });
  // An idle gap longer than the 3 s threshold, then one more move.
  await page.waitForTimeout(3300);
  await page.mouse.move(650, 310, { steps: 3 });
  await stopRecording(page);

  const db = await readDb(page);
  expect(db.sessions).toHaveLength(1);
  const meta = db.sessions[0];
  expect(meta.source).toBe('capture');
  expect(meta.profileId).toBe('me');
  expect(meta.space).toEqual({ width: 1280, height: 900 });
  expect(meta.viewport).toEqual({ width: 1280, height: 900 });
  expect(meta.screen!.width).toBeGreaterThan(0);
  expect(meta.page!.height).toBeGreaterThan(0);
  expect(meta.devicePixelRatio).toBe(1);

  const ev = sessionEvents(db.chunks, meta.id);
  expect(ev.chunks[0].types.tMs).toBe('Float64Array');
  expect(ev.chunks[0].types.kind).toBe('Uint8Array');
  expect(meta.eventCount).toBe(ev.kind.length);
  // One monotonic clock, relative to the session start.
  for (let i = 1; i < ev.tMs.length; i++) expect(ev.tMs[i]).toBeGreaterThanOrEqual(ev.tMs[i - 1]);
  expect(ev.tMs[0]).toBeGreaterThanOrEqual(0);
  expect(meta.durationMs).toBeCloseTo(ev.tMs[ev.tMs.length - 1], 3);

  const count = (k: number) => ev.kind.filter((x) => x === k).length;
  // Every dispatched move sample is there (1 + 60 + 2 + 30 + 1 + 3 at least).
  expect(count(K.Move)).toBeGreaterThanOrEqual(97);
  // Mouse pointer type recorded.
  const moveIdx = ev.kind.map((k, i) => (k === K.Move ? i : -1)).filter((i) => i >= 0);
  expect(moveIdx.every((i) => ev.pointerKind[i] === 1)).toBe(true);

  // Buttons: left down/up, right down/up, drag down/up.
  const downs = ev.kind.map((k, i) => (k === K.Down ? ev.button[i] : null)).filter((b) => b !== null);
  const ups = ev.kind.map((k, i) => (k === K.Up ? ev.button[i] : null)).filter((b) => b !== null);
  // (The last down/up is the click on Stop itself: the recorder sees it before it stops.)
  expect(downs.slice(0, 3)).toEqual([0, 2, 0]);
  expect(ups.slice(0, 3)).toEqual([0, 2, 0]);
  expect(downs.length).toBeLessThanOrEqual(4);
  const firstDown = ev.kind.indexOf(K.Down);
  expect(ev.x[firstDown]).toBe(700);
  expect(ev.y[firstDown]).toBe(320);

  // Drag: the moves between the third down and its up have the left button held.
  const dragDown = ev.kind.map((k, i) => (k === K.Down ? i : -1)).filter((i) => i >= 0)[2];
  const dragUp = ev.kind.findIndex((k, i) => k === K.Up && i > dragDown);
  const dragMoves = moveIdx.filter((i) => i > dragDown && i < dragUp);
  expect(dragMoves.length).toBeGreaterThanOrEqual(30);
  expect(dragMoves.every((i) => ev.buttons[i] === 1)).toBe(true);
  // …and plain moves do not.
  expect(moveIdx.filter((i) => i < firstDown).every((i) => ev.buttons[i] === 0)).toBe(true);

  // Wheel, deltas in px.
  const w = ev.kind.indexOf(K.Wheel);
  expect(w).toBeGreaterThan(0);
  expect(ev.dy[w]).toBe(240);
  expect(ev.x[w]).toBe(640);

  // Markers: initial scroll offset, the document scroll caused by the wheel, blur/hidden/visible/focus, idle.
  const scrolls = ev.kind.map((k, i) => (k === K.Scroll ? ev.y[i] : null)).filter((v) => v !== null);
  expect(scrolls[0]).toBe(0);
  expect(Math.max(...(scrolls as number[]))).toBeGreaterThan(0);
  const order = ev.kind.filter((k) => k >= K.Hidden && k <= K.Focus);
  expect(order).toEqual([K.Blur, K.Hidden, K.Visible, K.Focus]);
  const idle = ev.kind.lastIndexOf(K.Idle);
  expect(idle).toBeGreaterThan(0);
  expect(ev.tMs[idle] - ev.tMs[idle - 1]).toBeGreaterThan(3000);
});

test('pause stops recording, resume marks the gap, and the UI counts events', async ({ page }) => {
  await optInAndStart(page);
  await page.mouse.move(100, 400);
  await page.mouse.move(500, 420, { steps: 20 });
  await page.getByTestId('capture-pause').click();
  await expect(page.getByTestId('recording-indicator')).toContainText('Paused');
  const before = Number(await page.getByTestId('count-events').textContent());
  // Moves while paused must not be recorded.
  await page.mouse.move(200, 600, { steps: 40 });
  await page.waitForTimeout(400);
  expect(Number(await page.getByTestId('count-events').textContent())).toBe(before);
  await page.getByTestId('capture-resume').click();
  await page.mouse.move(600, 400, { steps: 20 });
  await expect.poll(async () => Number(await page.getByTestId('count-events').textContent())).toBeGreaterThan(before + 15);
  await stopRecording(page);
  const db = await readDb(page);
  const ev = sessionEvents(db.chunks, db.sessions[0].id);
  // No sample from the paused path (y 420..600 while x went 500→200).
  const pausedSamples = ev.kind.filter((k, i) => k === K.Move && ev.y[i] > 430 && ev.x[i] < 490).length;
  expect(pausedSamples).toBe(0);
  expect(ev.kind).toContain(K.Idle);
});

test('coalesced samples: a burst of moves within one frame is recorded sample by sample', async ({ page }) => {
  await optInAndStart(page);
  // Fire input events without waiting for each to be handled, so Chromium coalesces them into fewer
  // pointermove events whose getCoalescedEvents() carry every sample.
  const cdp = await page.context().newCDPSession(page);
  const N = 400;
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    sends.push(cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 100 + i * 2, y: 300 + Math.round(40 * Math.sin(i / 20)), button: 'none' }));
  }
  await Promise.all(sends);
  await page.waitForTimeout(500);
  const dispatched = Number(await page.getByTestId('count-moves').textContent());
  const coalesced = Number(await page.getByTestId('count-coalesced').textContent());
  console.log(`coalescing: ${N} input samples → ${dispatched} recorded moves, ${coalesced} of them only via getCoalescedEvents()`);
  await stopRecording(page);
  const db = await readDb(page);
  const ev = sessionEvents(db.chunks, db.sessions[0].id);
  const moves = ev.kind.filter((k) => k === K.Move).length;
  // Every sample is kept, at full rate: not one per frame (the run above must actually coalesce).
  expect(moves).toBeGreaterThanOrEqual(N);
  expect(coalesced).toBeGreaterThan(0);
  expect(dispatched).toBeGreaterThanOrEqual(N);
  // The samples are the ones sent, in order.
  const xs = ev.x.filter((_, i) => ev.kind[i] === K.Move && ev.y[i] >= 260 && ev.y[i] <= 340 && ev.x[i] >= 100 && ev.x[i] % 2 === 0);
  expect(xs).toEqual(Array.from({ length: N }, (_, i) => 100 + i * 2));
});
