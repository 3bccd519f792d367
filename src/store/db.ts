/**
 * The Pointerprint IndexedDB database (shell: browser only).
 *
 * One database, `pointerprint`, with an explicit, versioned upgrade: each schema version is a step in
 * `upgrade()` that runs once, in order, so a browser holding v1 data upgrades in place. Other modules
 * add typed accessors on top of `PointerprintDB` (profiles/models: learning; hecQueue: Splunk).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EventChunk, SessionMeta } from '../core/events';
import type { EnrolledProfile, ModelRecord } from './profiles';
import { PointerprintError } from '../core/errors';

export const DB_NAME = 'pointerprint';
export const DB_VERSION = 1;

/** A stored chunk: an EventChunk whose typed arrays are exactly `length` long. */
export type StoredChunk = EventChunk;

/**
 * The schema, for idb's typed transactions. The hecQueue store's values are left open (`unknown`-ish
 * records keyed by `id`) for its module to narrow; profiles and models use their module's types
 * (type-only imports: no runtime cycle).
 */
export interface PointerprintDB extends DBSchema {
  sessions: { key: string; value: SessionMeta; indexes: { byProfile: string } };
  chunks: { key: [string, number]; value: StoredChunk; indexes: { bySession: string } };
  profiles: { key: string; value: EnrolledProfile };
  models: { key: string; value: ModelRecord };
  hecQueue: { key: string; value: { id: string; createdAtMs: number } & Record<string, unknown>; indexes: { byCreated: number } };
  /** Settings and small values, out-of-line keys (e.g. 'capture.retentionDays'). */
  kv: { key: string; value: unknown };
}

export type PointerprintDb = IDBPDatabase<PointerprintDB>;

let dbPromise: Promise<PointerprintDb> | null = null;
/** Listeners told when the connection is lost (blocked, closed by the browser, version change). */
const closedListeners = new Set<(reason: string) => void>();

/** Be told when the database becomes unusable (so the UI can warn and capture can buffer). */
export function onDbClosed(fn: (reason: string) => void): () => void {
  closedListeners.add(fn);
  return () => closedListeners.delete(fn);
}

function notifyClosed(reason: string): void {
  dbPromise = null; // next open() tries again
  for (const fn of closedListeners) {
    try { fn(reason); } catch { /* a listener's bug must not stop others */ }
  }
}

/** Open (once) the database, creating or upgrading the schema. */
export function openPointerprintDb(): Promise<PointerprintDb> {
  if (dbPromise) return dbPromise;
  if (typeof indexedDB === 'undefined') {
    return Promise.reject(new PointerprintError('store/unavailable', 'This browser has no IndexedDB (private mode?): recordings cannot be saved.'));
  }
  const p = openDB<PointerprintDB>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      // Version steps: never edit a released step, add a new `if (oldVersion < N)` below it.
      if (oldVersion < 1) {
        const sessions = db.createObjectStore('sessions', { keyPath: 'id' });
        sessions.createIndex('byProfile', 'profileId');
        const chunks = db.createObjectStore('chunks', { keyPath: ['sessionId', 'seq'] });
        chunks.createIndex('bySession', 'sessionId');
        db.createObjectStore('profiles', { keyPath: 'id' });
        db.createObjectStore('models', { keyPath: 'id' });
        const q = db.createObjectStore('hecQueue', { keyPath: 'id' });
        q.createIndex('byCreated', 'createdAtMs');
        db.createObjectStore('kv');
      }
    },
    blocked() {
      notifyClosed('Another Pointerprint tab holds an older version of the database open: close it to continue saving.');
    },
    blocking(_current, _next, event) {
      // A newer tab wants to upgrade: step aside so it can, and reopen later.
      (event.target as IDBDatabase | null)?.close();
      notifyClosed('A newer Pointerprint tab upgraded the database; this tab reconnects on the next save.');
    },
    terminated() {
      notifyClosed('The browser closed the database unexpectedly (storage cleared or disk problem).');
    },
  }).catch((e: unknown) => {
    dbPromise = null;
    throw new PointerprintError('store/open-failed', 'Could not open the local database: ' + (e instanceof Error ? e.message : String(e)), e);
  });
  dbPromise = p;
  return p;
}

/** Close and forget the memoised connection (tests, deleting the database). */
export async function closePointerprintDb(): Promise<void> {
  const p = dbPromise;
  dbPromise = null;
  if (p) (await p.catch(() => null))?.close();
}

/** Map a storage exception to a PointerprintError a person understands. */
export function storageError(e: unknown): PointerprintError {
  if (e instanceof PointerprintError) return e;
  const name = e instanceof DOMException ? e.name : e instanceof Error ? e.name : '';
  if (name === 'QuotaExceededError') {
    return new PointerprintError('store/quota', 'Browser storage is full: recent events are kept in memory only. Free space by deleting old sessions.', e);
  }
  if (name === 'InvalidStateError' || name === 'TransactionInactiveError') {
    return new PointerprintError('store/closed', 'The local database was closed: events are kept in memory and saved when it reopens.', e);
  }
  return new PointerprintError('store/failed', 'Saving to the local database failed: ' + (e instanceof Error ? e.message : String(e)), e);
}

/** Ask the browser not to evict our data under storage pressure (best effort, may show a prompt). */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    if (!navigator.storage?.persist) return false;
    if (await navigator.storage.persisted()) return true;
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}

/** Usage and quota in bytes, when the browser tells. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  try {
    const e = await navigator.storage?.estimate?.();
    return e ? { usage: e.usage ?? 0, quota: e.quota ?? 0 } : null;
  } catch {
    return null;
  }
}
