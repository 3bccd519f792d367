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
 * Privacy entry points (for settings and "delete" actions, with or without a running client):
 * - `purgeKind('pointer')`: remove every queued raw pointer event (opt-out of raw events); scores stay.
 * - `clearAll()`: remove every queued event of every kind.
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { withoutKind, type HecBatch, type HecEventKind } from '../core/splunk/batcher';
import { openPointerprintDb, storageError, type PointerprintDB } from './db';

export type { HecEventKind } from '../core/splunk/batcher';

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
  events: number;
  batches: number;
}

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
  /** Replace a batch by others in one step (a batch split after HTTP 413); false when it was gone. */
  replace(id: string, by: readonly QueuedBatch[]): Promise<boolean>;
  /** Remove every queued event of `kind` (batches left empty are deleted). */
  purgeKind(kind: HecEventKind): Promise<PurgeResult>;
}

function isQueuedBatch(v: unknown): v is QueuedBatch {
  const b = v as Partial<QueuedBatch> | null;
  return !!b && typeof b.id === 'string' && typeof b.body === 'string' && typeof b.createdAtMs === 'number';
}

function normalise(b: QueuedBatch): QueuedBatch {
  return { ...b, eventIds: Array.isArray(b.eventIds) ? b.eventIds : [], attempts: typeof b.attempts === 'number' ? b.attempts : 0 };
}

const asRecord = (b: QueuedBatch) => ({ ...b, eventIds: [...b.eventIds] }) as QueuedBatch & Record<string, unknown>;

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
    replace: (id, by) => withDb(async (db) => {
      const tx = db.transaction('hecQueue', 'readwrite');
      const present = isQueuedBatch(await tx.store.get(id));
      if (present) {
        await tx.store.delete(id);
        for (const b of by) await tx.store.put(asRecord(b));
      }
      await tx.done;
      return present;
    }),
    purgeKind: (kind) => withDb(async (db) => {
      // One transaction: a batch another tab adds meanwhile waits for it, and is purged by that tab's client.
      const tx = db.transaction('hecQueue', 'readwrite');
      const out: PurgeResult = { events: 0, batches: 0 };
      for (let cur = await tx.store.openCursor(); cur; cur = await cur.continue()) {
        const v: unknown = cur.value;
        if (!isQueuedBatch(v)) continue;
        const b = normalise(v);
        const kept = withoutKind(b, kind);
        if (kept === b) continue;
        out.events += b.eventCount - (kept?.eventCount ?? 0);
        if (kept) await cur.update(asRecord(kept));
        else { await cur.delete(); out.batches++; }
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
    async replace(id, by) {
      if (!m.delete(id)) return false;
      for (const b of by) m.set(b.id, copy(b));
      return true;
    },
    async purgeKind(kind) {
      const out: PurgeResult = { events: 0, batches: 0 };
      for (const [id, b] of [...m]) {
        const kept = withoutKind(b, kind);
        if (kept === b) continue;
        out.events += b.eventCount - (kept?.eventCount ?? 0);
        if (kept) m.set(id, kept);
        else { m.delete(id); out.batches++; }
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------------------ notices to clients

/** What changed in the queue, told to every client (this tab and others). */
export type HecQueueNotice =
  /** Batches were added or settled: reread the queue. */
  | { type: 'changed' }
  /** Events of `kind` must go: drop them from what you gather, abort a send carrying them, purge again. */
  | { type: 'purge'; kind: HecEventKind }
  /** Everything must go. */
  | { type: 'clear' };

const CHANNEL_NAME = 'pointerprint-hec-queue';
/** A client's answer to a notice: for a purge, what it removed itself (its own store, gathering lines). */
type NoticeListener = (n: HecQueueNotice) => void | Promise<PurgeResult | void>;
const localListeners = new Set<NoticeListener>();
let channel: BroadcastChannel | null | undefined;

function broadcastChannel(): BroadcastChannel | null {
  if (channel !== undefined) return channel;
  try {
    channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
    channel?.addEventListener('message', (e: MessageEvent<HecQueueNotice>) => void tellLocal(e.data));
  } catch {
    channel = null;
  }
  return channel;
}

/** Tell this tab's clients; resolves with what they purged between them. */
async function tellLocal(n: HecQueueNotice): Promise<PurgeResult> {
  const answers = [...localListeners].map((fn) => {
    try { return Promise.resolve(fn(n)).catch(() => undefined); } catch { return Promise.resolve(undefined); }
  });
  const total: PurgeResult = { events: 0, batches: 0 };
  for (const a of await Promise.all(answers)) if (a) { total.events += a.events; total.batches += a.batches; }
  return total;
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
 * Remove every queued event of `kind` from the durable queue, and make every running client in every
 * tab drop the gathering ones and abort a send that carries them. Scores stay when `kind` is
 * 'pointer'. Use it when the owner opts out of raw events.
 */
export function purgeKind(kind: HecEventKind, store: HecQueueStore = idbHecQueue): Promise<PurgeResult> {
  return purgeKindIn(store, kind);
}

/** `purgeKind` on a given store (the HEC client's: with no default, the app's database stays out of the embed bundle). */
export async function purgeKindIn(store: HecQueueStore, kind: HecEventKind): Promise<PurgeResult> {
  // Clients first (their synchronous part runs now), so nothing they gather is sealed into the queue after the purge.
  const byClients = tellLocal({ type: 'purge', kind });
  const own = store.purgeKind(kind);
  const [a, b] = await Promise.all([byClients, own]);
  announce({ type: 'purge', kind });
  return { events: a.events + b.events, batches: a.batches + b.batches };
}

/** Remove every queued event (the owner's "delete all"), in every tab's client too. */
export function clearAll(store: HecQueueStore = idbHecQueue): Promise<void> {
  return clearAllIn(store);
}

/** `clearAll` on a given store (see `purgeKindIn`). */
export async function clearAllIn(store: HecQueueStore): Promise<void> {
  const byClients = tellLocal({ type: 'clear' });
  await Promise.all([byClients, store.clear()]);
  announce({ type: 'clear' });
}
