/**
 * The capture shell: Pointer Events → a columnar session buffer → chunks (`Capture`), and chunks
 * flushed to storage (`Recorder`, the app's; the embeddable build uses `Capture` alone, its chunks go
 * straight to the HEC client).
 *
 * - Every coalesced pointer sample is kept (`getCoalescedEvents()`), each on its own `timeStamp`,
 *   all on one monotonic clock (the performance clock) relative to the session start.
 * - Handlers are passive, capture-phase and guarded: they can never throw into the page or delay it.
 * - Capture never awaits storage: chunks are cut on a timer / by size and handed to a background save
 *   loop. When storage fails (quota, closed or blocked database) unsaved chunks stay in a bounded
 *   in-memory queue and are retried; past the bound the oldest unsaved chunk is dropped and counted
 *   (`status.lostEvents`), never silently.
 */
import { Button, EventKind, PointerKind, pointerKindFromType, type EventChunk, type EventColumns, type SessionMeta, type SizePx } from '../core/events';
import { describeError, PointerprintError } from '../core/errors';
import { ColumnBuffer } from './buffer';
import { guarded, on, wheelDeltaPx, type Remover } from './listen';
import { storageError } from '../store/db';

/** Where flushed chunks go (IndexedDB by default; tests and benchmarks inject their own). */
export interface ChunkSink {
  appendChunk(chunk: EventChunk, meta: SessionMeta): Promise<void>;
}

export interface CaptureOptions {
  profileId: string;
  label?: string;
  /** Element or window to observe (default `window`). */
  target?: EventTarget;
  /** A gap longer than this between events puts an Idle marker in the stream (ms). */
  idleThresholdMs?: number;
  /** Cut a chunk at least this often (ms). */
  flushIntervalMs?: number;
  /** …or when this many unflushed events have accumulated. */
  chunkEvents?: number;
  /**
   * The live buffer holds the whole session for live encoding (28 bytes/event). When it reaches this
   * many events the recorder rolls over to a new session (same listeners, new id) so memory stays bounded.
   */
  maxLiveEvents?: number;
  /** How often live listeners hear about new events (ms). */
  progressIntervalMs?: number;
  /** Session id factory (tests). */
  newId?: () => string;
  /**
   * CSS selector of elements whose pointer activity is not captured (e.g. `[data-pp-ignore]`). Events
   * over them are skipped; entering one puts an Idle marker (no position) so no stroke bridges the gap.
   */
  ignore?: string;
}

export interface RecorderOptions extends CaptureOptions {
  /** Where chunks are saved. */
  sink: ChunkSink;
  /** Unsaved events kept in memory while storage fails; beyond this the oldest chunk is dropped. */
  maxPendingEvents?: number;
}

export type RecorderState = 'idle' | 'recording' | 'paused' | 'stopped';

export interface StorageStatus {
  /** 'ok', or why saving is failing right now. */
  state: 'ok' | 'retrying';
  /** Person-readable warning when not ok. */
  message: string | null;
  /** Events waiting in memory to be saved. */
  pendingEvents: number;
  /** Events dropped because the in-memory bound was exceeded while storage kept failing. */
  lostEvents: number;
  /** Events saved so far in this session. */
  savedEvents: number;
}

export interface RecorderCounters {
  moves: number;
  coalescedMoves: number;
  pointerMoveEvents: number;
  downs: number;
  ups: number;
  wheels: number;
  markers: number;
  handlerErrors: number;
}

type Listener<A extends unknown[]> = (...args: A) => void;

function emit<A extends unknown[]>(set: Set<Listener<A>>, ...args: A): void {
  for (const fn of set) {
    try { fn(...args); } catch (e) { console.error('Pointerprint recorder listener failed', e); }
  }
}

function defaultId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `s-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Held-buttons mask bit for a `button` number (chorded presses arrive as pointermove). */
const BUTTON_BIT = [1, 4, 2, 8, 16];

/** Listeners → buffer → chunks, told to `onChunk` listeners; no storage. */
export class Capture {
  readonly opts: Required<Omit<CaptureOptions, 'label' | 'target' | 'ignore'>> & Pick<CaptureOptions, 'label' | 'target' | 'ignore'>;
  #buf = new ColumnBuffer();
  #removers: Remover[] = [];
  #t0 = 0;
  #lastT = -Infinity;
  #flushedUpTo = 0;
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #ticks = 0;
  #lastProgressLen = -1;
  #chunkListeners = new Set<Listener<[EventChunk, SessionMeta]>>();
  #progressListeners = new Set<Listener<[number]>>();
  #sessionListeners = new Set<Listener<[SessionMeta]>>();
  #lastPointerKind: PointerKind = PointerKind.Unknown;
  #lastPointerType = '';
  protected lastError: unknown = null;
  /** Ignore check cache: consecutive events mostly share a target, so `closest()` runs once per target. */
  #lastTarget: EventTarget | null = null;
  #lastTargetIgnored = false;
  #insideIgnored = false;

  state: RecorderState = 'idle';
  meta: SessionMeta | null = null;
  readonly counters: RecorderCounters = { moves: 0, coalescedMoves: 0, pointerMoveEvents: 0, downs: 0, ups: 0, wheels: 0, markers: 0, handlerErrors: 0 };

  constructor(opts: CaptureOptions) {
    this.opts = {
      idleThresholdMs: 3000,
      flushIntervalMs: 1000,
      chunkEvents: 4096,
      maxLiveEvents: 1_000_000,
      progressIntervalMs: 200,
      newId: defaultId,
      ...opts,
    };
  }

  // ---- public API ----

  /** Start a new session and attach listeners. */
  start(): SessionMeta {
    if (this.state === 'recording' || this.state === 'paused') throw new PointerprintError('capture/already-recording', 'A recording is already running.');
    if (this.opts.ignore) {
      try { document.querySelector(this.opts.ignore); } catch (e) {
        throw new PointerprintError('capture/bad-ignore', `The ignore selector “${this.opts.ignore}” is not a valid CSS selector.`, e);
      }
    }
    for (const k of Object.keys(this.counters) as (keyof RecorderCounters)[]) this.counters[k] = 0;
    this.state = 'recording';
    this.#newSession();
    this.#attach();
    this.#timer = setInterval(() => this.#tick(), this.opts.progressIntervalMs);
    return this.meta!;
  }

  /** Fresh buffer, clock and meta; used at start and when rolling over a long session. */
  #newSession(): void {
    this.#t0 = performance.now();
    this.#lastT = -Infinity;
    this.#buf = new ColumnBuffer();
    this.#flushedUpTo = 0;
    this.#seq = 0;
    const vp: SizePx = { width: innerWidth, height: innerHeight };
    const de = document.documentElement;
    this.meta = {
      id: this.opts.newId(),
      profileId: this.opts.profileId,
      ...(this.opts.label ? { label: this.opts.label } : {}),
      source: 'capture',
      startedAtEpochMs: Math.round(performance.timeOrigin + this.#t0),
      space: vp,
      viewport: { ...vp },
      page: { width: de.scrollWidth, height: de.scrollHeight },
      screen: { width: screen.width, height: screen.height },
      devicePixelRatio: devicePixelRatio,
      userAgent: navigator.userAgent,
      eventCount: 0,
      durationMs: 0,
    };
    // Where the page is scrolled to at the start: coordinates are viewport-relative, so record it.
    this.#marker(EventKind.Scroll, scrollX, scrollY, this.now());
  }

  /** Close the current session and continue in a new one (bounded live memory). */
  #rollOver(): void {
    this.flush();
    this.#newSession();
    emit(this.#sessionListeners, { ...this.meta! });
  }

  /** Called when a long recording rolls over into a new session (new id, events from 0). */
  onSession(fn: (meta: SessionMeta) => void): () => void {
    this.#sessionListeners.add(fn);
    return () => this.#sessionListeners.delete(fn);
  }

  /** Stop listening (zero cost while paused); the gap shows as an Idle marker on resume. */
  pause(): void {
    if (this.state !== 'recording') return;
    this.#detach();
    this.state = 'paused';
    this.flush();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.#attach();
    this.state = 'recording';
    // A pause is a gap the person chose: mark it so windows break there, like any long idle.
    this.#marker(EventKind.Idle, 0, 0, this.now());
  }

  /** Stop listening and cut the last chunk (a `Recorder` also waits for it to be saved). */
  async stop(): Promise<SessionMeta | null> {
    if (this.state !== 'recording' && this.state !== 'paused') return this.meta;
    this.#detach();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.state = 'stopped';
    this.flush();
    emit(this.#progressListeners, this.#buf.length);
    return this.meta;
  }

  /** Called with every flushed chunk (the Splunk forwarder subscribes). Don't mutate or transfer it. */
  onChunk(fn: (chunk: EventChunk, meta: SessionMeta) => void): () => void {
    this.#chunkListeners.add(fn);
    return () => this.#chunkListeners.delete(fn);
  }

  /** Called (throttled) with the live event count when new events arrived. */
  onProgress(fn: (length: number) => void): () => void {
    this.#progressListeners.add(fn);
    return () => this.#progressListeners.delete(fn);
  }

  get length(): number {
    return this.#buf.length;
  }

  /** The live session's buffer (for `Recorder`'s live views; the embed never reads it back). */
  protected get buffer(): ColumnBuffer {
    return this.#buf;
  }

  // ---- listeners ----

  /** Session time now (ms since the session start, the events' time base). */
  now(): number {
    return performance.now() - this.#t0;
  }

  #fail = (e: unknown): void => {
    this.counters.handlerErrors++;
    if (this.lastError === null) this.lastError = e;
  };

  #attach(): void {
    const t = this.opts.target ?? window;
    const add = <E extends Event>(target: EventTarget, type: string, fn: (e: E) => void): void => {
      this.#removers.push(on<E>(target, type, guarded(fn, this.#fail)));
    };
    // The hot path is registered as is (guarded inside): no wrapper calls per move.
    this.#removers.push(on<PointerEvent>(t, 'pointermove', this.#onMove));
    add<PointerEvent>(t, 'pointerdown', (e) => this.#onButton(e, EventKind.Down));
    add<PointerEvent>(t, 'pointerup', (e) => this.#onButton(e, EventKind.Up));
    add<WheelEvent>(t, 'wheel', (e) => this.#onWheel(e));
    add<Event>(window, 'scroll', (e) => {
      // Element scrolls don't move viewport coordinates; only the document's scroll is a marker.
      if (e.target === document || e.target === document.documentElement || e.target === window) this.#marker(EventKind.Scroll, scrollX, scrollY, e.timeStamp - this.#t0);
    });
    add<UIEvent>(window, 'resize', (e) => this.#marker(EventKind.Resize, innerWidth, innerHeight, e.timeStamp - this.#t0));
    add<Event>(document, 'visibilitychange', (e) => {
      const hidden = document.visibilityState === 'hidden';
      this.#marker(hidden ? EventKind.Hidden : EventKind.Visible, 0, 0, e.timeStamp - this.#t0);
      // A hidden tab may be frozen or discarded without another chance: save what we have now.
      if (hidden) setTimeout(() => this.flush(), 0);
    });
    add<PageTransitionEvent>(window, 'pagehide', () => this.flush());
    add<FocusEvent>(window, 'blur', (e) => { if (e.target === window) this.#marker(EventKind.Blur, 0, 0, e.timeStamp - this.#t0); });
    add<FocusEvent>(window, 'focus', (e) => { if (e.target === window) this.#marker(EventKind.Focus, 0, 0, e.timeStamp - this.#t0); });
  }

  #detach(): void {
    for (const r of this.#removers) r();
    this.#removers = [];
    this.#lastTarget = null;
  }

  /** Whether this event happened over an ignored element (cached per target; hot path). */
  #skip(e: Event): boolean {
    const sel = this.opts.ignore;
    if (!sel) return false;
    const t = e.target;
    if (t !== this.#lastTarget) {
      this.#lastTarget = t;
      this.#lastTargetIgnored = t instanceof Element && t.closest(sel) !== null;
    }
    if (this.#lastTargetIgnored !== this.#insideIgnored) {
      this.#insideIgnored = this.#lastTargetIgnored;
      // Entering: break the stroke here, without saying where the ignored element is.
      if (this.#insideIgnored) this.#marker(EventKind.Idle, 0, 0, e.timeStamp - this.#t0);
    }
    return this.#lastTargetIgnored;
  }

  #kindOf(type: string): number {
    // Cache: the pointer type rarely changes, and string compares per event add up.
    if (type !== this.#lastPointerType) {
      this.#lastPointerType = type;
      this.#lastPointerKind = pointerKindFromType(type);
    }
    return this.#lastPointerKind;
  }

  /** Push one event, inserting an Idle marker first when a long gap just ended. */
  #put(tMs: number, kind: number, x: number, y: number, button: number, buttons: number, pk: number, dx: number, dy: number): void {
    if (tMs - this.#lastT > this.opts.idleThresholdMs && this.#lastT !== -Infinity) {
      this.#buf.push(tMs, EventKind.Idle, x, y, Button.None, buttons, pk, 0, 0);
      this.counters.markers++;
    }
    // One monotonic stream: a sample stamped before the previous one (coalesced edge cases) is clamped.
    if (tMs < this.#lastT) tMs = this.#lastT;
    this.#lastT = tMs;
    this.#buf.push(tMs, kind, x, y, button, buttons, pk, dx, dy);
  }

  #marker(kind: number, x: number, y: number, tMs: number): void {
    if (this.state === 'stopped') return;
    this.#put(Math.max(tMs, 0), kind, x, y, Button.None, 0, PointerKind.Unknown, 0, 0);
    this.counters.markers++;
  }

  /** Every pointermove: one frame (no wrapper), nothing allocated by us, each DOM getter read once. */
  #onMove = (e: PointerEvent): void => {
    try {
      if (this.opts.ignore && this.#skip(e)) return;
      const pk = this.#kindOf(e.pointerType);
      const counters = this.counters;
      const t0 = this.#t0;
      counters.pointerMoveEvents++;
      // Chorded buttons: a second button pressed while one is held arrives as pointermove with button >= 0.
      const button = e.button;
      if (button >= 0) {
        const kind = e.buttons & (BUTTON_BIT[button] ?? 0) ? EventKind.Down : EventKind.Up;
        this.#put(e.timeStamp - t0, kind, e.clientX, e.clientY, button, e.buttons, pk, 0, 0);
        if (kind === EventKind.Down) counters.downs++; else counters.ups++;
      }
      // Insecure origins have no getCoalescedEvents: the event is the one sample.
      const list = e.getCoalescedEvents ? e.getCoalescedEvents() : null;
      const n = list ? list.length : 0;
      if (n > 0) {
        for (let i = 0; i < n; i++) {
          const c = list![i];
          this.#put(c.timeStamp - t0, EventKind.Move, c.clientX, c.clientY, Button.None, c.buttons, pk, 0, 0);
        }
        counters.moves += n;
        counters.coalescedMoves += n - 1;
      } else {
        this.#put(e.timeStamp - t0, EventKind.Move, e.clientX, e.clientY, Button.None, e.buttons, pk, 0, 0);
        counters.moves++;
      }
    } catch (err) {
      this.#fail(err);
    }
  };

  #onButton(e: PointerEvent, kind: number): void {
    if (this.#skip(e)) return;
    this.#put(e.timeStamp - this.#t0, kind, e.clientX, e.clientY, e.button, e.buttons, this.#kindOf(e.pointerType), 0, 0);
    if (kind === EventKind.Down) this.counters.downs++; else this.counters.ups++;
  }

  #onWheel(e: WheelEvent): void {
    if (this.#skip(e)) return;
    const dx = wheelDeltaPx(e.deltaX, e.deltaMode, innerWidth);
    const dy = wheelDeltaPx(e.deltaY, e.deltaMode, innerHeight);
    this.#put(e.timeStamp - this.#t0, EventKind.Wheel, e.clientX, e.clientY, Button.None, e.buttons, PointerKind.Mouse, dx, dy);
    this.counters.wheels++;
  }

  // ---- flushing (never on the event path) ----

  #tick(): void {
    this.#ticks++;
    const n = this.#buf.length;
    const due = this.#ticks * this.opts.progressIntervalMs >= this.opts.flushIntervalMs;
    if (due || n - this.#flushedUpTo >= this.opts.chunkEvents) {
      this.#ticks = 0;
      this.flush();
    }
    if (n !== this.#lastProgressLen) {
      this.#lastProgressLen = n;
      emit(this.#progressListeners, n);
    }
    if (n >= this.opts.maxLiveEvents) this.#rollOver();
  }

  /** Cut the unflushed events into a chunk and tell listeners (a `Recorder` also queues it for saving). */
  flush(): void {
    const meta = this.meta;
    const end = this.#buf.length;
    if (!meta || end === this.#flushedUpTo) return;
    const start = this.#flushedUpTo;
    const chunk: EventChunk = { ...this.#buf.copy(start, end), sessionId: meta.id, seq: this.#seq++, length: end - start };
    this.#flushedUpTo = end;
    meta.eventCount = end;
    meta.durationMs = Math.max(0, this.#buf.tMs[end - 1]);
    meta.page = { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight };
    const snapshot = { ...meta };
    emit(this.#chunkListeners, chunk, snapshot);
    this.saveChunk(chunk, snapshot);
  }

  /** What happens to a cut chunk besides the listeners (nothing here; `Recorder` saves it). */
  protected saveChunk(_chunk: EventChunk, _meta: SessionMeta): void {}
}

/** `Capture` whose chunks are saved to a sink (IndexedDB in the app), never awaited on the event path. */
export class Recorder extends Capture {
  declare readonly opts: Capture['opts'] & { sink: ChunkSink; maxPendingEvents: number };
  /** Chunks waiting to be saved, each with its session's meta as of its flush. */
  #pending: { chunk: EventChunk; meta: SessionMeta }[] = [];
  #saving = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retryDelayMs = 1000;
  #statusListeners = new Set<Listener<[StorageStatus]>>();
  status: StorageStatus = { state: 'ok', message: null, pendingEvents: 0, lostEvents: 0, savedEvents: 0 };

  constructor(opts: RecorderOptions) {
    super({ maxPendingEvents: 500_000, ...opts } as CaptureOptions);
  }

  override start(): SessionMeta {
    if (this.state !== 'recording' && this.state !== 'paused') {
      this.#pending = [];
      this.status = { state: 'ok', message: null, pendingEvents: 0, lostEvents: 0, savedEvents: 0 };
    }
    return super.start();
  }

  /** Stop and flush the rest. Resolves when everything reached storage (or failed and is reported). */
  override async stop(): Promise<SessionMeta | null> {
    const wasRunning = this.state === 'recording' || this.state === 'paused';
    const meta = await super.stop();
    if (!wasRunning) return meta;
    // Wait for a save already in flight, then for the rest (a failure leaves them queued for retry).
    while (this.#saving) await new Promise((r) => setTimeout(r, 10));
    await this.#drain();
    return meta;
  }

  /**
   * The live session's events so far, as views (no copy). Valid until the next event grows the
   * buffer: use them synchronously, or copy (`liveCopy`) before posting to a worker.
   */
  liveColumns(): EventColumns & { length: number } {
    return this.buffer.view();
  }

  /** A copy of live events [start, end), safe to transfer to a worker. */
  liveCopy(start = 0, end = this.length): EventColumns & { length: number } {
    const s = Math.max(0, start), e = Math.min(end, this.length);
    return { ...this.buffer.copy(s, e), length: Math.max(0, e - s) };
  }

  /** The first handler error, if any (handlers never throw; this is for diagnosis). */
  get handlerError(): string | null {
    return this.lastError === null ? null : describeError(this.lastError);
  }

  /** Called when the storage status changes (warnings for the UI). */
  onStatus(fn: (s: StorageStatus) => void): () => void {
    this.#statusListeners.add(fn);
    return () => this.#statusListeners.delete(fn);
  }

  /** Try saving the in-memory backlog now (e.g. after the user freed space). */
  retryNow(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#retryDelayMs = 1000;
    void this.#drain();
  }

  protected override saveChunk(chunk: EventChunk, meta: SessionMeta): void {
    this.#pending.push({ chunk, meta });
    this.#boundPending();
    void this.#drain();
  }

  #boundPending(): void {
    let pendingEvents = this.#pendingCount();
    // Keep the newest; never drop the chunk being saved right now (index 0 while saving).
    while (pendingEvents > this.opts.maxPendingEvents && this.#pending.length > (this.#saving ? 2 : 1)) {
      const victim = this.#pending.splice(this.#saving ? 1 : 0, 1)[0].chunk;
      pendingEvents -= victim.length;
      this.status.lostEvents += victim.length;
    }
    this.#setStatus({ pendingEvents });
  }

  #setStatus(p: Partial<StorageStatus>): void {
    this.status = { ...this.status, ...p };
    emit(this.#statusListeners, this.status);
  }

  /** Save queued chunks in order; on failure keep them and retry with backoff. */
  async #drain(): Promise<void> {
    if (this.#saving) return;
    this.#saving = true;
    try {
      while (this.#pending.length > 0) {
        const { chunk, meta } = this.#pending[0];
        try {
          await this.opts.sink.appendChunk(chunk, meta);
        } catch (e) {
          this.#setStatus({
            state: 'retrying',
            message: describeError(storageError(e)) + ` ${this.#pendingCount()} events wait in memory (up to ${this.opts.maxPendingEvents.toLocaleString()}).`,
            pendingEvents: this.#pendingCount(),
          });
          this.#scheduleRetry();
          return;
        }
        this.#pending.shift();
        this.#retryDelayMs = 1000;
        this.#setStatus({ state: 'ok', message: this.status.lostEvents ? `${this.status.lostEvents} events were lost while storage was failing.` : null, pendingEvents: this.#pendingCount(), savedEvents: this.status.savedEvents + chunk.length });
      }
    } finally {
      this.#saving = false;
    }
  }

  #pendingCount(): number {
    return this.#pending.reduce((n, p) => n + p.chunk.length, 0);
  }

  #scheduleRetry(): void {
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#drain();
    }, this.#retryDelayMs);
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, 30_000);
  }
}
