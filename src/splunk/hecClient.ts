/**
 * HEC client (browser shell): batches envelopes, keeps every batch in the durable queue until Splunk
 * accepted it, retries with backoff, pauses on errors that cannot succeed, flushes on page hide.
 *
 * Delivery is at-least-once: a batch is deleted from the queue only after a 200 with code 0 (and a
 * positive acknowledgement when the token uses indexer acknowledgement). A response lost on the way
 * back, or a keepalive flush at page hide, can therefore deliver a batch twice; every event carries
 * its id (`eventId` in the JSON, `pp_event_id` as indexed field) so searches fold duplicates with
 * `| dedup eventId`.
 */
import { describeError } from '../core/errors';
import {
  addEnvelope, drain, emptyBatcher, nextDeadline, pickForKeepalive, tick,
  type BatchLimits, type BatcherState, type HecBatch,
} from '../core/splunk/batcher';
import { HEC_ACK_PATH, HEC_EVENT_PATH, HEC_HEALTH_PATH, joinUrl, serializeEnvelope, utf8Bytes, type HecEnvelope } from '../core/splunk/hec';
import {
  backoffDelayMs, classifyHecResponse, classifyNetworkError, parseHecBody,
  type BackoffPolicy, type HecOutcome,
} from '../core/splunk/hecStatus';
import { purgeQueued, withoutEnvelopes, type EnvelopePurgeRule, type HecQueueStore, type QueuedBatch } from '../store/hecQueue';

export interface HecClientConfig {
  /** HEC base URL (no path), absolute or same-origin (`/splunk-hec`). */
  url: string;
  token: string;
  useAck: boolean;
  /** Request channel (GUID) for acknowledgement. */
  channel: string;
  limits: BatchLimits;
  backoff: BackoffPolicy;
}

export type HecState = 'not-configured' | 'idle' | 'sending' | 'waiting-retry' | 'paused' | 'offline';

export interface HecStatus {
  state: HecState;
  /** Batches and events in the durable queue (not yet accepted by Splunk). */
  pendingBatches: number;
  pendingEvents: number;
  /** Envelopes still gathering into the next batch (memory only, at most `maxWaitMs` old). */
  gathering: number;
  sentBatches: number;
  sentEvents: number;
  droppedBatches: number;
  retries: number;
  lastError: string | null;
  /** PointerprintError code, e.g. 'hec/invalid-token'. */
  lastErrorCode: string | null;
  hecCode: number | null;
  nextRetryAtMs: number | null;
  lastSuccessAtMs: number | null;
  /** The queue lives only in memory (no IndexedDB). */
  volatile: boolean;
}

export interface HecClientDeps {
  store: HecQueueStore;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  newId?: () => string;
  volatile?: boolean;
}

export interface HealthResult {
  ok: boolean;
  /** One line per check, in words. */
  lines: string[];
}

/** Poll schedule for acknowledgements (ms after the send); Splunk acks after indexing, usually < 1 s. */
const ACK_POLL_MS = [200, 400, 800, 1600, 3200, 5000, 10_000];

export class HecClient {
  private cfg: HecClientConfig;
  private readonly store: HecQueueStore;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly newId: () => string;
  private batcher: BatcherState = emptyBatcher();
  private queue: QueuedBatch[] = [];
  private inFlight = new Set<string>();
  private pumping = false;
  private paused = false;
  private batchTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<(s: HecStatus) => void>();
  private removers: (() => void)[] = [];
  private loaded: Promise<void> | null = null;
  /** Turned on when Splunk says "Data channel is missing" (code 10) although useAck was off. */
  private autoAck = false;
  /** The last error was a dropped batch: keep showing it after later successes (the loss is real). */
  private lastErrorIsDrop = false;
  private st: HecStatus;

  constructor(cfg: HecClientConfig, deps: HecClientDeps) {
    this.cfg = cfg;
    this.store = deps.store;
    this.fetchFn = deps.fetch ?? ((...a) => globalThis.fetch(...a));
    this.now = deps.now ?? (() => Date.now());
    this.random = deps.random ?? Math.random;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.st = {
      state: this.configured() ? 'idle' : 'not-configured', pendingBatches: 0, pendingEvents: 0, gathering: 0,
      sentBatches: 0, sentEvents: 0, droppedBatches: 0, retries: 0, lastError: null, lastErrorCode: null, hecCode: null,
      nextRetryAtMs: null, lastSuccessAtMs: null, volatile: !!deps.volatile,
    };
  }

  private configured(): boolean {
    return !!this.cfg.url && !!this.cfg.token;
  }

  /** Current status (a copy). */
  status(): HecStatus {
    return { ...this.st };
  }

  /** Be told of every status change; returns the unsubscriber. */
  subscribe(fn: (s: HecStatus) => void): () => void {
    this.listeners.add(fn);
    fn(this.status());
    return () => this.listeners.delete(fn);
  }

  private emit(patch: Partial<HecStatus> = {}): void {
    Object.assign(this.st, patch);
    this.st.pendingBatches = this.queue.length;
    this.st.pendingEvents = this.queue.reduce((n, b) => n + b.eventCount, 0);
    this.st.gathering = this.batcher.lines.length;
    const s = this.status();
    for (const fn of this.listeners) {
      try { fn(s); } catch { /* a listener's bug must not stop delivery */ }
    }
  }

  /** New settings (e.g. a fixed token): clears a pause and tries again. */
  configure(cfg: HecClientConfig): void {
    this.cfg = cfg;
    this.paused = false;
    this.lastErrorIsDrop = false;
    this.emit({ state: this.configured() ? 'idle' : 'not-configured', lastError: null, lastErrorCode: null, hecCode: null });
    void this.pump();
  }

  /** Load the durable queue and start listening for reconnects and page hide. Idempotent. */
  start(): Promise<void> {
    if (this.loaded) return this.loaded;
    if (typeof addEventListener === 'function') {
      const on = (t: EventTarget, type: string, fn: () => void) => {
        const h = () => { try { fn(); } catch { /* never throw into the page */ } };
        t.addEventListener(type, h, { capture: true, passive: true });
        this.removers.push(() => t.removeEventListener(type, h, { capture: true }));
      };
      on(globalThis, 'online', () => this.retryNow());
      on(globalThis, 'offline', () => this.emit({ state: 'offline' }));
      on(globalThis, 'pagehide', () => this.flushOnHide());
      if (typeof document !== 'undefined') on(document, 'visibilitychange', () => { if (document.visibilityState === 'hidden') this.flushOnHide(); });
    }
    this.loaded = this.store.list().then(
      (stored) => {
        const known = new Set(this.queue.map((b) => b.id));
        this.queue = [...this.queue, ...stored.filter((b) => !known.has(b.id))].sort((a, b) => a.createdAtMs - b.createdAtMs);
        this.emit();
        void this.pump();
      },
      (e: unknown) => this.emit({ lastError: `Could not read the unsent-events queue: ${describeError(e)}`, lastErrorCode: 'store/failed' }),
    );
    return this.loaded;
  }

  stop(): void {
    for (const r of this.removers) r();
    this.removers = [];
    if (this.batchTimer) clearTimeout(this.batchTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.batchTimer = this.retryTimer = null;
  }

  /** Queue envelopes for sending (batched by count, bytes, time). Never throws, never waits. */
  enqueue(envelopes: readonly HecEnvelope[]): void {
    const t = this.now();
    for (const env of envelopes) {
      const line = serializeEnvelope(env);
      const ev = env.event as { eventId?: unknown } | null;
      const id = ev && typeof ev === 'object' && typeof ev.eventId === 'string' ? ev.eventId : this.newId();
      const step = addEnvelope(this.batcher, line, utf8Bytes(line), id, t, this.cfg.limits, this.newId);
      this.batcher = step.state;
      for (const b of step.ready) this.accept(b);
    }
    this.armBatchTimer();
    this.emit();
  }

  private armBatchTimer(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    const d = nextDeadline(this.batcher, this.cfg.limits);
    if (d === null) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      const step = tick(this.batcher, this.now(), this.cfg.limits, this.newId);
      this.batcher = step.state;
      for (const b of step.ready) this.accept(b);
      this.armBatchTimer();
      this.emit();
    }, Math.max(0, d - this.now()));
  }

  /** Put a sealed batch in the in-memory queue and the durable store (the store write may fail). */
  private persist(b: HecBatch): Promise<void> {
    const q: QueuedBatch = { ...b, attempts: 0 };
    this.queue.push(q);
    return this.store.put(q);
  }

  /** A batch Splunk settled (accepted, or refused for good): out of the queue and the store. */
  private async forget(id: string): Promise<void> {
    this.queue = this.queue.filter((b) => b.id !== id);
    await this.store.delete(id).catch(() => undefined);
  }

  /** A sealed batch: into the durable queue first, then on its way. */
  private accept(b: HecBatch): void {
    this.persist(b).then(
      () => void this.pump(),
      (e: unknown) => { this.emit({ lastError: `Unsent events are kept in memory only: ${describeError(e)}`, lastErrorCode: 'store/failed' }); void this.pump(); },
    );
  }

  /** Seal what is gathering, persist it, and start sending (resolves once the sealed batches are queued and a send loop runs). */
  async flush(): Promise<void> {
    const step = drain(this.batcher, this.now(), this.newId);
    this.batcher = step.state;
    await Promise.all(step.ready.map((b) => this.persist(b).catch(() => undefined)));
    this.armBatchTimer();
    this.emit();
    await this.pump();
  }

  /** "Retry now": clear a pause or a backoff wait and send. */
  retryNow(): void {
    this.paused = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.emit({ state: this.configured() ? 'idle' : 'not-configured', nextRetryAtMs: null });
    void this.pump();
  }

  /** Forget every unsent batch (the owner asked to; e.g. after "delete my profile"). */
  async clearQueue(): Promise<void> {
    this.queue = [];
    this.batcher = emptyBatcher();
    await this.store.clear();
    this.emit();
  }

  /**
   * Privacy purge (issue #10): remove matching envelopes from the gathering batch, the in-memory
   * queue and the durable store. Queued batches are rewritten in place, so a send already on its way
   * that must be retried is stored and resent without them. Returns the ids of the removed events.
   */
  async purgeEnvelopes(rule: EnvelopePurgeRule): Promise<string[]> {
    const removed = new Set<string>();
    const probe = withoutEnvelopes({ id: 'gathering', createdAtMs: 0, body: this.batcher.lines.join('\n'), bytes: 0, eventCount: 0, eventIds: this.batcher.ids }, rule);
    if (this.batcher.lines.length && probe.removedIds.length) {
      const gone = new Set(probe.removedIds);
      const kept = this.batcher.lines.map((line, i) => ({ line, id: this.batcher.ids[i] })).filter((g) => !gone.has(g.id));
      this.batcher = kept.length
        ? { lines: kept.map((g) => g.line), ids: kept.map((g) => g.id), bytes: kept.reduce((n, g) => n + utf8Bytes(g.line), 0), firstAtMs: this.batcher.firstAtMs }
        : emptyBatcher();
      probe.removedIds.forEach((id) => removed.add(id));
    }
    const keep: QueuedBatch[] = [];
    for (const b of this.queue) {
      const r = withoutEnvelopes(b, rule);
      r.removedIds.forEach((id) => removed.add(id));
      if (r.batch === b) keep.push(b);
      else if (r.batch) keep.push(Object.assign(b, r.batch));
    }
    this.queue = keep;
    (await purgeQueued(rule, this.store).catch(() => [] as string[])).forEach((id) => removed.add(id));
    this.armBatchTimer();
    this.emit();
    return [...removed];
  }

  private headers(json = true): Record<string, string> {
    const h: Record<string, string> = { Authorization: `Splunk ${this.cfg.token}` };
    if (json) h['Content-Type'] = 'application/json';
    if (this.cfg.useAck || this.autoAck) h['X-Splunk-Request-Channel'] = this.cfg.channel;
    return h;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && !this.paused && !this.retryTimer && this.configured()) {
        const batch = this.queue.find((b) => !this.inFlight.has(b.id));
        if (!batch) break;
        this.emit({ state: 'sending' });
        this.inFlight.add(batch.id);
        let outcome: HecOutcome;
        try {
          outcome = await this.sendOnce(batch);
        } finally {
          this.inFlight.delete(batch.id);
        }
        if (!(await this.handle(batch, outcome))) break;
      }
    } finally {
      this.pumping = false;
      if (!this.paused && !this.retryTimer) this.emit({ state: this.configured() ? (this.st.state === 'offline' && this.queue.length ? 'offline' : 'idle') : 'not-configured' });
    }
  }

  private async sendOnce(batch: QueuedBatch): Promise<HecOutcome> {
    let res: Response;
    try {
      res = await this.fetchFn(joinUrl(this.cfg.url, HEC_EVENT_PATH), { method: 'POST', headers: this.headers(), body: batch.body });
    } catch (e) {
      return classifyNetworkError(e);
    }
    let text = '';
    try { text = await res.text(); } catch { /* body cut off: classified as unknown outcome → retry */ }
    const outcome = classifyHecResponse(res.status, text, res.headers.get('Retry-After'), this.now());
    if (outcome.kind === 'ok' && outcome.ackId !== undefined) return this.awaitAck(outcome.ackId);
    return outcome;
  }

  /** Poll /services/collector/ack until Splunk confirms the batch was indexed. */
  private async awaitAck(ackId: number): Promise<HecOutcome> {
    let waited = 0;
    for (const at of ACK_POLL_MS) {
      await new Promise((r) => setTimeout(r, at - waited));
      waited = at;
      try {
        const res = await this.fetchFn(joinUrl(this.cfg.url, HEC_ACK_PATH), { method: 'POST', headers: this.headers(), body: JSON.stringify({ acks: [ackId] }) });
        const text = await res.text();
        if (res.status !== 200) {
          const o = classifyHecResponse(res.status, text, res.headers.get('Retry-After'), this.now());
          if (o.kind !== 'ok') return o;
          continue;
        }
        const body = parseHecBody(text) as { acks?: Record<string, boolean> } | null;
        if (body?.acks?.[String(ackId)] === true) return { kind: 'ok' };
      } catch (e) {
        return classifyNetworkError(e);
      }
    }
    return { kind: 'retry', reason: `Splunk accepted the batch but did not acknowledge indexing it (ack ${ackId}); sending it again.` };
  }

  /** Apply an outcome; false stops the pump loop. */
  private async handle(batch: QueuedBatch, o: HecOutcome): Promise<boolean> {
    switch (o.kind) {
      case 'ok':
        await this.forget(batch.id);
        this.emit({ sentBatches: this.st.sentBatches + 1, sentEvents: this.st.sentEvents + batch.eventCount, lastSuccessAtMs: this.now(), nextRetryAtMs: null });
        if (!this.lastErrorIsDrop) this.emit({ lastError: null, lastErrorCode: null, hecCode: null });
        return true;
      case 'needs-channel':
        if (!this.cfg.useAck && !this.autoAck) {
          // The token requires acknowledgement: use our request channel from now on and resend.
          this.autoAck = true;
          return true;
        }
        this.paused = true;
        this.emit({ state: 'paused', lastError: 'Splunk still says the request channel is missing (HEC code 10).', lastErrorCode: 'hec/channel-missing', hecCode: 10 });
        return false;
      case 'fatal':
        if (o.scope === 'batch') {
          await this.forget(batch.id);
          this.lastErrorIsDrop = true;
          this.emit({ droppedBatches: this.st.droppedBatches + 1, lastError: o.error.message, lastErrorCode: o.error.code, hecCode: o.hecCode ?? null });
          return true;
        }
        this.paused = true;
        this.lastErrorIsDrop = false;
        this.emit({ state: 'paused', lastError: o.error.message, lastErrorCode: o.error.code, hecCode: o.hecCode ?? null });
        return false;
      case 'retry': {
        this.lastErrorIsDrop = false;
        batch.attempts++;
        // A batch purged meanwhile (privacy) is no longer queued: do not write it back.
        if (this.queue.includes(batch)) void this.store.put(batch).catch(() => undefined);
        const delay = backoffDelayMs(batch.attempts - 1, this.cfg.backoff, this.random, o.retryAfterMs);
        const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
        this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.pump(); }, delay);
        this.emit({ state: offline ? 'offline' : 'waiting-retry', retries: this.st.retries + 1, nextRetryAtMs: this.now() + delay, lastError: o.reason, lastErrorCode: 'hec/retrying', hecCode: o.hecCode ?? null });
        return false;
      }
    }
  }

  /**
   * Page hide: seal what is gathering and send queued batches with `keepalive` (the request may
   * outlive the page; browsers allow 64 KiB of keepalive bodies in flight). The batches stay in the
   * durable queue until a response confirms them, so a page that dies first resends them on the
   * next load (a possible duplicate, folded by pp_event_id).
   */
  flushOnHide(): void {
    if (!this.configured()) return;
    const step = drain(this.batcher, this.now(), this.newId);
    this.batcher = step.state;
    for (const b of step.ready) void this.persist(b).catch(() => undefined);
    if (this.paused) return;
    const candidates = pickForKeepalive(this.queue.filter((b) => !this.inFlight.has(b.id)));
    for (const b of candidates) {
      this.inFlight.add(b.id);
      this.fetchFn(joinUrl(this.cfg.url, HEC_EVENT_PATH), { method: 'POST', headers: this.headers(), body: b.body, keepalive: true })
        .then(async (res) => {
          const o = classifyHecResponse(res.status, await res.text().catch(() => ''), null, this.now());
          // Only a plain success settles a batch here; anything else goes through the normal loop.
          if (o.kind === 'ok' && o.ackId === undefined) {
            await this.forget(b.id);
            this.emit({ sentBatches: this.st.sentBatches + 1, sentEvents: this.st.sentEvents + b.eventCount, lastSuccessAtMs: this.now() });
          }
        })
        .catch(() => undefined)
        .finally(() => { this.inFlight.delete(b.id); void this.pump(); });
    }
    this.emit();
  }

  /**
   * Test the connection: the health endpoint, then a real token check. An empty POST to the event
   * endpoint is checked for its token before its body, so a valid token answers "No data" (code 5)
   * and nothing is indexed; an invalid one answers code 4, a disabled one code 1.
   */
  async health(): Promise<HealthResult> {
    const lines: string[] = [];
    if (!this.configured()) return { ok: false, lines: ['Enter the HEC URL and token first.'] };
    let ok = true;
    try {
      const r = await this.fetchFn(joinUrl(this.cfg.url, HEC_HEALTH_PATH), { method: 'GET' });
      const b = parseHecBody(await r.text());
      if (r.status === 200 && b?.code === 17) lines.push('HEC health: healthy (code 17).');
      else { ok = false; lines.push(`HEC health: ${b?.text ?? 'unexpected answer'} (HTTP ${r.status}${b?.code !== undefined ? `, HEC code ${b.code}` : ''}).`); }
    } catch (e) {
      return { ok: false, lines: [`Cannot reach ${this.cfg.url}: ${describeError(e)}. Is Splunk up, the URL right, and CORS enabled for this origin (or the dev proxy in use)?`] };
    }
    try {
      const r = await this.fetchFn(joinUrl(this.cfg.url, HEC_EVENT_PATH), { method: 'POST', headers: this.headers(), body: '' });
      const text = await r.text();
      const b = parseHecBody(text);
      if (b?.code === 5 || b?.code === 0) lines.push(`Token accepted (HEC code ${b.code}: "${b.text}" — nothing was indexed).`);
      else {
        ok = false;
        const o = classifyHecResponse(r.status, text);
        if (o.kind === 'needs-channel') lines.push('This token requires indexer acknowledgement (HEC code 10): turn on "acknowledgement".');
        else if (o.kind === 'fatal') lines.push(o.error.message);
        else if (o.kind === 'retry') lines.push(o.reason);
      }
    } catch (e) {
      ok = false;
      lines.push(`Token check failed: ${describeError(e)}`);
    }
    return { ok, lines };
  }
}
