/**
 * HEC client (browser shell): batches envelopes, keeps every batch in the durable queue until Splunk
 * accepted it, retries with backoff, pauses on errors that cannot succeed (and on answers it does
 * not understand), flushes on page hide.
 *
 * Delivery is at-least-once: a batch is deleted from the queue only after a 200 with code 0 (and a
 * positive acknowledgement when the token uses indexer acknowledgement). A response lost on the way
 * back, or a keepalive flush at page close, can therefore deliver a batch twice; every event carries
 * its id (`eventId` in the JSON, `pp_event_id` as indexed field) so searches fold duplicates with
 * `| dedup eventId`.
 *
 * Tabs: every tab's client gathers and seals batches into the one durable queue; only the tab the
 * election picks (`senderElection.ts`) sends and polls acknowledgements, so two tabs never send the
 * same batch. The sender shares its status with the other tabs, which show it.
 *
 * Events are dropped only when Splunk documents the answer as permanent for that data (HEC codes 5,
 * 6, 12, 13, 15), and then only the event Splunk named (or, bisecting, the single event refused
 * alone); each drop is counted, kept in `status.drops` with its reason, and logged.
 */
import { describeError } from '../core/errors';
import {
  addEnvelope, batchLines, drain, emptyBatcher, nextDeadline, pendingWithoutEnvelopes, pickForKeepalive, rebuildBatch, splitBatch, tick, withoutEnvelopes,
  type BatchLimits, type BatcherState, type HecBatch,
} from '../core/splunk/batcher';
import { HEC_ACK_PATH, HEC_EVENT_PATH, joinUrl, serializeEnvelope, utf8Bytes, type HecEnvelope } from '../core/splunk/hec';
import {
  backoffDelayMs, classifyHecResponse, classifyNetworkError, parseHecBody,
  type BackoffPolicy, type HecOutcome,
} from '../core/splunk/hecStatus';
import {
  announce, allEnvelopes, envelopesBefore, onHecQueueNotice, purgeQueuedIn,
  type EnvelopePurgeRule, type HecQueueNotice, type HecQueueStore, type PurgeResult, type QueuedBatch,
} from '../store/hecQueue';
import { soloElection, type SenderElection } from './senderElection';

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

/** Events Splunk refused for good, with the reason it gave. */
export interface HecDrop {
  atMs: number;
  eventIds: string[];
  /** The words shown to the owner (HEC code and text included). */
  reason: string;
  code: string;
  hecCode: number | null;
}

export interface HecStatus {
  state: HecState;
  /** 'this-tab': this tab sends; 'other-tab': another tab of the app sends the shared queue. */
  sender: 'this-tab' | 'other-tab';
  /** Batches and events in the durable queue (not yet accepted by Splunk), shared by all tabs. */
  pendingBatches: number;
  pendingEvents: number;
  /** Of those, batches Splunk accepted that wait for their indexer acknowledgement. */
  awaitingAck: number;
  /** Envelopes still gathering into the next batch (this tab's memory, at most `maxWaitMs` old). */
  gathering: number;
  sentBatches: number;
  sentEvents: number;
  /** Drop incidents and the events they removed (see `drops`). */
  droppedBatches: number;
  droppedEvents: number;
  /** The most recent drops (newest last), with reasons. */
  drops: HecDrop[];
  /** Batches halved after HTTP 413 or to isolate an event Splunk refused. */
  splits: number;
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
  /** Which tab sends; default: this client alone (tests, memory queue). */
  election?: SenderElection;
  /**
   * BroadcastChannel over which the tabs sharing this queue share status and settings (default
   * `pointerprint-hec-status`). Clients of different queues on one origin (the app, each embed
   * namespace) must use different names, or they would take over each other's settings.
   */
  statusChannel?: string;
  /**
   * Retention: events captured longer ago than this (their HEC `time`) are purged when their batch
   * comes up for sending, never sent. Default: no limit.
   */
  maxAgeMs?: number;
  /** Resend a batch whose acknowledgement has not come after this long (default 5 min). */
  ackTimeoutMs?: number;
  /** Ack polling interval bounds (default 500 ms growing to 10 s). */
  ackPollMs?: { first: number; max: number };
}

export type { HealthResult } from './hecHealth';

/**
 * Acknowledgement: Splunk keeps an ack id's status per request channel until the client reads it as
 * true, and removes a channel only after it idles (`maxIdleTime`, 600 s by default with
 * `ackIdleCleanup`); polling keeps it alive. Indexing behind a busy or clustered indexer can take
 * well over a minute, so the client keeps polling (backing off to 10 s) and resends only after
 * 5 minutes without an ack — a resend is a duplicate whenever the ack was merely slow.
 */
const ACK_TIMEOUT_MS = 5 * 60_000;
const ACK_POLL = { first: 500, max: 10_000 };
const MAX_DROPS_KEPT = 20;
const STATUS_CHANNEL = 'pointerprint-hec-status';

type TabMessage =
  | { type: 'status'; status: HecStatus }
  | { type: 'hello' }
  | { type: 'retry-now' }
  | { type: 'config'; cfg: HecClientConfig };

/** Fields a non-sending tab takes over from the sender's status. */
const SHARED_FIELDS = ['state', 'awaitingAck', 'sentBatches', 'sentEvents', 'droppedBatches', 'droppedEvents', 'drops', 'splits', 'retries', 'lastError', 'lastErrorCode', 'hecCode', 'nextRetryAtMs', 'lastSuccessAtMs'] as const;

export class HecClient {
  #cfg: HecClientConfig;
  readonly #store: HecQueueStore;
  /** Also used by the settings screen's connection test (hecHealth.ts). */
  readonly fetchFn: typeof fetch;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #newId: () => string;
  readonly #election: SenderElection;
  readonly #shared: boolean;
  readonly #maxAgeMs: number;
  readonly #ackTimeoutMs: number;
  readonly #ackPoll: { first: number; max: number };
  #batcher: BatcherState = emptyBatcher();
  /** The durable queue as last read (the sender's work list; other tabs show its counts). */
  #queue: QueuedBatch[] = [];
  /** Sealed here but not (yet) in the store: a write under way, or a store that failed (kept in memory). */
  #unsaved = new Map<string, QueuedBatch>();
  #inFlight = new Map<string, { batch: QueuedBatch; abort: AbortController }>();
  #isSender = false;
  #electionRunning = false;
  #pumping = false;
  #dirty = false;
  #paused = false;
  #batchTimer: ReturnType<typeof setTimeout> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #ackTimer: ReturnType<typeof setTimeout> | null = null;
  #ackDelay: number;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #listeners = new Set<(s: HecStatus) => void>();
  #removers: (() => void)[] = [];
  #noticeOff: (() => void) | null = null;
  #tabs: BroadcastChannel | null = null;
  readonly #statusChannel: string;
  #lastPosted = '';
  #loaded: Promise<void> | null = null;
  /** Turned on when Splunk says "Data channel is missing" (code 10) although useAck was off. */
  #autoAck = false;
  /** The last error was a drop: keep showing it after later successes (the loss is real). */
  #lastErrorIsDrop = false;
  #st: HecStatus;

  constructor(cfg: HecClientConfig, deps: HecClientDeps) {
    this.#cfg = cfg;
    this.#store = deps.store;
    this.fetchFn = deps.fetch ?? ((...a) => globalThis.fetch(...a));
    this.#now = deps.now ?? (() => Date.now());
    this.#random = deps.random ?? Math.random;
    this.#newId = deps.newId ?? (() => crypto.randomUUID());
    this.#election = deps.election ?? soloElection();
    this.#shared = this.#election.method !== 'solo';
    this.#statusChannel = deps.statusChannel ?? STATUS_CHANNEL;
    this.#maxAgeMs = deps.maxAgeMs ?? 0;
    this.#ackTimeoutMs = deps.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.#ackPoll = deps.ackPollMs ?? ACK_POLL;
    this.#ackDelay = this.#ackPoll.first;
    this.#st = {
      state: this.#configured() ? 'idle' : 'not-configured', sender: this.#shared ? 'other-tab' : 'this-tab',
      pendingBatches: 0, pendingEvents: 0, awaitingAck: 0, gathering: 0, sentBatches: 0, sentEvents: 0,
      droppedBatches: 0, droppedEvents: 0, drops: [], splits: 0, retries: 0, lastError: null, lastErrorCode: null, hecCode: null,
      nextRetryAtMs: null, lastSuccessAtMs: null, volatile: !!deps.volatile,
    };
  }

  #configured(): boolean {
    return !!this.#cfg.url && !!this.#cfg.token;
  }

  /** The configuration in use (its URL and token: `hecHealth.ts`). */
  config(): HecClientConfig {
    return this.#cfg;
  }

  /** Current status (a copy). */
  status(): HecStatus {
    return { ...this.#st, drops: this.#st.drops.map((d) => ({ ...d, eventIds: [...d.eventIds] })) };
  }

  /** Be told of every status change; returns the unsubscriber. */
  subscribe(fn: (s: HecStatus) => void): () => void {
    this.#listeners.add(fn);
    fn(this.status());
    return () => this.#listeners.delete(fn);
  }

  #emit(patch: Partial<HecStatus> = {}): void {
    Object.assign(this.#st, patch);
    this.#st.pendingBatches = this.#queue.length;
    this.#st.pendingEvents = this.#queue.reduce((n, b) => n + b.eventCount, 0);
    this.#st.awaitingAck = this.#queue.filter((b) => b.ack).length;
    this.#st.gathering = this.#batcher.lines.length;
    this.#st.sender = this.#isSender ? 'this-tab' : 'other-tab';
    const s = this.status();
    if (this.#isSender && this.#tabs) {
      const text = JSON.stringify(SHARED_FIELDS.map((k) => s[k]));
      if (text !== this.#lastPosted) { this.#lastPosted = text; this.#post({ type: 'status', status: s }); }
    }
    for (const fn of this.#listeners) {
      try { fn(s); } catch { /* a listener's bug must not stop delivery */ }
    }
  }

  #post(m: TabMessage): void {
    try { this.#tabs?.postMessage(m); } catch { /* channel closed */ }
  }

  /** New settings (e.g. a fixed token): clears a pause and tries again; other tabs take them too. */
  configure(cfg: HecClientConfig, fromOtherTab = false): void {
    this.#cfg = cfg;
    this.#paused = false;
    this.#lastErrorIsDrop = false;
    if (!fromOtherTab) this.#post({ type: 'config', cfg });
    this.#emit({ state: this.#configured() ? 'idle' : 'not-configured', lastError: null, lastErrorCode: null, hecCode: null });
    this.#updateElection();
    void this.#pump();
  }

  /** Only a configured tab competes to send: a tab without the token must not hold the queue. */
  #updateElection(): void {
    if (!this.#loaded) return;
    if (this.#configured() && !this.#electionRunning) {
      this.#electionRunning = true;
      this.#election.start((isSender) => this.#onElected(isSender));
    } else if (!this.#configured() && this.#electionRunning) {
      this.#electionRunning = false;
      this.#election.stop();
      this.#onElected(false);
    }
  }

  #onElected(isSender: boolean): void {
    this.#isSender = isSender;
    this.#lastPosted = '';
    if (!isSender) {
      if (this.#retryTimer) clearTimeout(this.#retryTimer);
      if (this.#ackTimer) clearTimeout(this.#ackTimer);
      this.#retryTimer = this.#ackTimer = null;
    }
    this.#dirty = true;
    this.#emit();
    void this.#pump();
  }

  /** Load the durable queue and start listening for reconnects, page hide and other tabs. Idempotent. */
  start(): Promise<void> {
    if (this.#loaded) return this.#loaded;
    if (typeof addEventListener === 'function') {
      const on = (t: EventTarget, type: string, fn: () => void) => {
        const h = () => { try { fn(); } catch { /* never throw into the page */ } };
        t.addEventListener(type, h, { capture: true, passive: true });
        this.#removers.push(() => t.removeEventListener(type, h, { capture: true }));
      };
      on(globalThis, 'online', () => this.retryNow());
      on(globalThis, 'offline', () => this.#emit({ state: 'offline' }));
      on(globalThis, 'pagehide', () => this.flushOnHide(true));
      if (typeof document !== 'undefined') on(document, 'visibilitychange', () => { if (document.visibilityState === 'hidden') this.flushOnHide(false); });
    }
    this.#listenToQueue();
    if (this.#shared && typeof BroadcastChannel === 'function') {
      this.#tabs = new BroadcastChannel(this.#statusChannel);
      this.#tabs.onmessage = (e: MessageEvent<TabMessage>) => { try { this.#onTabMessage(e.data); } catch { /* a bad message must not break delivery */ } };
      this.#post({ type: 'hello' });
    }
    this.#loaded = this.#reload().then(
      () => { this.#updateElection(); void this.#pump(); },
      (e: unknown) => this.#emit({ lastError: `Could not read the unsent-events queue: ${describeError(e)}`, lastErrorCode: 'store/failed' }),
    );
    return this.#loaded;
  }

  /**
   * Hear queue notices (purges above all) from the first enqueue or start on: a client that holds
   * events in memory must drop them when the owner deletes or opts out, started or not.
   */
  #listenToQueue(): void {
    if (!this.#noticeOff) this.#noticeOff = onHecQueueNotice((n) => this.#onNotice(n));
  }

  #onTabMessage(m: TabMessage): void {
    if (m.type === 'status' && !this.#isSender) {
      const patch: Partial<HecStatus> = {};
      for (const k of SHARED_FIELDS) (patch as Record<string, unknown>)[k] = m.status[k];
      this.#emit(patch);
      this.#scheduleRefresh();
    } else if (m.type === 'hello' && this.#isSender) {
      this.#lastPosted = '';
      this.#emit();
    } else if (m.type === 'retry-now' && this.#isSender) {
      this.retryNow();
    } else if (m.type === 'config') {
      this.configure(m.cfg, true);
    }
  }

  stop(): void {
    for (const r of this.#removers) r();
    this.#removers = [];
    this.#noticeOff?.();
    this.#noticeOff = null;
    for (const t of [this.#batchTimer, this.#retryTimer, this.#ackTimer, this.#refreshTimer]) if (t) clearTimeout(t);
    this.#batchTimer = this.#retryTimer = this.#ackTimer = this.#refreshTimer = null;
    if (this.#electionRunning) this.#election.stop();
    this.#electionRunning = false;
    this.#isSender = false;
    this.#tabs?.close();
    this.#tabs = null;
  }

  /** Reread the durable queue (the truth shared by all tabs). */
  async #reload(): Promise<void> {
    this.#dirty = false;
    const stored = await this.#store.list();
    const ids = new Set(stored.map((b) => b.id));
    this.#queue = [...stored, ...[...this.#unsaved.values()].filter((b) => !ids.has(b.id))].sort((a, b) => a.createdAtMs - b.createdAtMs);
    this.#emit();
  }

  /** A non-sending tab rereads the queue for its counts, at most every 200 ms. */
  #scheduleRefresh(): void {
    if (this.#refreshTimer) return;
    this.#refreshTimer = setTimeout(() => { this.#refreshTimer = null; void this.#reload().catch(() => undefined); }, 200);
  }

  async #onNotice(n: HecQueueNotice): Promise<PurgeResult | void> {
    if (n.type === 'changed') {
      this.#dirty = true;
      if (this.#isSender) void this.#pump();
      else this.#scheduleRefresh();
      return;
    }
    return this.#purge(n.rule);
  }

  /**
   * This tab's part of a purge (`purgeQueued` in hecQueue.ts tells every tab's client): matching
   * gathering lines go first, synchronously, so none is sealed into the queue after the purge; then
   * batches held only in memory, the queue as last read, a send carrying matching events (aborted:
   * the send loop rereads the store and sends what is left), and the store (batches sealed meanwhile,
   * a memory queue, another tab's purge that raced a seal).
   */
  async #purge(rule: EnvelopePurgeRule): Promise<PurgeResult> {
    const ids: string[] = [];
    const gathering = pendingWithoutEnvelopes(this.#batcher, rule);
    this.#batcher = gathering.state;
    ids.push(...gathering.removedIds);
    for (const [id, b] of this.#unsaved) {
      const r = withoutEnvelopes(b, rule);
      ids.push(...r.removedIds);
      if (!r.batch) this.#unsaved.delete(id);
      else this.#unsaved.set(id, r.batch);
    }
    this.#queue = this.#queue.flatMap((b) => withoutEnvelopes(b, rule).batch ?? []);
    for (const f of this.#inFlight.values()) if (withoutEnvelopes(f.batch, rule).removedIds.length) f.abort.abort();
    this.#armBatchTimer();
    this.#emit();
    const stored = await this.#store.purge(rule).catch(() => ({ events: 0, batches: 0, eventIds: [] as string[] }));
    await this.#reload().catch(() => undefined);
    void this.#pump();
    const all = [...new Set([...ids, ...stored.eventIds])];
    return { events: all.length, batches: stored.batches, eventIds: all };
  }

  /** Queue envelopes for sending (batched by count, bytes, time). Never throws, never waits. */
  enqueue(envelopes: readonly HecEnvelope[]): void {
    this.#listenToQueue();
    const t = this.#now();
    for (const env of envelopes) {
      const line = serializeEnvelope(env);
      const ev = env.event as { eventId?: unknown } | null;
      const id = ev && typeof ev === 'object' && typeof ev.eventId === 'string' ? ev.eventId : this.#newId();
      const step = addEnvelope(this.#batcher, line, utf8Bytes(line), id, t, this.#cfg.limits, this.#newId);
      this.#batcher = step.state;
      for (const b of step.ready) this.#accept(b);
    }
    this.#armBatchTimer();
    this.#emit();
  }

  #armBatchTimer(): void {
    if (this.#batchTimer) clearTimeout(this.#batchTimer);
    this.#batchTimer = null;
    const d = nextDeadline(this.#batcher, this.#cfg.limits);
    if (d === null) return;
    this.#batchTimer = setTimeout(() => {
      this.#batchTimer = null;
      const step = tick(this.#batcher, this.#now(), this.#cfg.limits, this.#newId);
      this.#batcher = step.state;
      for (const b of step.ready) this.#accept(b);
      this.#armBatchTimer();
      this.#emit();
    }, Math.max(0, d - this.#now()));
  }

  /** Put a sealed batch in the queue as this tab sees it and in the durable store (which may fail). */
  async #persist(b: HecBatch): Promise<void> {
    const q: QueuedBatch = { ...b, attempts: 0 };
    this.#queue.push(q);
    this.#unsaved.set(q.id, q);
    await this.#store.put(q);
    this.#unsaved.delete(q.id);
    if (this.#shared) announce({ type: 'changed' });
  }

  /** A batch Splunk settled (accepted, or its events dropped): out of the queue and the store. */
  async #forget(id: string): Promise<void> {
    this.#queue = this.#queue.filter((b) => b.id !== id);
    this.#unsaved.delete(id);
    await this.#store.delete(id).catch(() => undefined);
    if (this.#shared) announce({ type: 'changed' });
  }

  /** A sealed batch: into the durable queue first, then on its way. */
  #accept(b: HecBatch): void {
    this.#persist(b).then(
      () => void this.#pump(),
      (e: unknown) => { this.#emit({ lastError: `Unsent events are kept in memory only: ${describeError(e)}`, lastErrorCode: 'store/failed' }); void this.#pump(); },
    );
  }

  /** Seal what is gathering, persist it, and start sending (resolves once the sealed batches are queued and a send loop ran). */
  async flush(): Promise<void> {
    const step = drain(this.#batcher, this.#now(), this.#newId);
    this.#batcher = step.state;
    await Promise.all(step.ready.map((b) => this.#persist(b).catch(() => undefined)));
    this.#armBatchTimer();
    this.#emit();
    await this.#pump();
  }

  /** "Retry now": clear a pause or a backoff wait and send (in whichever tab sends). */
  retryNow(): void {
    this.#paused = false;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    if (!this.#isSender) this.#post({ type: 'retry-now' });
    this.#emit({ state: this.#configured() ? 'idle' : 'not-configured', nextRetryAtMs: null });
    this.#dirty = true;
    void this.#pump();
  }

  /** Forget every unsent event, in every tab (the owner asked to: "Discard unsent", "Delete all"). */
  async clearQueue(): Promise<void> {
    await purgeQueuedIn(this.#store, allEnvelopes);
  }

  /**
   * Privacy purge (issue #10): remove the events `rule` matches from what every tab gathers, sends
   * and stores (`purgeQueued` over this client's store). E.g. `purgeEnvelopes(rawPointerEnvelopes)`
   * when the owner opts out of raw events.
   */
  purgeEnvelopes(rule: EnvelopePurgeRule): Promise<PurgeResult> {
    return purgeQueuedIn(this.#store, rule);
  }

  headers(json = true, channel?: string): Record<string, string> {
    const h: Record<string, string> = { Authorization: `Splunk ${this.#cfg.token}` };
    if (json) h['Content-Type'] = 'application/json';
    const ch = channel ?? (this.#cfg.useAck || this.#autoAck ? this.#cfg.channel : undefined);
    if (ch) h['X-Splunk-Request-Channel'] = ch;
    return h;
  }

  async #pump(): Promise<void> {
    if (this.#pumping || !this.#isSender) return;
    this.#pumping = true;
    try {
      while (!this.#paused && !this.#retryTimer && this.#configured() && this.#isSender) {
        if (this.#dirty) await this.#reload();
        const next = this.#queue.find((b) => !b.ack && !this.#inFlight.has(b.id));
        if (!next) break;
        // The store is the truth: another tab's purge may have changed or removed this batch.
        const batch = (await this.#store.get(next.id).catch(() => undefined)) ?? this.#unsaved.get(next.id);
        if (!batch || batch.ack) { this.#dirty = true; continue; }
        if (this.#maxAgeMs) {
          // Past the retention limit: purge (here and in the store), never send. Nothing removed (the
          // store failing): stop rather than loop; the batch waits, unsent.
          const old = envelopesBefore(this.#now() - this.#maxAgeMs);
          if (withoutEnvelopes(batch, old).removedIds.length) {
            if (!(await this.#purge(old)).events) break;
            continue;
          }
        }
        this.#emit({ state: 'sending' });
        const abort = new AbortController();
        this.#inFlight.set(batch.id, { batch, abort });
        let outcome: HecOutcome;
        try {
          outcome = await this.#sendOnce(batch, abort.signal);
        } finally {
          this.#inFlight.delete(batch.id);
        }
        if (abort.signal.aborted) { this.#dirty = true; continue; } // purged while in flight: send what is left
        if (!(await this.#handle(batch, outcome))) break;
      }
    } catch (e) {
      this.#emit({ lastError: `Could not read the unsent-events queue: ${describeError(e)}`, lastErrorCode: 'store/failed' });
    } finally {
      this.#pumping = false;
      if (!this.#paused && !this.#retryTimer) this.#emit({ state: this.#configured() ? (this.#st.state === 'offline' && this.#queue.length ? 'offline' : 'idle') : 'not-configured' });
      this.#armAckPoll();
    }
  }

  async #sendOnce(batch: QueuedBatch, signal?: AbortSignal): Promise<HecOutcome> {
    let res: Response;
    try {
      res = await this.fetchFn(joinUrl(this.#cfg.url, HEC_EVENT_PATH), { method: 'POST', headers: this.headers(), body: batch.body, signal });
    } catch (e) {
      return classifyNetworkError(e);
    }
    let text = '';
    try { text = await res.text(); } catch { /* body cut off: classified as unknown outcome → retry */ }
    return classifyHecResponse(res.status, text, res.headers.get('Retry-After'), this.#now());
  }

  /** Apply an outcome; false stops the send loop. */
  async #handle(batch: QueuedBatch, o: HecOutcome): Promise<boolean> {
    switch (o.kind) {
      case 'ok':
        if (o.ackId !== undefined) return this.#awaitAck(batch, o.ackId);
        await this.#forget(batch.id);
        this.#delivered(batch);
        return true;
      case 'needs-channel':
        if (!this.#cfg.useAck && !this.#autoAck) {
          // The token requires acknowledgement: use our request channel from now on and resend.
          this.#autoAck = true;
          return true;
        }
        this.#pause('Splunk still says the request channel is missing (HEC code 10). Unsent events are kept.', 'hec/channel-missing', 10);
        return false;
      case 'pause':
        this.#pause(o.error.message, o.error.code, o.hecCode ?? null);
        return false;
      case 'too-large':
        if (await this.#split(batch)) return true;
        this.#pause(`The server refused a single event of ${batch.bytes} bytes as too large (HTTP 413): its request size limit (Splunk's max_content_length, or a proxy's) is below that. Raise it; unsent events are kept.`, 'hec/too-large', null);
        return false;
      case 'reject':
        return this.#reject(batch, o);
      case 'retry': {
        this.#lastErrorIsDrop = false;
        const attempts = batch.attempts + 1;
        const q = this.#queue.find((b) => b.id === batch.id);
        if (q) q.attempts = attempts;
        // Only the attempt count, and only while the batch is still queued: a batch purged meanwhile (privacy) is not written back.
        void this.#store.update(batch.id, { attempts }).catch(() => undefined);
        const delay = backoffDelayMs(attempts - 1, this.#cfg.backoff, this.#random, o.retryAfterMs);
        const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
        this.#retryTimer = setTimeout(() => { this.#retryTimer = null; void this.#pump(); }, delay);
        this.#emit({ state: offline ? 'offline' : 'waiting-retry', retries: this.#st.retries + 1, nextRetryAtMs: this.#now() + delay, lastError: o.reason, lastErrorCode: 'hec/retrying', hecCode: o.hecCode ?? null });
        return false;
      }
    }
  }

  #delivered(batch: HecBatch): void {
    this.#emit({ sentBatches: this.#st.sentBatches + 1, sentEvents: this.#st.sentEvents + batch.eventCount, lastSuccessAtMs: this.#now(), nextRetryAtMs: null });
    if (!this.#lastErrorIsDrop) this.#emit({ lastError: null, lastErrorCode: null, hecCode: null });
  }

  #pause(message: string, code: string, hecCode: number | null): void {
    this.#paused = true;
    this.#lastErrorIsDrop = false;
    this.#emit({ state: 'paused', lastError: message, lastErrorCode: code, hecCode });
  }

  /** Replace a batch by its two halves (after 413, or to find the one event Splunk refuses). */
  async #split(batch: QueuedBatch): Promise<boolean> {
    const halves = splitBatch({ ...batch, ack: undefined, attempts: 0 }, this.#newId);
    if (!halves) return false;
    await this.#replaceBatch(batch, halves);
    this.#emit({ splits: this.#st.splits + 1 });
    return true;
  }

  /** One batch becomes others, in the queue and the store (or in memory, where the store never had it). */
  async #replaceBatch(batch: QueuedBatch, by: QueuedBatch[]): Promise<void> {
    // Only while the batch is still queued as it was sent: if a purge (here or in another tab) removed
    // or rewrote it meanwhile, halves of the old body would bring purged events back.
    const held = this.#unsaved.get(batch.id);
    let replaced: boolean;
    if (held) {
      replaced = held.body === batch.body;
      if (replaced) {
        this.#unsaved.delete(batch.id);
        for (const b of by) this.#unsaved.set(b.id, b);
        for (const b of by) await this.#store.put(b).then(() => this.#unsaved.delete(b.id), () => undefined);
      }
    } else {
      replaced = await this.#store.replace(batch.id, by, batch.body).catch(() => false);
    }
    if (!replaced) { this.#dirty = true; return; } // the send loop rereads the queue and sends what is left
    const at = this.#queue.findIndex((b) => b.id === batch.id);
    if (at >= 0) this.#queue.splice(at, 1, ...by);
    else this.#dirty = true; // the queue was reread meanwhile: reread it again
  }

  /**
   * Splunk refused data in this batch for good. It names the event (`invalid-event-number`): drop
   * that one and resend the others (Splunk may have indexed those before it: at-least-once). It
   * does not: bisect until the refused event is alone, and drop only it.
   */
  async #reject(batch: QueuedBatch, o: Extract<HecOutcome, { kind: 'reject' }>): Promise<boolean> {
    const lines = batchLines(batch);
    const k = o.invalidEventNumber;
    if (lines.length > 1 && k !== undefined && k < lines.length) {
      const rest = { ...rebuildBatch(batch, lines.filter((_, i) => i !== k)), id: this.#newId(), ack: undefined, attempts: 0 };
      await this.#replaceBatch(batch, [rest]);
      this.#recordDrop([lines[k].eventId], o);
      return true;
    }
    if (lines.length > 1) return this.#split(batch);
    await this.#forget(batch.id);
    this.#recordDrop(batch.eventIds, o);
    return true;
  }

  #recordDrop(eventIds: string[], o: Extract<HecOutcome, { kind: 'reject' }>): void {
    const reason = `${o.error.message}; ${eventIds.length === 1 ? `event ${eventIds[0]} was` : `${eventIds.length} events were`} dropped (it can never be accepted), the others go on.`;
    const drop: HecDrop = { atMs: this.#now(), eventIds: [...eventIds], reason, code: o.error.code, hecCode: o.hecCode };
    console.warn(`Pointerprint: Splunk refused events for good and they were dropped: ${reason}`, eventIds);
    this.#lastErrorIsDrop = true;
    this.#emit({
      droppedBatches: this.#st.droppedBatches + 1, droppedEvents: this.#st.droppedEvents + eventIds.length,
      drops: [...this.#st.drops, drop].slice(-MAX_DROPS_KEPT), lastError: reason, lastErrorCode: o.error.code, hecCode: o.hecCode,
    });
  }

  // ------------------------------------------------------------------ indexer acknowledgement

  /** Splunk accepted the batch with an ack id: remember it (durably) and poll; do not resend. */
  async #awaitAck(batch: QueuedBatch, ackId: number): Promise<boolean> {
    const ack = { id: ackId, channel: this.#cfg.channel, acceptedAtMs: this.#now() };
    const q = this.#queue.find((b) => b.id === batch.id);
    if (q) q.ack = ack;
    await this.#store.update(batch.id, { ack }).catch(() => false);
    this.#ackDelay = this.#ackPoll.first;
    this.#emit();
    return true;
  }

  #armAckPoll(): void {
    if (this.#ackTimer || !this.#isSender || !this.#queue.some((b) => b.ack)) return;
    this.#ackTimer = setTimeout(() => { this.#ackTimer = null; void this.#pollAcks().finally(() => this.#armAckPoll()); }, this.#ackDelay);
    this.#ackDelay = Math.min(this.#ackPoll.max, this.#ackDelay * 2);
  }

  /** One `POST /services/collector/ack?channel=…` per channel for every batch waiting on it. */
  async #pollAcks(): Promise<void> {
    if (!this.#configured() || !this.#isSender) return;
    const byChannel = new Map<string, QueuedBatch[]>();
    for (const b of this.#queue) if (b.ack) byChannel.set(b.ack.channel, [...(byChannel.get(b.ack.channel) ?? []), b]);
    for (const [channel, batches] of byChannel) {
      let answer: Record<string, boolean> | null = null;
      try {
        const url = `${joinUrl(this.#cfg.url, HEC_ACK_PATH)}?channel=${encodeURIComponent(channel)}`;
        const res = await this.fetchFn(url, { method: 'POST', headers: this.headers(true, channel), body: JSON.stringify({ acks: batches.map((b) => b.ack!.id) }) });
        const text = await res.text();
        if (res.status === 200) answer = (parseHecBody(text) as { acks?: Record<string, boolean> } | null)?.acks ?? null;
        else {
          const o = classifyHecResponse(res.status, text, res.headers.get('Retry-After'), this.#now());
          // Channel unknown (code 11) or ack turned off (14): Splunk no longer tracks these ids; send them again.
          if (o.kind === 'pause' && (o.hecCode === 11 || o.hecCode === 14)) await this.#resendUnacked(batches, `Splunk no longer tracks their acknowledgements (HEC code ${o.hecCode})`);
          else if (o.kind === 'pause') this.#pause(o.error.message, o.error.code, o.hecCode ?? null);
          continue;
        }
      } catch {
        continue; // unreachable: ask again at the next poll
      }
      let confirmed = false;
      for (const b of batches) {
        if (answer?.[String(b.ack!.id)] === true) {
          await this.#forget(b.id);
          this.#delivered(b);
          confirmed = true;
        }
      }
      if (confirmed) this.#ackDelay = this.#ackPoll.first;
      const late = batches.filter((b) => answer?.[String(b.ack!.id)] !== true && this.#now() - b.ack!.acceptedAtMs > this.#ackTimeoutMs);
      if (late.length) await this.#resendUnacked(late, `not acknowledged ${Math.round(this.#ackTimeoutMs / 1000)} s after Splunk accepted them`);
    }
  }

  /** Acks that will not come: the batches go back to the send queue (a possible duplicate, folded by eventId). */
  async #resendUnacked(batches: QueuedBatch[], why: string): Promise<void> {
    for (const b of batches) {
      const q = this.#queue.find((x) => x.id === b.id);
      if (q) delete q.ack;
      await this.#store.update(b.id, { ack: undefined }).catch(() => false);
    }
    this.#emit({ lastError: `${batches.length} batch(es) ${why}; sending them again (Splunk may index them twice; searches fold repeats with dedup eventId).`, lastErrorCode: 'hec/ack-timeout' });
    void this.#pump();
  }

  /**
   * Page hide: seal what is gathering. The sending tab also sends queued batches with `keepalive`
   * (the request may outlive the page; browsers allow 64 KiB of keepalive bodies in flight); they
   * stay in the durable queue until a response confirms them, so a page that dies first resends them
   * on the next load (a possible duplicate, folded by eventId). Another tab, at its real unload
   * only, sends what it just sealed the same way, in case the queue write does not finish in time.
   */
  flushOnHide(unloading = true): void {
    if (!this.#configured()) return;
    const step = drain(this.#batcher, this.#now(), this.#newId);
    this.#batcher = step.state;
    const sealed: QueuedBatch[] = step.ready.map((b) => ({ ...b, attempts: 0 }));
    for (const b of step.ready) void this.#persist(b).catch(() => undefined);
    if (this.#paused) return;
    const candidates = this.#isSender
      ? pickForKeepalive(this.#queue.filter((b) => !b.ack && !this.#inFlight.has(b.id)))
      : unloading ? pickForKeepalive(sealed) : [];
    for (const b of candidates) this.#keepaliveSend(b);
    this.#emit();
  }

  #keepaliveSend(b: QueuedBatch): void {
    const abort = new AbortController();
    this.#inFlight.set(b.id, { batch: b, abort });
    this.fetchFn(joinUrl(this.#cfg.url, HEC_EVENT_PATH), { method: 'POST', headers: this.headers(), body: b.body, keepalive: true, signal: abort.signal })
      .then(async (res) => {
        const o = classifyHecResponse(res.status, await res.text().catch(() => ''), null, this.#now());
        // Only a success settles a batch here (or, with an ack id, makes it wait for its ack); anything else goes through the normal loop.
        if (o.kind === 'ok' && o.ackId === undefined) {
          await this.#forget(b.id);
          this.#delivered(b);
        } else if (o.kind === 'ok' && o.ackId !== undefined && this.#isSender) {
          await this.#awaitAck(b, o.ackId);
          this.#armAckPoll();
        }
      })
      .catch(() => undefined)
      .finally(() => { this.#inFlight.delete(b.id); void this.#pump(); });
  }
}
