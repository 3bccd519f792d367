/**
 * The embed's queue promises that are pure enough for Node: retention in the HEC client (events past
 * `maxAgeMs` are purged when they come up for sending, never sent), and queue notices on a channel of
 * their own (the embed's purges and the app's never cross).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HecClient, type HecClientConfig } from '../../src/splunk/hecClient';
import { allEnvelopes, memoryHecQueue, onHecQueueNotice, useHecQueueChannel, type HecQueueNotice, type QueuedBatch } from '../../src/store/hecQueue';
import { scoreEnvelope, serializeEnvelope, utf8Bytes, type HecEnvelope } from '../../src/core/splunk/hec';
import type { LiveScore } from '../../src/core/score';

const cfg: HecClientConfig = {
  url: 'http://splunk.test:8088', token: 't', useAck: false, channel: '3a8d2f1c-9b1e-4c7a-8f00-1234567890ab',
  limits: { maxEvents: 3, maxBytes: 1_000_000, maxWaitMs: 60_000 }, backoff: { baseMs: 30, maxMs: 60, factor: 2 },
};
const NOW = 1_764_000_000_000;
const DAY = 86_400_000;

const score = (id: string, atEpochMs: number): HecEnvelope => scoreEnvelope({
  id, sessionId: 's', profileId: 'p', modelId: 'm', windowIndex: 0, windowScore: 0.5, fusedScore: 0.5, confidence: 0, windowsSeen: 1, decision: 'not_yet', threshold: 0.5, targetFar: 0.05, targetFrr: 0.05, moreWindows: null, flags: [], atEpochMs,
} satisfies LiveScore, {});

function batchOf(id: string, createdAtMs: number, envs: HecEnvelope[]): QueuedBatch {
  const lines = envs.map(serializeEnvelope);
  return {
    id, createdAtMs, attempts: 0, body: lines.join('\n'), bytes: lines.reduce((n, l) => n + utf8Bytes(l), 0) + lines.length - 1,
    eventCount: lines.length, eventIds: envs.map((e) => (e.event as { eventId: string }).eventId),
  };
}
const sentIds = (bodies: string[]) => bodies.flatMap((b) => b.split('\n').map((l) => (JSON.parse(l) as { event: { eventId: string } }).event.eventId));

async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('retention in the HEC client (maxAgeMs)', () => {
  async function run(maxAgeMs: number | undefined): Promise<{ sent: string[]; left: string[] }> {
    const bodies: string[] = [];
    const fetchFn = (async (_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      return new Response('{"text":"Success","code":0}', { status: 200 });
    }) as unknown as typeof fetch;
    const store = memoryHecQueue();
    // Queued by an earlier page: one batch 3 days old, one mixed (an old and a recent event), one recent.
    await store.put(batchOf('old', NOW - 3 * DAY, [score('old-1', NOW - 3 * DAY), score('old-2', NOW - 3 * DAY)]));
    await store.put(batchOf('mixed', NOW - DAY / 2, [score('mixed-old', NOW - 2.5 * DAY), score('mixed-new', NOW - DAY / 2)]));
    await store.put(batchOf('new', NOW - 1000, [score('new-1', NOW - 1000)]));
    const c = new HecClient(cfg, { store, fetch: fetchFn, random: () => 0.5, now: () => NOW, maxAgeMs });
    await c.start();
    await until(async () => (await store.list()).length === 0);
    c.stop();
    return { sent: sentIds(bodies).sort(), left: (await store.list()).map((b) => b.id) };
  }

  it('sends nothing older than the limit, whole batches or single lines, and keeps nothing of it', async () => {
    const r = await run(2 * DAY);
    expect(r.sent).toEqual(['mixed-new', 'new-1']);
    expect(r.left).toEqual([]);
  });

  it('without a limit everything queued is sent (the control)', async () => {
    const r = await run(undefined);
    expect(r.sent).toEqual(['mixed-new', 'mixed-old', 'new-1', 'old-1', 'old-2']);
  });
});

describe('queue notice channel', () => {
  afterEach(() => useHecQueueChannel('pointerprint-hec-queue'));

  /** Notices heard in this module after `post` sent one on a raw channel named `name` (another tab). */
  async function heardFrom(name: string): Promise<HecQueueNotice[]> {
    const heard: HecQueueNotice[] = [];
    const off = onHecQueueNotice((n) => { heard.push(n); });
    const other = new BroadcastChannel(name);
    other.postMessage({ type: 'purge', rule: allEnvelopes } satisfies HecQueueNotice);
    await new Promise((r) => setTimeout(r, 100));
    other.close();
    off();
    return heard;
  }

  it('by default is the app\'s', async () => {
    expect(await heardFrom('pointerprint-hec-queue')).toEqual([{ type: 'purge', rule: allEnvelopes }]);
  });

  it('once named (the embed: after its database), hears its own name only, not the app\'s', async () => {
    useHecQueueChannel('pointerprint-embed-hec-queue');
    expect(await heardFrom('pointerprint-hec-queue')).toEqual([]);
    expect(await heardFrom('pointerprint-embed-hec-queue')).toEqual([{ type: 'purge', rule: allEnvelopes }]);
  });
});
