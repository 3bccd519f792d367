/**
 * The app-wide capture controller: one live session (src/app/capture/liveSession.ts: recorder,
 * windows), its reactive status for the views and the header indicator, and live encoding of windows as
 * they complete (through the render worker). Application layer: no view imports.
 *
 * A singleton because a recording outlives the view that started it (switching tabs keeps it running,
 * and the header shows it everywhere).
 */
import type { Recorder, RecorderCounters, RecorderState, StorageStatus } from '../../capture/recorder';
import type { EventChunk, SessionMeta } from '../../core/events';
import type { DroppedWindow } from '../../core/segment';
import { LiveSession, type CompletedWindow, type WindowTap } from './liveSession';
import { APP_ENCODING_SETTINGS, APP_WINDOW_SETTINGS, type EncodingSettings, type WindowSettings } from '../../core/settings';
import { describeError } from '../../core/errors';
import { onDbClosed, openPointerprintDb, requestPersistentStorage } from '../../store/db';
import { appendChunk, pruneExpiredSessions } from '../../store/sessions';
import { RenderClient } from '../../worker/renderClient.svelte';
import { forwardChunk } from '../../splunk/forwarder';

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
  windowSettings = $state<WindowSettings>({ ...APP_WINDOW_SETTINGS });
  sizePx = $state(APP_ENCODING_SETTINGS.sizePx);
  images = $state<LiveImage[]>([]);
  windowsDone = $state(0);
  dropped = $state<DroppedWindow[]>([]);
  partialUrl = $state<string | null>(null);
  partialEvents = $state(0);
  renderError = $state<string | null>(null);
  /**
   * Listeners to recorder chunks that outlive one recording. The Splunk forwarder is wired here, in the
   * application layer (it sends raw events only when the owner opted in).
   */
  readonly chunkListeners = new Set<(chunk: EventChunk, meta: SessionMeta) => void>([forwardChunk]);

  #session: LiveSession | null = null;
  #liveImages: WindowTap | null = null;
  #render: RenderClient | null = null;
  #lastPartialAt = 0;
  #inited: Promise<void> | null = null;

  get encoding(): EncodingSettings {
    return { ...APP_ENCODING_SETTINGS, sizePx: this.sizePx };
  }

  get active(): boolean {
    return this.state === 'recording' || this.state === 'paused';
  }

  /** The live recorder (for scoring / forwarding), if one is running. */
  get recorder(): Recorder | null {
    return this.#session?.recorder ?? null;
  }

  /** The live session pipeline (windows, chunks), if one is running. */
  get session(): LiveSession | null {
    return this.#session;
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
    this.windowsDone = 0;
    this.dropped = [];
    const session = new LiveSession({
      profileId: this.profileId.trim() || 'me', sink: { appendChunk },
      onError: (stage, e) => console.error(`Pointerprint ${stage} listener failed`, e),
    });
    session.onProgress(() => this.#onProgress());
    session.onStorage((s) => (this.storage = s));
    session.onSession((m) => (this.meta = m));
    this.#liveImages = session.tapWindows({
      settings: { ...this.windowSettings },
      onWindow: (w) => this.#renderWindow(w),
      onDropped: (d) => (this.dropped = [...this.dropped, ...d].slice(-50)),
    });
    session.onChunk((chunk, meta) => {
      for (const fn of this.chunkListeners) {
        try { fn(chunk, meta); } catch (e) { console.error('Pointerprint chunk listener failed', e); }
      }
    });
    this.#session = session;
    this.meta = session.start();
    this.state = session.state;
  }

  pause(): void {
    this.#session?.pause();
    this.#sync();
  }

  resume(): void {
    this.#session?.resume();
    this.#sync();
  }

  async stop(): Promise<void> {
    const session = this.#session;
    if (!session || !this.active) return;
    const done = session.stop();
    this.state = 'stopped';
    this.#renderPartial(true);
    await done;
    this.#sync();
  }

  /** Retry saving the in-memory backlog now. */
  retrySave(): void {
    this.#session?.recorder.retryNow();
  }

  #sync(): void {
    const rec = this.#session?.recorder;
    if (!rec) return;
    this.state = rec.state;
    this.length = rec.length;
    this.counters = { ...rec.counters };
    this.storage = rec.status;
    if (rec.meta) this.meta = { ...rec.meta };
  }

  #onProgress(): void {
    this.#sync();
    this.#renderPartial(false);
  }

  #client(): RenderClient {
    this.#render ??= new RenderClient();
    return this.#render;
  }

  /** Render a window the session just completed and show it among the newest. */
  #renderWindow({ window: w, columns, meta }: CompletedWindow): void {
    this.windowsDone++;
    this.#client()
      .renderOnce({ type: 'render-windows', columns, space: meta.space, windows: [{ index: w.index, start: 0, end: columns.length }], encoding: this.encoding, outputs: { rgba: false, png: true } })
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

  /** The window still open: redraw now and then so people see their activity appear. */
  #renderPartial(final: boolean): void {
    const session = this.#session;
    const tap = this.#liveImages;
    const meta = session?.meta;
    if (!session || !tap || !meta) return;
    const from = tap.openWindowStart, to = session.recorder.length;
    const now = performance.now();
    if (to - from >= 2 && (final || now - this.#lastPartialAt >= PARTIAL_EVERY_MS)) {
      this.#lastPartialAt = now;
      const part = session.recorder.liveCopy(from, to);
      this.partialEvents = part.length;
      void this.#client()
        .request({ type: 'render-windows', columns: part, space: meta.space, windows: [{ index: -1, start: 0, end: part.length }], encoding: this.encoding, outputs: { rgba: false, png: true } })
        .then((r) => {
          const png = r?.images[0]?.png;
          if (!png) return;
          if (this.partialUrl) URL.revokeObjectURL(this.partialUrl);
          this.partialUrl = URL.createObjectURL(png);
        });
    } else if (to - from < 2 && this.partialUrl && tap.windowsCompleted > 0) {
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
