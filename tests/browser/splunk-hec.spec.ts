/**
 * HEC delivery from the browser to a local Splunk peer: batching, retry on busy, no retry on an
 * invalid token (shown in words with the HEC code), recovery of unsent events after a reload,
 * and fault injection (down, slow, busy, truncated responses).
 */
import { test, expect } from '@playwright/test';
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
