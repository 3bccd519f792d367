/**
 * The embed's own IndexedDB database for the durable HEC queue, named `pointerprint-embed` (or
 * `pointerprint-embed-<namespace>`) so it never touches the host site's databases nor the app's.
 * It holds only unsent batches: nothing else about the visitor is stored. `deleteEmbedDb` removes it
 * (`Pointerprint.forget()`).
 */
import { openDB, type IDBPDatabase } from 'idb';
import { PointerprintError } from '../core/errors';
import { idbHecQueueIn, memoryHecQueue, type HecQueueSchema, type HecQueueStore } from '../store/hecQueue';

export function embedDbName(namespace?: string): string {
  return namespace ? `pointerprint-embed-${namespace}` : 'pointerprint-embed';
}

function opener(name: string): () => Promise<IDBPDatabase<HecQueueSchema>> {
  let p: Promise<IDBPDatabase<HecQueueSchema>> | null = null;
  let deleted = false;
  return () => {
    // Deleted (forget, here or in another tab): a late write of this queue must not create it again.
    if (deleted) return Promise.reject(new PointerprintError('store/deleted', 'The unsent-events queue was deleted.'));
    p ??= openDB<HecQueueSchema>(name, 1, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) db.createObjectStore('hecQueue', { keyPath: 'id' }).createIndex('byCreated', 'createdAtMs');
      },
      blocking(_c, next, event) { (event.target as IDBDatabase | null)?.close(); p = null; deleted = next === null; },
      terminated() { p = null; },
    }).catch((e: unknown) => {
      p = null;
      throw new PointerprintError('store/open-failed', 'Could not open the unsent-events queue: ' + (e instanceof Error ? e.message : String(e)), e);
    });
    return p;
  };
}

/** The durable queue, or a memory one (said so in the status) where IndexedDB is missing. */
export function embedQueue(namespace?: string): { store: HecQueueStore; volatile: boolean } {
  if (typeof indexedDB === 'undefined') return { store: memoryHecQueue(), volatile: true };
  return { store: idbHecQueueIn(opener(embedDbName(namespace))), volatile: false };
}

/**
 * Delete the queue database (`forget`). Open connections here and in other tabs close themselves on
 * the version change (`blocking` above), so the deletion is not held up by them.
 */
export function deleteEmbedDb(namespace?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return resolve();
    const r = indexedDB.deleteDatabase(embedDbName(namespace));
    r.onsuccess = () => resolve();
    r.onerror = () => reject(new PointerprintError('store/delete-failed', 'Could not delete the unsent-events queue: ' + String(r.error?.message)));
  });
}
