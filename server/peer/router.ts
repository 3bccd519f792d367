/**
 * Request routing of the local peer: admin, CORS preflight, HEC, management API.
 */
import type http from 'node:http';
import { handleAdmin } from './admin';
import { handleAck, handleHealth, handleHecData } from './hec';
import { corsHeaders, discardBody, hec, preflight, send } from './http';
import { handleMgmt } from './mgmt';
import type { PeerState } from './state';

/** `/servicesNS/<owner>/<app>/x` → `/services/x` (namespaces do not matter here), no trailing slash. */
export function normalisePath(pathname: string): string {
  return pathname.replace(/^\/servicesNS\/[^/]+\/[^/]+\//, '/services/').replace(/\/+$/, '') || '/';
}

async function routeHecOrMgmt(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string, st: PeerState): Promise<void> {
  if (/^\/services\/collector(\/event(\/1\.0)?)?$/.test(path)) {
    if (req.method !== 'POST') { discardBody(req); send(res, 405, { text: 'Method not allowed', code: 8 }); return; }
    await handleHecData('event', req, res, url, st);
  } else if (/^\/services\/collector\/raw(\/1\.0)?$/.test(path)) {
    await handleHecData('raw', req, res, url, st);
  } else if (/^\/services\/collector\/health(\/1\.0)?$/.test(path)) {
    discardBody(req);
    await handleHealth(res, st);
  } else if (/^\/services\/collector\/ack(\/1\.0)?$/.test(path)) {
    await handleAck(req, res, url, st);
  } else if (path.startsWith('/services/')) {
    await handleMgmt(req, res, url, path, st);
  } else {
    discardBody(req);
    send(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
  }
}

/**
 * The Host header must name this machine: a page whose domain was re-pointed at 127.0.0.1 (DNS
 * rebinding) is same-origin to the browser, so CORS alone would not keep it out.
 */
export function hostAllowed(hostHeader: string | undefined, st: PeerState): boolean {
  if (!hostHeader) return false;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
  return st.allowedHosts.has(name.toLowerCase());
}

export async function route(req: http.IncomingMessage, res: http.ServerResponse, st: PeerState): Promise<void> {
  if (!hostAllowed(req.headers.host, st)) { discardBody(req); send(res, 421, { text: 'Misdirected request: unknown Host', code: 421 }); return; }
  const url = new URL(req.url ?? '/', `http://${st.host}`);
  const path = normalisePath(url.pathname);
  // Counted per path without CORS preflights, so tests can count real requests.
  st.stats.requests++;
  if (req.method !== 'OPTIONS') st.stats.byPath[path] = (st.stats.byPath[path] ?? 0) + 1;
  if (path.startsWith('/__admin/')) { await handleAdmin(req, res, url, path, st); return; }
  if (st.faults.down) { req.socket.destroy(); return; }
  if (req.method === 'OPTIONS') { discardBody(req); preflight(req, res, st.cors); return; }
  corsHeaders(req, res, st.cors);
  st.log(`${req.method} ${url.pathname}`);
  await routeHecOrMgmt(req, res, url, path, st);
}

/** The listener: route, and turn an unexpected failure into HEC's internal error (code 8). */
export function requestListener(st: PeerState): http.RequestListener {
  return (req, res) => {
    route(req, res, st).catch((e: unknown) => {
      st.log(`error: ${e instanceof Error ? e.stack : String(e)}`);
      if (!res.headersSent) hec(res, 8);
      else res.destroy();
    });
  };
}
