/**
 * The embed's own IndexedDB database for the durable HEC queue, named `pointerprint-embed` (or
 * `pointerprint-embed-<namespace>`) so it never touches the host site's databases nor the app's.
 * It holds only unsent batches: nothing else about the visitor is stored.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { PointerprintError } from '../core/errors';
import { idbHecQueueIn, memoryHecQueue, type HecQueueSchema, type HecQueueStore } from '../store/hecQueue';

export function embedDbName(namespace?: string): string {
  return namespace ? `pointerprint-embed-${namespace}` : 'pointerprint-embed';
}

function opener(name: string): () => Promise<IDBPDatabase<HecQueueSchema>> {
  let p: Promise<IDBPDatabase<HecQueueSchema>> | null = null;
  return () => {
    p ??= openDB<HecQueueSchema>(name, 1, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) db.createObjectStore('hecQueue', { keyPath: 'id' }).createIndex('byCreated', 'createdAtMs');
      },
      blocking(_c, _n, event) { (event.target as IDBDatabase | null)?.close(); p = null; },
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
