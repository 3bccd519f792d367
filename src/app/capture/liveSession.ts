/**
 * The live-session pipeline shared by the app and the embeddable build:
 *
 *   recorder ─► chunks ─► chunk listeners (storage sink, Splunk forwarder)
 *       └────► windows as they complete ─► window listeners (live images, scoring)
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
  /** How windows are cut; null: no windowing until `setWindowSettings` (e.g. a profile still loading). */
  windowSettings: WindowSettings | null;
  /** Told about every stage error (listener bugs); default: ignored. */
  onError?: (stage: string, e: unknown) => void;
}

type Fn<A extends unknown[]> = (...a: A) => void;

export class LiveSession {
  readonly recorder: Recorder;
  private windowSettings: WindowSettings | null;
  private cursor: SegmentCursor = { nextEvent: 0, nextIndex: 0 };
  private readonly windowFns = new Set<Fn<[CompletedWindow]>>();
  private readonly droppedFns = new Set<Fn<[DroppedWindow[]]>>();
  private readonly progressFns = new Set<Fn<[number]>>();
  private readonly sessionFns = new Set<Fn<[SessionMeta]>>();
  private readonly onError: (stage: string, e: unknown) => void;

  constructor(opts: LiveSessionOptions) {
    const { windowSettings, onError, ...rec } = opts;
    this.windowSettings = windowSettings;
    this.onError = onError ?? (() => undefined);
    this.recorder = new Recorder(rec);
    this.recorder.onProgress((n) => { this.cutWindows(false); this.emit('progress', this.progressFns, n); });
    this.recorder.onSession((m) => {
      // A very long recording rolled over into a new session: windows start again from its event 0.
      this.cursor = { nextEvent: 0, nextIndex: 0 };
      this.emit('session', this.sessionFns, m);
    });
  }

  get meta(): SessionMeta | null { return this.recorder.meta; }
  get state() { return this.recorder.state; }
  /** First event of the window still open (events after it are the partial window). */
  get openWindowStart(): number { return this.cursor.nextEvent; }
  get windowsCompleted(): number { return this.cursor.nextIndex; }

  start(): SessionMeta {
    this.cursor = { nextEvent: 0, nextIndex: 0 };
    return this.recorder.start();
  }
  pause(): void { this.recorder.pause(); this.cutWindows(false); }
  resume(): void { this.recorder.resume(); }
  /** Stop, close the last window, and wait for storage (see Recorder.stop). */
  async stop(): Promise<SessionMeta | null> {
    const done = this.recorder.stop();
    this.cutWindows(true);
    return done;
  }

  /** Window from event 0 of the live session with these settings (e.g. once a profile has loaded). */
  setWindowSettings(ws: WindowSettings | null): void {
    this.windowSettings = ws;
    this.cursor = { nextEvent: 0, nextIndex: 0 };
    if (ws && this.recorder.meta) this.cutWindows(this.recorder.state === 'stopped');
  }

  onChunk(fn: (chunk: EventChunk, meta: SessionMeta) => void): () => void { return this.recorder.onChunk(fn); }
  onStorage(fn: (s: StorageStatus) => void): () => void { return this.recorder.onStatus(fn); }
  onWindow(fn: Fn<[CompletedWindow]>): () => void { return this.add(this.windowFns, fn); }
  onDropped(fn: Fn<[DroppedWindow[]]>): () => void { return this.add(this.droppedFns, fn); }
  onProgress(fn: Fn<[number]>): () => void { return this.add(this.progressFns, fn); }
  onSession(fn: Fn<[SessionMeta]>): () => void { return this.add(this.sessionFns, fn); }

  private add<A extends unknown[]>(set: Set<Fn<A>>, fn: Fn<A>): () => void {
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit<A extends unknown[]>(stage: string, set: Set<Fn<A>>, ...a: A): void {
    for (const fn of set) {
      try { fn(...a); } catch (e) { this.onError(stage, e); }
    }
  }

  /** Cut the windows completed since last time; `final` closes the open one. Off the event path. */
  private cutWindows(final: boolean): void {
    const ws = this.windowSettings;
    const rec = this.recorder;
    const meta = rec.meta;
    if (!ws || !meta) return;
    const res = windowsCompletedSince(rec.liveColumns(), meta.id, ws, meta.space, this.cursor, final ? Number.POSITIVE_INFINITY : rec.now());
    this.cursor = res.cursor;
    if (res.dropped.length) this.emit('dropped', this.droppedFns, res.dropped);
    if (this.windowFns.size === 0) return;
    for (const w of res.windows) {
      this.emit('window', this.windowFns, { window: w, columns: rec.liveCopy(w.start, w.end), meta: { ...meta } });
    }
  }
}
