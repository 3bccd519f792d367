/**
 * The HEC client's delivery rules with a scripted server (fetch stub) and an in-memory queue:
 * drop only refused events (named or bisected), pause on config errors and on answers it cannot act on,
 * split on 413, retry with backoff, channel on code 10, patient acknowledgement.
 */
import { describe, expect, it } from 'vitest';
import { HecClient, type HecClientConfig } from '../../../src/splunk/hecClient';
import { memoryHecQueue, rawPointerEnvelopes } from '../../../src/store/hecQueue';
import type { HecEnvelope } from '../../../src/core/splunk/hec';
import { pointerEnvelopes } from '../../../src/core/splunk/hec';
import { meta, sampleChunk } from './fixtures';

const cfg: HecClientConfig = {
  url: 'http://splunk.test:8088', token: 't', useAck: false, channel: '3a8d2f1c-9b1e-4c7a-8f00-1234567890ab',
  limits: { maxEvents: 2, maxBytes: 100_000, maxWaitMs: 10 }, backoff: { baseMs: 20, maxMs: 40, factor: 2 },
};
const env = (id: string): HecEnvelope => ({ time: 1, sourcetype: 'x', event: { eventId: id } });

/** A fetch that answers from a script of [status, body] per event request, recording what it got. */
function scripted(answers: [number, unknown][]) {
  const calls: { url: string; body: string; headers: Record<string, string> }[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: String(init.body ?? ''), headers: init.headers as Record<string, string> });
    const [status, body] = answers.length > 1 ? answers.shift()! : answers[0];
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { calls, fetchFn };
}

const until = async (pred: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('HecClient delivery rules', () => {
  it('code 6 naming an event: drops only that event (counted, with its reason), resends the others', async () => {
    const { calls, fetchFn } = scripted([[400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 }], [200, { text: 'Success', code: 0 }]]);
    const store = memoryHecQueue();
    const c = new HecClient(cfg, { store, fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('b'), env('c'), env('d')]);
    await until(() => c.status().sentEvents === 3);
    const s = c.status();
    expect(s.droppedEvents).toBe(1);
    expect(s.drops).toHaveLength(1);
    expect(s.drops[0].eventIds).toEqual(['a']);
    expect(s.drops[0].reason).toContain('HEC code 6');
    expect(s.lastErrorCode).toBe('hec/invalid-data-format');
    expect(calls[1].body).not.toContain('"a"');
    expect(calls[1].body).toContain('"b"');
    expect(await store.list()).toHaveLength(0);
    c.stop();
  });

  it('code 6 without an event number: bisects, drops only the one bad event', async () => {
    const calls: string[] = [];
    const fetchFn = (async (_url: string, init: RequestInit) => {
      const body = String(init.body);
      calls.push(body);
      return body.includes('"bad"')
        ? new Response(JSON.stringify({ text: 'Invalid data format', code: 6 }), { status: 400 })
        : new Response(JSON.stringify({ text: 'Success', code: 0 }));
    }) as unknown as typeof fetch;
    const c = new HecClient({ ...cfg, limits: { ...cfg.limits, maxEvents: 4 } }, { store: memoryHecQueue(), fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('bad'), env('c'), env('d')]);
    await until(() => c.status().sentEvents === 3 && c.status().droppedEvents === 1);
    expect(c.status().drops[0].eventIds).toEqual(['bad']);
    expect(c.status().splits).toBe(2);
    c.stop();
  });

  it.each([
    [404, '<html>Not Found</html>'],
    [400, '<html><body>400 Bad Request (nginx)</body></html>'],
    [405, ''],
    [403, 'Forbidden'],
    [400, '{"text":"Invalid token","code":21}'],
    [400, '{"text":"Token disabled","code":22}'],
  ])('an answer it cannot act on (HTTP %i %s) pauses with words and keeps the whole queue', async (status, body) => {
    const { calls, fetchFn } = scripted([[status, body], [200, { text: 'Success', code: 0 }]]);
    const store = memoryHecQueue();
    const c = new HecClient({ ...cfg, limits: { ...cfg.limits, maxEvents: 1 } }, { store, fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('b'), env('c')]);
    await until(() => c.status().state === 'paused');
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toHaveLength(1); // nothing else tried: a wrong URL must not eat the queue
    expect(c.status().droppedEvents).toBe(0);
    expect(c.status().lastError).toMatch(/kept/);
    expect((await store.list()).map((b) => b.eventIds[0])).toEqual(['a', 'b', 'c']);
    c.retryNow();
    await until(() => c.status().sentEvents === 3);
    c.stop();
  });

  it('413: splits the batch until each part fits, nothing dropped', async () => {
    const limit = 60;
    const bodies: string[] = [];
    const fetchFn = (async (_url: string, init: RequestInit) => {
      const body = String(init.body);
      bodies.push(body);
      return body.length > limit ? new Response('<html>413 Request Entity Too Large</html>', { status: 413 }) : new Response(JSON.stringify({ text: 'Success', code: 0 }));
    }) as unknown as typeof fetch;
    const c = new HecClient({ ...cfg, limits: { ...cfg.limits, maxEvents: 4 } }, { store: memoryHecQueue(), fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('b'), env('c'), env('d')]);
    await until(() => c.status().sentEvents === 4);
    expect(c.status().droppedEvents).toBe(0);
    expect(c.status().splits).toBeGreaterThanOrEqual(1);
    c.stop();
  });

  it('413 on a single event: pauses with words, keeps it', async () => {
    const { fetchFn } = scripted([[413, '']]);
    const store = memoryHecQueue();
    const c = new HecClient({ ...cfg, limits: { ...cfg.limits, maxEvents: 1 } }, { store, fetch: fetchFn });
    await c.start();
    c.enqueue([env('a')]);
    await until(() => c.status().state === 'paused');
    expect(c.status().lastErrorCode).toBe('hec/too-large');
    expect(await store.list()).toHaveLength(1);
    c.stop();
  });

  it('pauses on an invalid token without retrying, keeps the batch, resumes on configure', async () => {
    const { calls, fetchFn } = scripted([[403, { text: 'Invalid token', code: 4 }], [200, { text: 'Success', code: 0 }]]);
    const store = memoryHecQueue();
    const c = new HecClient(cfg, { store, fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('b')]);
    await until(() => c.status().state === 'paused');
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toHaveLength(1);
    expect(await store.list()).toHaveLength(1);
    c.configure({ ...cfg, token: 'fixed' });
    await until(() => c.status().sentBatches === 1);
    expect(calls[1].headers.Authorization).toBe('Splunk fixed');
    c.stop();
  });

  it('retries busy with growing backoff, counting attempts on the stored batch', async () => {
    const { calls, fetchFn } = scripted([[503, { text: 'Server is busy', code: 9 }], [503, { text: 'Server is busy', code: 9 }], [200, { text: 'Success', code: 0 }]]);
    const store = memoryHecQueue();
    const t: number[] = [];
    const c = new HecClient(cfg, { store, fetch: ((...a: Parameters<typeof fetch>) => { t.push(Date.now()); return fetchFn(...a); }) as typeof fetch, random: () => 0.5 });
    await c.start();
    c.enqueue([env('a'), env('b')]);
    await until(() => c.status().sentBatches === 1);
    expect(calls).toHaveLength(3);
    expect(c.status().retries).toBe(2);
    // backoff 20 ms then 40 ms nominal, jitter 0.5 → 15 ms and 30 ms
    expect(t[1] - t[0]).toBeGreaterThanOrEqual(14);
    expect(t[2] - t[1]).toBeGreaterThanOrEqual(29);
    c.stop();
  });

  it('adds the request channel when Splunk says it is missing (code 10), then polls the ack on that channel', async () => {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      calls.push({ url, headers });
      if (url.includes('/ack')) return new Response(JSON.stringify({ acks: { '0': true } }));
      if (!headers['X-Splunk-Request-Channel']) return new Response(JSON.stringify({ text: 'Data channel is missing', code: 10 }), { status: 400 });
      return new Response(JSON.stringify({ text: 'Success', code: 0, ackId: 0 }));
    }) as unknown as typeof fetch;
    const c = new HecClient(cfg, { store: memoryHecQueue(), fetch: fetchFn, ackPollMs: { first: 5, max: 20 } });
    await c.start();
    c.enqueue([env('a'), env('b')]);
    await until(() => c.status().sentBatches === 1);
    expect(calls.map((x) => x.url.replace(cfg.url, ''))).toEqual(['/services/collector/event', '/services/collector/event', `/services/collector/ack?channel=${cfg.channel}`]);
    expect(calls[1].headers['X-Splunk-Request-Channel']).toBe(cfg.channel);
    c.stop();
  });

  /** A HEC whose acks come late: `true` only at the `ackAtPoll`-th poll; the clock moves 10 s per poll. */
  function slowAckServer(ackAtPoll: number) {
    let t = 1_000_000;
    let polls = 0;
    const events: string[] = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      if (url.includes('/ack')) {
        polls++;
        t += 10_000;
        return new Response(JSON.stringify({ acks: { [String(events.length - 1)]: polls >= ackAtPoll } }));
      }
      events.push(String(init.body));
      return new Response(JSON.stringify({ text: 'Success', code: 0, ackId: events.length - 1 }));
    }) as unknown as typeof fetch;
    return { fetchFn, events, now: () => t, polls: () => polls };
  }

  it('a slow acknowledgement (60 s) is waited for, not answered by a resend', async () => {
    const srv = slowAckServer(6);
    const c = new HecClient({ ...cfg, useAck: true }, { store: memoryHecQueue(), fetch: srv.fetchFn, now: srv.now, ackPollMs: { first: 2, max: 5 } });
    await c.start();
    c.enqueue([env('a'), env('b')]);
    await until(() => c.status().sentBatches === 1);
    expect(srv.events).toHaveLength(1); // no duplicate
    expect(srv.polls()).toBe(6);
    c.stop();
  });

  it('an acknowledgement that never comes: resent after the ack timeout, said in words', async () => {
    const srv = slowAckServer(Infinity);
    const c = new HecClient({ ...cfg, useAck: true }, { store: memoryHecQueue(), fetch: srv.fetchFn, now: srv.now, ackPollMs: { first: 2, max: 5 }, ackTimeoutMs: 30_000 });
    await c.start();
    c.enqueue([env('a'), env('b')]);
    await until(() => srv.events.length === 2);
    expect(srv.polls()).toBeGreaterThanOrEqual(3);
    expect(c.status().lastErrorCode).toBe('hec/ack-timeout');
    c.stop();
  });

  it('a batch waiting for its ack survives a reload: the next page polls the ack instead of resending', async () => {
    const store = memoryHecQueue();
    await store.put({ id: 'acked', createdAtMs: 1, body: '{"event":1}', bytes: 11, eventCount: 1, eventIds: ['x'], attempts: 1, ack: { id: 7, channel: 'ch-1', acceptedAtMs: Date.now() } });
    const urls: string[] = [];
    const fetchFn = (async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify(url.includes('/ack') ? { acks: { '7': true } } : { text: 'Success', code: 0 }));
    }) as unknown as typeof fetch;
    const c = new HecClient({ ...cfg, useAck: true }, { store, fetch: fetchFn, ackPollMs: { first: 2, max: 5 } });
    await c.start();
    await until(() => c.status().sentEvents === 1);
    expect(urls).toEqual([`${cfg.url}/services/collector/ack?channel=ch-1`]);
    expect(await store.list()).toHaveLength(0);
    c.stop();
  });

  it('a batch persisted by an earlier page is sent at start', async () => {
    const store = memoryHecQueue();
    await store.put({ id: 'old', createdAtMs: 1, body: '{"event":1}', bytes: 11, eventCount: 1, eventIds: ['x'], attempts: 3 });
    const { calls, fetchFn } = scripted([[200, { text: 'Success', code: 0 }]]);
    const c = new HecClient(cfg, { store, fetch: fetchFn });
    await c.start();
    await until(() => c.status().sentEvents === 1);
    expect(calls[0].body).toBe('{"event":1}');
    c.stop();
  });

  it('opting out of raw events: gathering and queued raw events are purged, a send carrying them is aborted, scores stay', async () => {
    const bodies: string[] = [];
    let hang = true;
    const fetchFn = ((_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      if (!hang) return Promise.resolve(new Response(JSON.stringify({ text: 'Success', code: 0 })));
      hang = false;
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }) as unknown as typeof fetch;
    const store = memoryHecQueue();
    const c = new HecClient({ ...cfg, limits: { ...cfg.limits, maxEvents: 3, maxWaitMs: 60_000 } }, { store, fetch: fetchFn });
    await c.start();
    const raw = pointerEnvelopes(sampleChunk('s1', 0, 10), meta, {});
    c.enqueue([env('score-1'), raw[0], env('score-2')]); // sealed and in flight (hanging)
    await until(() => bodies.length === 1);
    c.enqueue([{ ...raw[0], event: { ...raw[0].event, eventId: 's1:1:0' } }, env('score-3')]); // gathering
    const r = await c.purgeEnvelopes(rawPointerEnvelopes);
    expect(r.events).toBe(2); // one queued, one gathering
    await c.flush();
    await until(() => c.status().sentEvents === 3);
    const after = bodies.slice(1).join('\n');
    expect(after).not.toContain('pointerprint:pointer');
    for (const id of ['score-1', 'score-2', 'score-3']) expect(after).toContain(id);
    expect(await store.list()).toHaveLength(0);
    c.stop();
  });

  it('a queue store that fails: batches stay in memory, survive rereads of the queue, and are delivered', async () => {
    const store = memoryHecQueue();
    const broken = { ...store, put: async () => { throw new Error('QuotaExceededError'); } };
    const { calls, fetchFn } = scripted([[503, { text: 'Server is busy', code: 9 }], [200, { text: 'Success', code: 0 }]]);
    const c = new HecClient(cfg, { store: broken, fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('b')]);
    await until(() => c.status().state === 'waiting-retry');
    expect(c.status().lastError).toContain('Splunk is busy');
    c.retryNow(); // rereads the queue: the unsaved batch must not vanish
    await until(() => c.status().sentEvents === 2);
    expect(calls).toHaveLength(2);
    c.stop();
  });
});
