/**
 * HEC endpoints of the local peer: event, raw, ack, health. Authentication comes from headers
 * only, so a request with a bad token is answered before its body is read.
 */
import type http from 'node:http';
import { hecTimeToEpochMs, splitConcatenatedJson } from '../../src/core/splunk/hec';
import type { StoredEvent } from '../spl';
import { discardBody, hec, readBody, send } from './http';
import type { PeerState } from './state';
import type { TokenSpec } from './options';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cut `raw` to at most `maxBytes` UTF-8 bytes, rounded down to a character boundary (props.conf TRUNCATE). */
export function truncateRaw(raw: string, maxBytes: number): string {
  if (maxBytes <= 0) return raw;
  const buf = Buffer.from(raw, 'utf8');
  if (buf.length <= maxBytes) return raw;
  let end = maxBytes;
  // 10xxxxxx is a continuation byte: step back to the first byte of that character.
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function tokenOf(req: http.IncomingMessage, url: URL, st: PeerState): { token?: string; code?: number } {
  const h = req.headers.authorization;
  if (!h) {
    const q = url.searchParams.get('token');
    if (q === null) return { code: 2 };
    return st.allowQueryStringAuth ? { token: q } : { code: 16 };
  }
  const m = /^(Splunk|Bearer)\s+(\S+)$/i.exec(h);
  if (m) return { token: m[2] };
  if (/^Basic\s+/i.test(h)) {
    // Splunk accepts Basic auth with any user name and the token as password.
    const dec = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const t = dec.slice(dec.indexOf(':') + 1);
    if (t) return { token: t };
  }
  return { code: 3 };
}

/** The token's spec, or null after answering with the HEC error (body left unread). */
function hecAuth(req: http.IncomingMessage, url: URL, res: http.ServerResponse, st: PeerState): TokenSpec | null {
  const { token, code } = tokenOf(req, url, st);
  const fail = (c: number) => { discardBody(req); hec(res, c); return null; };
  if (code !== undefined) return fail(code);
  const spec = st.tokens.get(token!);
  if (!spec) return fail(st.tokenErrors === '400' ? 21 : 4);
  if (spec.disabled) return fail(st.tokenErrors === '400' ? 22 : 1);
  return spec;
}

function channelOf(req: http.IncomingMessage, url: URL): string | null {
  const h = req.headers['x-splunk-request-channel'];
  return (Array.isArray(h) ? h[0] : h) ?? url.searchParams.get('channel');
}

type Parsed = { batch: StoredEvent[] } | { code: number; extra?: Record<string, unknown> };

function parseRaw(body: string, url: URL, defaults: { host: string; source: string; index: string }, allowed: (ix: string) => boolean, now: number): Parsed {
  const ix = url.searchParams.get('index') ?? defaults.index;
  if (!allowed(ix)) return { code: 7 };
  const batch: StoredEvent[] = [];
  for (const line of body.split(/\r?\n/)) {
    if (!line.trim()) continue;
    batch.push({ serial: 0, timeMs: now, indexTimeMs: now, index: ix, host: url.searchParams.get('host') ?? defaults.host, source: url.searchParams.get('source') ?? defaults.source, sourcetype: url.searchParams.get('sourcetype') ?? 'httpevent', raw: line, fields: {} });
  }
  return { batch };
}

function parseFields(v: unknown): Record<string, string | string[]> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const fields: Record<string, string | string[]> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') fields[k] = String(x);
    else if (Array.isArray(x) && x.every((y) => typeof y !== 'object')) fields[k] = x.map(String);
    else return null;
  }
  return fields;
}

function parseEnvelopes(body: string, defaults: { host: string; source: string; index: string }, allowed: (ix: string) => boolean, now: number): Parsed {
  const { objects, rest } = splitConcatenatedJson(body);
  if (rest.trim()) return { code: 6, extra: { 'invalid-event-number': objects.length } };
  const batch: StoredEvent[] = [];
  for (let i = 0; i < objects.length; i++) {
    const bad = (code: number): Parsed => ({ code, extra: { 'invalid-event-number': i } });
    let o: Record<string, unknown>;
    try { o = JSON.parse(objects[i]) as Record<string, unknown>; } catch { return bad(6); }
    if (!('event' in o)) return bad(12);
    const ev = o.event;
    if (ev === null || ev === '' || (typeof ev === 'string' && !ev.trim())) return bad(13);
    const ix = typeof o.index === 'string' && o.index ? o.index : defaults.index;
    if (!allowed(ix)) return bad(7);
    let timeMs = now;
    if (o.time !== undefined) {
      const t = hecTimeToEpochMs(o.time);
      if (t === null) return bad(6);
      timeMs = t;
    }
    const fields = o.fields === undefined ? {} : parseFields(o.fields);
    if (!fields) return bad(15);
    batch.push({
      serial: 0, timeMs, indexTimeMs: now, index: ix,
      host: typeof o.host === 'string' ? o.host : defaults.host,
      source: typeof o.source === 'string' ? o.source : defaults.source,
      sourcetype: typeof o.sourcetype === 'string' ? o.sourcetype : 'httpevent',
      raw: typeof ev === 'string' ? ev : JSON.stringify(ev),
      fields,
    });
  }
  return { batch };
}

export async function handleHecData(kind: 'event' | 'raw', req: http.IncomingMessage, res: http.ServerResponse, url: URL, st: PeerState): Promise<void> {
  const spec = hecAuth(req, url, res, st);
  if (!spec) return;
  if (st.faults.busy !== 0) {
    if (st.faults.busy > 0) st.faults.busy--;
    discardBody(req);
    hec(res, 9);
    return;
  }
  const channel = channelOf(req, url);
  if (spec.ack && !channel) { discardBody(req); hec(res, 10); return; }
  if (channel !== null && !GUID.test(channel)) { discardBody(req); hec(res, 11); return; }
  const body = await readBody(req, res, st.maxHecBodyBytes);
  if (body === null) return;
  if (!body.trim()) { hec(res, 5); return; }
  const now = Date.now();
  const defaults = { host: req.headers.host ?? st.host, source: `http:${spec.name ?? 'token'}`, index: spec.index ?? 'main' };
  const allowed = (ix: string) => st.indexes.has(ix) && (!spec.indexes?.length || spec.indexes.includes(ix));
  const parsed = kind === 'raw' ? parseRaw(body, url, defaults, allowed, now) : parseEnvelopes(body, defaults, allowed, now);
  if ('code' in parsed) { hec(res, parsed.code, parsed.extra); return; }
  for (const e of parsed.batch) e.raw = truncateRaw(e.raw, st.truncateBySourcetype[e.sourcetype] ?? st.truncateBytes);
  st.persist(parsed.batch);
  let extra: Record<string, unknown> = {};
  if (spec.ack && channel) {
    let ch = st.acks.get(channel);
    if (!ch) st.acks.set(channel, (ch = { next: 0, done: new Map() }));
    const id = ch.next++;
    ch.done.set(id, true); // persisted synchronously above: "indexed" already
    extra = { ackId: id };
  }
  if (st.faults.slowMs) await sleep(st.faults.slowMs);
  if (st.faults.truncate) {
    // The data is in; the client sees a cut body and must assume the worst (resend).
    res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
    res.end('{"text":"Succ');
    return;
  }
  hec(res, 0, extra);
}

export async function handleAck(req: http.IncomingMessage, res: http.ServerResponse, url: URL, st: PeerState): Promise<void> {
  const spec = hecAuth(req, url, res, st);
  if (!spec) return;
  if (!spec.ack) { discardBody(req); hec(res, 14); return; }
  const channel = channelOf(req, url);
  if (!channel) { discardBody(req); hec(res, 10); return; }
  if (!GUID.test(channel)) { discardBody(req); hec(res, 11); return; }
  const text = await readBody(req, res, st.maxHecBodyBytes);
  if (text === null) return;
  let body: { acks?: unknown };
  try { body = JSON.parse(text) as { acks?: unknown }; } catch { hec(res, 6); return; }
  if (!Array.isArray(body.acks)) { hec(res, 6); return; }
  const ch = st.acks.get(channel);
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

export async function handleHealth(res: http.ServerResponse, st: PeerState): Promise<void> {
  if (st.faults.slowMs) await sleep(st.faults.slowMs);
  hec(res, st.faults.unhealthy || st.faults.busy !== 0 ? 18 : 17);
}
