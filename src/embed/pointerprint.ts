/**
 * Pointerprint on any site: the embeddable capture-and-score module.
 *
 *   <script src="pointerprint-capture.js"></script>
 *   <script>Pointerprint.start({ hec: { url, token, index }, consent: askVisitor() });</script>
 *
 * What a site owner can rely on:
 * - nothing is captured before `consent` resolves to true;
 * - elements matching `ignore` (default `[data-pp-ignore]`) are not captured;
 * - events go to Splunk through the app's HEC client and durable queue (IndexedDB database
 *   `pointerprint-embed[-namespace]`), so a reload or an outage loses nothing;
 * - raw movements are sent only with `sendRaw: true`; with `score`, a worker scores windows against an
 *   exported profile (a person's verification profile, or a group model such as humans vs bots) and
 *   only scores and decisions are sent;
 * - `forget()` (the handle's, or `Pointerprint.forget()` without one; e.g. when the visitor withdraws
 *   consent) stops capture in every tab of the site and deletes everything the embed keeps: the queue
 *   database, in-memory buffers and batches, a send under way; nothing is sent afterwards;
 * - `retentionDays`: queued events captured longer ago than that are deleted, never sent;
 * - nothing throws into the host page: errors and warnings go to `onStatus`;
 * - one global (`Pointerprint`, classic build), no eval, no COOP/COEP needed; `start` is idempotent and
 *   `stop` removes every listener it added.
 */
import type { EventChunk, SessionMeta } from '../core/events';
import { describeError, PointerprintError } from '../core/errors';
import type { GroupLiveScore, LiveScore } from '../core/score';
import { DEFAULT_BATCH_LIMITS } from '../core/splunk/batcher';
import { pointerEnvelopes, type HecRouting } from '../core/splunk/hec';
import { allEnvelopes, announce, envelopesBefore, onHecQueueNotice, useHecQueueChannel } from '../store/hecQueue';
import { DEFAULT_BACKOFF } from '../core/splunk/hecStatus';
import { HecClient, type HecStatus } from '../splunk/hecClient';
import { Capture } from '../capture/recorder';
import { on } from '../capture/listen';
import { deleteEmbedDb, embedDbName, embedQueue } from './queueDb';
import { soloElection, webLocksElection } from '../splunk/senderElection';
import { EmbedScorer, SCORE_WORKER_FILE } from './scoring';

export const version = '0.1.0';

/**
 * Where this script was loaded from, read at load time (the worker file sits beside it): the classic
 * build knows it from `document.currentScript`, the ES module from `import.meta.url`.
 */
const SCRIPT_URL: string = (() => {
  const cs = typeof document !== 'undefined' ? document.currentScript : null;
  if (cs && 'src' in cs && typeof cs.src === 'string' && cs.src) return cs.src;
  const meta = import.meta as { url?: string };
  return typeof meta.url === 'string' ? meta.url : typeof location !== 'undefined' ? location.href : '';
})();

export type Consent = boolean | Promise<boolean> | (() => boolean | Promise<boolean>);

export interface StartOptions {
  /** Splunk HTTP Event Collector: base URL (no path), token, index (empty: the token's default). */
  hec: { url: string; token: string; index?: string; source?: string; useAck?: boolean };
  /** The visitor's opt-in. Required: nothing is captured until it resolves to true. */
  consent: Consent;
  /** Who the visitor is or claims to be (e.g. the login name); goes with every event. Default 'anonymous'. */
  profileId?: string;
  /** Send raw pointer events (biometric data). Default false: only scores leave the page. */
  sendRaw?: boolean;
  /** CSS selector of elements not to capture. Default `[data-pp-ignore]`. */
  ignore?: string;
  /** Score on the page against an exported profile; TensorFlow.js loads in a worker only then. */
  score?: { profileUrl: string; workerUrl?: string };
  /** Separate queue database per namespace (several independent integrations on one origin). */
  namespace?: string;
  /**
   * Queued events captured longer ago than this many days (fractions allowed) are deleted and never
   * sent, e.g. after a long Splunk outage. Default: no limit (kept until sent).
   */
  retentionDays?: number;
  /** Told of every state change, error and score. */
  onStatus?: (status: PointerprintStatus) => void;
}

export type PointerprintState = 'waiting-consent' | 'declined' | 'recording' | 'paused' | 'stopped' | 'forgotten' | 'error';

export interface PointerprintStatus {
  state: PointerprintState;
  /** The last error or warning, in words (null when all is well). */
  message: string | null;
  /** Machine-readable code of `message`, e.g. 'hec/invalid-token', 'profile/unreachable'. */
  code: string | null;
  sessionId: string | null;
  /** Events captured in this session so far. */
  events: number;
  hec: Pick<HecStatus, 'state' | 'pendingEvents' | 'sentEvents' | 'droppedBatches' | 'lastError' | 'volatile'> | null;
  scoring: 'off' | 'loading' | 'ready' | 'failed';
  lastScore: Pick<LiveScore, 'windowIndex' | 'windowScore' | 'fusedScore' | 'confidence' | 'decision' | 'windowsSeen' | 'flags'> | null;
  /** With a group model's profile: its last window's group and the session's tally (core/groupTally). */
  lastGroupScore: Pick<GroupLiveScore, 'windowIndex' | 'windowGroup' | 'windowProba' | 'notPeople' | 'shares' | 'leadingGroup' | 'windowsSeen' | 'clock' | 'flags'> | null;
}

export interface PointerprintHandle {
  /** Stop capturing, send what is left, remove every listener. Resolves when the queue was handed on. */
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Cut the current chunk and send everything queued now. */
  flush(): Promise<void>;
  /**
   * Stop capture here and in the site's other tabs, and delete everything the embed keeps on this
   * origin (queue database, buffers, unsent batches; a send under way is aborted). Resolves true when
   * all is gone (false: see `status().message`).
   */
  forget(): Promise<boolean>;
  status(): PointerprintStatus;
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Insecure origins (plain http) have no randomUUID: build a v4 UUID from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  return Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('').replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}

class Embed implements PointerprintHandle {
  #st: PointerprintStatus = { state: 'waiting-consent', message: null, code: null, sessionId: null, events: 0, hec: null, scoring: 'off', lastScore: null, lastGroupScore: null };
  #session: Capture | null = null;
  #client: HecClient | null = null;
  #scorer: EmbedScorer | null = null;
  #unsubscribe: (() => void)[] = [];
  #ended = false;
  #forgotten = false;

  constructor(private readonly opts: StartOptions) {}

  status(): PointerprintStatus {
    return { ...this.#st };
  }

  #set(patch: Partial<PointerprintStatus>): void {
    this.#st = { ...this.#st, ...patch };
    const fn = this.opts.onStatus;
    if (!fn) return;
    try { fn(this.status()); } catch { /* the host's handler failing must not stop capture */ }
  }

  #fail(e: unknown, fallbackCode: string, state?: PointerprintState): void {
    this.#set({ message: describeError(e), code: e instanceof PointerprintError ? e.code : fallbackCode, ...(state ? { state } : {}) });
  }

  /** Validate, wait for consent, then capture. Never throws. */
  async begin(): Promise<void> {
    try {
      const { hec } = this.opts;
      if (!hec || typeof hec.url !== 'string' || !hec.url || typeof hec.token !== 'string' || !hec.token) {
        throw new PointerprintError('embed/options', 'Pointerprint.start needs hec.url and hec.token.');
      }
      if (this.opts.consent === undefined) throw new PointerprintError('embed/options', 'Pointerprint.start needs `consent` (true, a promise or a function): nothing is captured without it.');
      // Batches a previous page could not send were captured under an earlier consent: resend them now.
      this.#startClient();
      this.#set({ state: 'waiting-consent' });
      const c = this.opts.consent;
      let agreed = false;
      try {
        agreed = (await (typeof c === 'function' ? c() : c)) === true;
      } catch (e) {
        this.#set({ message: `Consent was not given (${describeError(e)}).`, code: 'embed/consent' });
      }
      if (this.#ended) return;
      if (!agreed) { this.#set({ state: 'declined' }); return; }
      this.#capture();
    } catch (e) {
      this.#fail(e, 'embed/failed', 'error');
      this.#teardown();
    }
  }

  #routing(): HecRouting {
    return { host: location.hostname || undefined, source: this.opts.hec.source ?? 'pointerprint-embed', index: this.opts.hec.index || undefined };
  }

  #startClient(): void {
    const { hec, retentionDays } = this.opts;
    const maxAgeMs = retentionDays! > 0 ? retentionDays! * 864e5 : 0;
    const queue = embedQueue(this.opts.namespace);
    // Every tab of the site shares the queue; one of them (elected over Web Locks) sends it, so no
    // batch goes twice. Names carry the namespace: the app or another integration on this origin
    // never takes this queue's lock or settings. Without Web Locks (or a durable queue) each tab
    // sends alone; eventId still lets `dedup` absorb a rare duplicate.
    const name = embedDbName(this.opts.namespace);
    // Queue notices (purges) on a channel of this database's own: the app's, or another namespace's, are not ours.
    useHecQueueChannel(name + '-hec-queue');
    const locks = navigator.locks;
    const election = !queue.volatile && locks ? webLocksElection(locks, name + '-hec-sender') : soloElection();
    const client = new HecClient(
      { url: hec.url.trim(), token: hec.token.trim(), useAck: !!hec.useAck, channel: randomId(), limits: DEFAULT_BATCH_LIMITS, backoff: DEFAULT_BACKOFF },
      { store: queue.store, volatile: queue.volatile, newId: randomId, election, statusChannel: name + '-hec-status', maxAgeMs },
    );
    this.#client = client;
    if (maxAgeMs) {
      // The client purges expired events before a send; this also removes those that wait at rest.
      const purgeOld = () => void client.purgeEnvelopes(envelopesBefore(Date.now() - maxAgeMs));
      purgeOld();
      const t = setInterval(purgeOld, Math.min(maxAgeMs, 36e5));
      this.#unsubscribe.push(() => clearInterval(t));
    }
    // Delete-all reaches this queue only from a forget() (in this tab or another): forget here too.
    this.#unsubscribe.push(onHecQueueNotice((n) => { if (n.type === 'purge' && n.rule.by === 'all') void this.forget(); }));
    this.#unsubscribe.push(client.subscribe((s) => {
      // The client's status (a fresh copy each time; `hec` documents its main fields).
      this.#set(s.lastError ? { hec: s, message: s.lastError, code: s.lastErrorCode } : { hec: s });
    }));
    void client.start();
  }

  /**
   * On page hide, cut the last chunk into the client and seal it for the keepalive send. (The client
   * listens for page hide itself, but it was started before the recorder, so its own handler runs first.)
   */
  #flushOnHide(): void {
    const h = (e: Event) => {
      if (e.type !== 'pagehide' && document.visibilityState !== 'hidden') return;
      try { this.#session?.flush(); this.#client?.flushOnHide(); } catch { /* never into the page */ }
    };
    this.#unsubscribe.push(on(window, 'pagehide', h), on(document, 'visibilitychange', h));
  }

  #capture(): void {
    const { sendRaw = false, ignore = '[data-pp-ignore]', score } = this.opts;
    const client = this.#client!;
    const routing = this.#routing();
    // Capture alone, not the app's LiveSession nor its storing Recorder: chunks go straight to the HEC
    // client (its durable queue), windows are cut in the scoring worker (only when `score` is set).
    const session = new Capture({
      profileId: this.opts.profileId || 'anonymous', ignore,
      // Bounded live memory on a host page: roll over to a new session id every 200k events (~5.6 MB).
      maxLiveEvents: 200_000,
    });
    this.#session = session;
    // Raw events leave the page only when the owner opted in; otherwise nothing is stored or sent.
    if (sendRaw) session.onChunk((chunk, meta) => { if (chunk.length > 0 && !this.#forgotten) client.enqueue(pointerEnvelopes(chunk, meta, routing)); });
    session.onSession((m) => this.#set({ sessionId: m.id }));
    let lastReported = 0;
    session.onProgress((n) => {
      // The event count alone changes often: report it at most every 2 s.
      const now = performance.now();
      if (now - lastReported > 2000) { lastReported = now; this.#set({ events: n }); } else this.#st.events = n;
    });

    if (score?.profileUrl) this.#startScoring(score.profileUrl, score.workerUrl, client, routing);
    else if (!sendRaw) this.#set({ message: 'Neither sendRaw nor score is set: nothing will be sent to Splunk.', code: 'embed/nothing-to-send' });

    const meta = session.start();
    this.#flushOnHide();
    this.#set({ state: 'recording', sessionId: meta.id });
  }

  #startScoring(profileUrl: string, workerUrl: string | undefined, client: HecClient, routing: HecRouting): void {
    const session = this.#session!;
    this.#set({ scoring: 'loading' });
    const scorer = new EmbedScorer(this.opts.profileId || 'anonymous', routing, {
      onLoaded: () => this.#set({ scoring: 'ready' }),
      onScore: (s, envelope) => {
        client.enqueue([envelope]);
        this.#set('leadingGroup' in s ? { lastGroupScore: s } : { lastScore: s }); // a fresh object per score
      },
      onError: (code, message) => this.#set({ message, code, ...(this.#st.scoring === 'loading' ? { scoring: 'failed' as const } : {}) }),
    });
    this.#scorer = scorer;
    // Every chunk from the session's first event on; the worker cuts windows as the profile's model was trained.
    this.#unsubscribe.push(session.onChunk((chunk, meta) => scorer.chunk(chunk, meta.space)));
    scorer.load(profileUrl, new URL(workerUrl ?? SCORE_WORKER_FILE, workerUrl ? location.href : SCRIPT_URL));
  }

  pause(): void {
    try {
      if (this.#st.state !== 'recording' || !this.#session) return;
      this.#session.pause();
      this.#set({ state: 'paused' });
    } catch (e) { this.#fail(e, 'embed/failed'); }
  }

  resume(): void {
    try {
      if (this.#st.state !== 'paused' || !this.#session) return;
      this.#session.resume();
      this.#set({ state: 'recording' });
    } catch (e) { this.#fail(e, 'embed/failed'); }
  }

  async flush(): Promise<void> {
    try {
      this.#session?.flush();
      await this.#client?.flush();
    } catch (e) { this.#fail(e, 'embed/failed'); }
  }

  async stop(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    try {
      const s = this.#session;
      if (s && s.state !== 'stopped') {
        const done = s.stop();
        // The last chunk went to the worker with the stop: close the session's open window there too.
        if (s.meta) this.#scorer?.end(s.meta.id);
        await done;
      }
      // Windows closed by the stop are scored before the worker goes (best effort, bounded wait).
      if (this.#scorer) await new Promise((r) => setTimeout(r, 0));
      await this.#client?.flush();
    } catch (e) {
      this.#fail(e, 'embed/failed');
    } finally {
      this.#teardown();
      if (this.#st.state !== 'error') this.#set({ state: 'stopped' });
      if (active === this) active = null;
    }
  }

  async forget(): Promise<boolean> {
    if (this.#forgotten) return true;
    this.#forgotten = this.#ended = true;
    let ok = true;
    try {
      this.#scorer?.dispose();
      void this.#session?.stop(); // listeners go now; its last chunk goes nowhere (#forgotten)
      this.#session = null;
      // Memory, a send under way, the store, and other tabs' clients (which forget too).
      await this.#client?.clearQueue();
    } catch (e) { ok = false; this.#fail(e, 'embed/failed'); }
    this.#teardown();
    if (active === this) active = null;
    try { await deleteEmbedDb(this.opts.namespace); } catch (e) { ok = false; this.#fail(e, 'store/delete-failed'); }
    this.#set({ state: 'forgotten', sessionId: null, events: 0, hec: null, lastScore: null, lastGroupScore: null });
    return ok;
  }

  /** Remove every listener and timer this instance added (capture, HEC client, worker). */
  #teardown(): void {
    this.#ended = true;
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    this.#client?.stop();
    this.#scorer?.dispose();
    this.#scorer = null;
  }
}

let active: Embed | null = null;

/**
 * Start Pointerprint on this page. Idempotent: while one integration runs, further calls return its
 * handle. Never throws: problems are reported through `onStatus` and `handle.status()`.
 */
export function start(options: StartOptions): PointerprintHandle {
  if (active) return active;
  const e = new Embed(options ?? ({} as StartOptions));
  active = e;
  // After an error a corrected start() may follow; after 'declined' the handle stays (it still resends
  // what earlier pages queued) until the site calls stop() and asks again.
  void e.begin().then(() => { if (e.status().state === 'error' && active === e) active = null; });
  return e;
}

/**
 * Forget this visitor without (or before) a running integration, e.g. on a page where the visitor
 * withdraws consent: tells the site's other tabs to forget, and deletes the queue database. With a
 * running handle this is `handle.forget()`. Resolves true when all is gone.
 */
export async function forget(options?: { namespace?: string }): Promise<boolean> {
  if (active) return active.forget();
  const ns = options?.namespace;
  try {
    useHecQueueChannel(embedDbName(ns) + '-hec-queue');
    announce({ type: 'purge', rule: allEnvelopes });
    await deleteEmbedDb(ns);
    return true;
  } catch {
    return false;
  }
}
