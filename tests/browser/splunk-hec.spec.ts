/**
 * HEC delivery from the browser to a local Splunk peer: batching, retry on busy, no retry on an
 * invalid token (shown in words with the HEC code), recovery of unsent events after a reload,
 * and fault injection (down, slow, busy, truncated responses).
 */
import { test, expect, type Page } from '@playwright/test';
import { startPeer, openSplunkView, configure, sendScores, sendSession, flush, eventRequests, DEV_HEC_TOKEN, DEV_ACK_TOKEN, DEV_DISABLED_TOKEN } from './splunk-helpers';

test.describe.configure({ mode: 'serial' });

test('batches by count, sends scores only (raw events need the opt-in), test connection in words', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    // Through the form, as a person would.
    await page.getByTestId('hec-url').fill(peer.url);
    await page.getByTestId('hec-token').fill(DEV_HEC_TOKEN);
    await page.getByTestId('test-connection').click();
    await expect(page.getByTestId('test-result')).toContainText('HEC health: healthy (code 17)');
    await expect(page.getByTestId('test-result')).toContainText('Token accepted (HEC code 5');
    expect(peer.events()).toHaveLength(0); // the token check indexes nothing
    // Testing does not save (issue #10): the person saves what worked.
    await page.getByTestId('save').click();

    await configure(page, { batchMaxEvents: 50, batchMaxWaitMs: 200 });
    const before = eventRequests(peer);
    await sendScores(page, 120);
    await sendSession(page, 'raw-1', 'alice', 'customer', 2, 100); // not opted in: dropped
    await expect.poll(() => peer.events().length).toBe(120);
    await expect(page.getByTestId('sent-events')).toHaveText('120');
    expect(eventRequests(peer) - before).toBe(3); // 50 + 50 + 20
    expect(new Set(peer.events().map((e) => e.sourcetype))).toEqual(new Set(['pointerprint:score']));
    const e0 = peer.events().find((e) => e.fields.pp_event_id === 'score-0')!;
    expect(e0.index).toBe('pointerprint');
    expect(JSON.parse(e0.raw)).toMatchObject({ type: 'score', profileId: 'alice' });

    await configure(page, { sendRawEvents: true });
    await sendSession(page, 'raw-2', 'alice', 'customer', 2, 100);
    await expect.poll(() => peer.events().filter((e) => e.sourcetype === 'pointerprint:pointer').length).toBe(2);
  } finally {
    await peer.close();
  }
});

test('retries on 503 Server is busy (code 9) with backoff, then delivers exactly once', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxWaitMs: 100 });
    peer.setFaults({ busy: 2 });
    await sendScores(page, 10);
    await expect(page.getByTestId('hec-error')).toContainText('Splunk is busy (HEC code 9)');
    await expect.poll(() => peer.events().length, { timeout: 20_000 }).toBe(10);
    await expect(page.getByTestId('retries')).toHaveText('2');
    expect(eventRequests(peer)).toBe(3);
    expect(new Set(peer.events().map((e) => e.fields.pp_event_id)).size).toBe(10);
  } finally {
    await peer.close();
  }
});

test('no retry on an invalid token: words with the HEC code; fixing the token delivers the kept batch', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: 'wrong-token', batchMaxWaitMs: 100 });
    await sendScores(page, 5);
    const err = page.getByTestId('hec-error');
    await expect(err).toContainText('Splunk does not know this HEC token');
    await expect(err).toContainText('HEC code 4: "Invalid token", HTTP 403');
    await expect(page.getByTestId('hec-state')).toHaveAttribute('data-state', 'paused');
    await page.waitForTimeout(3000);
    expect(eventRequests(peer)).toBe(1); // not retried
    await expect(page.getByTestId('pending-events')).toHaveText('5'); // kept, not lost
    await page.getByTestId('hec-token').fill(DEV_HEC_TOKEN);
    await page.getByTestId('save').click();
    await expect.poll(() => peer.events().length).toBe(5);
    await expect(page.getByTestId('pending-batches')).toHaveText('0');
  } finally {
    await peer.close();
  }
});

test('incorrect index (code 7) pauses with words; disabled token (code 1) too', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, index: 'nope', batchMaxWaitMs: 100 });
    await sendScores(page, 1);
    await expect(page.getByTestId('hec-error')).toContainText('HEC code 7: "Incorrect index"');
    await configure(page, { index: 'pointerprint', hecToken: DEV_DISABLED_TOKEN });
    await expect(page.getByTestId('hec-error')).toContainText('HEC code 1: "Token disabled"');
    expect(peer.events()).toHaveLength(0);
  } finally {
    await peer.close();
  }
});

test('unsent events survive a reload while the server is down, and are delivered after', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxEvents: 10, batchMaxWaitMs: 100 });
    peer.setFaults({ down: true });
    await sendScores(page, 30, 'reload');
    await flush(page);
    await expect(page.getByTestId('pending-events')).toHaveText('30');
    await expect(page.getByTestId('hec-error')).toContainText('Could not reach Splunk');
    await page.reload();
    // A new page: the queue comes back from IndexedDB.
    await expect(page.getByTestId('pending-batches')).toHaveText('3');
    await expect(page.getByTestId('pending-events')).toHaveText('30');
    expect(peer.events()).toHaveLength(0);
    peer.setFaults({ down: false });
    await page.getByTestId('retry-now').click();
    await expect.poll(() => peer.events().length).toBe(30);
    await expect(page.getByTestId('pending-batches')).toHaveText('0');
    expect(new Set(peer.events().map((e) => e.fields.pp_event_id)).size).toBe(30);
  } finally {
    await peer.close();
  }
});

test('server process stopped and restarted on the same port: queued events resume (online/backoff)', async ({ page }) => {
  let peer = await startPeer();
  const { port, dataDir } = peer;
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxWaitMs: 100 });
    await sendScores(page, 3, 'before');
    await expect.poll(() => peer.events().length).toBe(3);
    await peer.close();
    await sendScores(page, 4, 'during');
    await expect(page.getByTestId('hec-state')).toHaveAttribute('data-state', /waiting-retry|offline/);
    peer = await startPeer({ port, dataDir });
    expect(peer.events()).toHaveLength(3); // persisted across the restart
    await expect.poll(() => peer.events().length, { timeout: 30_000 }).toBe(7);
  } finally {
    await peer.close();
  }
});

test('slow server: requests take their time, nothing is lost or doubled', async ({ page }) => {
  const peer = await startPeer({ faults: { slowMs: 1500 } });
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxEvents: 5, batchMaxWaitMs: 100 });
    await sendScores(page, 10);
    await expect(page.getByTestId('hec-state')).toHaveAttribute('data-state', 'sending');
    await expect.poll(() => peer.events().length, { timeout: 20_000 }).toBe(10);
    expect(eventRequests(peer)).toBe(2);
  } finally {
    await peer.close();
  }
});

test('truncated HEC responses: resent (at-least-once), duplicates carry the same pp_event_id', async ({ page }) => {
  const peer = await startPeer({ faults: { truncate: true } });
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxWaitMs: 100 });
    await sendScores(page, 4, 'trunc');
    await expect(page.getByTestId('hec-error')).toContainText('truncated or unknown response');
    await expect.poll(() => peer.events().length).toBeGreaterThanOrEqual(8);
    peer.setFaults({ truncate: false });
    await page.getByTestId('retry-now').click();
    await expect(page.getByTestId('pending-batches')).toHaveText('0');
    const ids = peer.events().map((e) => e.fields.pp_event_id as string);
    expect(new Set(ids)).toEqual(new Set(['trunc-0', 'trunc-1', 'trunc-2', 'trunc-3']));
    expect(ids.length % 4).toBe(0);
  } finally {
    await peer.close();
  }
});

test('indexer acknowledgement: a token that requires it gets a request channel and ack polling', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    // Ack off in the settings: Splunk answers "Data channel is missing" (10), the client adds its channel.
    await configure(page, { hecUrl: peer.url, hecToken: DEV_ACK_TOKEN, useAck: false, batchMaxWaitMs: 100 });
    await sendScores(page, 3, 'ack');
    await expect.poll(() => peer.events().length).toBe(3);
    await expect(page.getByTestId('pending-batches')).toHaveText('0');
    expect(peer.stats().byPath['/services/collector/ack']).toBeGreaterThanOrEqual(1);
  } finally {
    await peer.close();
  }
});

test('page hide: gathering events are sealed and sent with keepalive as the page goes away', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxWaitMs: 600_000 });
    await sendScores(page, 5, 'hide');
    await expect(page.getByTestId('pending-events')).toHaveText('5'); // still gathering (10 min wait)
    expect(peer.events()).toHaveLength(0);
    await page.goto('about:blank'); // pagehide → keepalive flush
    await expect.poll(() => new Set(peer.events().map((e) => e.fields.pp_event_id)).size).toBe(5);
    // Back in the app: whatever the dying page could not confirm is resent (at-least-once), then the queue is empty.
    await page.goto('/#splunk');
    await expect(page.getByTestId('pending-batches')).toHaveText('0');
  } finally {
    await peer.close();
  }
});

test('a Splunk without CORS for this origin: test connection says so in words, events wait in the queue', async ({ page }) => {
  const peer = await startPeer({ corsOrigins: ['https://elsewhere.example'] });
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxWaitMs: 100 });
    await page.getByTestId('test-connection').click();
    await expect(page.getByTestId('test-result')).toContainText('CORS enabled for this origin');
    await sendScores(page, 2, 'cors');
    await expect(page.getByTestId('hec-error')).toContainText('CORS is not enabled');
    await expect(page.getByTestId('pending-events')).toHaveText('2');
  } finally {
    await peer.close();
  }
});

type ClientStatus = { sender: 'this-tab' | 'other-tab'; pendingEvents: number; sentEvents: number; state: string };
const hecStatus = (p: Page) => p.evaluate(() => (globalThis as unknown as { __ppSplunk: { hecClient(): { status(): ClientStatus } } }).__ppSplunk.hecClient().status());
const retryNow = (p: Page) => p.evaluate(() => (globalThis as unknown as { __ppSplunk: { hecClient(): { retryNow(): void } } }).__ppSplunk.hecClient().retryNow());

/**
 * Two tabs share one durable queue. Tab A queues while Splunk is down; tab B opens (and reads the
 * same queue) and queues too; when Splunk comes back only one tab sends: every event arrives once.
 * Then the sending tab closes with events still queued, and the other takes over and delivers them.
 */
async function twoTabs(page: Page, withoutWebLocks: boolean): Promise<void> {
  if (withoutWebLocks) await page.context().addInitScript(() => { Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true }); });
  const peer = await startPeer({ faults: { down: true } });
  try {
    await openSplunkView(page);
    expect(await page.evaluate(() => typeof (navigator as { locks?: unknown }).locks)).toBe(withoutWebLocks ? 'undefined' : 'object');
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxEvents: 5, batchMaxWaitMs: 100 });
    await sendScores(page, 20, 'tab-a');
    await flush(page);
    const b = await page.context().newPage();
    await b.goto('/#splunk');
    await expect(b.getByTestId('hec-state')).toBeVisible();
    await sendScores(b, 20, 'tab-b');
    await flush(b);
    // Exactly one sender, and both tabs see the whole shared queue.
    await expect.poll(async () => [(await hecStatus(page)).sender, (await hecStatus(b)).sender].sort().join(), { timeout: 20_000 }).toBe('other-tab,this-tab');
    await expect(page.getByTestId('pending-events')).toHaveText('40');
    await expect(b.getByTestId('pending-events')).toHaveText('40');
    const follower = (await hecStatus(page)).sender === 'other-tab' ? page : b;
    await expect(follower.getByTestId('hec-sender')).toContainText('Another Pointerprint tab sends');

    peer.setFaults({ down: false, slowMs: 300 }); // slow answers: a second sender would overlap
    await retryNow(page);
    await retryNow(b);
    await expect.poll(() => new Set(peer.events().map((e) => e.fields.pp_event_id)).size, { timeout: 30_000 }).toBe(40);
    await page.waitForTimeout(1500);
    expect(peer.events()).toHaveLength(40); // nothing sent twice
    expect(eventRequests(peer)).toBe(8); // 8 batches of 5, one request each
    await expect(page.getByTestId('pending-events')).toHaveText('0');
    await expect(b.getByTestId('pending-events')).toHaveText('0');

    // Hand-over: queue in both while Splunk is down, close the sender; the other delivers everything.
    peer.setFaults({ down: true, slowMs: 0 });
    await sendScores(page, 5, 'late-a');
    await sendScores(b, 5, 'late-b');
    await flush(page);
    await flush(b);
    const senderIsA = (await hecStatus(page)).sender === 'this-tab';
    const [sender, other] = senderIsA ? [page, b] : [b, page];
    await expect(other.getByTestId('pending-events')).toHaveText('10');
    await sender.close();
    peer.setFaults({ down: false });
    await expect.poll(async () => (await hecStatus(other)).sender, { timeout: 20_000 }).toBe('this-tab');
    await retryNow(other);
    await expect.poll(() => new Set(peer.events().map((e) => e.fields.pp_event_id)).size, { timeout: 30_000 }).toBe(50);
    await expect(other.getByTestId('pending-events')).toHaveText('0');
  } finally {
    await peer.close();
  }
}

test('two tabs: one sends the shared queue (Web Locks), the other hands its events over; nothing doubled or lost', async ({ page }) => {
  await twoTabs(page, false);
});

test('two tabs without the Web Locks API: the localStorage lease elects one sender', async ({ page }) => {
  await twoTabs(page, true);
});

test('opting out of raw events purges queued raw batches in every tab; scores stay and are delivered', async ({ page }) => {
  const peer = await startPeer({ faults: { down: true } });
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, sendRawEvents: true, batchMaxEvents: 50, batchMaxWaitMs: 100 });
    const b = await page.context().newPage();
    await b.goto('/#splunk');
    await expect(b.getByTestId('hec-state')).toBeVisible();
    await sendSession(page, 'raw-a', 'alice', 'customer', 2, 100);
    await sendScores(page, 3, 'keep-a');
    await sendSession(b, 'raw-b', 'alice', 'customer', 2, 100);
    await sendScores(b, 3, 'keep-b');
    await flush(page);
    await flush(b);
    await expect(page.getByTestId('pending-events')).toHaveText('10');
    const purged = await page.evaluate(async () => {
      const q = (await import('/src/store/hecQueue.ts' as string)) as typeof import('../../src/store/hecQueue');
      return q.purgeKind('pointer');
    });
    expect(purged.events).toBe(4);
    await expect(page.getByTestId('pending-events')).toHaveText('6');
    await expect(b.getByTestId('pending-events')).toHaveText('6');
    // The queue in IndexedDB holds no raw event any more.
    const stored = await b.evaluate(async () => {
      const q = (await import('/src/store/hecQueue.ts' as string)) as typeof import('../../src/store/hecQueue');
      return (await q.idbHecQueue.list()).map((x) => x.body).join('\n');
    });
    expect(stored).not.toContain('pointerprint:pointer');
    peer.setFaults({ down: false });
    await retryNow(page);
    await expect.poll(() => peer.events().length, { timeout: 30_000 }).toBe(6);
    expect(peer.events().every((e) => e.sourcetype === 'pointerprint:score')).toBe(true);
  } finally {
    await peer.close();
  }
});

test('a wrong HEC URL (the app\'s own web server, not Splunk) keeps every event and says so in words', async ({ page, baseURL }) => {
  await openSplunkView(page);
  await configure(page, { hecUrl: `${baseURL}/not-splunk`, hecToken: DEV_HEC_TOKEN, batchMaxEvents: 2, batchMaxWaitMs: 100 });
  await sendScores(page, 6, 'wrong-url');
  await flush(page);
  await expect(page.getByTestId('hec-error')).toBeVisible();
  await expect(page.getByTestId('hec-error')).toContainText(/kept|sent again/);
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('pending-events')).toHaveText('6');
  await expect(page.getByTestId('dropped')).toHaveText('0');
  const stored = await page.evaluate(async () => {
    const q = (await import('/src/store/hecQueue.ts' as string)) as typeof import('../../src/store/hecQueue');
    return (await q.idbHecQueue.list()).reduce((n, b) => n + b.eventCount, 0);
  });
  expect(stored).toBe(6);
});
