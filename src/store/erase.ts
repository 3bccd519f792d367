/**
 * "Delete all": every record Pointerprint keeps in this browser's IndexedDB, whatever store it is in.
 *
 * The object stores are enumerated from the open database rather than listed here, so a store added
 * by a later schema version is wiped too (the browser test walks every store the same way). The
 * model weights live in tfjs's own database and are removed through tfjs. Unsent Splunk events are
 * dropped from the HEC client's memory first, so nothing is sent after the wipe.
 */
import { unwrap } from 'idb';
import { openPointerprintDb, storageError } from './db';
import { allEnvelopes, purgeQueued } from './hecQueue';
import { deleteAllModelWeights } from './profiles';

export interface EraseReport {
  /** Object stores cleared in the `pointerprint` database. */
  stores: string[];
  /** Model weight sets removed from tfjs's store. */
  models: number;
  /** Unsent Splunk events dropped. */
  unsentEvents: number;
}

export async function deleteAllData(): Promise<EraseReport> {
  const unsent = await purgeQueued(allEnvelopes);
  let stores: string[];
  try {
    // The raw IDBDatabase: its store names come from the browser, not from our typed schema.
    const db: IDBDatabase = unwrap(await openPointerprintDb());
    stores = [...db.objectStoreNames];
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(stores, 'readwrite');
      for (const name of stores) tx.objectStore(name).clear();
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('the deletion was aborted'));
    });
  } catch (e) {
    throw storageError(e);
  }
  const models = await deleteAllModelWeights();
  return { stores, models, unsentEvents: unsent.events };
}
