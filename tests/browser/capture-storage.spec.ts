import { test, expect } from '@playwright/test';
import { optInAndStart, readDb, sessionEvents, stopRecording } from './capture-helpers';

test('quota full: visible warning, events kept in memory, saved after recovery', async ({ page }) => {
  await optInAndStart(page);
  await page.mouse.move(100, 300);
  await page.mouse.move(400, 300, { steps: 20 });
  await expect.poll(async () => Number(await page.getByTestId('count-saved').textContent())).toBeGreaterThan(0);

  // The disk "fills up": every IndexedDB put fails with the browser's quota error.
  await page.evaluate(() => {
    const w = window as unknown as { __realPut: typeof IDBObjectStore.prototype.put };
    w.__realPut = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await page.mouse.move(900, 500, { steps: 60 });
  await expect(page.getByTestId('capture-storage-warning')).toContainText('storage is full');
  await expect.poll(async () => Number(await page.getByTestId('count-pending').textContent())).toBeGreaterThan(40);
  // Capture kept going while saving failed.
  await expect.poll(async () => Number(await page.getByTestId('count-events').textContent())).toBeGreaterThan(80);

  // Space is freed: the retry saves the backlog; the warning goes away; nothing was lost.
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = (window as unknown as { __realPut: typeof IDBObjectStore.prototype.put }).__realPut;
  });
  // The user's "Retry now" or the recorder's own back-off retry saves the backlog, whichever comes first
  // (the automatic one can remove the button just before the click: that is a recovery, not a failure).
  await page.getByTestId('capture-retry').click({ timeout: 5_000 }).catch(async (e: unknown) => {
    if (await page.getByTestId('capture-storage-warning').count()) throw e;
  });
  await expect(page.getByTestId('capture-storage-warning')).toHaveCount(0);
  await stopRecording(page);
  const db = await readDb(page);
  const ev = sessionEvents(db.chunks, db.sessions[0].id);
  expect(ev.kind.length).toBe(db.sessions[0].eventCount);
  expect(ev.kind.filter((k) => k === 0).length).toBeGreaterThanOrEqual(1 + 20 + 60);
  // Chunks are contiguous: seq 0..n-1 with no gap.
  expect(ev.chunks.map((c) => c.seq)).toEqual(ev.chunks.map((_, i) => i));
});

test('past the in-memory bound the oldest unsaved chunks are dropped and counted, never silently', async ({ page }) => {
  await page.goto('/#sessions');
  const r = await page.evaluate(async () => {
    const { Recorder } = (await import('/src/capture/recorder.ts' as string)) as typeof import('../../src/capture/recorder');
    let fail = true;
    const saved: number[] = [];
    const rec = new Recorder({
      profileId: 't',
      chunkEvents: 100,
      maxPendingEvents: 250,
      flushIntervalMs: 1e9,
      sink: { appendChunk: async (c: { seq: number }) => { if (fail) throw new DOMException('full', 'QuotaExceededError'); saved.push(c.seq); } },
    });
    rec.start();
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < 100; i++) window.dispatchEvent(new PointerEvent('pointermove', { clientX: i, clientY: k, pointerType: 'mouse', button: -1 }));
      rec.flush();
      await new Promise((res) => setTimeout(res, 5));
    }
    const during = { ...rec.status };
    fail = false;
    rec.retryNow();
    await rec.stop();
    return { during, after: { ...rec.status }, saved, length: rec.length };
  });
  expect(r.during.state).toBe("retrying");
  expect(r.during.message).toContain('storage is full');
  expect(r.during.pendingEvents).toBeLessThanOrEqual(250 + 100);
  // 1001 events (a scroll marker + 1000 moves) in 10 chunks; at most ~3 chunks fit the bound.
  expect(r.after.lostEvents).toBeGreaterThanOrEqual(600);
  expect(r.after.savedEvents + r.after.lostEvents).toBe(r.length);
  expect(r.after.message).toContain('lost');
  // What is kept is the newest chunks, in order, up to the last one.
  expect(r.saved.length).toBeGreaterThanOrEqual(2);
  expect(r.saved).toEqual(r.saved.map((_, i) => 10 - r.saved.length + i));
});

test('a very long recording rolls over into a new session, so live memory stays bounded', async ({ page }) => {
  await page.goto('/#sessions');
  const r = await page.evaluate(async () => {
    const { Recorder } = (await import('/src/capture/recorder.ts' as string)) as typeof import('../../src/capture/recorder');
    const saved: Array<{ sessionId: string; seq: number; length: number; metaId: string }> = [];
    const rec = new Recorder({
      profileId: 't', maxLiveEvents: 300, progressIntervalMs: 20, flushIntervalMs: 20,
      sink: { appendChunk: async (c, m) => { saved.push({ sessionId: c.sessionId, seq: c.seq, length: c.length, metaId: m.id }); } },
    });
    const sessions: string[] = [rec.start().id];
    rec.onSession((m) => sessions.push(m.id));
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < 100; i++) window.dispatchEvent(new PointerEvent('pointermove', { clientX: i, clientY: k, pointerType: 'mouse', button: -1 }));
      await new Promise((res) => setTimeout(res, 60));
    }
    await rec.stop();
    return { sessions, saved, liveLength: rec.length };
  });
  expect(r.sessions.length).toBeGreaterThanOrEqual(3);
  expect(new Set(r.sessions).size).toBe(r.sessions.length);
  expect(r.liveLength).toBeLessThan(500);
  // Every chunk is saved with its own session's meta, and no event is lost across the roll-overs.
  expect(r.saved.every((c) => c.metaId === c.sessionId)).toBe(true);
  const total = r.saved.reduce((n, c) => n + c.length, 0);
  expect(total).toBe(1000 + r.sessions.length); // 1000 moves + one scroll marker per session
});
