/**
 * The app-wide capture controller: one recorder, its reactive status for the views and the header
 * indicator, and live encoding of windows as they complete (through the render worker).
 *
 * A singleton because a recording outlives the view that started it (switching tabs keeps it running,
 * and the header shows it everywhere).
 */
import { Recorder, type RecorderCounters, type RecorderState, type StorageStatus } from '../../capture/recorder';
import type { EventChunk, SessionMeta } from '../../core/events';
import { windowsCompletedSince, type DroppedWindow, type SegmentCursor } from '../../core/segment';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, type EncodingSettings, type WindowSettings } from '../../core/settings';
import { describeError } from '../../core/errors';
import { onDbClosed, openPointerprintDb, requestPersistentStorage } from '../../store/db';
import { appendChunk, pruneExpiredSessions } from '../../store/sessions';
import { RenderClient } from '../../worker/renderClient.svelte';

export interface LiveImage {
  index: number;
  url: string;
  eventCount: number;
  startMs: number;
  endMs: number;
}

const CONSENT_KEY = 'capture.consent';
/** Completed window images kept on screen (older ones are released; counters keep the totals). */
const MAX_LIVE_IMAGES = 24;
/** The partial window is re-drawn at most this often. */
const PARTIAL_EVERY_MS = 400;

const emptyCounters = (): RecorderCounters => ({ moves: 0, coalescedMoves: 0, pointerMoveEvents: 0, downs: 0, ups: 0, wheels: 0, markers: 0, handlerErrors: 0 });

class CaptureController {
  /** The person agreed to biometric capture (kept in the local database until withdrawn). */
  consent = $state(false);
  profileId = $state('me');
  state = $state<RecorderState>('idle');
  meta = $state<SessionMeta | null>(null);
  length = $state(0);
  counters = $state<RecorderCounters>(emptyCounters());
  storage = $state<StorageStatus>({ state: 'ok', message: null, pendingEvents: 0, lostEvents: 0, savedEvents: 0 });
  /** Database-level warning (blocked / closed / unavailable). */
  dbWarning = $state<string | null>(null);
  persisted = $state<boolean | null>(null);
  windowSettings = $state<WindowSettings>({ ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 500 });
  sizePx = $state(96);
  images = $state<LiveImage[]>([]);
  windowsDone = $state(0);
  dropped = $state<DroppedWindow[]>([]);
  partialUrl = $state<string | null>(null);
  partialEvents = $state(0);
  renderError = $state<string | null>(null);
  /** Listeners to recorder chunks that outlive one recording (e.g. the Splunk forwarder). */
  readonly chunkListeners = new Set<(chunk: EventChunk, meta: SessionMeta) => void>();

  #recorder: Recorder | null = null;
  #render: RenderClient | null = null;
  #cursor: SegmentCursor = { nextEvent: 0, nextIndex: 0 };
  #lastPartialAt = 0;
  #inited: Promise<void> | null = null;

  get encoding(): EncodingSettings {
    return { ...DEFAULT_ENCODING_SETTINGS, sizePx: this.sizePx };
  }

  get active(): boolean {
    return this.state === 'recording' || this.state === 'paused';
  }

  /** The live recorder (for scoring / forwarding), if one is running. */
  get recorder(): Recorder | null {
    return this.#recorder;
  }

  /** Load consent, watch the database, apply the retention limit. Safe to call many times. */
  init(): Promise<void> {
    this.#inited ??= (async () => {
      onDbClosed((reason) => (this.dbWarning = reason));
      try {
        const db = await openPointerprintDb();
        const c = await db.get('kv', CONSENT_KEY);
        this.consent = typeof c === 'object' && c !== null;
        await pruneExpiredSessions(Date.now(), new Set(this.meta ? [this.meta.id] : []));
      } catch (e) {
        this.dbWarning = describeError(e) + ' Recording still works; events are kept in memory.';
      }
    })();
    return this.#inited;
  }

  async giveConsent(): Promise<void> {
    this.consent = true;
    try {
      const db = await openPointerprintDb();
      await db.put('kv', { atEpochMs: Date.now(), text: 'mouse-dynamics capture v1' }, CONSENT_KEY);
    } catch (e) {
      this.dbWarning = describeError(e);
    }
    this.persisted = await requestPersistentStorage();
  }

  async withdrawConsent(): Promise<void> {
    await this.stop();
    this.consent = false;
    try {
      const db = await openPointerprintDb();
      await db.delete('kv', CONSENT_KEY);
    } catch (e) {
      this.dbWarning = describeError(e);
    }
  }

  start(): void {
    if (!this.consent || this.active) return;
    this.#clearImages();
    this.#cursor = { nextEvent: 0, nextIndex: 0 };
    this.windowsDone = 0;
    this.dropped = [];
    const rec = new Recorder({ profileId: this.profileId.trim() || 'me', sink: { appendChunk } });
    rec.onProgress((n) => this.#onProgress(n));
    rec.onStatus((s) => (this.storage = s));
    rec.onSession((m) => {
      // A very long recording rolled over into a new session: windows start again from its event 0.
      this.#cursor = { nextEvent: 0, nextIndex: 0 };
      this.meta = m;
    });
    rec.onChunk((chunk, meta) => {
      for (const fn of this.chunkListeners) {
        try { fn(chunk, meta); } catch (e) { console.error('Pointerprint chunk listener failed', e); }
      }
    });
    this.#recorder = rec;
    this.meta = rec.start();
    this.state = rec.state;
  }

  pause(): void {
    this.#recorder?.pause();
    this.#sync();
  }

  resume(): void {
    this.#recorder?.resume();
    this.#sync();
  }

  async stop(): Promise<void> {
    const rec = this.#recorder;
    if (!rec || !this.active) return;
    const done = rec.stop();
    this.state = 'stopped';
    await done;
    this.#sync();
    this.#renderNew(true);
  }

  /** Retry saving the in-memory backlog now. */
  retrySave(): void {
    this.#recorder?.retryNow();
  }

  #sync(): void {
    const rec = this.#recorder;
    if (!rec) return;
    this.state = rec.state;
    this.length = rec.length;
    this.counters = { ...rec.counters };
    this.storage = rec.status;
    if (rec.meta) this.meta = { ...rec.meta };
  }

  #onProgress(_n: number): void {
    this.#sync();
    this.#renderNew(false);
  }

  #client(): RenderClient {
    this.#render ??= new RenderClient();
    return this.#render;
  }

  /** Segment what arrived since last time; render completed windows and the partial one. */
  #renderNew(final: boolean): void {
    const rec = this.#recorder;
    const meta = rec?.meta;
    if (!rec || !meta) return;
    const cols = rec.liveColumns();
    const res = windowsCompletedSince(cols, meta.id, this.windowSettings, meta.space, this.#cursor, final ? Number.POSITIVE_INFINITY : rec.now());
    this.#cursor = res.cursor;
    if (res.dropped.length) this.dropped = [...this.dropped, ...res.dropped].slice(-50);
    for (const w of res.windows) {
      this.windowsDone++;
      const part = rec.liveCopy(w.start, w.end);
      this.#client()
        .renderOnce({ type: 'render-windows', columns: part, space: meta.space, windows: [{ index: w.index, start: 0, end: part.length }], encoding: this.encoding, outputs: { rgba: false, png: true } })
        .then((r) => {
          const png = r.images[0]?.png;
          if (!png) return;
          const img: LiveImage = { index: w.index, url: URL.createObjectURL(png), eventCount: w.eventCount, startMs: w.startMs, endMs: w.endMs };
          const next = [img, ...this.images].sort((a, b) => b.index - a.index);
          for (const old of next.slice(MAX_LIVE_IMAGES)) URL.revokeObjectURL(old.url);
          this.images = next.slice(0, MAX_LIVE_IMAGES);
        })
        .catch((e: unknown) => (this.renderError = describeError(e)));
    }
    // The window still open: redraw now and then so people see their activity appear.
    const from = this.#cursor.nextEvent, to = cols.length;
    const now = performance.now();
    if (to - from >= 2 && (final || now - this.#lastPartialAt >= PARTIAL_EVERY_MS)) {
      this.#lastPartialAt = now;
      const part = rec.liveCopy(from, to);
      this.partialEvents = part.length;
      void this.#client()
        .request({ type: 'render-windows', columns: part, space: meta.space, windows: [{ index: -1, start: 0, end: part.length }], encoding: this.encoding, outputs: { rgba: false, png: true } })
        .then((r) => {
          const png = r?.images[0]?.png;
          if (!png) return;
          if (this.partialUrl) URL.revokeObjectURL(this.partialUrl);
          this.partialUrl = URL.createObjectURL(png);
        });
    } else if (to - from < 2 && this.partialUrl && this.#cursor.nextIndex > 0) {
      URL.revokeObjectURL(this.partialUrl);
      this.partialUrl = null;
      this.partialEvents = 0;
    }
  }

  #clearImages(): void {
    for (const i of this.images) URL.revokeObjectURL(i.url);
    this.images = [];
    if (this.partialUrl) URL.revokeObjectURL(this.partialUrl);
    this.partialUrl = null;
    this.partialEvents = 0;
  }
}

export const capture = new CaptureController();
