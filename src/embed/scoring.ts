/**
 * Page side of on-site scoring: starts the scoring worker (a separate file carrying TensorFlow.js,
 * fetched only when `score` is configured), hands it the recorder's chunks (the worker cuts the windows,
 * so window cutting stays out of the capture bundle), and hands on the scores and HEC envelopes it
 * builds. No tfjs here: this stays in the small capture bundle.
 */
import type { GroupLiveScore, LiveScore } from '../core/score';
import type { EventChunk, SizePx } from '../core/events';
import type { LoadedProfileInfo, ScoreWorkerReply, ScoreWorkerRequest } from './scoreProtocol';
import type { HecEnvelope, HecRouting } from '../core/splunk/hec';

export const SCORE_WORKER_FILE = 'pointerprint-score-worker.js';

export interface ScoringHooks {
  onLoaded(info: LoadedProfileInfo): void;
  /** A verification score, or a group model's (profiles exported from the Groups view: `leadingGroup` in it), with its envelope. */
  onScore(score: LiveScore | GroupLiveScore, envelope: HecEnvelope): void;
  onError(code: string, message: string): void;
}

/**
 * A worker from `url`. Browsers refuse `new Worker(crossOriginUrl)`; when the script is served from
 * another origin (a CDN), a tiny same-origin blob worker `importScripts` it instead (needs
 * `worker-src blob:` under a CSP; serve the worker file from your own origin to avoid that).
 */
function startWorker(url: URL): Worker {
  if (url.origin === location.origin) return new Worker(url.href);
  const blob = new Blob([`importScripts(${JSON.stringify(url.href)});`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(blob));
}

export class EmbedScorer {
  #worker: Worker | null = null;
  #info: LoadedProfileInfo | null = null;

  constructor(private readonly profileId: string, private readonly routing: HecRouting, private readonly hooks: ScoringHooks) {}

  /** Start the worker and load the profile (resolved against the page's URL). */
  load(profileUrl: string, workerUrl: URL): void {
    try {
      const w = startWorker(workerUrl);
      w.onmessage = (ev: MessageEvent<ScoreWorkerReply>) => this.#reply(ev.data);
      w.onerror = (ev) => { ev.preventDefault(); this.hooks.onError('score/worker', `The scoring worker failed: ${ev.message || 'could not load ' + workerUrl.href}`); };
      this.#worker = w;
      this.#post({ type: 'load', profileUrl: new URL(profileUrl, location.href).href, profileId: this.profileId, routing: this.routing });
    } catch (e) {
      this.hooks.onError('score/worker', `The scoring worker could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Hand on a chunk of the session (copied: the recorder still stores it). The worker buffers the
   * chunks until the profile is loaded, then cuts windows the way the profile's model was trained. */
  chunk(chunk: EventChunk, space: SizePx): void {
    this.#post({ type: 'chunk', chunk, space });
  }

  /** The session stopped or paused: the worker closes its open window. */
  end(sessionId: string): void {
    this.#post({ type: 'end', sessionId });
  }

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  #post(m: ScoreWorkerRequest): void {
    this.#worker?.postMessage(m);
  }

  #reply(m: ScoreWorkerReply): void {
    if (m.type === 'loaded') {
      this.#info = m.info;
      this.hooks.onLoaded(m.info);
    } else if (m.type === 'error') {
      this.hooks.onError(m.code, m.message);
    } else if (this.#info) {
      this.hooks.onScore(m.score, m.envelope);
    }
  }
}
