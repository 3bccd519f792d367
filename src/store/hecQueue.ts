/**
 * The durable HEC queue: batches waiting to be sent to Splunk, in IndexedDB store `hecQueue`
 * (keyPath `id`, index `byCreated` on `createdAtMs`, created by db.ts). A batch is written here
 * before its first send and deleted only after Splunk accepted it (and acknowledged it, when
 * acknowledgement is on), so a reload, a crash or a lost connection loses nothing.
 *
 * The queue is shared by every tab of the app (one IndexedDB); one tab sends, the others only add
 * batches (see `src/splunk/hecClient.ts`). Changes are announced to all tabs' clients through
 * `onHecQueueNotice`: in this tab at once, in other tabs over a BroadcastChannel.
 *
 * Privacy (issue #10): one purge path, `purgeQueued(rule)`, for settings and "delete" actions, with or
 * without a running client. The rule is data (`EnvelopePurgeRule`), so it crosses to other tabs:
 * every tab's client drops matching gathering lines and aborts a send carrying them, and the durable
 * store is rewritten. Rules: `rawPointerEnvelopes` (raw opt-out; scores stay), `allEnvelopes` (delete
 * all), `envelopesOfProfiles(ids)`, `envelopesOfSession(id)`, `envelopesBefore(cutoff)` (retention).
 * `purgeKind(kind)` and `clearAll()` are shorthands for it.
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { withoutEnvelopes, type EnvelopePurgeRule, type HecBatch, type HecEventKind } from '../core/splunk/batcher';
import { openPointerprintDb, storageError, type PointerprintDB } from './db';

export type { EnvelopePurgeRule, HecEventKind } from '../core/splunk/batcher';
export { withoutEnvelopes } from '../core/splunk/batcher';

export type QueuedBatch = HecBatch & {
  /** Send attempts so far (for backoff after a reload). */
  attempts: number;
  /**
   * Splunk accepted the batch and gave this acknowledgement id on this request channel; the batch
   * waits for the ack (polled) instead of being resent, even after a reload.
   */
  ack?: { id: number; channel: string; acceptedAtMs: number };
};

/** What a purge removed. */
export interface PurgeResult {
  /** Distinct events removed (= `eventIds.length`). */
  events: number;
  /** Batches left empty and deleted from the durable store. */
  batches: number;
  eventIds: string[];
}

const noPurge = (): PurgeResult => ({ events: 0, batches: 0, eventIds: [] });

/** What the HEC client needs from a queue; IndexedDB in the app, memory when IndexedDB is missing. */
export interface HecQueueStore {
  put(b: QueuedBatch): Promise<void>;
  get(id: string): Promise<QueuedBatch | undefined>;
  delete(id: string): Promise<void>;
  /** All batches, oldest first. */
  list(): Promise<QueuedBatch[]>;
  clear(): Promise<void>;
  /** Change a batch only if it is still queued (a purge or another tab may have removed it). */
  update(id: string, patch: Partial<Pick<QueuedBatch, 'attempts' | 'ack'>>): Promise<boolean>;
  /**
   * Replace a batch by others in one step (a batch split after HTTP 413); false when it was gone, or
   * when `ifBody` is given and the stored batch no longer has that body (a purge rewrote it: the
   * halves of the old body would bring purged events back).
   */
  replace(id: string, by: readonly QueuedBatch[], ifBody?: string): Promise<boolean>;
  /** Remove every queued event `rule` matches (batches left empty are deleted). */
  purge(rule: EnvelopePurgeRule): Promise<PurgeResult>;
}

function isQueuedBatch(v: unknown): v is QueuedBatch {
  const b = v as Partial<QueuedBatch> | null;
  return !!b && typeof b.id === 'string' && typeof b.body === 'string' && typeof b.createdAtMs === 'number';
}

function normalise(b: QueuedBatch): QueuedBatch {
  return { ...b, eventIds: Array.isArray(b.eventIds) ? b.eventIds : [], attempts: typeof b.attempts === 'number' ? b.attempts : 0 };
}


const asRecord = (b: QueuedBatch) => ({ ...b, eventIds: [...b.eventIds] }) as QueuedBatch & Record<string, unknown>;

/** Apply `rule` to one batch: what to store instead (null: delete; the same batch: untouched). */
function purgeOne(b: QueuedBatch, rule: EnvelopePurgeRule, out: PurgeResult): QueuedBatch | null {
  const r = withoutEnvelopes(b, rule);
  out.eventIds.push(...r.removedIds);
  out.events += r.removedIds.length;
  if (!r.batch) out.batches++;
  return r.batch;
}

/** The part of a database schema the queue needs: a `hecQueue` store as db.ts creates it. */
export interface HecQueueSchema extends DBSchema {
  hecQueue: PointerprintDB['hecQueue'];
}

/**
 * The durable queue in any database that has the `hecQueue` store: the app's own (`idbHecQueue`), or
 * a separately named one (the embeddable build keeps its queue apart from the host site's databases).
 */
export function idbHecQueueIn(open: () => Promise<IDBPDatabase<HecQueueSchema>>): HecQueueStore {
  /** Run one IndexedDB operation, mapping failures to the store's person-readable errors. */
  async function withDb<T>(op: (db: IDBPDatabase<HecQueueSchema>) => Promise<T>): Promise<T> {
    try {
      return await op(await open());
    } catch (e) {
      throw storageError(e);
    }
  }
  return {
    async put(b) {
      await withDb((db) => db.put('hecQueue', asRecord(b)));
    },
    async get(id) {
      const v: unknown = await withDb((db) => db.get('hecQueue', id));
      return isQueuedBatch(v) ? normalise(v) : undefined;
    },
    delete: (id) => withDb((db) => db.delete('hecQueue', id)),
    async list() {
      const all: unknown[] = await withDb((db) => db.getAllFromIndex('hecQueue', 'byCreated'));
      return all.filter(isQueuedBatch).map(normalise);
    },
    clear: () => withDb((db) => db.clear('hecQueue')),
    update: (id, patch) => withDb(async (db) => {
      const tx = db.transaction('hecQueue', 'readwrite');
      const v: unknown = await tx.store.get(id);
      if (isQueuedBatch(v)) await tx.store.put(asRecord({ ...normalise(v), ...patch }));
      await tx.done;
      return isQueuedBatch(v);
    }),
    replace: (id, by, ifBody) => withDb(async (db) => {
      const tx = db.transaction('hecQueue', 'readwrite');
      const v: unknown = await tx.store.get(id);
      const present = isQueuedBatch(v) && (ifBody === undefined || v.body === ifBody);
      if (present) {
        await tx.store.delete(id);
        for (const b of by) await tx.store.put(asRecord(b));
      }
      await tx.done;
      return present;
    }),
    purge: (rule) => withDb(async (db) => {
      // One transaction: a batch another tab adds meanwhile waits for it, and is purged by that tab's client.
      const tx = db.transaction('hecQueue', 'readwrite');
      const out = noPurge();
      for (let cur = await tx.store.openCursor(); cur; cur = await cur.continue()) {
        const v: unknown = cur.value;
        if (!isQueuedBatch(v)) continue;
        const b = normalise(v);
        const kept = purgeOne(b, rule, out);
        if (kept === b) continue;
        if (kept) await cur.update(asRecord(kept));
        else await cur.delete();
      }
      await tx.done;
      return out;
    }),
  };
}

// The app's database has more stores than the queue needs; idb's typing cannot narrow a schema, so cast.
export const idbHecQueue: HecQueueStore = /* @__PURE__ */ idbHecQueueIn(openPointerprintDb as unknown as () => Promise<IDBPDatabase<HecQueueSchema>>);

/** A queue in memory (IndexedDB unavailable, tests): survives nothing, says so in the UI. */
export function memoryHecQueue(): HecQueueStore {
  const m = new Map<string, QueuedBatch>();
  const copy = (b: QueuedBatch): QueuedBatch => ({ ...b, eventIds: [...b.eventIds] });
  return {
    async put(b) { m.set(b.id, copy(b)); },
    async get(id) { const b = m.get(id); return b && copy(b); },
    async delete(id) { m.delete(id); },
    async list() { return [...m.values()].map(copy).sort((a, b) => a.createdAtMs - b.createdAtMs); },
    async clear() { m.clear(); },
    async update(id, patch) {
      const b = m.get(id);
      if (b) m.set(id, { ...b, ...patch });
      return !!b;
    },
    async replace(id, by, ifBody) {
      const b = m.get(id);
      if (!b || (ifBody !== undefined && b.body !== ifBody)) return false;
      m.delete(id);
      for (const x of by) m.set(x.id, copy(x));
      return true;
    },
    async purge(rule) {
      const out = noPurge();
      for (const [id, b] of [...m]) {
        const kept = purgeOne(b, rule, out);
        if (kept === b) continue;
        if (kept) m.set(id, kept);
        else m.delete(id);
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------------------ purge rules

/** Raw pointer events (`pointerprint:pointer`): what "send raw pointer events" covers. */
export const rawPointerEnvelopes: EnvelopePurgeRule = { by: 'kind', kind: 'pointer' };
/** Every envelope (delete all). */
export const allEnvelopes: EnvelopePurgeRule = { by: 'all' };
/** Events of one kind. */
export const envelopesOfKind = (kind: HecEventKind): EnvelopePurgeRule => ({ by: 'kind', kind });
/** Events (raw and scores) of these profiles, by the indexed field `pp_profile`. */
export const envelopesOfProfiles = (profileIds: readonly string[]): EnvelopePurgeRule => ({ by: 'profiles', profileIds: [...profileIds] });
/** Events of one session, by the indexed field `pp_session`. */
export const envelopesOfSession = (sessionId: string): EnvelopePurgeRule => ({ by: 'session', sessionId });
/** Events timed before `cutoffEpochMs` (retention). */
export const envelopesBefore = (cutoffEpochMs: number): EnvelopePurgeRule => ({ by: 'before', epochMs: cutoffEpochMs });

// ------------------------------------------------------------------------------ notices to clients

/** What changed in the queue, told to every client (this tab and others). */
export type HecQueueNotice =
  /** Batches were added or settled: reread the queue. */
  | { type: 'changed' }
  /** Events `rule` matches must go: drop them from what you gather, abort a send carrying them, purge again. */
  | { type: 'purge'; rule: EnvelopePurgeRule };

let channelName = 'pointerprint-hec-queue';
/** A client's answer to a notice: for a purge, what it removed itself (its own store, gathering lines). */
type NoticeListener = (n: HecQueueNotice) => void | Promise<PurgeResult | void>;
const localListeners = new Set<NoticeListener>();
let channel: BroadcastChannel | null | undefined;

function broadcastChannel(): BroadcastChannel | null {
  if (channel !== undefined) return channel;
  try {
    channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(channelName) : null;
    channel?.addEventListener('message', (e: MessageEvent<HecQueueNotice>) => void tellLocal(e.data));
  } catch {
    channel = null;
  }
  return channel;
}

/**
 * Name the channel notices cross to other tabs on (default `pointerprint-hec-queue`, the app's queue).
 * Another queue on the same origin (the embeddable build: one per database) must use its own name, or
 * a purge or change of one queue would act on the other queue's clients.
 */
export function useHecQueueChannel(name: string): void {
  if (name === channelName) return;
  channel?.close();
  channel = undefined;
  channelName = name;
}

/** Results of several purges of the same events (clients and store race for them): counted once. */
function mergePurges(results: readonly (PurgeResult | void | undefined)[]): PurgeResult {
  const ids = new Set<string>();
  let batches = 0;
  for (const r of results) {
    if (!r) continue;
    r.eventIds.forEach((id) => ids.add(id));
    batches += r.batches;
  }
  return { events: ids.size, batches, eventIds: [...ids] };
}

/** Tell this tab's clients; resolves with what they purged between them. */
async function tellLocal(n: HecQueueNotice): Promise<PurgeResult> {
  const answers = [...localListeners].map((fn) => {
    try { return Promise.resolve(fn(n)).catch(() => undefined); } catch { return Promise.resolve(undefined); }
  });
  return mergePurges(await Promise.all(answers));
}

/** Be told of queue changes made by this tab (at once) and by other tabs. Returns the unsubscriber. */
export function onHecQueueNotice(fn: NoticeListener): () => void {
  broadcastChannel();
  localListeners.add(fn);
  return () => localListeners.delete(fn);
}

/** Tell other tabs' clients (over the channel); this tab's clients know what they did themselves. */
export function announce(n: HecQueueNotice): void {
  try { broadcastChannel()?.postMessage(n); } catch { /* channel closed: other tabs reread on their next send */ }
}

/**
 * The one privacy purge: remove every queued event `rule` matches from the durable queue, and make
 * every running client in every tab drop matching gathering lines and abort a send that carries
 * them. The client's retry, split and ack paths never write a purged batch back (see hecClient.ts).
 * Resolves with what this tab removed (other tabs' gathering lines are not counted).
 */
export function purgeQueued(rule: EnvelopePurgeRule, store: HecQueueStore = idbHecQueue): Promise<PurgeResult> {
  // Without IndexedDB nothing durable exists; a client's memory queue is purged by the client.
  return purgeQueuedIn(store === idbHecQueue && typeof indexedDB === 'undefined' ? null : store, rule);
}

/**
 * `purgeQueued` on a given store (`null`: no durable store). No default store, so the HEC client,
 * which calls this one, does not pull the app's database into the embeddable capture bundle.
 */
export async function purgeQueuedIn(store: HecQueueStore | null, rule: EnvelopePurgeRule): Promise<PurgeResult> {
  // Clients first (their synchronous part runs now), so nothing they gather is sealed into the queue after the purge.
  const byClients = tellLocal({ type: 'purge', rule });
  const own = store ? store.purge(rule) : Promise.resolve(noPurge());
  try {
    return mergePurges(await Promise.all([byClients, own]));
  } finally {
    announce({ type: 'purge', rule }); // even when this store failed: other tabs still drop what they gather
  }
}

/** Remove every queued event of `kind` everywhere (`purgeKind('pointer')`: the raw opt-out; scores stay). */
export function purgeKind(kind: HecEventKind, store: HecQueueStore = idbHecQueue): Promise<PurgeResult> {
  return purgeQueued(envelopesOfKind(kind), store);
}

/** Remove every queued event, in every tab's client too (the owner's "delete all", "Discard unsent"). */
export async function clearAll(store: HecQueueStore = idbHecQueue): Promise<PurgeResult> {
  return purgeQueued(allEnvelopes, store);
}
