/**
 * HTTP plumbing of the local peer: bounded body reading, responses, form parameters, CORS.
 */
import type http from 'node:http';
import { HEC_STATUS, type HecStatusInfo } from '../../src/core/splunk/hecStatus';

/** Codes some Splunk versions send that the shared table may not list yet. */
const EXTRA_HEC_STATUS: Record<number, HecStatusInfo> = {
  21: { http: 400, text: 'Invalid token' },
  22: { http: 400, text: 'Token disabled' },
};

export function hecStatus(code: number): HecStatusInfo {
  return HEC_STATUS[code] ?? EXTRA_HEC_STATUS[code];
}

export function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json; charset=UTF-8'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A HEC answer: the documented HTTP status and `{"text","code"}` body for `code`. */
export function hec(res: http.ServerResponse, code: number, extra: Record<string, unknown> = {}): void {
  const info = hecStatus(code);
  send(res, info.http, { text: info.text, code, ...extra });
}

export function mgmtError(res: http.ServerResponse, status: number, text: string, type = 'ERROR'): void {
  send(res, status, { messages: [{ type, text }] });
}

function tooLarge(req: http.IncomingMessage, res: http.ServerResponse, size: number, limit: number): null {
  // Answer, then drop the connection: the rest of the body is never read.
  res.setHeader('Connection', 'close');
  send(res, 413, `Content-Length of ${size} too large (maximum is ${limit})`, 'text/plain; charset=UTF-8');
  res.once('finish', () => req.destroy());
  return null;
}

/**
 * Read a request body of at most `limit` bytes. A declared Content-Length over the limit is refused
 * before a byte is read; a chunked body is cut off as soon as it passes the limit. Either way the
 * peer answers 413 and returns null. Call only after the request is authenticated.
 */
export function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(tooLarge(req, res, declared, limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    let done = false;
    req.on('data', (b: Buffer) => {
      if (done) return;
      n += b.length;
      if (n > limit) { done = true; req.pause(); resolve(tooLarge(req, res, n, limit)); return; }
      parts.push(b);
    });
    req.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(parts).toString('utf8')); } });
    req.on('error', (e) => { if (!done) { done = true; reject(e); } });
  });
}

/** Skip an unread body without buffering it (after an answer that does not need it). */
export function discardBody(req: http.IncomingMessage): void {
  req.resume();
}

export function params(url: URL, body: string, contentType: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (out[k] = v));
  if (body && (!contentType || contentType.includes('x-www-form-urlencoded') || contentType.includes('text/plain'))) {
    new URLSearchParams(body).forEach((v, k) => (out[k] = v));
  } else if (body && contentType?.includes('application/json')) {
    try { Object.assign(out, JSON.parse(body) as Record<string, string>); } catch { /* not JSON: form fields only */ }
  }
  return out;
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ------------------------------------------------------------------------------------------ CORS

function originPattern(p: string): RegExp {
  return new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$', 'i');
}

/**
 * splunkd's `crossOriginSharingPolicy` match: the first pattern that matches decides; a pattern
 * prefixed with `!` excludes. No pattern matching: not allowed.
 */
export function originAllowed(origin: string, policy: readonly string[]): boolean {
  for (const raw of policy) {
    const negate = raw.startsWith('!');
    const p = negate ? raw.slice(1) : raw;
    if (originPattern(p).test(origin)) return !negate;
  }
  return false;
}

export interface CorsPolicy {
  origins: readonly string[];
  headers: readonly string[];
}

/** True when the request came from a browser page whose origin the policy does not allow. */
export function foreignOrigin(req: http.IncomingMessage, policy: CorsPolicy): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && !originAllowed(origin, policy.origins);
}

/** CORS headers for an allowed origin on an ordinary response; nothing for any other origin. */
export function corsHeaders(req: http.IncomingMessage, res: http.ServerResponse, policy: CorsPolicy): void {
  const origin = req.headers.origin;
  if (!origin || !originAllowed(origin, policy.origins)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Vary', 'Origin');
}

/**
 * A preflight answer: for an allowed origin the configured methods and exactly the configured
 * headers (never an echo of what the browser asked for); for any other origin no CORS headers, so
 * the browser refuses the real request.
 */
export function preflight(req: http.IncomingMessage, res: http.ServerResponse, policy: CorsPolicy): void {
  corsHeaders(req, res, policy);
  if (res.hasHeader('Access-Control-Allow-Origin')) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    if (policy.headers.length) res.setHeader('Access-Control-Allow-Headers', policy.headers.join(', '));
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(204);
  res.end();
}
