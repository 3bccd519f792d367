/**
 * The search round trip: pointer events go out over HEC, come back through the export endpoint
 * (streamed, parsed incrementally), and are saved as labelled sessions (source "splunk"). Plus the
 * search-side faults: truncated stream, slow stream with cancel, server down, bad token.
 */
import { test, expect, type Page } from '@playwright/test';
import { startPeer, openSplunkView, configure, sendSession, flush, DEV_HEC_TOKEN, DEV_SEARCH_TOKEN } from './splunk-helpers';

test.describe.configure({ mode: 'serial' });

async function storedSplunkSessions(page: Page): Promise<{ id: string; label?: string; eventCount: number; source: string }[]> {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const r = indexedDB.open('pointerprint');
    r.onerror = () => reject(r.error);
    r.onsuccess = () => {
      const tx = r.result.transaction('sessions', 'readonly');
      const all = tx.objectStore('sessions').getAll();
      all.onsuccess = () => { resolve((all.result as { id: string; source: string; label?: string; eventCount: number }[]).filter((s) => s.source === 'splunk')); r.result.close(); };
    };
  }));
}

test('round trip: send two labelled sessions, pull them back as a training set', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, sendRawEvents: true, batchMaxWaitMs: 100 });
    await sendSession(page, 'cust-1', 'alice', 'customer', 3, 500); // parts of at most 9000 bytes each
    await sendSession(page, 'other-1', 'bob', 'other', 2, 300);
    await flush(page);
    const samplesArrived = () => peer.events().reduce((n, e) => n + (JSON.parse(e.raw) as { length: number }).length, 0);
    await expect.poll(samplesArrived).toBe(1500 + 600);
    const parts = peer.events().length;
    expect(parts).toBeGreaterThan(3 + 2); // chunks were split by bytes

    await page.getByTestId('mgmt-url').fill(peer.url);
    await page.getByTestId('mgmt-token').fill(DEV_SEARCH_TOKEN);
    await page.getByTestId('test-connection').click();
    await expect(page.getByTestId('test-result')).toContainText('Search API: authenticated as token-user');
    await page.getByTestId('earliest').fill('-1h');
    await expect(page.getByTestId('built-spl')).toContainText('search index="pointerprint" sourcetype="pointerprint:pointer"');
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('session-count')).toHaveText('2');
    await expect(page.getByTestId('search-progress')).toContainText(`${parts} rows`);
    await expect(page.getByTestId('search-result')).toContainText('customer: 1');
    await expect(page.getByTestId('search-result')).toContainText('other: 1');
    const stored = await storedSplunkSessions(page);
    expect(stored.map((s) => [s.id, s.label, s.eventCount]).sort()).toEqual([['splunk:cust-1', 'customer', 1500], ['splunk:other-1', 'other', 600]]);

    // Only one profile, through raw SPL; duplicates from at-least-once delivery are folded.
    await page.getByTestId('mode-spl').check();
    await page.getByTestId('raw-spl').fill('index=pointerprint sourcetype="pointerprint:pointer" pp_profile=bob | fields _raw, pp_label');
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('session-count')).toHaveText('1');
  } finally {
    await peer.close();
  }
});

test('truncated export stream: an error in words, nothing saved', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, sendRawEvents: true, batchMaxWaitMs: 100, mgmtUrl: peer.url, mgmtToken: DEV_SEARCH_TOKEN });
    await sendSession(page, 'cut-1', 'alice', 'customer', 4, 200);
    await flush(page);
    await expect.poll(() => peer.events().length).toBe(4);
    peer.setFaults({ truncate: true });
    await page.getByTestId('earliest').fill('0');
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('search-error')).toContainText("Splunk's answer was cut off after 2 rows");
    expect(await storedSplunkSessions(page)).toEqual([]);
  } finally {
    await peer.close();
  }
});

test('slow export streams with progress and can be cancelled', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, sendRawEvents: true, batchMaxWaitMs: 100, batchMaxEvents: 200, mgmtUrl: peer.url, mgmtToken: DEV_SEARCH_TOKEN });
    await sendSession(page, 'long-1', 'alice', 'customer', 100, 50);
    await flush(page);
    await expect.poll(() => peer.events().length).toBe(100);
    peer.setFaults({ slowMs: 700 }); // 25 rows per 700 ms
    await page.getByTestId('earliest').fill('0');
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('search-progress')).toContainText(/^(25|50) rows/);
    await page.getByTestId('cancel-search').click();
    await expect(page.getByTestId('search-error')).toContainText('cancelled');
    expect(await storedSplunkSessions(page)).toEqual([]);
  } finally {
    await peer.close();
  }
});

test('search server down or bad token: errors in words', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { mgmtUrl: peer.url, mgmtToken: 'wrong' });
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('search-error')).toContainText('Splunk refused the search token (401');
    await configure(page, { mgmtToken: DEV_SEARCH_TOKEN });
    await page.getByTestId('mode-spl').check();
    await page.getByTestId('raw-spl').fill('index=pointerprint | frobnicate');
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('search-error')).toContainText("Unknown search command 'frobnicate'");
    peer.setFaults({ down: true });
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('search-error')).toContainText('Cannot reach Splunk');
  } finally {
    await peer.close();
  }
});

test('real capture path: the Recorder\'s chunks reach Splunk only after the raw-events opt-in, and come back intact', async ({ page }) => {
  const peer = await startPeer();
  try {
    await openSplunkView(page);
    await configure(page, { hecUrl: peer.url, hecToken: DEV_HEC_TOKEN, batchMaxWaitMs: 100, mgmtUrl: peer.url, mgmtToken: DEV_SEARCH_TOKEN });
    const record = (profileId: string) => page.evaluate(async (profileId) => {
      const { Recorder } = (await import('/src/capture/recorder.ts' as string)) as typeof import('../../src/capture/recorder');
      // The app's own forwarder instance (a dynamic import could get a second copy after HMR).
      const { attachRecorder, hecClient } = (globalThis as unknown as { __ppSplunk: typeof import('../../src/splunk/forwarder') }).__ppSplunk;
      const rec = new Recorder({ profileId, chunkEvents: 100, flushIntervalMs: 1e9, sink: { appendChunk: async () => {} } });
      const detach = attachRecorder(rec);
      const meta = rec.start();
      for (let i = 0; i < 250; i++) window.dispatchEvent(new PointerEvent('pointermove', { clientX: 100 + i, clientY: 200 + (i % 7), pointerType: 'mouse', button: -1 }));
      await rec.stop();
      detach();
      await hecClient().flush();
      return meta.id;
    }, profileId);
    await record('carol');
    await page.waitForTimeout(500);
    expect(peer.events()).toHaveLength(0); // not opted in: nothing left the page
    await configure(page, { sendRawEvents: true });
    const sid = await record('carol');
    await expect.poll(() => peer.events().filter((e) => e.fields.pp_session === sid).length).toBeGreaterThanOrEqual(1);
    await page.getByTestId('earliest').fill('0');
    await page.getByTestId('run-search').click();
    await expect(page.getByTestId('session-count')).toHaveText('1');
    const stored = await storedSplunkSessions(page);
    expect(stored).toHaveLength(1);
    expect(stored[0].id).toBe(`splunk:${sid}`);
    expect(stored[0].eventCount).toBeGreaterThanOrEqual(250);
  } finally {
    await peer.close();
  }
});
