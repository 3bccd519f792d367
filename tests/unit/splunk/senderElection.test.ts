/** The localStorage lease that elects one sending tab where the Web Locks API is missing. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { leaseElection, webLocksElection } from '../../../src/splunk/senderElection';

function fakeStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

afterEach(() => vi.useRealTimers());

describe('lease election', () => {
  it('one of two tabs sends; when it stops, or dies without a word, the other takes over', () => {
    vi.useFakeTimers();
    const storage = fakeStorage();
    const now = () => Date.now();
    const roles = { a: false, b: false };
    const a = leaseElection({ storage, now, owner: 'a', beatMs: 100, ttlMs: 500 });
    const b = leaseElection({ storage, now, owner: 'b', beatMs: 100, ttlMs: 500 });
    a.start((s) => (roles.a = s));
    b.start((s) => (roles.b = s));
    vi.advanceTimersByTime(1000);
    expect([roles.a, roles.b].filter(Boolean)).toHaveLength(1);
    const [holder, otherKey] = roles.a ? [a, 'b' as const] : [b, 'a' as const];
    holder.stop();
    vi.advanceTimersByTime(300);
    expect(roles[otherKey]).toBe(true);
    // The new holder dies without releasing (its timer stops): a third tab waits out the lease.
    const c = { sender: false };
    vi.clearAllTimers();
    storage.setItem('pointerprint.hec.sender', JSON.stringify({ owner: otherKey, until: now() + 500 }));
    const third = leaseElection({ storage, now, owner: 'c', beatMs: 100, ttlMs: 500 });
    third.start((s) => (c.sender = s));
    vi.advanceTimersByTime(300);
    expect(c.sender).toBe(false);
    vi.advanceTimersByTime(500);
    expect(c.sender).toBe(true);
    third.stop();
  });
});

describe('web locks election', () => {
  it('the holder of the lock sends; stop releases it to the next waiting tab', async () => {
    const queue: (() => void)[] = [];
    let held = false;
    const locks = {
      request: (_name: string, opts: { signal?: AbortSignal }, cb: () => Promise<void>) => new Promise<void>((resolve, reject) => {
        const run = () => { held = true; void cb().then(() => { held = false; queue.shift()?.(); resolve(); }); };
        opts.signal?.addEventListener('abort', () => { const i = queue.indexOf(run); if (i >= 0) { queue.splice(i, 1); reject(new DOMException('aborted', 'AbortError')); } });
        if (held) queue.push(run); else run();
      }),
    };
    const roles = { a: false, b: false };
    const a = webLocksElection(locks);
    const b = webLocksElection(locks);
    a.start((s) => (roles.a = s));
    b.start((s) => (roles.b = s));
    expect(roles).toEqual({ a: true, b: false });
    a.stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(roles.b).toBe(true);
    b.stop();
  });
});
