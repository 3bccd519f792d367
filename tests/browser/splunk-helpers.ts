/**
 * Shared set-up for the Splunk browser tests: a local Splunk peer in the test process (random port),
 * and helpers that drive the app's forwarder through its dev-only test hook.
 */
import { expect, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSplunkLocal, type SplunkLocal, type SplunkLocalOptions } from '../../server/splunk-local';
import type { SplunkSettings } from '../../src/splunk/settings';

export { DEV_HEC_TOKEN, DEV_ACK_TOKEN, DEV_DISABLED_TOKEN, DEV_SEARCH_TOKEN } from '../../server/splunk-local';

/** The origin of the test pages (playwright.config.ts baseURL): the only origin the peer allows by default here. */
export const TEST_ORIGIN = `http://127.0.0.1:${Number(process.env.PP_TEST_PORT ?? 5179)}`;

export async function startPeer(opts: SplunkLocalOptions = {}): Promise<SplunkLocal & { dataDir: string }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pp-splunk-browser-'));
  const allowedOrigins = opts.allowedOrigins ?? (opts.corsOrigins ? undefined : [TEST_ORIGIN]);
  const peer = await startSplunkLocal({ port: 0, ...opts, allowedOrigins, dataDir });
  return Object.assign(peer, { dataDir });
}

/** Open the Splunk view with a fresh database and storage. */
export async function openSplunkView(page: Page): Promise<void> {
  await page.goto('/#splunk');
  await page.evaluate(async () => {
    localStorage.clear();
    sessionStorage.clear();
    await new Promise<void>((resolve) => {
      const r = indexedDB.deleteDatabase('pointerprint');
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    });
  });
  await page.reload();
  await expect(page.getByTestId('hec-state')).toBeVisible();
}

/** Apply settings through the forwarder (as the Save button does). */
export async function configure(page: Page, s: Partial<SplunkSettings>): Promise<void> {
  await page.evaluate((patch) => {
    const h = (globalThis as unknown as { __ppSplunk: { applySettings(s: unknown): void; currentSettings(): Record<string, unknown> } }).__ppSplunk;
    h.applySettings({ ...h.currentSettings(), rememberTokens: true, ...patch });
  }, s);
}

/** Queue `n` score events with ids `${prefix}-${i}`. */
export async function sendScores(page: Page, n: number, prefix = 'score'): Promise<void> {
  await page.evaluate(({ n, prefix }) => {
    const h = (globalThis as unknown as { __ppSplunk: { forwardScore(s: unknown): void } }).__ppSplunk;
    for (let i = 0; i < n; i++) {
      h.forwardScore({ id: `${prefix}-${i}`, sessionId: 'sess-1', profileId: 'alice', modelId: 'm1', windowIndex: i, windowScore: 0.8, fusedScore: 0.1 + (i % 9) / 10, confidence: 0.5, windowsSeen: i + 1, decision: 'match', flags: [], atEpochMs: Date.now() });
    }
  }, { n, prefix });
}

/** Queue captured chunks of a constructed session (raw events: needs sendRawEvents). */
export async function sendSession(page: Page, sessionId: string, profileId: string, label: string, chunks: number, perChunk: number): Promise<void> {
  await page.evaluate(({ sessionId, profileId, label, chunks, perChunk }) => {
    const h = (globalThis as unknown as { __ppSplunk: { forwardChunk(c: unknown, m: unknown): void } }).__ppSplunk;
    const meta = { id: sessionId, profileId, label, source: 'capture', startedAtEpochMs: Date.now() - 60_000, space: { width: 1280, height: 800 }, eventCount: 0, durationMs: 0 };
    for (let seq = 0; seq < chunks; seq++) {
      const n = perChunk;
      const tMs = new Float64Array(n), x = new Float32Array(n), y = new Float32Array(n);
      for (let i = 0; i < n; i++) { const k = seq * n + i; tMs[i] = k * 8; x[i] = 100 + Math.sin(k / 20) * 50; y[i] = 200 + k % 37; }
      h.forwardChunk({ sessionId, seq, length: n, tMs, kind: new Uint8Array(n), x, y, button: new Int8Array(n).fill(-1), buttons: new Uint8Array(n), pointerKind: new Uint8Array(n).fill(1), dx: new Float32Array(n), dy: new Float32Array(n) }, meta);
    }
  }, { sessionId, profileId, label, chunks, perChunk });
}

export async function flush(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { __ppSplunk: { hecClient(): { flush(): Promise<void> } } }).__ppSplunk.hecClient().flush());
}

export function eventRequests(peer: SplunkLocal): number {
  return peer.stats().byPath['/services/collector/event'] ?? 0;
}
