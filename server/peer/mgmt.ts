/**
 * Management (REST) endpoints of the local peer: login, server info, current context, search jobs
 * and the export stream. Every endpoint but login authenticates from headers before reading a body.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { runSearch, SplError, type Row, type SearchOutput } from '../spl';
import { discardBody, foreignOrigin, mgmtError, params, readBody, send, xmlEscape } from './http';
import type { Job, PeerState } from './state';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Login carries a user name and password only. */
const LOGIN_BODY_LIMIT = 8 * 1024;
const GENERATOR = { build: 'local', version: '9.3.0' };

function basicUser(h: string, st: PeerState): string | null {
  const dec = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
  const i = dec.indexOf(':');
  const u = st.users.find((x) => x.username === dec.slice(0, i) && x.password === dec.slice(i + 1));
  return u ? u.username : null;
}

function mgmtAuth(req: http.IncomingMessage, st: PeerState): string | null {
  const h = req.headers.authorization ?? '';
  let m = /^Splunk\s+(\S+)$/i.exec(h);
  if (m && st.sessionKeys.has(m[1])) return st.sessionKeys.get(m[1])!;
  m = /^Bearer\s+(\S+)$/i.exec(h);
  if (m && st.searchTokens.has(m[1])) return 'token-user';
  if (/^Basic\s+/i.test(h)) return basicUser(h, st);
  // A session cookie never authenticates a request sent by a page of a foreign origin.
  if (foreignOrigin(req, st.cors)) return null;
  const c = /splunkd_\d+=([^;]+)/.exec(req.headers.cookie ?? '');
  const key = c ? decodeURIComponent(c[1]) : '';
  return st.sessionKeys.get(key) ?? null;
}

async function handleLogin(req: http.IncomingMessage, res: http.ServerResponse, url: URL, st: PeerState): Promise<void> {
  const body = req.method === 'POST' ? await readBody(req, res, LOGIN_BODY_LIMIT) : '';
  if (body === null) return;
  const p = params(url, body, req.headers['content-type']);
  const json = (p.output_mode ?? '').startsWith('json');
  const u = st.users.find((x) => x.username === p.username && x.password === p.password);
  if (!u) {
    if (json) mgmtError(res, 401, 'Login failed', 'WARN');
    else send(res, 401, '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <messages>\n    <msg type="WARN" code="incorrect_username_or_password">Login failed</msg>\n  </messages>\n</response>\n', 'text/xml; charset=UTF-8');
    return;
  }
  const key = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
  st.sessionKeys.set(key, u.username);
  if (p.cookie === '1') res.setHeader('Set-Cookie', `splunkd_${req.socket.localPort ?? 8089}=${encodeURIComponent(key)}; Path=/; HttpOnly; SameSite=Strict`);
  if (json) send(res, 200, { sessionKey: key, message: '', code: '' });
  else send(res, 200, `<response>\n  <sessionKey>${xmlEscape(key)}</sessionKey>\n  <messages>\n    <msg code=""></msg>\n  </messages>\n</response>\n`, 'text/xml; charset=UTF-8');
}

function resultsBody(rows: Row[], fields: string[], mode: string, offset = 0, count = 0): unknown {
  const slice = count > 0 ? rows.slice(offset, offset + count) : rows.slice(offset);
  if (mode === 'json_rows') return { preview: false, init_offset: offset, messages: [], fields, rows: slice.map((r) => fields.map((f) => r[f] ?? null)) };
  if (mode === 'json_cols') return { preview: false, init_offset: offset, messages: [], fields, columns: fields.map((f) => slice.map((r) => r[f] ?? null)) };
  return { preview: false, init_offset: offset, messages: [], fields: fields.map((name) => ({ name })), results: slice };
}

function searchRequest(p: Record<string, string>) {
  return { search: p.search, earliest_time: p.earliest_time, latest_time: p.latest_time, index_earliest: p.index_earliest, index_latest: p.index_latest };
}

/** Run the request's search over `events`; on an SPL error answer 400 Splunk-style and return null. */
function searchOrFail(res: http.ServerResponse, p: Record<string, string>, st: PeerState, events = st.events): SearchOutput | null {
  try {
    return runSearch(searchRequest(p), events, Date.now(), st.serverName);
  } catch (e) {
    if (e instanceof SplError) { mgmtError(res, 400, `Error in 'search' command: ${e.message}`, 'FATAL'); return null; }
    throw e;
  }
}

/** JSON lines of one result set: offsets from 0, `lastrow` on its last row. */
function resultSetLines(rows: Row[], preview: boolean): string[] {
  return rows.map((result, offset) => JSON.stringify(offset === rows.length - 1 ? { preview, offset, lastrow: true, result } : { preview, offset, result }));
}

/**
 * Export lines like splunkd: an event search streams its events once; a transforming search first
 * streams preview sets (`preview: true`, here one over the first half of the events), then the
 * final set; each set ends with `lastrow`. No results at all: one bare `{"preview":false,"lastrow":true}`.
 */
function exportLines(out: SearchOutput, p: Record<string, string>, st: PeerState): string[] {
  const lines: string[] = [];
  const wantPreview = !/^(0|false|f|no)$/i.test(p.preview ?? 'true');
  if (out.transforming && wantPreview && st.events.length > 1) {
    const half = [...st.events].sort((a, b) => a.serial - b.serial).slice(0, Math.ceil(st.events.length / 2));
    const partial = runSearch(searchRequest(p), half, Date.now(), st.serverName);
    lines.push(...resultSetLines(partial.rows, true));
  }
  lines.push(...resultSetLines(out.rows, false));
  if (!out.rows.length) lines.push(JSON.stringify({ preview: false, lastrow: true }));
  return lines;
}

async function handleExport(res: http.ServerResponse, p: Record<string, string>, st: PeerState): Promise<void> {
  if (!p.search) { mgmtError(res, 400, 'Missing search.', 'FATAL'); return; }
  const mode = p.output_mode ?? 'xml';
  if (mode !== 'json') { mgmtError(res, 400, `This peer's export supports output_mode=json only (got ${mode}).`, 'FATAL'); return; }
  const out = searchOrFail(res, p, st);
  if (!out) return;
  const lines = exportLines(out, p, st);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Transfer-Encoding': 'chunked' });
  const cut = st.faults.truncate ? Math.floor(lines.length / 2) : -1;
  const group = 25;
  for (let i = 0; i < lines.length; i += group) {
    let text = '';
    for (let j = i; j < Math.min(lines.length, i + group); j++) {
      if (j === cut) {
        res.end(text + lines[j].slice(0, Math.max(1, Math.floor(lines[j].length / 2))));
        return;
      }
      text += lines[j] + '\n';
    }
    if (st.faults.slowMs) await sleep(st.faults.slowMs);
    if (res.destroyed) return;
    res.write(text);
  }
  res.end();
}

function jobContent(j: Job) {
  return {
    sid: j.sid, label: '', search: j.search, dispatchState: 'DONE', isDone: true, isFailed: false, isFinalized: false, isPaused: false,
    isSaved: false, isZombie: false, doneProgress: 1, resultCount: j.rows.length, eventCount: j.scanned, scanCount: j.scanned,
    eventAvailableCount: j.rows.length, resultIsStreaming: false, runDuration: 0.001, ttl: 600, published: new Date(j.createdAtMs).toISOString(),
  };
}

function createJob(res: http.ServerResponse, url: URL, p: Record<string, string>, st: PeerState): void {
  if (!p.search) { mgmtError(res, 400, 'Missing search.', 'FATAL'); return; }
  const out = searchOrFail(res, p, st);
  if (!out) return;
  if (p.exec_mode === 'oneshot') {
    send(res, 200, resultsBody(out.rows, out.fields, url.searchParams.get('output_mode') ?? p.output_mode ?? 'json', Number(p.offset ?? 0), Number(p.count ?? 100)));
    return;
  }
  const sid = p.id || `${Math.floor(Date.now() / 1000)}.${st.jobs.size + 1}`;
  st.jobs.set(sid, { sid, search: p.search, rows: out.rows, fields: out.fields, scanned: out.scanned, createdAtMs: Date.now() });
  send(res, 201, { sid });
}

function handleJob(req: http.IncomingMessage, res: http.ServerResponse, path: string, sid: string, sub: string | undefined, p: Record<string, string>, st: PeerState): void {
  const job = st.jobs.get(sid);
  if (!job) { mgmtError(res, 404, 'Unknown sid.'); return; }
  if (!sub) {
    if (req.method === 'DELETE') { st.jobs.delete(sid); send(res, 200, { messages: [{ type: 'INFO', text: 'Search job cancelled.' }] }); return; }
    send(res, 200, { generator: GENERATOR, entry: [{ name: sid, id: `/services/search/jobs/${sid}`, content: jobContent(job), links: {} }], messages: [] });
    return;
  }
  if (sub === 'results' || sub === 'events' || sub === 'results_preview') {
    send(res, 200, resultsBody(job.rows, job.fields, p.output_mode ?? 'json', Number(p.offset ?? 0), Number(p.count ?? 100)));
    return;
  }
  if (sub === 'control') {
    if (p.action === 'cancel') st.jobs.delete(sid);
    send(res, 200, { messages: [{ type: 'INFO', text: `Search job ${p.action ?? 'updated'}.` }] });
    return;
  }
  mgmtError(res, 404, `Not Found: ${path}`);
}

export async function handleMgmt(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string, st: PeerState): Promise<void> {
  if (path === '/services/auth/login') { await handleLogin(req, res, url, st); return; }
  const user = mgmtAuth(req, st);
  if (!user) { discardBody(req); mgmtError(res, 401, 'call not properly authenticated', 'WARN'); return; }
  const body = req.method === 'POST' ? await readBody(req, res, st.maxMgmtBodyBytes) : '';
  if (body === null) return;
  const p = params(url, body, req.headers['content-type']);
  if (st.faults.slowMs) await sleep(st.faults.slowMs);
  if (path === '/services/server/info') {
    send(res, 200, { links: {}, origin: `http://${req.headers.host}/services/server/info`, updated: new Date().toISOString(), generator: GENERATOR, entry: [{ name: 'server-info', content: { serverName: st.serverName, version: GENERATOR.version, build: GENERATOR.build, product_type: 'enterprise', instance_type: 'local' } }], paging: { total: 1, perPage: 30, offset: 0 }, messages: [] });
    return;
  }
  if (path === '/services/authentication/current-context') {
    send(res, 200, { generator: GENERATOR, entry: [{ name: user, content: { username: user, roles: ['admin'] } }], messages: [] });
    return;
  }
  const m = /^\/services\/search\/(?:v2\/)?jobs(?:\/([^/]+))?(?:\/([a-z_]+))?$/.exec(path);
  if (!m) { mgmtError(res, 404, `Not Found: ${path}`); return; }
  const sid = m[1] ? decodeURIComponent(m[1]) : undefined;
  if (sid === 'export') { await handleExport(res, p, st); return; }
  if (sid) { handleJob(req, res, path, sid, m[2], p, st); return; }
  if (req.method === 'GET') {
    send(res, 200, { generator: GENERATOR, entry: [...st.jobs.values()].map((j) => ({ name: j.sid, content: jobContent(j) })), paging: { total: st.jobs.size, perPage: 0, offset: 0 }, messages: [] });
    return;
  }
  createJob(res, url, p, st);
}
