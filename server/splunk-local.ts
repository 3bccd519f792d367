/**
 * splunk-local: a small Splunk-compatible server for development and tests (127.0.0.1 only).
 *
 * HEC (Splunk docs, "HTTP Event Collector REST API endpoints"):
 *   POST /services/collector/event  (+ /services/collector, /services/collector/event/1.0)
 *   POST /services/collector/raw    (+ /1.0)
 *   GET  /services/collector/health (+ /1.0)
 *   POST /services/collector/ack    (+ /1.0)  indexer acknowledgement with X-Splunk-Request-Channel
 *   with the documented status codes and `{"text","code"}` bodies (see src/core/splunk/hecStatus.ts).
 * REST (Splunk REST API Reference): /services/auth/login, /services/server/info,
 *   /services/authentication/current-context, /services/search/jobs[/export], /services/search/v2/jobs[/export],
 *   jobs/<sid>, jobs/<sid>/results|events|results_preview|control, also under /servicesNS/<owner>/<app>/.
 *   Auth: `Authorization: Splunk <sessionKey>` (from auth/login), `Bearer <token>`, or Basic.
 * CORS on every endpoint (preflight, Authorization and X-Splunk-Request-Channel headers), like
 * Splunk's `crossOriginSharingPolicy`. Accepted events persist as JSON lines in `<dataDir>/events.jsonl`.
 * Fault injection: `POST /__admin/faults` {down, busy, slowMs, truncate, unhealthy} or `--faults`.
 *
 * Run: `npm run splunk:local -- --port 8088 --data-dir .splunk-local-data` (see --help).
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HEC_STATUS } from '../src/core/splunk/hecStatus';
import { hecTimeToEpochMs, splitConcatenatedJson } from '../src/core/splunk/hec';
import { runSearch, SplError, type Row, type SearchOutput, type StoredEvent } from './spl';

// ------------------------------------------------------------------------------------- options

export interface TokenSpec {
  token: string;
  /** Name shown as the default source `http:<name>`. */
  name?: string;
  /** Default index for events that name none. */
  index?: string;
  /** Indexes this token may write to (Splunk's `indexes` allow list); empty: any known index. */
  indexes?: string[];
  /** Indexer acknowledgement on (`useACK = 1`): requests need a request channel. */
  ack?: boolean;
  disabled?: boolean;
}

export interface Faults {
  /** Drop every connection (as if the server were down); admin endpoints still answer. */
  down: boolean;
  /** Answer HEC with 503 `Server is busy` (code 9): -1 always, N for the next N requests, 0 off. */
  busy: number;
  /** Delay every response (and every chunk of an export stream) by this many ms. */
  slowMs: number;
  /** Cut responses: HEC bodies after accepting the data, export streams mid-line. */
  truncate: boolean;
  /** Health says "HEC is unhealthy, queues are full" (code 18). */
  unhealthy: boolean;
}

export interface SplunkLocalOptions {
  port?: number;
  /** Optional second listener for the management API (Splunk: 8089); the HEC port serves both anyway. */
  mgmtPort?: number;
  host?: string;
  tokens?: TokenSpec[];
  /** Known indexes; events to any other index get `Incorrect index` (code 7). */
  indexes?: string[];
  /** Where accepted events persist; undefined: memory only. */
  dataDir?: string;
  users?: { username: string; password: string }[];
  /** Tokens accepted as `Authorization: Bearer <token>` on the management API. */
  searchTokens?: string[];
  faults?: Partial<Faults>;
  /** Allowed CORS origins; '*' (default) echoes any Origin. */
  corsOrigins?: string[] | '*';
  /** Accept `?token=` on HEC (Splunk's `allowQueryStringAuth`). */
  allowQueryStringAuth?: boolean;
  serverName?: string;
  log?: (line: string) => void;
}

export const DEV_HEC_TOKEN = '5f2a5c3e-1d4b-4c8e-9a61-000000000001';
export const DEV_ACK_TOKEN = '5f2a5c3e-1d4b-4c8e-9a61-000000000002';
export const DEV_DISABLED_TOKEN = '5f2a5c3e-1d4b-4c8e-9a61-000000000003';
export const DEV_SEARCH_TOKEN = 'pp-dev-search-token';

export const DEFAULT_TOKENS: TokenSpec[] = [
  { token: DEV_HEC_TOKEN, name: 'pointerprint', index: 'pointerprint', indexes: ['pointerprint', 'main'] },
  { token: DEV_ACK_TOKEN, name: 'pointerprint-ack', index: 'pointerprint', indexes: ['pointerprint', 'main'], ack: true },
  { token: DEV_DISABLED_TOKEN, name: 'pointerprint-disabled', index: 'pointerprint', disabled: true },
];

export interface SplunkLocal {
  port: number;
  url: string;
  mgmtPort?: number;
  events(): StoredEvent[];
  setFaults(f: Partial<Faults>): void;
  faults(): Faults;
  reset(): void;
  stats(): { requests: number; byPath: Record<string, number> };
  close(): Promise<void>;
}

// ----------------------------------------------------------------------------------------- util

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (b: Buffer) => {
      n += b.length;
      if (n > limit) { reject(new Error('too large')); req.destroy(); return; }
      parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function params(url: URL, body: string, contentType: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (out[k] = v));
  if (body && (!contentType || contentType.includes('x-www-form-urlencoded') || contentType.includes('text/plain'))) {
    new URLSearchParams(body).forEach((v, k) => (out[k] = v));
  } else if (body && contentType?.includes('application/json')) {
    try { Object.assign(out, JSON.parse(body) as Record<string, string>); } catch { /* ignore */ }
  }
  return out;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------------------------------------------------------------------------------------- server

export async function startSplunkLocal(opts: SplunkLocalOptions = {}): Promise<SplunkLocal> {
  const host = opts.host ?? '127.0.0.1';
  const tokens = new Map((opts.tokens ?? DEFAULT_TOKENS).map((t) => [t.token, t]));
  const indexes = new Set(opts.indexes ?? ['main', 'pointerprint']);
  const users = opts.users ?? [{ username: 'admin', password: 'changeme' }];
  const searchTokens = new Set(opts.searchTokens ?? [DEV_SEARCH_TOKEN]);
  const serverName = opts.serverName ?? 'splunk-local';
  const log = opts.log ?? (() => {});
  let faults: Faults = { down: false, busy: 0, slowMs: 0, truncate: false, unhealthy: false, ...opts.faults };
  const sessionKeys = new Map<string, string>();
  const jobs = new Map<string, { sid: string; search: string; rows: Row[]; fields: string[]; scanned: number; createdAtMs: number }>();
  /** channel → (ackId → acknowledged); ids handed out per channel, starting at 0 like Splunk. */
  const acks = new Map<string, { next: number; done: Map<number, boolean> }>();
  const stats = { requests: 0, byPath: {} as Record<string, number> };

  // Persistence: JSON lines, appended as events are accepted, read back at start.
  let events: StoredEvent[] = [];
  const file = opts.dataDir ? join(opts.dataDir, 'events.jsonl') : null;
  if (opts.dataDir && !existsSync(opts.dataDir)) mkdirSync(opts.dataDir, { recursive: true });
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try { events.push(JSON.parse(line) as StoredEvent); } catch { /* a torn last line after a crash */ }
    }
  }
  let serial = events.reduce((m, e) => Math.max(m, e.serial), -1) + 1;

  function persist(batch: StoredEvent[]): void {
    events.push(...batch);
    if (file) appendFileSync(file, batch.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }

  function cors(req: http.IncomingMessage, res: http.ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin) return;
    const allowed = opts.corsOrigins === undefined || opts.corsOrigins === '*' || opts.corsOrigins.includes(origin);
    if (!allowed) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Content-Type');
    // Browsers at a "more public" address ask before reaching 127.0.0.1 (Private Network Access).
    if (req.headers['access-control-request-private-network']) res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }

  function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json; charset=UTF-8'): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  function hec(res: http.ServerResponse, code: number, extra: Record<string, unknown> = {}): void {
    const info = HEC_STATUS[code];
    send(res, info.http, { text: info.text, code, ...extra });
  }

  function mgmtError(res: http.ServerResponse, status: number, text: string, type = 'ERROR'): void {
    send(res, status, { messages: [{ type, text }] });
  }

  // --------------------------------------------------------------------------------------- HEC

  function hecAuth(req: http.IncomingMessage, url: URL, res: http.ServerResponse): TokenSpec | null {
    const h = req.headers.authorization;
    let tok: string | undefined;
    if (!h) {
      const q = url.searchParams.get('token');
      if (q !== null) {
        if (!opts.allowQueryStringAuth) { hec(res, 16); return null; }
        tok = q;
      } else { hec(res, 2); return null; }
    } else {
      const m = /^(Splunk|Bearer)\s+(\S+)$/i.exec(h) ?? null;
      if (m) tok = m[2];
      else if (/^Basic\s+/i.test(h)) {
        // Splunk accepts Basic auth with any user name and the token as password.
        const dec = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
        tok = dec.slice(dec.indexOf(':') + 1);
      }
      if (!tok) { hec(res, 3); return null; }
    }
    const spec = tokens.get(tok);
    if (!spec) { hec(res, 4); return null; }
    if (spec.disabled) { hec(res, 1); return null; }
    return spec;
  }

  function channelOf(req: http.IncomingMessage, url: URL): string | null {
    const h = req.headers['x-splunk-request-channel'];
    return (Array.isArray(h) ? h[0] : h) ?? url.searchParams.get('channel');
  }

  async function handleHec(kind: 'event' | 'raw', req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const spec = hecAuth(req, url, res);
    if (!spec) return;
    if (faults.busy !== 0) {
      if (faults.busy > 0) faults.busy--;
      hec(res, 9);
      return;
    }
    const channel = channelOf(req, url);
    if (spec.ack && !channel) { hec(res, 10); return; }
    if (channel !== null && !GUID.test(channel)) { hec(res, 11); return; }
    const body = await readBody(req);
    if (!body.trim()) { hec(res, 5); return; }
    const now = Date.now();
    const defaults = { host: req.headers.host ?? host, source: `http:${spec.name ?? 'token'}`, index: spec.index ?? 'main' };
    const batch: StoredEvent[] = [];
    const allowed = (ix: string) => indexes.has(ix) && (!spec.indexes?.length || spec.indexes.includes(ix));
    if (kind === 'raw') {
      const ix = url.searchParams.get('index') ?? defaults.index;
      if (!allowed(ix)) { hec(res, 7); return; }
      for (const line of body.split(/\r?\n/)) {
        if (!line.trim()) continue;
        batch.push({ serial: 0, timeMs: now, indexTimeMs: now, index: ix, host: url.searchParams.get('host') ?? defaults.host, source: url.searchParams.get('source') ?? defaults.source, sourcetype: url.searchParams.get('sourcetype') ?? 'httpevent', raw: line, fields: {} });
      }
    } else {
      const { objects, rest } = splitConcatenatedJson(body);
      if (rest.trim()) { hec(res, 6, { 'invalid-event-number': objects.length }); return; }
      for (let i = 0; i < objects.length; i++) {
        let o: Record<string, unknown>;
        try { o = JSON.parse(objects[i]) as Record<string, unknown>; } catch { hec(res, 6, { 'invalid-event-number': i }); return; }
        if (!('event' in o)) { hec(res, 12, { 'invalid-event-number': i }); return; }
        const ev = o.event;
        if (ev === null || ev === '' || (typeof ev === 'string' && !ev.trim())) { hec(res, 13, { 'invalid-event-number': i }); return; }
        const ix = typeof o.index === 'string' && o.index ? o.index : defaults.index;
        if (!allowed(ix)) { hec(res, 7, { 'invalid-event-number': i }); return; }
        let timeMs = now;
        if (o.time !== undefined) {
          const t = hecTimeToEpochMs(o.time);
          if (t === null) { hec(res, 6, { 'invalid-event-number': i }); return; }
          timeMs = t;
        }
        const fields: Record<string, string | string[]> = {};
        if (o.fields !== undefined) {
          if (!o.fields || typeof o.fields !== 'object' || Array.isArray(o.fields)) { hec(res, 15, { 'invalid-event-number': i }); return; }
          for (const [k, v] of Object.entries(o.fields as Record<string, unknown>)) {
            if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = String(v);
            else if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) fields[k] = v.map(String);
            else { hec(res, 15, { 'invalid-event-number': i }); return; }
          }
        }
        batch.push({
          serial: 0, timeMs, indexTimeMs: now, index: ix,
          host: typeof o.host === 'string' ? o.host : defaults.host,
          source: typeof o.source === 'string' ? o.source : defaults.source,
          sourcetype: typeof o.sourcetype === 'string' ? o.sourcetype : 'httpevent',
          raw: typeof ev === 'string' ? ev : JSON.stringify(ev),
          fields,
        });
      }
    }
    for (const e of batch) e.serial = serial++;
    persist(batch);
    let extra: Record<string, unknown> = {};
    if (spec.ack && channel) {
      let ch = acks.get(channel);
      if (!ch) acks.set(channel, (ch = { next: 0, done: new Map() }));
      const id = ch.next++;
      ch.done.set(id, true); // persisted synchronously above: "indexed" already
      extra = { ackId: id };
    }
    if (faults.slowMs) await sleep(faults.slowMs);
    if (faults.truncate) {
      // The data is in; the client sees a cut body and must assume the worst (resend).
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
      res.end('{"text":"Succ');
      return;
    }
    hec(res, 0, extra);
  }

  async function handleAck(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const spec = hecAuth(req, url, res);
    if (!spec) return;
    if (!spec.ack) { hec(res, 14); return; }
    const channel = channelOf(req, url);
    if (!channel) { hec(res, 10); return; }
    if (!GUID.test(channel)) { hec(res, 11); return; }
    let body: { acks?: unknown };
    try { body = JSON.parse(await readBody(req)) as { acks?: unknown }; } catch { hec(res, 6); return; }
    if (!Array.isArray(body.acks)) { hec(res, 6); return; }
    const ch = acks.get(channel);
    const out: Record<string, boolean> = {};
    for (const id of body.acks) {
      const n = Number(id);
      const ok = ch?.done.get(n) === true;
      out[String(id)] = ok;
      // Splunk reports an acknowledged id once, then forgets it.
      if (ok) ch!.done.delete(n);
    }
    send(res, 200, { acks: out });
  }

  // ------------------------------------------------------------------------------- management

  function mgmtAuth(req: http.IncomingMessage): string | null {
    const h = req.headers.authorization ?? '';
    let m = /^Splunk\s+(\S+)$/i.exec(h);
    if (m && sessionKeys.has(m[1])) return sessionKeys.get(m[1])!;
    m = /^Bearer\s+(\S+)$/i.exec(h);
    if (m && searchTokens.has(m[1])) return 'token-user';
    if (/^Basic\s+/i.test(h)) {
      const dec = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      const u = users.find((x) => x.username === dec.slice(0, i) && x.password === dec.slice(i + 1));
      if (u) return u.username;
    }
    const cookie = req.headers.cookie ?? '';
    const c = /splunkd_\d+=([^;]+)/.exec(cookie);
    if (c && sessionKeys.has(decodeURIComponent(c[1]))) return sessionKeys.get(decodeURIComponent(c[1]))!;
    return null;
  }

  function resultsBody(rows: Row[], fields: string[], mode: string, offset = 0, count = 0): unknown {
    const slice = count > 0 ? rows.slice(offset, offset + count) : rows.slice(offset);
    if (mode === 'json_rows') {
      return { preview: false, init_offset: offset, messages: [], fields, rows: slice.map((r) => fields.map((f) => r[f] ?? null)) };
    }
    if (mode === 'json_cols') {
      return { preview: false, init_offset: offset, messages: [], fields, columns: fields.map((f) => slice.map((r) => r[f] ?? null)) };
    }
    return { preview: false, init_offset: offset, messages: [], fields: fields.map((name) => ({ name })), results: slice };
  }

  /** Run the request's search over the stored events; on an SPL error answer 400 Splunk-style and return null. */
  function searchOrFail(res: http.ServerResponse, p: Record<string, string>): SearchOutput | null {
    try {
      return runSearch({ search: p.search, earliest_time: p.earliest_time, latest_time: p.latest_time }, events, Date.now(), serverName);
    } catch (e) {
      if (e instanceof SplError) { mgmtError(res, 400, `Error in 'search' command: ${e.message}`, 'FATAL'); return null; }
      throw e;
    }
  }

  async function handleExport(req: http.IncomingMessage, res: http.ServerResponse, p: Record<string, string>): Promise<void> {
    if (!p.search) { mgmtError(res, 400, 'Missing search.', 'FATAL'); return; }
    const mode = p.output_mode ?? 'xml';
    if (mode !== 'json') { mgmtError(res, 400, `This peer's export supports output_mode=json only (got ${mode}).`, 'FATAL'); return; }
    const out = searchOrFail(res, p);
    if (!out) return;
    res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Transfer-Encoding': 'chunked' });
    const rows = out.rows;
    const cut = faults.truncate ? Math.floor(rows.length / 2) : -1;
    const group = 25;
    for (let i = 0; i < rows.length; i += group) {
      let text = '';
      for (let j = i; j < Math.min(rows.length, i + group); j++) {
        const line = JSON.stringify(j === rows.length - 1 ? { preview: false, offset: j, lastrow: true, result: rows[j] } : { preview: false, offset: j, result: rows[j] });
        if (j === cut) {
          text += line.slice(0, Math.max(1, Math.floor(line.length / 2)));
          res.write(text);
          res.end();
          return;
        }
        text += line + '\n';
      }
      if (faults.slowMs) await sleep(faults.slowMs);
      if (res.destroyed) return;
      res.write(text);
    }
    res.end();
  }

  async function handleMgmt(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string): Promise<void> {
    const body = req.method === 'POST' ? await readBody(req) : '';
    const p = params(url, body, req.headers['content-type']);
    const json = (p.output_mode ?? '').startsWith('json');
    if (path === '/services/auth/login') {
      const u = users.find((x) => x.username === p.username && x.password === p.password);
      if (!u) {
        if (json) mgmtError(res, 401, 'Login failed', 'WARN');
        else send(res, 401, '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <messages>\n    <msg type="WARN" code="incorrect_username_or_password">Login failed</msg>\n  </messages>\n</response>\n', 'text/xml; charset=UTF-8');
        return;
      }
      const key = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
      sessionKeys.set(key, u.username);
      if (p.cookie === '1') res.setHeader('Set-Cookie', `splunkd_${(req.socket.localPort ?? 8089)}=${encodeURIComponent(key)}; Path=/; HttpOnly`);
      if (json) send(res, 200, { sessionKey: key, message: '', code: '' });
      else send(res, 200, `<response>\n  <sessionKey>${xmlEscape(key)}</sessionKey>\n  <messages>\n    <msg code=""></msg>\n  </messages>\n</response>\n`, 'text/xml; charset=UTF-8');
      return;
    }
    const user = mgmtAuth(req);
    if (!user) { mgmtError(res, 401, 'call not properly authenticated', 'WARN'); return; }
    if (faults.slowMs) await sleep(faults.slowMs);
    const gen = { build: 'local', version: '9.3.0' };
    if (path === '/services/server/info') {
      send(res, 200, { links: {}, origin: `http://${req.headers.host}/services/server/info`, updated: new Date().toISOString(), generator: gen, entry: [{ name: 'server-info', content: { serverName, version: gen.version, build: gen.build, product_type: 'enterprise', instance_type: 'local' } }], paging: { total: 1, perPage: 30, offset: 0 }, messages: [] });
      return;
    }
    if (path === '/services/authentication/current-context') {
      send(res, 200, { generator: gen, entry: [{ name: user, content: { username: user, roles: ['admin'] } }], messages: [] });
      return;
    }
    const m = /^\/services\/search\/(?:v2\/)?jobs(?:\/([^/]+))?(?:\/([a-z_]+))?$/.exec(path);
    if (!m) { mgmtError(res, 404, `Not Found: ${path}`); return; }
    const [, sidRaw, sub] = m;
    const sid = sidRaw ? decodeURIComponent(sidRaw) : undefined;
    if (sid === 'export') { await handleExport(req, res, p); return; }
    if (!sid) {
      if (req.method === 'GET') {
        send(res, 200, { generator: gen, entry: [...jobs.values()].map((j) => ({ name: j.sid, content: jobContent(j) })), paging: { total: jobs.size, perPage: 0, offset: 0 }, messages: [] });
        return;
      }
      if (!p.search) { mgmtError(res, 400, 'Missing search.', 'FATAL'); return; }
      const out = searchOrFail(res, p);
      if (!out) return;
      if (p.exec_mode === 'oneshot') {
        send(res, 200, resultsBody(out.rows, out.fields, url.searchParams.get('output_mode') ?? p.output_mode ?? 'json', Number(p.offset ?? 0), Number(p.count ?? 100)));
        return;
      }
      const newSid = p.id || `${Math.floor(Date.now() / 1000)}.${jobs.size + 1}`;
      jobs.set(newSid, { sid: newSid, search: p.search, rows: out.rows, fields: out.fields, scanned: out.scanned, createdAtMs: Date.now() });
      send(res, 201, { sid: newSid });
      return;
    }
    const job = jobs.get(sid);
    if (!job) { mgmtError(res, 404, `Unknown sid.`); return; }
    if (!sub) {
      if (req.method === 'DELETE') { jobs.delete(sid); send(res, 200, { messages: [{ type: 'INFO', text: 'Search job cancelled.' }] }); return; }
      send(res, 200, { generator: gen, entry: [{ name: sid, id: `/services/search/jobs/${sid}`, content: jobContent(job), links: {} }], messages: [] });
      return;
    }
    if (sub === 'results' || sub === 'events' || sub === 'results_preview') {
      send(res, 200, resultsBody(job.rows, job.fields, p.output_mode ?? 'json', Number(p.offset ?? 0), Number(p.count ?? 100)));
      return;
    }
    if (sub === 'control') {
      if (p.action === 'cancel') jobs.delete(sid);
      send(res, 200, { messages: [{ type: 'INFO', text: `Search job ${p.action ?? 'updated'}.` }] });
      return;
    }
    mgmtError(res, 404, `Not Found: ${path}`);
  }

  function jobContent(j: { sid: string; search: string; rows: Row[]; scanned: number; createdAtMs: number }) {
    return {
      sid: j.sid, label: '', search: j.search, dispatchState: 'DONE', isDone: true, isFailed: false, isFinalized: false, isPaused: false,
      isSaved: false, isZombie: false, doneProgress: 1, resultCount: j.rows.length, eventCount: j.scanned, scanCount: j.scanned,
      eventAvailableCount: j.rows.length, resultIsStreaming: false, runDuration: 0.001, ttl: 600, published: new Date(j.createdAtMs).toISOString(),
    };
  }

  // ----------------------------------------------------------------------------------- routing

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    // /servicesNS/<owner>/<app>/x → /services/x: namespaces do not matter to this peer.
    const path = url.pathname.replace(/^\/servicesNS\/[^/]+\/[^/]+\//, '/services/').replace(/\/+$/, '') || '/';
    // Counted per path without CORS preflights, so tests can count real requests.
    stats.requests++;
    if (req.method !== 'OPTIONS') stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    if (path.startsWith('/__admin/')) {
      cors(req, res);
      if (req.method === 'OPTIONS') { res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type' }); res.end(); return; }
      const body = req.method === 'POST' ? await readBody(req) : '';
      if (path === '/__admin/faults') {
        if (req.method === 'POST') faults = { ...faults, ...(JSON.parse(body || '{}') as Partial<Faults>) };
        send(res, 200, faults);
      } else if (path === '/__admin/events') {
        const st = url.searchParams.get('sourcetype');
        send(res, 200, st ? events.filter((e) => e.sourcetype === st) : events);
      } else if (path === '/__admin/reset') {
        events = [];
        if (file) writeFileSync(file, '');
        faults = { down: false, busy: 0, slowMs: 0, truncate: false, unhealthy: false };
        send(res, 200, { ok: true });
      } else if (path === '/__admin/stats') send(res, 200, stats);
      else send(res, 404, { error: 'unknown admin endpoint' });
      return;
    }
    if (faults.down) { req.socket.destroy(); return; }
    cors(req, res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, X-Splunk-Request-Channel'),
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    log(`${req.method} ${url.pathname}`);
    if (/^\/services\/collector(\/event(\/1\.0)?)?$/.test(path)) {
      if (req.method !== 'POST') { send(res, 405, { text: 'Method not allowed', code: 8 }); return; }
      await handleHec('event', req, res, url);
      return;
    }
    if (/^\/services\/collector\/raw(\/1\.0)?$/.test(path)) { await handleHec('raw', req, res, url); return; }
    if (/^\/services\/collector\/health(\/1\.0)?$/.test(path)) {
      if (faults.slowMs) await sleep(faults.slowMs);
      if (faults.unhealthy || faults.busy !== 0) hec(res, 18);
      else hec(res, 17);
      return;
    }
    if (/^\/services\/collector\/ack(\/1\.0)?$/.test(path)) { await handleAck(req, res, url); return; }
    if (path.startsWith('/services/')) { await handleMgmt(req, res, url, path); return; }
    send(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      log(`error: ${e instanceof Error ? e.stack : String(e)}`);
      if (!res.headersSent) hec(res, 8);
      else res.destroy();
    });
  };
  const servers: http.Server[] = [];
  async function listen(port: number): Promise<number> {
    const s = http.createServer(onRequest);
    s.keepAliveTimeout = 2000;
    servers.push(s);
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, host, () => resolve()); });
    return (s.address() as { port: number }).port;
  }
  const port = await listen(opts.port ?? 8088);
  const mgmtPort = opts.mgmtPort !== undefined ? await listen(opts.mgmtPort) : undefined;
  return {
    port,
    mgmtPort,
    url: `http://${host}:${port}`,
    events: () => events,
    setFaults: (f) => { faults = { ...faults, ...f }; },
    faults: () => ({ ...faults }),
    reset: () => { events = []; if (file) writeFileSync(file, ''); },
    stats: () => stats,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    },
  };
}

// ------------------------------------------------------------------------------------------- CLI

const HELP = `splunk-local: a Splunk-compatible HEC + search peer for development (127.0.0.1 only)

  --port N              HEC and management port (default 8088; env PP_SPLUNK_PORT)
  --mgmt-port N         also serve the management API on this port (Splunk uses 8089)
  --token T[:ix1,ix2]   accept HEC token T, optionally limited to indexes (repeatable; env PP_SPLUNK_TOKENS, comma/space separated)
  --ack-token T         a token that requires indexer acknowledgement (repeatable)
  --disabled-token T    a token that answers "Token disabled" (repeatable)
  --index NAME          known indexes (repeatable; default main, pointerprint)
  --data-dir DIR        persist accepted events to DIR/events.jsonl (default .splunk-local-data; env PP_SPLUNK_DATA_DIR)
  --user NAME:PASSWORD  account for /services/auth/login (default admin:changeme)
  --search-token T      token accepted as "Authorization: Bearer T" (default ${DEV_SEARCH_TOKEN})
  --faults LIST         e.g. busy, busy=3, slow=500, down, truncate, unhealthy (env PP_SPLUNK_FAULTS)
  --cors ORIGIN         allow only this origin (repeatable; default: any)

Without --token options the dev tokens are used:
  ${DEV_HEC_TOKEN}  (index pointerprint, main)
  ${DEV_ACK_TOKEN}  (requires acknowledgement)
  ${DEV_DISABLED_TOKEN}  (disabled)
Fault injection at run time: curl -XPOST localhost:8088/__admin/faults -d '{"busy":-1}'
`;

export function parseFaults(s: string | undefined): Partial<Faults> {
  const f: Partial<Faults> = {};
  for (const part of (s ?? '').split(/[\s,]+/).filter(Boolean)) {
    const [k, v] = part.split('=');
    if (k === 'down') f.down = true;
    else if (k === 'busy') f.busy = v === undefined ? -1 : Number(v);
    else if (k === 'slow') f.slowMs = Number(v ?? 1000);
    else if (k === 'truncate') f.truncate = true;
    else if (k === 'unhealthy') f.unhealthy = true;
    else throw new Error(`unknown fault '${k}'`);
  }
  return f;
}

export function parseArgs(argv: string[], env: Record<string, string | undefined>): SplunkLocalOptions & { help?: boolean } {
  const o: SplunkLocalOptions & { help?: boolean } = {};
  const tokens: TokenSpec[] = [];
  const indexesOpt: string[] = [];
  const users: { username: string; password: string }[] = [];
  const searchTokens: string[] = [];
  const cors: string[] = [];
  const tok = (spec: string, extra: Partial<TokenSpec>) => {
    const [t, ix] = spec.split(':');
    const list = ix ? ix.split(',') : undefined;
    tokens.push({ token: t, name: `token${tokens.length + 1}`, index: list?.[0] ?? 'main', indexes: list, ...extra });
  };
  for (const t of (env.PP_SPLUNK_TOKENS ?? '').split(/[\s,]+/).filter(Boolean)) tok(t, {});
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--port') o.port = Number(next());
    else if (a === '--mgmt-port') o.mgmtPort = Number(next());
    else if (a === '--token') tok(next(), {});
    else if (a === '--ack-token') tok(next(), { ack: true });
    else if (a === '--disabled-token') tok(next(), { disabled: true });
    else if (a === '--index') indexesOpt.push(next());
    else if (a === '--data-dir') o.dataDir = next();
    else if (a === '--user') { const [u, p] = next().split(':'); users.push({ username: u, password: p ?? '' }); }
    else if (a === '--search-token') searchTokens.push(next());
    else if (a === '--faults') o.faults = parseFaults(next());
    else if (a === '--cors') cors.push(next());
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  o.port ??= env.PP_SPLUNK_PORT ? Number(env.PP_SPLUNK_PORT) : 8088;
  o.dataDir ??= env.PP_SPLUNK_DATA_DIR ?? '.splunk-local-data';
  o.faults ??= parseFaults(env.PP_SPLUNK_FAULTS);
  if (tokens.length) {
    o.tokens = tokens;
    const all = new Set(['main', 'pointerprint', ...indexesOpt, ...tokens.flatMap((t) => t.indexes ?? [])]);
    o.indexes = [...all];
  } else if (indexesOpt.length) o.indexes = ['main', ...indexesOpt];
  if (users.length) o.users = users;
  if (searchTokens.length) o.searchTokens = searchTokens;
  if (cors.length) o.corsOrigins = cors;
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2), process.env);
  if (o.help) { process.stdout.write(HELP); return; }
  const s = await startSplunkLocal({ ...o, log: (l) => process.stdout.write(l + '\n') });
  process.stdout.write(`splunk-local listening on ${s.url}${s.mgmtPort ? ` and http://127.0.0.1:${s.mgmtPort}` : ''} (data: ${o.dataDir}/events.jsonl, ${s.events().length} events loaded)\n` +
    `  HEC:    ${s.url}/services/collector/event   token ${(o.tokens ?? DEFAULT_TOKENS)[0].token}\n` +
    `  search: ${s.url}/services/search/jobs/export  Authorization: Bearer ${(o.searchTokens ?? [DEV_SEARCH_TOKEN])[0]}\n`);
  const stop = () => { void s.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => { process.stderr.write(`splunk-local: ${e instanceof Error ? e.message : String(e)}\n`); process.exit(1); });
}
