/**
 * Sessions in IndexedDB: metadata in `sessions`, events in `chunks` (columnar, per session, by seq).
 *
 * Writes that must be all-or-nothing (an import, a delete) run in one transaction over both stores, so
 * a failed import leaves what was stored before untouched and a delete leaves no orphan chunks.
 */
import { concatChunks, sliceColumns, type EventChunk, type EventColumns, type SessionMeta } from '../core/events';
import { PointerprintError } from '../core/errors';
import { openPointerprintDb, storageError } from './db';
import { envelopesBefore, envelopesOfProfiles, envelopesOfSession, purgeQueued } from './hecQueue';

/** Events per stored chunk when a whole session is saved at once (imports, Splunk). */
export const SAVE_CHUNK_EVENTS = 8192;

/** All chunk keys of one session: chunk keys are [sessionId, seq], so one range covers them without reading values. */
const chunkRange = (id: string): IDBKeyRange => IDBKeyRange.bound([id, -Infinity], [id, Infinity]);

/** A plain copy of the meta (Svelte $state proxies and class instances do not structured-clone). */
function plainMeta(meta: SessionMeta): SessionMeta {
  return JSON.parse(JSON.stringify(meta)) as SessionMeta;
}

/**
 * Save a whole session (imports, Splunk search results): meta and all chunks in one transaction, so
 * either everything is stored or nothing is. Replaces a session with the same id.
 */
export async function saveSession(meta: SessionMeta, columns: EventColumns & { length: number }): Promise<void> {
  try {
    const db = await openPointerprintDb();
    const tx = db.transaction(['sessions', 'chunks'], 'readwrite');
    const chunks = tx.objectStore('chunks');
    // Drop any older chunks of the same id first: a shorter re-import must not keep stale tails.
    await chunks.delete(chunkRange(meta.id));
    let seq = 0;
    for (let start = 0; start < columns.length; start += SAVE_CHUNK_EVENTS, seq++) {
      const end = Math.min(columns.length, start + SAVE_CHUNK_EVENTS);
      await chunks.put({ ...sliceColumns(columns, start, end), sessionId: meta.id, seq, length: end - start });
    }
    // Retention counts from arrival on this device, not from the (possibly old) recording time.
    await tx.objectStore('sessions').put({ ...plainMeta(meta), storedAtEpochMs: Date.now() });
    await tx.done;
  } catch (e) {
    throw storageError(e);
  }
}

/**
 * Append one chunk of a live capture and update its meta (event count, duration) atomically. The chunk
 * is stored as given: its typed arrays must be exactly `length` long (structured clone copies whole
 * buffers), as the Recorder's chunks are (`ColumnBuffer.copy`).
 */
export async function appendChunk(chunk: EventChunk, meta: SessionMeta): Promise<void> {
  try {
    const db = await openPointerprintDb();
    const tx = db.transaction(['sessions', 'chunks'], 'readwrite');
    void tx.objectStore('chunks').put(chunk);
    void tx.objectStore('sessions').put(plainMeta(meta));
    await tx.done;
  } catch (e) {
    throw storageError(e);
  }
}

/** All sessions, newest first. */
export async function listSessions(): Promise<SessionMeta[]> {
  const db = await openPointerprintDb();
  const all = await db.getAll('sessions');
  return all.sort((a, b) => b.startedAtEpochMs - a.startedAtEpochMs);
}

export async function getSessionMeta(id: string): Promise<SessionMeta | undefined> {
  const db = await openPointerprintDb();
  return db.get('sessions', id);
}

/** A session's events, all chunks concatenated in seq order. */
export async function loadSessionColumns(id: string): Promise<EventColumns & { length: number }> {
  const db = await openPointerprintDb();
  const chunks = await db.getAllFromIndex('chunks', 'bySession', id);
  return concatChunks(chunks);
}

/**
 * Delete a session: its unsent Splunk events, then its meta and every chunk in one transaction (gone
 * from IndexedDB).
 */
export async function deleteSession(id: string): Promise<void> {
  await purgeQueued(envelopesOfSession(id));
  const db = await openPointerprintDb();
  const tx = db.transaction(['sessions', 'chunks'], 'readwrite');
  void tx.objectStore('chunks').delete(chunkRange(id));
  void tx.objectStore('sessions').delete(id);
  await tx.done;
}

/**
 * Delete every session of a profile (their chunks, and their unsent Splunk events). Returns how many
 * sessions were removed.
 */
export async function deleteAllForProfile(profileId: string): Promise<number> {
  await purgeQueued(envelopesOfProfiles([profileId]));
  const db = await openPointerprintDb();
  const ids = await db.getAllKeysFromIndex('sessions', 'byProfile', profileId);
  const tx = db.transaction(['sessions', 'chunks'], 'readwrite');
  for (const id of ids) {
    void tx.objectStore('chunks').delete(chunkRange(id));
    void tx.objectStore('sessions').delete(id);
  }
  await tx.done;
  return ids.length;
}

/** Delete all sessions and chunks, nothing else. The "Delete all" action is `deleteAllData` (store/erase.ts). */
export async function deleteAllSessions(): Promise<void> {
  const db = await openPointerprintDb();
  const tx = db.transaction(['sessions', 'chunks'], 'readwrite');
  void tx.objectStore('chunks').clear();
  void tx.objectStore('sessions').clear();
  await tx.done;
}

// ---- retention (privacy): raw events are kept on the device for a limited number of days ----

export const RETENTION_KEY = 'capture.retentionDays';
export const DEFAULT_RETENTION_DAYS = 30;

export async function getRetentionDays(): Promise<number> {
  const db = await openPointerprintDb();
  const v = await db.get('kv', RETENTION_KEY);
  return typeof v === 'number' && v > 0 ? v : DEFAULT_RETENTION_DAYS;
}

export async function setRetentionDays(days: number): Promise<void> {
  if (!Number.isFinite(days) || days <= 0) throw new PointerprintError('store/bad-retention', 'Retention must be a positive number of days.');
  const db = await openPointerprintDb();
  await db.put('kv', Math.round(days), RETENTION_KEY);
}

/** Synthetic sessions hold no one's movement: the only source retention leaves alone. */
const RETENTION_EXEMPT: ReadonlySet<SessionMeta['source']> = new Set(['simulator']);

/**
 * When a session arrived on this device, for retention: `storedAtEpochMs` when the store stamped it,
 * the start for a live capture; null for a session saved before arrival times were kept.
 */
export function arrivedAtEpochMs(s: SessionMeta): number | null {
  if (typeof s.storedAtEpochMs === 'number') return s.storedAtEpochMs;
  return s.source === 'capture' ? s.startedAtEpochMs : null;
}

/**
 * Retention: delete every session holding someone's pointer movement (captured here, imported from
 * a file or a data set, pulled from Splunk) that arrived more than the limit ago, and unsent Splunk
 * events timed before the limit. Only simulated sessions are exempt. Returns the session ids removed.
 * `keepIds` protects sessions in use (the live recording). A session saved before arrival times were
 * kept gets "now" as its arrival, so an upgrade does not delete imported data at once.
 */
export async function pruneExpiredSessions(nowEpochMs = Date.now(), keepIds: ReadonlySet<string> = new Set()): Promise<string[]> {
  const days = await getRetentionDays();
  const cutoff = nowEpochMs - days * 86_400_000;
  const expired: string[] = [];
  const db = await openPointerprintDb();
  for (const s of await listSessions()) {
    if (RETENTION_EXEMPT.has(s.source) || keepIds.has(s.id)) continue;
    const arrived = arrivedAtEpochMs(s);
    if (arrived === null) await db.put('sessions', { ...s, storedAtEpochMs: nowEpochMs });
    else if (arrived < cutoff) expired.push(s.id);
  }
  for (const id of expired) await deleteSession(id);
  await purgeQueued(envelopesBefore(cutoff));
  return expired;
}
