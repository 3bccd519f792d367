/**
 * The HEC batcher as a pure state machine: serialised envelopes go in, request bodies come out when
 * a batch reaches its event count, its byte budget, or its age. The shell owns the clock and timers
 * (it calls `tick` when `nextDeadline` passes), so this file is tested without fake timers.
 */
import { SOURCETYPE_GROUP_SCORE, SOURCETYPE_POINTER, SOURCETYPE_SCORE, utf8Bytes } from './hec';

export interface BatchLimits {
  /** Most envelopes per request. */
  maxEvents: number;
  /** Most bytes per request body (HEC's default `max_content_length` is far larger; keep requests small). */
  maxBytes: number;
  /** Oldest envelope waits at most this long before its batch is sent. */
  maxWaitMs: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEvents: 50, maxBytes: 256 * 1024, maxWaitMs: 2000 };

/** A ready-to-send request: the unit the durable queue stores and the sender retries. */
export type HecBatch = {
  id: string;
  createdAtMs: number;
  /** Newline-separated HEC envelopes (the request body). */
  body: string;
  bytes: number;
  eventCount: number;
  /** `eventId`s inside, for dedup accounting and tests. */
  eventIds: string[];
};

export interface BatcherState {
  lines: string[];
  ids: string[];
  bytes: number;
  /** When the oldest pending envelope arrived; null when empty. */
  firstAtMs: number | null;
}

export const emptyBatcher = (): BatcherState => ({ lines: [], ids: [], bytes: 0, firstAtMs: null });

export interface BatcherStep {
  state: BatcherState;
  /** Batches to persist and send, in order. */
  ready: HecBatch[];
}

function seal(s: BatcherState, nowMs: number, newId: () => string): HecBatch {
  const body = s.lines.join('\n');
  return { id: newId(), createdAtMs: nowMs, body, bytes: s.bytes + Math.max(0, s.lines.length - 1), eventCount: s.lines.length, eventIds: [...s.ids] };
}

/**
 * Add one serialised envelope (`bytes` = its UTF-8 size). An envelope larger than `maxBytes` on its
 * own still travels, alone in its batch: splitting it would break the event.
 */
export function addEnvelope(state: BatcherState, line: string, bytes: number, eventId: string, nowMs: number, limits: BatchLimits, newId: () => string): BatcherStep {
  const ready: HecBatch[] = [];
  let s = state;
  // Would this line overflow the byte budget? Seal what we have first (+1 for the newline).
  if (s.lines.length > 0 && s.bytes + s.lines.length + bytes > limits.maxBytes) {
    ready.push(seal(s, nowMs, newId));
    s = emptyBatcher();
  }
  s = { lines: [...s.lines, line], ids: [...s.ids, eventId], bytes: s.bytes + bytes, firstAtMs: s.firstAtMs ?? nowMs };
  if (s.lines.length >= limits.maxEvents || s.bytes + s.lines.length - 1 >= limits.maxBytes) {
    ready.push(seal(s, nowMs, newId));
    s = emptyBatcher();
  }
  return { state: s, ready };
}

/** Time passes: seal the pending batch when its oldest envelope has waited `maxWaitMs`. */
export function tick(state: BatcherState, nowMs: number, limits: BatchLimits, newId: () => string): BatcherStep {
  if (state.firstAtMs !== null && nowMs - state.firstAtMs >= limits.maxWaitMs) {
    return { state: emptyBatcher(), ready: [seal(state, nowMs, newId)] };
  }
  return { state, ready: [] };
}

/** Seal whatever is pending now (page hide, "send now"). */
export function drain(state: BatcherState, nowMs: number, newId: () => string): BatcherStep {
  return state.lines.length ? { state: emptyBatcher(), ready: [seal(state, nowMs, newId)] } : { state, ready: [] };
}

/** When the shell should call `tick` next, or null when nothing is pending. */
export function nextDeadline(state: BatcherState, limits: BatchLimits): number | null {
  return state.firstAtMs === null ? null : state.firstAtMs + limits.maxWaitMs;
}

/** What a queued line carries, by its sourcetype: raw pointer events, scores, or anything else. */
export type HecEventKind = 'pointer' | 'score' | 'other';

const KIND_BY_SOURCETYPE: Readonly<Record<string, HecEventKind>> = { [SOURCETYPE_POINTER]: 'pointer', [SOURCETYPE_SCORE]: 'score', [SOURCETYPE_GROUP_SCORE]: 'score' };

/** The lines of a batch body with their event ids (JSON never holds a raw newline, so '\n' splits safely). */
export function batchLines(b: Pick<HecBatch, 'body' | 'eventIds'>): { line: string; eventId: string }[] {
  const lines = b.body === '' ? [] : b.body.split('\n');
  return lines.map((line, i) => ({ line, eventId: b.eventIds[i] ?? '' }));
}

/** A batch rebuilt from some of its lines (same id: a copy already delivered settles the rebuilt one). */
export function rebuildBatch<B extends HecBatch>(b: B, lines: readonly { line: string; eventId: string }[]): B {
  const body = lines.map((l) => l.line).join('\n');
  const bytes = lines.reduce((n, l) => n + utf8Bytes(l.line), 0) + Math.max(0, lines.length - 1);
  return { ...b, body, bytes, eventCount: lines.length, eventIds: lines.map((l) => l.eventId) };
}

/**
 * Which queued events a purge removes. Plain data, not a function: a purge started in one tab
 * crosses the BroadcastChannel to every other tab's client (see `src/store/hecQueue.ts`).
 */
export type EnvelopePurgeRule =
  /** Everything (delete all, "Discard unsent"). */
  | { by: 'all' }
  /** Events of one kind (raw opt-out: 'pointer'). */
  | { by: 'kind'; kind: HecEventKind }
  /** Events (raw and scores) of these profiles, by the indexed field `pp_profile`. */
  | { by: 'profiles'; profileIds: readonly string[] }
  /** Events of one session, by the indexed field `pp_session`. */
  | { by: 'session'; sessionId: string }
  /** Events whose HEC `time` is before this instant (retention). */
  | { by: 'before'; epochMs: number };

/**
 * Does `rule` remove this serialised envelope? A line that does not parse always matches: a privacy
 * purge errs on the side of not sending.
 */
export function envelopeMatches(line: string, rule: EnvelopePurgeRule): boolean {
  let env: { sourcetype?: unknown; time?: unknown; fields?: Record<string, unknown> } | null;
  try { env = JSON.parse(line) as typeof env; } catch { return true; }
  if (!env || typeof env !== 'object') return true;
  switch (rule.by) {
    case 'all': return true;
    case 'kind': return (typeof env.sourcetype === 'string' ? KIND_BY_SOURCETYPE[env.sourcetype] ?? 'other' : 'other') === rule.kind;
    case 'profiles': return rule.profileIds.includes(String(env.fields?.pp_profile));
    case 'session': return String(env.fields?.pp_session) === rule.sessionId;
    case 'before': return typeof env.time === 'number' && env.time * 1000 < rule.epochMs;
  }
}

/**
 * The batch without the events `rule` matches, and the ids removed. `batch` is the same object when
 * nothing matched, null when nothing is left. A line without an id is named `<batch id>:line-<i>`.
 */
export function withoutEnvelopes<B extends HecBatch>(b: B, rule: EnvelopePurgeRule): { batch: B | null; removedIds: string[] } {
  const all = batchLines(b);
  const kept: typeof all = [];
  const removedIds: string[] = [];
  all.forEach((l, i) => {
    if (envelopeMatches(l.line, rule)) removedIds.push(l.eventId || `${b.id}:line-${i}`);
    else kept.push(l);
  });
  if (!removedIds.length) return { batch: b, removedIds };
  return { batch: kept.length ? rebuildBatch(b, kept) : null, removedIds };
}

/** Pending (gathering) lines without those `rule` matches, and the ids removed. */
export function pendingWithoutEnvelopes(s: BatcherState, rule: EnvelopePurgeRule): { state: BatcherState; removedIds: string[] } {
  const keep = s.lines.map((l) => !envelopeMatches(l, rule));
  if (keep.every(Boolean)) return { state: s, removedIds: [] };
  const removedIds = s.ids.filter((_, i) => !keep[i]);
  const lines = s.lines.filter((_, i) => keep[i]);
  if (!lines.length) return { state: emptyBatcher(), removedIds };
  return { state: { lines, ids: s.ids.filter((_, i) => keep[i]), bytes: lines.reduce((n, l) => n + utf8Bytes(l), 0), firstAtMs: s.firstAtMs }, removedIds };
}

/**
 * Halve a batch Splunk refused as too large (HTTP 413): two batches with new ids, or null when it
 * holds a single event (which can only be dropped: no smaller request carries it).
 */
export function splitBatch<B extends HecBatch>(b: B, newId: () => string): [B, B] | null {
  const lines = batchLines(b);
  if (lines.length < 2) return null;
  const mid = Math.ceil(lines.length / 2);
  return [
    { ...rebuildBatch(b, lines.slice(0, mid)), id: newId() },
    { ...rebuildBatch(b, lines.slice(mid)), id: newId() },
  ];
}

/**
 * Pick queued batches for a keepalive flush on page hide: browsers cap the bodies of all in-flight
 * keepalive requests at 64 KiB in total, so take oldest-first while they fit.
 */
export function pickForKeepalive<T extends { bytes: number }>(batches: readonly T[], budgetBytes = 60 * 1024): T[] {
  const out: T[] = [];
  let used = 0;
  for (const b of batches) {
    if (used + b.bytes > budgetBytes) break;
    out.push(b);
    used += b.bytes;
  }
  return out;
}
