/**
 * The durable HEC queue: batches waiting to be sent to Splunk, in IndexedDB store `hecQueue`
 * (keyPath `id`, index `byCreated` on `createdAtMs`, created by db.ts). A batch is written here
 * before its first send and deleted only after Splunk accepted it (and acknowledged it, when
 * acknowledgement is on), so a reload, a crash or a lost connection loses nothing.
 */
import type { HecBatch } from '../core/splunk/batcher';
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
