/**
 * `/__admin/*`: fault injection and inspection for tests and curl. Needs the admin token
 * (`Authorization: Bearer <token>`); never answers a browser page (no CORS, any Origin refused).
 */
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { discardBody, readBody, send } from './http';
import { NO_FAULTS, type Faults } from './options';
import type { PeerState } from './state';

const ADMIN_BODY_LIMIT = 4 * 1024;
const FAULT_KEYS: readonly (keyof Faults)[] = ['down', 'busy', 'slowMs', 'truncate', 'unhealthy'];

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function adminAuthorized(req: http.IncomingMessage, st: PeerState): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m !== null && sameSecret(m[1], st.adminToken);
}

/** Only known fault keys with the right types; anything else is an error the caller sees. */
export function parseFaultPatch(text: string): Partial<Faults> | string {
  let v: unknown;
  try { v = JSON.parse(text || '{}'); } catch { return 'body is not JSON'; }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'body must be a JSON object';
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (!FAULT_KEYS.includes(k as keyof Faults)) return `unknown fault '${k}'`;
    if (typeof x !== typeof NO_FAULTS[k as keyof Faults]) return `fault '${k}' must be a ${typeof NO_FAULTS[k as keyof Faults]}`;
    out[k] = x;
  }
  return out as Partial<Faults>;
}

export async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string, st: PeerState): Promise<void> {
  if (req.headers.origin !== undefined) { discardBody(req); send(res, 403, { error: 'admin endpoints do not answer web pages' }); return; }
  if (!adminAuthorized(req, st)) { discardBody(req); send(res, 401, { error: 'admin token required (Authorization: Bearer <token>)' }); return; }
  const body = req.method === 'POST' ? await readBody(req, res, ADMIN_BODY_LIMIT) : '';
  if (body === null) return;
  if (path === '/__admin/faults') {
    if (req.method === 'POST') {
      const patch = parseFaultPatch(body);
      if (typeof patch === 'string') { send(res, 400, { error: patch }); return; }
      st.faults = { ...st.faults, ...patch };
    }
    send(res, 200, st.faults);
  } else if (path === '/__admin/events') {
    const sourcetype = url.searchParams.get('sourcetype');
    send(res, 200, sourcetype ? st.events.filter((e) => e.sourcetype === sourcetype) : st.events);
  } else if (path === '/__admin/reset' && req.method === 'POST') {
    st.clearEvents();
    st.faults = { ...NO_FAULTS };
    send(res, 200, { ok: true });
  } else if (path === '/__admin/stats') {
    send(res, 200, st.stats);
  } else {
    send(res, 404, { error: 'unknown admin endpoint' });
  }
}
