/**
 * The local Splunk peer is not open to any web page: admin needs its token, CORS only for
 * configured origins and headers, no private-network grant, bodies bounded and read only after
 * header authentication, no public credentials from the command line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startSplunkLocal, parseArgs, withCredentials, originAllowed, defaultAllowedOrigins,
  DEV_HEC_TOKEN, DEV_SEARCH_TOKEN, type SplunkLocal,
} from '../../../server/splunk-local';

let peer: SplunkLocal;
const APP = 'http://127.0.0.1:5173';
const EVIL = 'https://evil.example';

beforeAll(async () => { peer = await startSplunkLocal({ port: 0 }); });
afterAll(async () => { await peer?.close(); });

const hecEvent = (headers: Record<string, string> = {}) => fetch(`${peer.url}/services/collector/event`, {
  method: 'POST', headers: { Authorization: `Splunk ${DEV_HEC_TOKEN}`, ...headers }, body: '{"event":{"x":1},"sourcetype":"pp:sec"}',
});

describe('admin endpoints', () => {
  it('refuse requests without the admin token and leave the data alone', async () => {
    await hecEvent();
    const before = peer.events().length;
    expect((await fetch(`${peer.url}/__admin/events`)).status).toBe(401);
    expect((await fetch(`${peer.url}/__admin/reset`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${peer.url}/__admin/faults`, { method: 'POST', headers: { Authorization: 'Bearer wrong' }, body: '{"down":true}' })).status).toBe(401);
    expect(peer.events().length).toBe(before);
    expect(peer.faults().down).toBe(false);
  });

  it('answer with the token, validate fault patches, and never answer a web page', async () => {
    const auth = { Authorization: `Bearer ${peer.adminToken}` };
    const ev = await fetch(`${peer.url}/__admin/events?sourcetype=pp:sec`, { headers: auth });
    expect(ev.status).toBe(200);
    expect(((await ev.json()) as unknown[]).length).toBeGreaterThan(0);
    expect((await fetch(`${peer.url}/__admin/faults`, { method: 'POST', headers: auth, body: '{"busy":"x"}' })).status).toBe(400);
    expect((await fetch(`${peer.url}/__admin/faults`, { method: 'POST', headers: auth, body: '{"nope":1}' })).status).toBe(400);
    const page = await fetch(`${peer.url}/__admin/events`, { headers: { ...auth, Origin: APP } });
    expect(page.status).toBe(403);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${peer.url}/__admin/reset`, { method: 'OPTIONS', headers: { Origin: APP, 'Access-Control-Request-Method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('makes a fresh random admin token per peer unless one is given', async () => {
    const other = await startSplunkLocal({ port: 0 });
    try {
      expect(other.adminToken).not.toBe(peer.adminToken);
      expect(other.adminToken.length).toBeGreaterThanOrEqual(24);
    } finally { await other.close(); }
  });
});

describe('CORS', () => {
  it('gives a foreign origin no CORS headers (HEC, search, preflight) and no private-network grant', async () => {
    const r = await hecEvent({ Origin: EVIL });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    const s = await fetch(`${peer.url}/services/authentication/current-context?output_mode=json`, { headers: { Origin: EVIL, Authorization: `Bearer ${DEV_SEARCH_TOKEN}` } });
    expect(s.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${peer.url}/services/search/jobs/export`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization', 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-headers')).toBeNull();
    expect(pre.headers.get('access-control-allow-private-network')).toBeNull();
  });

  it('allows the app origins by default and grants only the configured headers', async () => {
    const pre = await fetch(`${peer.url}/services/collector/event`, {
      method: 'OPTIONS',
      headers: { Origin: APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, x-evil', 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
    expect(pre.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, X-Splunk-Request-Channel');
    expect(pre.headers.get('access-control-allow-private-network')).toBeNull();
    expect((await hecEvent({ Origin: APP })).headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('grants no headers when none are configured (splunkd default for crossOriginSharingHeaders)', async () => {
    const bare = await startSplunkLocal({ port: 0, allowedHeaders: [] });
    try {
      const pre = await fetch(`${bare.url}/services/collector/event`, { method: 'OPTIONS', headers: { Origin: APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } });
      expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
      expect(pre.headers.get('access-control-allow-headers')).toBeNull();
    } finally { await bare.close(); }
  });

  it('default origins are the dev, preview and test-server origins', () => {
    expect(defaultAllowedOrigins({ PP_TEST_PORT: '5184' })).toEqual([
      'http://127.0.0.1:5173', 'http://localhost:5173', 'http://127.0.0.1:4173', 'http://localhost:4173', 'http://127.0.0.1:5184', 'http://localhost:5184',
    ]);
    expect(defaultAllowedOrigins({})).toContain('http://127.0.0.1:5179');
  });

  it('matches origins like splunkd: wildcards, first match wins, ! excludes', () => {
    expect(originAllowed('http://127.0.0.1:9999', ['http://127.0.0.1:*'])).toBe(true);
    expect(originAllowed('https://127.0.0.1:9999', ['http://127.0.0.1:*'])).toBe(false);
    expect(originAllowed('https://evil.example.com', ['!*://evil.example.com', 'https://*.example.com'])).toBe(false);
    expect(originAllowed('https://app.example.com', ['!*://evil.example.com', 'https://*.example.com'])).toBe(true);
    expect(originAllowed('https://x.example', [])).toBe(false);
    expect(originAllowed('https://x.example', ['*'])).toBe(true);
  });

  it('ignores a session cookie on a request from a foreign page', async () => {
    const login = await fetch(`${peer.url}/services/auth/login`, { method: 'POST', body: new URLSearchParams({ username: 'admin', password: 'changeme', cookie: '1', output_mode: 'json' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect(login.headers.get('set-cookie')).toContain('SameSite=Strict');
    const own = await fetch(`${peer.url}/services/authentication/current-context?output_mode=json`, { headers: { Cookie: cookie } });
    expect(own.status).toBe(200);
    const foreign = await fetch(`${peer.url}/services/authentication/current-context?output_mode=json`, { headers: { Cookie: cookie, Origin: EVIL } });
    expect(foreign.status).toBe(401);
  });
});

/** Send headers declaring `declared` bytes plus a small first chunk; resolve on the answer. */
function partialPost(url: string, headers: Record<string, string>, declared: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(declared) } }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); req.destroy(); });
    });
    req.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e); });
    req.write('{"event":"x"}');
  });
}

describe('DNS rebinding', () => {
  it('refuses a request whose Host is not this machine, even with valid credentials', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${peer.url}/services/authentication/current-context`, { headers: { Host: `evil.example:${peer.port}`, Authorization: `Bearer ${DEV_SEARCH_TOKEN}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    expect(r).toBe(421);
    expect((await fetch(`http://localhost:${peer.port}/services/collector/health`)).status).toBe(200);
  });
});

describe('body limits', () => {
  it('answers a bad token before reading a declared 50 MB body', async () => {
    const r = await partialPost(`${peer.url}/services/collector/event`, { Authorization: 'Splunk not-a-token' }, 50_000_000);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ text: 'Invalid token', code: 4 });
    const m = await partialPost(`${peer.url}/services/search/jobs/export`, {}, 50_000_000);
    expect(m.status).toBe(401);
  });

  it('refuses an authenticated body above the limit with 413 before reading it', async () => {
    const r = await partialPost(`${peer.url}/services/collector/event`, { Authorization: `Splunk ${DEV_HEC_TOKEN}` }, 2_000_000);
    expect(r.status).toBe(413);
    expect(r.body).toContain('maximum is 1048576');
  });

  it('cuts off a chunked body that grows past the limit', async () => {
    const small = await startSplunkLocal({ port: 0, maxHecBodyBytes: 1000 });
    try {
      const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(`{"event":"${'a'.repeat(2000)}"}`)); c.close(); } });
      const r = await fetch(`${small.url}/services/collector/event`, { method: 'POST', headers: { Authorization: `Splunk ${DEV_HEC_TOKEN}` }, body: stream, duplex: 'half' } as RequestInit);
      expect(r.status).toBe(413);
      expect(small.events()).toHaveLength(0);
    } finally { await small.close(); }
  });
});

describe('command-line credentials', () => {
  it('are random, kept per data directory with owner-only permissions, and public only on request', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pp-peer-cred-'));
    const a = withCredentials(parseArgs(['--data-dir', dataDir], {}));
    const b = withCredentials(parseArgs(['--data-dir', dataDir], {}));
    expect(a.tokens![0].token).not.toBe(DEV_HEC_TOKEN);
    expect(a.searchTokens).not.toContain(DEV_SEARCH_TOKEN);
    expect(a.users![0].password).not.toBe('changeme');
    expect(b).toEqual(a); // stable across restarts: the app's saved settings keep working
    expect(statSync(join(dataDir, 'credentials.json')).mode & 0o077).toBe(0);
    const dev = withCredentials(parseArgs(['--data-dir', dataDir, '--dev-credentials'], {}));
    expect(dev.tokens![0].token).toBe(DEV_HEC_TOKEN);
  });
});
