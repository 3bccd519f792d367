/**
 * Fidelity of the local Splunk peer, checked with Splunk's own JavaScript clients as independent
 * peers: splunk-logging (HEC sender) and splunk-sdk (REST: login, server info, search jobs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startSplunkLocal, DEV_HEC_TOKEN, DEV_ACK_TOKEN, type SplunkLocal } from '../../../server/splunk-local';

const require = createRequire(import.meta.url);
// Official clients are CommonJS without types; their surface used here is typed locally.
type LoggerCb = (err: Error | null, resp: unknown, body: { text?: string; code?: number } | undefined) => void;
interface SplunkLoggerT {
  send(ctx: { message: unknown; metadata?: Record<string, string> }, cb?: LoggerCb): void;
  flush(cb?: LoggerCb): void;
  error: (err: Error, ctx: unknown) => void;
}
const SplunkLogger = require('splunk-logging').Logger as new (cfg: Record<string, unknown>) => SplunkLoggerT;
const splunkjs = require('splunk-sdk') as {
  Service: new (p: Record<string, unknown>) => {
    login(): Promise<unknown>;
    oneshotSearch(q: string, p: Record<string, unknown>): Promise<{ fields: string[]; rows: unknown[][] }>;
    search(q: string, p: Record<string, unknown>): Promise<{ sid: string; fetch(): Promise<{ properties(): Record<string, unknown> }>; results(p: Record<string, unknown>): Promise<[{ fields: string[]; rows: unknown[][] }, unknown]> }>;
    version: string;
  };
};

let peer: SplunkLocal;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pp-splunk-'));
  peer = await startSplunkLocal({ port: 0, dataDir });
});
afterAll(async () => { await peer?.close(); });

function send(logger: SplunkLoggerT, message: unknown, metadata?: Record<string, string>): Promise<{ text?: string; code?: number }> {
  return new Promise((resolve, reject) => {
    logger.error = (err) => reject(err);
    logger.send(metadata ? { message, metadata } : { message }, (err, _resp, body) => (err ? reject(err) : resolve(body ?? {})));
  });
}

describe('splunk-logging → local peer (HEC)', () => {
  it('sends single events successfully, with metadata and string time', async () => {
    const logger = new SplunkLogger({ token: DEV_HEC_TOKEN, url: peer.url, maxBatchCount: 1 });
    const body = await send(logger, { hello: 'world', n: 1 }, { sourcetype: 'pp:test', index: 'main', host: 'h1', source: 's1' });
    expect(body).toEqual({ text: 'Success', code: 0 });
    const ev = peer.events().find((e) => e.sourcetype === 'pp:test')!;
    expect(ev.index).toBe('main');
    expect(ev.host).toBe('h1');
    expect(JSON.parse(ev.raw)).toMatchObject({ message: { hello: 'world', n: 1 }, severity: 'info' });
    expect(Math.abs(ev.timeMs - Date.now())).toBeLessThan(60_000);
  });

  it('sends a batch of concatenated events in one request', async () => {
    const logger = new SplunkLogger({ token: DEV_HEC_TOKEN, url: peer.url, maxBatchCount: 0, maxBatchSize: 0, batchInterval: 0 });
    const before = peer.events().length;
    await new Promise<void>((resolve, reject) => {
      logger.error = (err) => reject(err);
      for (let i = 0; i < 5; i++) logger.send({ message: { i }, metadata: { sourcetype: 'pp:batch' } });
      logger.flush((err, _r, body) => (err ? reject(err) : body?.code === 0 ? resolve() : reject(new Error(JSON.stringify(body)))));
    });
    expect(peer.events().length - before).toBe(5);
  });

  it('reports the documented error for an invalid token', async () => {
    const logger = new SplunkLogger({ token: 'not-a-token', url: peer.url, maxBatchCount: 1 });
    const err = await send(logger, 'x').catch((e: Error & { code?: number }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('Invalid token');
    expect((err as Error & { code?: number }).code).toBe(4);
  });

  it('persists accepted events to disk, and a restarted peer serves them', async () => {
    const lines = readFileSync(join(dataDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(peer.events().length);
    const again = await startSplunkLocal({ port: 0, dataDir });
    try {
      expect(again.events().length).toBe(peer.events().length);
      const r = await fetch(`${again.url}/services/search/jobs/export`, { method: 'POST', headers: { Authorization: 'Bearer pp-dev-search-token' }, body: new URLSearchParams({ search: 'search index=pointerprint sourcetype="pp:batch"', output_mode: 'json', earliest_time: '0' }) });
      const rows = (await r.text()).trim().split('\n').map((l) => JSON.parse(l) as { result: { _raw: string }; lastrow?: boolean });
      expect(rows).toHaveLength(5);
      expect(rows.at(-1)!.lastrow).toBe(true);
    } finally { await again.close(); }
  });

  it('indexer acknowledgement: channel required, ack ids confirmed once', async () => {
    const url = `${peer.url}/services/collector/event`;
    const r1 = await fetch(url, { method: 'POST', headers: { Authorization: `Splunk ${DEV_ACK_TOKEN}` }, body: '{"event":"a"}' });
    expect(r1.status).toBe(400);
    expect(await r1.json()).toEqual({ text: 'Data channel is missing', code: 10 });
    const channel = '3a8d2f1c-9b1e-4c7a-8f00-1234567890ab';
    const r2 = await fetch(url, { method: 'POST', headers: { Authorization: `Splunk ${DEV_ACK_TOKEN}`, 'X-Splunk-Request-Channel': channel }, body: '{"event":"a"}' });
    expect(await r2.json()).toEqual({ text: 'Success', code: 0, ackId: 0 });
    const ack = (ids: number[]) => fetch(`${peer.url}/services/collector/ack`, { method: 'POST', headers: { Authorization: `Splunk ${DEV_ACK_TOKEN}`, 'X-Splunk-Request-Channel': channel }, body: JSON.stringify({ acks: ids }) }).then((r) => r.json());
    expect(await ack([0, 5])).toEqual({ acks: { '0': true, '5': false } });
    expect(await ack([0])).toEqual({ acks: { '0': false } });
  });
});

describe('splunk-sdk → local peer (REST search)', () => {
  const svc = () => new splunkjs.Service({ scheme: 'http', host: '127.0.0.1', port: peer.port, username: 'admin', password: 'changeme' });

  it('logs in and runs a oneshot search (json_rows)', async () => {
    const service = svc();
    await service.login();
    expect(service.version).toBe('9.3.0');
    const res = await service.oneshotSearch('search index=pointerprint sourcetype="pp:batch" | head 3 | fields message.i', { earliest_time: '0' });
    expect(res.fields).toContain('message.i');
    expect(res.rows).toHaveLength(3);
    const iCol = res.fields.indexOf('message.i');
    expect(res.rows.map((r) => r[iCol])).toEqual(['4', '3', '2']);
  });

  it('creates a search job, reads its state and results', async () => {
    const service = svc();
    await service.login();
    const job = await service.search('search index=pointerprint sourcetype="pp:batch" | sort message.i', { earliest_time: '0', exec_mode: 'blocking' });
    expect(job.sid).toBeTruthy();
    const fetched = await job.fetch();
    expect(fetched.properties().isDone).toBe(true);
    const [results] = await job.results({ count: 0, output_mode: 'json_rows' });
    const iCol = results.fields.indexOf('message.i');
    expect(results.rows.map((r) => r[iCol])).toEqual(['0', '1', '2', '3', '4']);
  });

  it('rejects a wrong password like Splunk (401)', async () => {
    const service = new splunkjs.Service({ scheme: 'http', host: '127.0.0.1', port: peer.port, username: 'admin', password: 'wrong' });
    const err = (await service.login().catch((e: unknown) => e)) as { status?: number };
    expect(err.status).toBe(401);
  });
});
