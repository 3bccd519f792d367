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
   * Cannot succeed as configured (token, index, channel, URL) or an answer we do not understand:
   * keep every batch and pause until the owner changes the settings or presses "Retry now".
   */
  | { kind: 'pause'; error: PointerprintError; status: number; hecCode?: number }
  /**
   * Splunk documents this answer as permanent for the data in this batch (codes 5, 6, 12, 13, 15).
   * `invalidEventNumber`: which event (0-based) Splunk refused, when it says so.
   */
  | { kind: 'reject'; error: PointerprintError; status: number; hecCode: number; invalidEventNumber?: number }
  /** HTTP 413: the request body is over the server's limit; a smaller request may pass. */
  | { kind: 'too-large'; status: number };

/** Parse a HEC JSON body; null when it is not one (proxy error page, truncated body…). */
export function parseHecBody(text: string): { text?: string; code?: number; ackId?: number; [k: string]: unknown } | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as { text?: string; code?: number; ackId?: number }) : null;
  } catch {
    return null;
  }
}

const TOKEN_REFUSED = 'Splunk refused this HEC token (invalid or disabled): check the token, or ask the Splunk admin to enable it.';

/**
 * Words for the owner, per HEC code a client must pause on: what went wrong and what to do. Kept
 * short (the embeddable bundle carries them); "unsent events are kept" is added once, for all.
 */
const PAUSE_ADVICE: Readonly<Record<number, [code: string, words: string]>> = {
  1: ['hec/token-disabled', 'Splunk says this HEC token is disabled: ask the Splunk admin to enable it, or use another token.'],
  2: ['hec/token-required', 'Splunk wants a HEC token: set one.'],
  3: ['hec/invalid-authorization', 'Splunk could not read the Authorization header ("Splunk <token>"): check the token.'],
  4: ['hec/invalid-token', 'Splunk does not know this HEC token: check the token.'],
  7: ['hec/incorrect-index', 'Splunk refused the index: fix it, or ask the admin to allow it for this token.'],
  10: ['hec/channel-missing', 'This token uses indexer acknowledgement: turn acknowledgement on.'],
  11: ['hec/invalid-channel', 'Splunk rejected the request channel id.'],
  14: ['hec/ack-disabled', 'Acknowledgement is off for this token: turn acknowledgement off.'],
  16: ['hec/query-auth', 'Splunk refused a token in the URL.'],
  // Some Splunk versions answer an invalid or disabled token with HTTP 400 and these codes.
  21: ['hec/invalid-token', TOKEN_REFUSED],
  22: ['hec/token-disabled', TOKEN_REFUSED],
};

/** Codes Splunk documents as a problem of the batch's data (the only ones that ever drop an event). */
const REJECT_ADVICE: Readonly<Record<number, [code: string, words: string]>> = {
  5: ['hec/no-data', 'Splunk found no data in a request'],
  6: ['hec/invalid-data-format', 'Splunk refused an event as invalid data'],
  12: ['hec/event-required', 'Splunk found an event without its event field'],
  13: ['hec/event-required', 'Splunk found an event with a blank event field'],
  15: ['hec/indexed-fields', 'Splunk could not handle the indexed fields of an event'],
};

const CHECK_URL = ' Check the HEC URL.';

/** Words for an HTTP answer without a HEC code (a proxy, a wrong port, a static host): pause, keep everything. */
function unknownAnswer(status: number): [code: string, words: string] {
  if (status === 404) return ['hec/not-found', 'No HTTP Event Collector at this URL (is HEC enabled, on port 8088?).' + CHECK_URL];
  if (status === 401 || status === 403) return ['hec/unauthorized', "The server refused the request without a HEC answer: check the token, and that the URL is Splunk's HEC, not a proxy's login."];
  if (status === 405) return ['hec/not-hec', 'The server at this URL does not take HEC requests.' + CHECK_URL];
  return ['hec/unknown-answer', "The server's answer is not a HEC response (a proxy, another port or service?)." + CHECK_URL];
}

/** Words naming the code Splunk sent (its own text when it sent one). */
function codeSuffix(status: number, code: number | undefined, bodyText: string | undefined): string {
  return code === undefined ? ` (HTTP ${status})` : ` (HEC code ${code}${bodyText ? `: "${bodyText}"` : ''}, HTTP ${status})`;
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
 * at-least-once). Reject (drop events): only the codes Splunk documents as a problem of the data
 * (5, 6, 12, 13, 15). 413: split. Everything else — token, index, channel codes, codes we do not
 * know, any answer without a HEC code — pauses and keeps the queue: a wrong URL must never empty it.
 */
export function classifyHecResponse(status: number, bodyText: string, retryAfter?: string | null, nowMs = 0): HecOutcome {
  const body = parseHecBody(bodyText);
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const text = typeof body?.text === 'string' ? body.text : undefined;
  const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
  const detail = { status, body: bodyText.slice(0, 500) };
  if (status >= 200 && status < 300) {
    if (code === 0 || code === 17) return typeof body?.ackId === 'number' ? { kind: 'ok', ackId: body.ackId } : { kind: 'ok' };
    return { kind: 'retry', reason: 'Splunk answered without the expected confirmation (truncated or unknown response); sending the batch again.', status, hecCode: code };
  }
  if (status >= 500 || status === 408 || status === 429 || code === 9 || code === 18 || code === 19 || code === 20) {
    const what = code === 9 ? 'Splunk is busy (HEC code 9)' : code !== undefined ? `Splunk is unavailable (HEC code ${code})` : `Splunk answered HTTP ${status}`;
    return { kind: 'retry', reason: `${what}; retrying with backoff.`, status, hecCode: code, retryAfterMs };
  }
  if (status === 413) return { kind: 'too-large', status };
  if (code === 10) return { kind: 'needs-channel', status, hecCode: 10 };
  const reject = code !== undefined ? REJECT_ADVICE[code] : undefined;
  if (reject) {
    const n = body?.['invalid-event-number'];
    const invalidEventNumber = typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
    return { kind: 'reject', error: new PointerprintError(reject[0], reject[1] + codeSuffix(status, code, text), detail), status, hecCode: code!, invalidEventNumber };
  }
  const [errCode, words] = code !== undefined
    ? PAUSE_ADVICE[code] ?? ['hec/unknown-code', "Splunk answered with a HEC code this client does not know: check the HEC configuration and Splunk's HEC logs."]
    : unknownAnswer(status);
  return { kind: 'pause', error: new PointerprintError(errCode, words + ' Sending is paused; unsent events are kept.' + codeSuffix(status, code, text), detail), status, hecCode: code };
}

/** A fetch that threw (offline, refused, CORS failure, abort): always retryable. */
export function classifyNetworkError(e: unknown): HecOutcome {
  const msg = e instanceof Error ? e.message : String(e);
  return { kind: 'retry', reason: `Could not reach Splunk (${msg}): offline, server down, or CORS is not enabled for this origin. Retrying with backoff.` };
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
