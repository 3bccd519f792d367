/**
 * The HEC client's delivery rules with a scripted server (fetch stub) and an in-memory queue:
 * drop-and-continue on bad data, pause on config errors, retry with backoff, channel on code 10.
 */
import { describe, expect, it } from 'vitest';
import { HecClient, type HecClientConfig } from '../../../src/splunk/hecClient';
import { memoryHecQueue } from '../../../src/store/hecQueue';
import type { HecEnvelope } from '../../../src/core/splunk/hec';

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
  it('drops a batch Splunk calls invalid data (code 6) and goes on with the next', async () => {
    const { calls, fetchFn } = scripted([[400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 }], [200, { text: 'Success', code: 0 }]]);
    const store = memoryHecQueue();
    const c = new HecClient(cfg, { store, fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('b'), env('c'), env('d')]);
    await until(() => c.status().sentBatches === 1);
    const s = c.status();
    expect(s.droppedBatches).toBe(1);
    expect(s.lastErrorCode).toBe('hec/invalid-data-format');
    expect(s.lastError).toContain('HEC code 6');
    expect(calls).toHaveLength(2);
    expect(await store.list()).toHaveLength(0);
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

  it('adds the request channel when Splunk says it is missing (code 10), then polls the ack', async () => {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      calls.push({ url, headers });
      if (url.endsWith('/ack')) return new Response(JSON.stringify({ acks: { '0': true } }));
      if (!headers['X-Splunk-Request-Channel']) return new Response(JSON.stringify({ text: 'Data channel is missing', code: 10 }), { status: 400 });
      return new Response(JSON.stringify({ text: 'Success', code: 0, ackId: 0 }));
    }) as unknown as typeof fetch;
    const c = new HecClient(cfg, { store: memoryHecQueue(), fetch: fetchFn });
    await c.start();
    c.enqueue([env('a'), env('b')]);
    await until(() => c.status().sentBatches === 1);
    expect(calls.map((x) => x.url.replace(cfg.url, ''))).toEqual(['/services/collector/event', '/services/collector/event', '/services/collector/ack']);
    expect(calls[1].headers['X-Splunk-Request-Channel']).toBe(cfg.channel);
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
});
