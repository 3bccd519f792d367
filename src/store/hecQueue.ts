/**
 * The durable HEC queue: batches waiting to be sent to Splunk, in IndexedDB store `hecQueue`
 * (keyPath `id`, index `byCreated` on `createdAtMs`, created by db.ts). A batch is written here
 * before its first send and deleted only after Splunk accepted it (and acknowledged it, when
 * acknowledgement is on), so a reload, a crash or a lost connection loses nothing.
 */
import type { HecBatch } from '../core/splunk/batcher';
import { SOURCETYPE_POINTER, SOURCETYPE_SCORE, utf8Bytes } from '../core/splunk/hec';
import { openPointerprintDb, storageError, type PointerprintDb } from './db';

export type QueuedBatch = HecBatch & {
  /** Send attempts so far (for backoff after a reload). */
  attempts: number;
};

/** What the HEC client needs from a queue; IndexedDB in the app, memory when IndexedDB is missing. */
export interface HecQueueStore {
  put(b: QueuedBatch): Promise<void>;
  delete(id: string): Promise<void>;
  /** All batches, oldest first. */
  list(): Promise<QueuedBatch[]>;
  clear(): Promise<void>;
}

function isQueuedBatch(v: unknown): v is QueuedBatch {
  const b = v as Partial<QueuedBatch> | null;
  return !!b && typeof b.id === 'string' && typeof b.body === 'string' && typeof b.createdAtMs === 'number';
}

/** Run one IndexedDB operation, mapping failures to the store's person-readable errors. */
async function withDb<T>(op: (db: PointerprintDb) => Promise<T>): Promise<T> {
  try {
    return await op(await openPointerprintDb());
  } catch (e) {
    throw storageError(e);
  }
}

export const idbHecQueue: HecQueueStore = {
  async put(b) {
    await withDb((db) => db.put('hecQueue', { ...b, eventIds: [...b.eventIds] }));
  },
  delete: (id) => withDb((db) => db.delete('hecQueue', id)),
  async list() {
    const all = await withDb((db) => db.getAllFromIndex('hecQueue', 'byCreated'));
    return all.filter(isQueuedBatch).map((b) => ({ ...b, attempts: typeof b.attempts === 'number' ? b.attempts : 0 }));
  },
  clear: () => withDb((db) => db.clear('hecQueue')),
};

/** A queue in memory (IndexedDB unavailable, tests): survives nothing, says so in the UI. */
export function memoryHecQueue(): HecQueueStore {
  const m = new Map<string, QueuedBatch>();
  return {
    async put(b) { m.set(b.id, { ...b }); },
    async delete(id) { m.delete(id); },
    async list() { return [...m.values()].sort((a, b) => a.createdAtMs - b.createdAtMs); },
    async clear() { m.clear(); },
  };
}

// ---------------------------------------------------------------------------------------------------
// Privacy purge (helper `privacy`, issue #10 items 2 and 3). Kept apart from the queue functions above
// so `hec`'s own queue work merges cleanly; if `hec` adds an equivalent, keep one of the two.
// ---------------------------------------------------------------------------------------------------

/** What a purge rule sees of one queued HEC envelope (its parsed JSON line). */
export interface QueuedEnvelope {
  sourcetype?: string;
  /** HEC `time`, epoch seconds. */
  time?: number;
  fields?: Record<string, unknown>;
}
/** True for envelopes to remove. */
export type EnvelopePurgeRule = (env: QueuedEnvelope) => boolean;

/** Raw pointer events (`pointerprint:pointer`): what "send raw pointer events" covers. */
export const rawPointerEnvelopes: EnvelopePurgeRule = (e) => e.sourcetype === SOURCETYPE_POINTER;
/** Every envelope (delete all). */
export const allEnvelopes: EnvelopePurgeRule = () => true;
/** Events (raw and scores) of these profiles, by the indexed field `pp_profile`. */
export const envelopesOfProfiles = (profileIds: readonly string[]): EnvelopePurgeRule => (e) => profileIds.includes(String(e.fields?.pp_profile));
/** Events of one session, by the indexed field `pp_session`. */
export const envelopesOfSession = (sessionId: string): EnvelopePurgeRule => (e) => String(e.fields?.pp_session) === sessionId;
/** Events timed before `cutoffEpochMs` (retention). */
export const envelopesBefore = (cutoffEpochMs: number): EnvelopePurgeRule => (e) => typeof e.time === 'number' && e.time * 1000 < cutoffEpochMs;

/**
 * A batch without the envelopes `rule` matches (pure). Returns the batch itself when nothing
 * matched, null when nothing is left. A line that does not parse is removed too: when in doubt,
 * a privacy purge errs on the side of not sending.
 */
export function withoutEnvelopes<B extends HecBatch>(b: B, rule: EnvelopePurgeRule): { batch: B | null; removedIds: string[] } {
  const lines = b.body.split('\n');
  const keepLines: string[] = [], keepIds: string[] = [], removedIds: string[] = [];
  lines.forEach((line, i) => {
    let env: QueuedEnvelope | null = null;
    try { env = JSON.parse(line) as QueuedEnvelope; } catch { env = null; }
    const idOf = b.eventIds[i] ?? `line-${i}`;
    if (env === null || typeof env !== 'object' || rule(env)) removedIds.push(idOf);
    else { keepLines.push(line); keepIds.push(idOf); }
  });
  if (removedIds.length === 0) return { batch: b, removedIds };
  if (keepLines.length === 0) return { batch: null, removedIds };
  const bytes = keepLines.reduce((n, l) => n + utf8Bytes(l), 0) + keepLines.length - 1;
  return { batch: { ...b, body: keepLines.join('\n'), bytes, eventCount: keepLines.length, eventIds: keepIds }, removedIds };
}

/** Remove matching envelopes from the durable store; returns the ids of the removed events. */
export async function purgeQueued(rule: EnvelopePurgeRule, store: HecQueueStore = idbHecQueue): Promise<string[]> {
  const removed: string[] = [];
  for (const b of await store.list()) {
    const r = withoutEnvelopes(b, rule);
    if (!r.removedIds.length) continue;
    removed.push(...r.removedIds);
    if (r.batch) await store.put(r.batch);
    else await store.delete(b.id);
  }
  return removed;
}

/** The brief's name for the raw opt-out purge: remove queued events of one kind, keep the others. */
export function purgeQueuedKind(kind: 'pointer' | 'score', store: HecQueueStore = idbHecQueue): Promise<string[]> {
  return purgeQueued((e) => e.sourcetype === (kind === 'pointer' ? SOURCETYPE_POINTER : SOURCETYPE_SCORE), store);
}

/**
 * Whoever holds queued envelopes in memory as well (the app's HEC client: its gathering batch and
 * in-memory queue) registers here, so deletions in the store layer reach memory too without the
 * store importing the Splunk client.
 */
export interface QueueHolder {
  purgeEnvelopes(rule: EnvelopePurgeRule): Promise<string[]>;
}
let queueHolder: QueueHolder | null = null;
export function registerQueueHolder(h: QueueHolder | null): void {
  queueHolder = h;
}

/** Purge matching envelopes from memory (when a client holds them) and from the durable store. */
export async function purgeQueuedEverywhere(rule: EnvelopePurgeRule): Promise<string[]> {
  if (queueHolder) return queueHolder.purgeEnvelopes(rule);
  return typeof indexedDB === 'undefined' ? [] : purgeQueued(rule);
}
