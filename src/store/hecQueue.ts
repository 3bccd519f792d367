/**
 * The durable HEC queue: batches waiting to be sent to Splunk, in IndexedDB store `hecQueue`
 * (keyPath `id`, index `byCreated` on `createdAtMs`, created by db.ts). A batch is written here
 * before its first send and deleted only after Splunk accepted it (and acknowledged it, when
 * acknowledgement is on), so a reload, a crash or a lost connection loses nothing.
 */
import type { HecBatch } from '../core/splunk/batcher';
import { openPointerprintDb, storageError } from './db';

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

export const idbHecQueue: HecQueueStore = {
  async put(b) {
    try {
      const db = await openPointerprintDb();
      await db.put('hecQueue', { ...b, eventIds: [...b.eventIds] });
    } catch (e) {
      throw storageError(e);
    }
  },
  async delete(id) {
    try {
      const db = await openPointerprintDb();
      await db.delete('hecQueue', id);
    } catch (e) {
      throw storageError(e);
    }
  },
  async list() {
    try {
      const db = await openPointerprintDb();
      const all = await db.getAllFromIndex('hecQueue', 'byCreated');
      return all.filter(isQueuedBatch).map((b) => ({ ...b, attempts: typeof b.attempts === 'number' ? b.attempts : 0 }));
    } catch (e) {
      throw storageError(e);
    }
  },
  async clear() {
    try {
      const db = await openPointerprintDb();
      await db.clear('hecQueue');
    } catch (e) {
      throw storageError(e);
    }
  },
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
