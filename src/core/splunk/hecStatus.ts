/**
 * HEC responses: the documented status codes, and what a client should do with each.
 *
 * Table from Splunk docs, "Troubleshoot HTTP Event Collector" → "Possible error codes": every HEC
 * response carries `{"text": ..., "code": n}` with a fixed HTTP status per code. Pure.
 */
import { PointerprintError } from '../errors';

export interface HecStatusInfo {
  http: number;
  text: string;
}

/** HEC status code → HTTP status and message, as Splunk sends them. */
export const HEC_STATUS: Readonly<Record<number, HecStatusInfo>> = {
  0: { http: 200, text: 'Success' },
  1: { http: 403, text: 'Token disabled' },
  2: { http: 401, text: 'Token is required' },
  3: { http: 401, text: 'Invalid authorization' },
  4: { http: 403, text: 'Invalid token' },
  5: { http: 400, text: 'No data' },
  6: { http: 400, text: 'Invalid data format' },
  7: { http: 400, text: 'Incorrect index' },
  8: { http: 500, text: 'Internal server error' },
  9: { http: 503, text: 'Server is busy' },
  10: { http: 400, text: 'Data channel is missing' },
  11: { http: 400, text: 'Invalid data channel' },
  12: { http: 400, text: 'Event field is required' },
  13: { http: 400, text: 'Event field cannot be blank' },
  14: { http: 400, text: 'ACK is disabled' },
  15: { http: 400, text: 'Error in handling indexed fields' },
  16: { http: 400, text: 'Query string authorization is not enabled' },
  17: { http: 200, text: 'HEC is healthy' },
  18: { http: 503, text: 'HEC is unhealthy, queues are full' },
  19: { http: 503, text: 'HEC is unhealthy, ack service unavailable' },
  20: { http: 503, text: 'HEC is unhealthy, queues are full, ack service unavailable' },
};

/** What a client does with one HEC response. */
export type HecOutcome =
  /** Accepted; `ackId` when the token uses indexer acknowledgement. */
  | { kind: 'ok'; ackId?: number }
  /** Try the same batch again later (network error, busy, 5xx, truncated response). */
  | { kind: 'retry'; reason: string; status?: number; hecCode?: number; retryAfterMs?: number }
  /** The token requires acknowledgement: resend with a request channel. */
  | { kind: 'needs-channel'; status: number; hecCode: number }
  /**
   * Cannot succeed as configured. `scope: 'config'` (token, index, channel): keep the batch and
   * pause until the owner fixes the settings. `scope: 'batch'` (this batch's data is bad): drop it.
   */
  | { kind: 'fatal'; scope: 'config' | 'batch'; error: PointerprintError; status: number; hecCode?: number };

/** Parse a HEC JSON body; null when it is not one (proxy error page, truncated body…). */
export function parseHecBody(text: string): { text?: string; code?: number; ackId?: number; [k: string]: unknown } | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as { text?: string; code?: number; ackId?: number }) : null;
  } catch {
    return null;
  }
}

/** Words for the owner, per HEC code: what went wrong and what to do. */
function advice(code: number | undefined, status: number): { code: string; words: string; scope: 'config' | 'batch' } {
  switch (code) {
    case 1: return { code: 'hec/token-disabled', words: 'Splunk says this HEC token is disabled. Ask the Splunk admin to enable it, or enter another token.', scope: 'config' };
    case 2: return { code: 'hec/token-required', words: 'Splunk wants a HEC token: enter one in the settings.', scope: 'config' };
    case 3: return { code: 'hec/invalid-authorization', words: 'Splunk could not read the Authorization header (it must be "Splunk <token>"). Check the token.', scope: 'config' };
    case 4: return { code: 'hec/invalid-token', words: 'Splunk does not know this HEC token. Check the token in the settings.', scope: 'config' };
    case 5: return { code: 'hec/no-data', words: 'Splunk received an empty request; the batch was dropped.', scope: 'batch' };
    case 6: return { code: 'hec/invalid-data-format', words: 'Splunk rejected a batch as invalid data; it was dropped (other batches go on).', scope: 'batch' };
    case 7: return { code: 'hec/incorrect-index', words: 'Splunk refused the index: the token may not write to it. Fix the index in the settings or ask the admin to allow it for the token.', scope: 'config' };
    case 10: return { code: 'hec/channel-missing', words: 'This token uses indexer acknowledgement and needs a request channel: turn on "acknowledgement" in the settings.', scope: 'config' };
    case 11: return { code: 'hec/invalid-channel', words: 'Splunk rejected the request channel id.', scope: 'config' };
    case 12: case 13: return { code: 'hec/event-required', words: 'Splunk found an event without content; the batch was dropped.', scope: 'batch' };
    case 14: return { code: 'hec/ack-disabled', words: 'Acknowledgement is off for this token: turn off "acknowledgement" in the settings.', scope: 'config' };
    case 15: return { code: 'hec/indexed-fields', words: 'Splunk could not handle the indexed fields of a batch; it was dropped.', scope: 'batch' };
    case 16: return { code: 'hec/query-auth', words: 'Splunk refused a token in the URL.', scope: 'config' };
  }
  if (status === 404) return { code: 'hec/not-found', words: 'No HTTP Event Collector at this URL (404). Check the HEC URL (port 8088 on Splunk Enterprise; HEC must be enabled).', scope: 'config' };
  if (status === 413) return { code: 'hec/too-large', words: 'Splunk refused a batch as too large (413); it was dropped. Lower the batch size.', scope: 'batch' };
  if (status === 401 || status === 403) return { code: 'hec/unauthorized', words: `Splunk refused the request (${status}). Check the token.`, scope: 'config' };
  return { code: 'hec/rejected', words: `Splunk rejected the request (HTTP ${status}).`, scope: 'batch' };
}

/** `Retry-After` in seconds or an HTTP date → ms from now. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/**
 * Classify a HEC response. Retryable: 503 / code 9 (busy), 18-20 (unhealthy), other 5xx, 408, 429,
 * and a 200 whose body is not the documented JSON (truncated: the outcome is unknown, so resend —
 * at-least-once). Fatal: codes 1-7 and 10-16, 404, 413, other 4xx, with words for the owner.
 */
export function classifyHecResponse(status: number, bodyText: string, retryAfter?: string | null, nowMs = 0): HecOutcome {
  const body = parseHecBody(bodyText);
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
  if (status >= 200 && status < 300) {
    if (code === 0 || code === 17) return typeof body?.ackId === 'number' ? { kind: 'ok', ackId: body.ackId } : { kind: 'ok' };
    return { kind: 'retry', reason: 'Splunk answered without the expected confirmation (truncated or unknown response); the batch will be sent again.', status, hecCode: code };
  }
  if (status === 503 || status >= 500 || status === 408 || status === 429 || code === 9 || code === 18 || code === 19 || code === 20) {
    const what = code === 9 ? 'Splunk is busy (HEC code 9)' : code !== undefined ? `Splunk is unavailable (HEC code ${code})` : `Splunk answered HTTP ${status}`;
    return { kind: 'retry', reason: `${what}; retrying with backoff.`, status, hecCode: code, retryAfterMs };
  }
  if (code === 10) return { kind: 'needs-channel', status, hecCode: 10 };
  const a = advice(code, status);
  const suffix = code !== undefined ? ` (HEC code ${code}: "${HEC_STATUS[code]?.text ?? body?.text ?? ''}", HTTP ${status})` : ` (HTTP ${status})`;
  return { kind: 'fatal', scope: a.scope, error: new PointerprintError(a.code, a.words + suffix, { status, body: bodyText.slice(0, 500) }), status, hecCode: code };
}

/** A fetch that threw (offline, refused, CORS failure, abort): always retryable. */
export function classifyNetworkError(e: unknown): HecOutcome {
  const msg = e instanceof Error ? e.message : String(e);
  return { kind: 'retry', reason: `Could not reach Splunk (${msg}). Offline, the server is down, or CORS is not enabled for this origin; retrying with backoff.` };
}

/** Backoff policy: exponential with jitter, capped. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, factor: 2 };

/**
 * Delay before retry number `attempt` (0 = first retry): "equal jitter" — half the capped
 * exponential delay fixed, half random — so many clients that failed together spread out, yet no
 * retry comes sooner than half the nominal delay. A server's Retry-After wins when it is longer.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random, retryAfterMs?: number): number {
  const nominal = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, Math.max(0, attempt)));
  const d = nominal / 2 + random() * (nominal / 2);
  return Math.round(retryAfterMs !== undefined ? Math.max(d, Math.min(retryAfterMs, policy.maxMs * 5)) : d);
}
