/**
 * Which tab sends: every tab of the app adds batches to the one durable queue, exactly one sends
 * them, so two tabs never send the same batch. The Web Locks API elects it (the lock is released
 * when the tab closes or crashes, and the next waiting tab takes over); where it is missing, a
 * lease in localStorage renewed by a heartbeat does.
 */

/** Tells the client whether this tab is the sender, now and whenever that changes. */
export interface SenderElection {
  start(onChange: (isSender: boolean) => void): void;
  stop(): void;
  readonly method: 'web-locks' | 'lease' | 'solo';
}

export const HEC_SENDER_LOCK = 'pointerprint-hec-sender';

/** Always the sender: one client alone (tests, a memory-only queue that no other tab can see). */
export function soloElection(): SenderElection {
  return { method: 'solo', start: (onChange) => onChange(true), stop: () => undefined };
}

interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, cb: () => Promise<void>): Promise<unknown>;
}

/** The Web Locks API: the holder of an exclusive lock sends until its tab goes away. */
export function webLocksElection(locks: LockManagerLike, name = HEC_SENDER_LOCK): SenderElection {
  let abort: AbortController | null = null;
  let release: (() => void) | null = null;
  return {
    method: 'web-locks',
    start(onChange) {
      abort = new AbortController();
      const signal = abort.signal;
      locks.request(name, { signal }, () => new Promise<void>((resolve) => {
        release = resolve;
        onChange(true);
      })).catch(() => undefined); // aborted while waiting: stop() was called
    },
    stop() {
      abort?.abort();
      release?.();
      release = null;
    },
  };
}

interface LeaseOptions {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  key?: string;
  /** A lease not renewed for this long is free. */
  ttlMs?: number;
  /** How often the holder renews and the others look. */
  beatMs?: number;
  now?: () => number;
  owner?: string;
}

/**
 * Fallback without Web Locks: a lease `{owner, until}` in localStorage. localStorage has no
 * compare-and-set across tabs, so a tab that takes a free lease checks a beat later that it still
 * holds it before sending; a rare overlap can still send a batch twice, which at-least-once
 * delivery and `dedup eventId` absorb.
 */
export function leaseElection(opts: LeaseOptions): SenderElection {
  const key = opts.key ?? 'pointerprint.hec.sender';
  const ttl = opts.ttlMs ?? 5000;
  const beat = opts.beatMs ?? 1000;
  const now = opts.now ?? (() => Date.now());
  const owner = opts.owner ?? crypto.randomUUID();
  let timer: ReturnType<typeof setInterval> | null = null;
  let isSender = false;
  let claimedAt: number | null = null;
  const read = (): { owner: string; until: number } | null => {
    try { return JSON.parse(opts.storage.getItem(key) ?? 'null') as { owner: string; until: number } | null; } catch { return null; }
  };
  const write = () => { try { opts.storage.setItem(key, JSON.stringify({ owner, until: now() + ttl })); } catch { /* storage full or off */ } };
  return {
    method: 'lease',
    start(onChange) {
      const step = () => {
        const lease = read();
        const mine = lease?.owner === owner;
        if (mine) {
          write();
          // Confirmed after a beat of holding it: another tab that wrote at the same moment lost.
          if (!isSender && claimedAt !== null && now() - claimedAt >= beat) { isSender = true; onChange(true); }
        } else if (!lease || lease.until < now()) {
          write();
          claimedAt = now();
        } else if (isSender) {
          isSender = false;
          claimedAt = null;
          onChange(false);
        }
      };
      step();
      timer = setInterval(step, beat);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (read()?.owner === owner) { try { opts.storage.removeItem(key); } catch { /* nothing to free */ } }
    },
  };
}

/** The best election this browser offers. */
export function defaultElection(): SenderElection {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  if (locks && typeof locks.request === 'function') return webLocksElection(locks);
  try {
    if (globalThis.localStorage) return leaseElection({ storage: globalThis.localStorage });
  } catch { /* storage blocked */ }
  return soloElection();
}
