/**
 * The live-session pipeline shared by the app and the embeddable build:
 *
 *   recorder ─► chunks ─► chunk listeners (storage sink, Splunk forwarder)
 *       └────► windows as they complete ─► window consumers, each with its own settings (live images, scoring)
 *
 * Plain TypeScript (no Svelte runes, no UI, no tfjs): the embed bundles it as it is, and the app's
 * reactive controller wraps it. Listener errors are contained: a bug in one stage never stops capture.
 */
import { Recorder, type ChunkSink, type RecorderOptions, type StorageStatus } from '../../capture/recorder';
import type { EventChunk, EventColumns, SessionMeta } from '../../core/events';
import { windowsCompletedSince, type DroppedWindow, type EventWindow, type SegmentCursor } from '../../core/segment';
import type { WindowSettings } from '../../core/settings';

/** A window that just completed, with its own copy of the events (safe to keep or transfer). */
export interface CompletedWindow {
  window: EventWindow;
  columns: EventColumns & { length: number };
  meta: SessionMeta;
}

export interface LiveSessionOptions extends Omit<RecorderOptions, 'sink'> {
  sink: ChunkSink;
  /** Told about every stage error (listener bugs); default: ignored. */
  onError?: (stage: string, e: unknown) => void;
}

/** One consumer of windows, with its own settings (live images, each scorer's model). */
export interface WindowConsumer {
  settings: WindowSettings;
  onWindow(w: CompletedWindow): void;
  onDropped?(d: DroppedWindow[]): void;
}

/** A consumer's place in the live session; `close()` unsubscribes. */
export interface WindowTap {
  /** First event of this consumer's open window (events after it form the partial window). */
  readonly openWindowStart: number;
  /** Windows (kept or dropped) completed so far for this consumer. */
  readonly windowsCompleted: number;
  close(): void;
}

type Fn<A extends unknown[]> = (...a: A) => void;

class Tap implements WindowTap {
  cursor: SegmentCursor = { nextEvent: 0, nextIndex: 0 };
  constructor(readonly consumer: WindowConsumer, readonly close: () => void) {}
  get openWindowStart(): number { return this.cursor.nextEvent; }
  get windowsCompleted(): number { return this.cursor.nextIndex; }
}

export class LiveSession {
  readonly recorder: Recorder;
  readonly #taps = new Set<Tap>();
  readonly #progressFns = new Set<Fn<[number]>>();
  readonly #sessionFns = new Set<Fn<[SessionMeta]>>();
  readonly #onError: (stage: string, e: unknown) => void;

  constructor(opts: LiveSessionOptions) {
    const { onError, ...rec } = opts;
    this.#onError = onError ?? (() => undefined);
    this.recorder = new Recorder(rec);
    this.recorder.onProgress((n) => { this.#cutWindows(false); this.#emit('progress', this.#progressFns, n); });
    this.recorder.onSession((m) => {
      // A very long recording rolled over into a new session: windows start again from its event 0.
      for (const t of this.#taps) t.cursor = { nextEvent: 0, nextIndex: 0 };
      this.#emit('session', this.#sessionFns, m);
    });
  }

  get meta(): SessionMeta | null { return this.recorder.meta; }
  get state() { return this.recorder.state; }

  start(): SessionMeta {
    for (const t of this.#taps) t.cursor = { nextEvent: 0, nextIndex: 0 };
    return this.recorder.start();
  }
  pause(): void { this.recorder.pause(); this.#cutWindows(false); }
  resume(): void { this.recorder.resume(); }
  /** Stop, close the last windows, and wait for storage (see Recorder.stop). */
  async stop(): Promise<SessionMeta | null> {
    const done = this.recorder.stop();
    this.#cutWindows(true);
    return done;
  }

  /**
   * Be handed each window as it completes, cut with the consumer's own settings. A consumer that joins
   * late (a profile still loading) starts from event 0 of the live session, so it misses nothing.
   */
  tapWindows(consumer: WindowConsumer): WindowTap {
    const tap: Tap = new Tap(consumer, () => { this.#taps.delete(tap); });
    this.#taps.add(tap);
    if (this.recorder.meta) this.#cutWindows(this.recorder.state === 'stopped', tap);
    return tap;
  }

  onChunk(fn: (chunk: EventChunk, meta: SessionMeta) => void): () => void { return this.recorder.onChunk(fn); }
  onStorage(fn: (s: StorageStatus) => void): () => void { return this.recorder.onStatus(fn); }
  onProgress(fn: Fn<[number]>): () => void { return this.#add(this.#progressFns, fn); }
  onSession(fn: Fn<[SessionMeta]>): () => void { return this.#add(this.#sessionFns, fn); }

  #add<A extends unknown[]>(set: Set<Fn<A>>, fn: Fn<A>): () => void {
    set.add(fn);
    return () => set.delete(fn);
  }

  #emit<A extends unknown[]>(stage: string, set: Set<Fn<A>>, ...a: A): void {
    for (const fn of set) {
      try { fn(...a); } catch (e) { this.#onError(stage, e); }
    }
  }

  /** Cut the windows completed since last time for each consumer; `final` closes the open ones. Off the event path. */
  #cutWindows(final: boolean, only?: Tap): void {
    const rec = this.recorder;
    const meta = rec.meta;
    if (!meta) return;
    const cols = rec.liveColumns();
    const until = final ? Number.POSITIVE_INFINITY : rec.now();
    for (const tap of only ? [only] : [...this.#taps]) {
      const c = tap.consumer;
      const res = windowsCompletedSince(cols, meta.id, c.settings, meta.space, tap.cursor, until);
      tap.cursor = res.cursor;
      try {
        if (res.dropped.length) c.onDropped?.(res.dropped);
        for (const w of res.windows) c.onWindow({ window: w, columns: rec.liveCopy(w.start, w.end), meta: { ...meta } });
      } catch (e) {
        this.#onError('window', e);
      }
    }
  }
}
