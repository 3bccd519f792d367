/**
 * The durable HEC queue: batches waiting to be sent to Splunk, in IndexedDB store `hecQueue`
 * (keyPath `id`, index `byCreated` on `createdAtMs`, created by db.ts). A batch is written here
 * before its first send and deleted only after Splunk accepted it (and acknowledged it, when
 * acknowledgement is on), so a reload, a crash or a lost connection loses nothing.
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import type { HecBatch } from '../core/splunk/batcher';
import { openPointerprintDb, storageError, type PointerprintDB } from './db';

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
      await withDb((db) => db.put('hecQueue', { ...b, eventIds: [...b.eventIds] }));
    },
    delete: (id) => withDb((db) => db.delete('hecQueue', id)),
    async list() {
      const all = await withDb((db) => db.getAllFromIndex('hecQueue', 'byCreated'));
      return all.filter(isQueuedBatch).map((b) => ({ ...b, attempts: typeof b.attempts === 'number' ? b.attempts : 0 }));
    },
    clear: () => withDb((db) => db.clear('hecQueue')),
  };
}

// The app's database has more stores than the queue needs; idb's typing cannot narrow a schema, so cast.
export const idbHecQueue: HecQueueStore = idbHecQueueIn(openPointerprintDb as unknown as () => Promise<IDBPDatabase<HecQueueSchema>>);

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
