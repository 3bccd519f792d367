/**
 * Issue #10, items 2 and 3: opting out of raw events, deleting a profile or a session, and retention
 * remove the matching events from the HEC send queue — the gathering batch, the in-memory queue and
 * the durable store — and leave everything else (scores) to be sent.
 */
import { describe, expect, it } from 'vitest';
import { HecClient, type HecClientConfig } from '../../src/splunk/hecClient';
import {
  envelopesBefore, envelopesOfProfiles, envelopesOfSession, memoryHecQueue, purgeKind, purgeQueued,
  rawPointerEnvelopes, withoutEnvelopes, type QueuedBatch,
} from '../../src/store/hecQueue';
import { pointerEnvelopes, scoreEnvelope, serializeEnvelope, utf8Bytes, type HecEnvelope } from '../../src/core/splunk/hec';
import { columnsFromSamples, EventKind, PointerKind, type SessionMeta } from '../../src/core/events';
import type { LiveScore } from '../../src/core/score';

const cfg: HecClientConfig = {
  url: 'http://splunk.test:8088', token: 't', useAck: false, channel: '3a8d2f1c-9b1e-4c7a-8f00-1234567890ab',
  limits: { maxEvents: 3, maxBytes: 1_000_000, maxWaitMs: 60_000 }, backoff: { baseMs: 30, maxMs: 60, factor: 2 },
};

const meta = (id: string, profileId: string): SessionMeta => ({ id, profileId, source: 'capture', startedAtEpochMs: 1_764_000_000_000, space: { width: 800, height: 600 }, eventCount: 0, durationMs: 0 });
const chunk = (sessionId: string, seq: number) => ({
  ...columnsFromSamples([0, 1, 2].map((i) => ({ tMs: i * 10, kind: EventKind.Move, x: i, y: i, button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0 }))),
  sessionId, seq,
});
const raw = (sessionId: string, profileId: string, seq = 0): HecEnvelope => pointerEnvelopes(chunk(sessionId, seq), meta(sessionId, profileId), {})[0];
const score = (id: string, profileId: string, atEpochMs = 1_764_000_000_000): HecEnvelope => scoreEnvelope({
  id, sessionId: 's', profileId, modelId: 'm', windowIndex: 0, windowScore: 0.5, fusedScore: 0.5, confidence: 0, windowsSeen: 1, decision: 'not_yet', threshold: 0.5, targetFar: 0.05, targetFrr: 0.05, moreWindows: null, flags: [], atEpochMs,
} satisfies LiveScore, {});

const groupScore = (id: string, profileId: string): HecEnvelope => scoreEnvelope({
  id, sessionId: 's', profileId, modelId: 'm', windowIndex: 0, windowGroup: 'bots', windowProba: { bots: 0.9, humans: 0.1 }, notPeople: 0.99, notPeopleThreshold: 0.9,
  windowsSeen: 1, shares: { bots: 1, humans: 0 }, leadingGroup: 'bots', windowClockMs: null, clock: null, flags: [], atEpochMs: 1_764_000_000_000,
}, {});

function batchOf(id: string, envs: HecEnvelope[]): QueuedBatch {
  const lines = envs.map(serializeEnvelope);
  return {
    id, createdAtMs: 1, attempts: 0, body: lines.join('\n'), bytes: lines.reduce((n, l) => n + utf8Bytes(l), 0) + lines.length - 1,
    eventCount: lines.length, eventIds: envs.map((e) => (e.event as { eventId: string }).eventId),
  };
}
const sourcetypes = (b: { body: string }) => b.body.split('\n').map((l) => (JSON.parse(l) as HecEnvelope).sourcetype);

describe('withoutEnvelopes (pure)', () => {
  it('removes raw pointer lines, keeps scores, and recomputes body, bytes, count and ids', () => {
    const b = batchOf('b1', [raw('s1', 'alice'), score('sc1', 'alice'), raw('s1', 'alice', 1)]);
    const r = withoutEnvelopes(b, rawPointerEnvelopes);
    expect(r.removedIds).toEqual(['s1:0:0', 's1:1:0']);
    expect(r.batch).not.toBeNull();
    expect(sourcetypes(r.batch!)).toEqual(['pointerprint:score']);
    expect(r.batch!.eventIds).toEqual(['sc1']);
    expect(r.batch!.eventCount).toBe(1);
    expect(r.batch!.bytes).toBe(utf8Bytes(r.batch!.body));
  });
  it('a group model\'s scores are scores: the raw opt-out keeps them, a purge of scores and of their profile removes them', () => {
    const b = batchOf('bg', [raw('s1', 'alice'), groupScore('g1', 'group-humans-vs-bots')]);
    expect(withoutEnvelopes(b, rawPointerEnvelopes).removedIds).toEqual(['s1:0:0']);
    expect(withoutEnvelopes(b, { by: 'kind', kind: 'score' }).removedIds).toEqual(['g1']);
    expect(withoutEnvelopes(b, envelopesOfProfiles(['group-humans-vs-bots'])).removedIds).toEqual(['g1']);
  });

  it('returns the same batch when nothing matches and null when nothing is left', () => {
    const scores = batchOf('b2', [score('a', 'alice')]);
    expect(withoutEnvelopes(scores, rawPointerEnvelopes).batch).toBe(scores);
    expect(withoutEnvelopes(batchOf('b3', [raw('s', 'p')]), rawPointerEnvelopes).batch).toBeNull();
  });
  it('selects by profile (raw and scores), by session and by time', () => {
    const b = batchOf('b4', [raw('s1', 'alice'), raw('s2', 'verify-alice'), score('x', 'alice'), score('y', 'bob'), raw('s3', 'bob')]);
    expect(withoutEnvelopes(b, envelopesOfProfiles(['alice', 'verify-alice'])).removedIds).toEqual(['s1:0:0', 's2:0:0', 'x']);
    expect(withoutEnvelopes(b, envelopesOfSession('s3')).removedIds).toEqual(['s3:0:0']);
    const old = batchOf('b5', [score('old', 'a', 1_000), score('new', 'a', 2_000_000)]);
    expect(withoutEnvelopes(old, envelopesBefore(1_000_000)).removedIds).toEqual(['old']);
  });
  it('removes a line it cannot parse (a purge errs towards not sending)', () => {
    const b = { ...batchOf('b6', [score('a', 'alice')]), body: '{broken\n' + serializeEnvelope(score('a', 'alice')), eventIds: ['?', 'a'], eventCount: 2 };
    expect(withoutEnvelopes(b, rawPointerEnvelopes).removedIds).toEqual(['?']);
  });
});

describe('purging the durable store', () => {
  it('rewrites mixed batches and deletes raw-only ones', async () => {
    const store = memoryHecQueue();
    await store.put(batchOf('mixed', [raw('s1', 'alice'), score('sc', 'alice')]));
    await store.put(batchOf('rawonly', [raw('s2', 'alice')]));
    await store.put(batchOf('scores', [score('sc2', 'alice')]));
    const removed = await purgeKind('pointer', store);
    expect(removed.eventIds.sort()).toEqual(['s1:0:0', 's2:0:0']);
    const left = await store.list();
    expect(left.map((b) => b.id).sort()).toEqual(['mixed', 'scores']);
    expect(left.flatMap(sourcetypes)).toEqual(['pointerprint:score', 'pointerprint:score']);
    expect((await purgeQueued(rawPointerEnvelopes, store)).eventIds).toEqual([]);
  });
});

describe('HecClient.purgeEnvelopes', () => {
  it('removes raw events from the gathering batch, the queue and the store; scores are still sent', async () => {
    const bodies: string[] = [];
    let up = false;
    const fetchFn = (async (_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      return up ? new Response('{"text":"Success","code":0}', { status: 200 }) : new Response('{"text":"Server is busy","code":9}', { status: 503 });
    }) as unknown as typeof fetch;
    const store = memoryHecQueue();
    const c = new HecClient(cfg, { store, fetch: fetchFn, random: () => 0.5 });
    await c.start();
    // Three envelopes seal one batch (sent, refused busy, stays queued); two more keep gathering.
    c.enqueue([raw('s1', 'alice'), score('sc1', 'alice'), raw('s1', 'alice', 1)]);
    c.enqueue([raw('s1', 'alice', 2), score('sc2', 'alice')]);
    await new Promise((r) => setTimeout(r, 20));
    expect((await store.list()).flatMap(sourcetypes)).toContain('pointerprint:pointer');

    const removed = await c.purgeEnvelopes(rawPointerEnvelopes);
    expect(removed.eventIds.sort()).toEqual(['s1:0:0', 's1:1:0', 's1:2:0']);
    expect((await store.list()).flatMap(sourcetypes)).toEqual(['pointerprint:score']);
    expect(c.status().pendingEvents + c.status().gathering).toBe(2);

    up = true;
    const sentBefore = bodies.length;
    await c.flush();
    c.retryNow();
    const t0 = Date.now();
    while (c.status().sentEvents < 2 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    const sentAfterPurge = bodies.slice(sentBefore).flatMap((b) => sourcetypes({ body: b }));
    expect(sentAfterPurge.filter((s) => s === 'pointerprint:pointer')).toEqual([]);
    expect(c.status().sentEvents).toBe(2);
    expect(await store.list()).toEqual([]);
    c.stop();
  });

  it('does not write a purged batch back when its in-flight send must be retried', async () => {
    let release: (r: Response) => void = () => {};
    const fetchFn = (() => new Promise<Response>((res) => { release = res; })) as unknown as typeof fetch;
    const store = memoryHecQueue();
    const c = new HecClient(cfg, { store, fetch: fetchFn, random: () => 0.5 });
    await c.start();
    c.enqueue([raw('s1', 'alice'), raw('s1', 'alice', 1), raw('s1', 'alice', 2)]);
    const t0 = Date.now();
    while (c.status().state !== 'sending' && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    await c.purgeEnvelopes(rawPointerEnvelopes);
    expect(await store.list()).toEqual([]);
    release(new Response('{"text":"Server is busy","code":9}', { status: 503 }));
    await new Promise((r) => setTimeout(r, 30));
    expect(await store.list(), 'the retry path must not resurrect purged raw events').toEqual([]);
    c.stop();
  });
});

describe('one purge path for every rule, every tab', () => {
  const until = async (ok: () => boolean, ms = 3000) => {
    const t0 = Date.now();
    while (!ok()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('a rule is plain data: the purge crosses the BroadcastChannel to other tabs as is', async () => {
    const otherTab = new BroadcastChannel('pointerprint-hec-queue');
    const heard: unknown[] = [];
    otherTab.onmessage = (e: MessageEvent) => heard.push(e.data);
    try {
      await purgeQueued(envelopesOfProfiles(['alice', 'verify-alice']), memoryHecQueue());
      await until(() => heard.length > 0);
      expect(heard[0]).toEqual({ type: 'purge', rule: { by: 'profiles', profileIds: ['alice', 'verify-alice'] } });
    } finally {
      otherTab.close();
    }
  });

  it('a purge from another tab reaches this tab\'s client: gathering lines go, the in-flight send carrying them is aborted, the rest is sent', async () => {
    const bodies: string[] = [];
    let hang = true;
    const fetchFn = ((_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      if (!hang) return Promise.resolve(new Response('{"text":"Success","code":0}', { status: 200 }));
      hang = false;
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }) as unknown as typeof fetch;
    const store = memoryHecQueue();
    const c = new HecClient(cfg, { store, fetch: fetchFn, random: () => 0.5 });
    await c.start();
    c.enqueue([raw('s1', 'alice'), score('sc-bob', 'bob'), score('sc-alice', 'alice')]); // sealed, in flight (hanging)
    await until(() => bodies.length === 1);
    c.enqueue([raw('s2', 'bob'), score('sc-alice-2', 'alice')]); // gathering
    const otherTab = new BroadcastChannel('pointerprint-hec-queue');
    try {
      otherTab.postMessage({ type: 'purge', rule: envelopesOfProfiles(['alice']) });
      await until(() => c.status().gathering === 1 && c.status().sentEvents === 1); // the aborted batch, resent without alice's events
    } finally {
      otherTab.close();
    }
    await c.flush();
    await until(() => c.status().sentEvents === 2);
    const after = bodies.slice(1).join('\n');
    expect(after).not.toContain('"pp_profile":"alice"');
    expect(after).toContain('sc-bob');
    expect(after).toContain('s2:0:0');
    expect(await store.list()).toEqual([]);
    c.stop();
  });

  it('a split or drop of a batch a purge rewrote meanwhile does not bring the purged events back', async () => {
    const store = memoryHecQueue();
    const sent = batchOf('b', [raw('s1', 'alice'), score('sc1', 'alice'), score('sc2', 'bob')]);
    await store.put(sent);
    await purgeQueued(rawPointerEnvelopes, store);
    const halves = [{ ...sent, id: 'h1' }, { ...sent, id: 'h2' }];
    expect(await store.replace('b', halves, sent.body)).toBe(false);
    expect((await store.list()).map((b) => b.id)).toEqual(['b']);
    expect((await store.list()).flatMap(sourcetypes)).toEqual(['pointerprint:score', 'pointerprint:score']);
    const now = (await store.get('b'))!;
    expect(await store.replace('b', halves.map((h) => ({ ...h, body: now.body })), now.body)).toBe(true);
  });
});
