/**
 * The Splunk forwarder: the one place the app hands data to Splunk.
 *
 * Entry points:
 * - `forwardScore(score)`: the scorer calls this with every LiveScore. Sent as `pointerprint:score`
 *   when Splunk is configured and "send scores" is on; otherwise a no-op. Never throws, never waits.
 * - `forwardChunk(chunk, meta)`: captured pointer events, sent as `pointerprint:pointer` only when the
 *   owner opted in to raw events (off by default: raw movement is biometric data, see DESIGN.md).
 * - `attachRecorder(source)`: subscribe `forwardChunk` to anything with `onChunk` (the Recorder).
 * - `startForwarding()`: load the durable queue (resend what a previous page left).
 *
 * The capture controller (src/app/capture) subscribes `forwardChunk` itself: this shell knows no
 * application or UI code.
 */
import type { EventChunk, SessionMeta } from '../core/events';
import type { LiveScore } from '../core/score';
import { DEFAULT_BACKOFF } from '../core/splunk/hecStatus';
import { pointerEnvelopes, scoreEnvelope, type HecRouting } from '../core/splunk/hec';
import { idbHecQueue, memoryHecQueue } from '../store/hecQueue';
import { HecClient, type HecClientConfig } from './hecClient';
import { defaultElection, soloElection } from './senderElection';
import { loadSplunkSettings, requestChannel, saveSplunkSettings, type SplunkSettings } from './settings';

let settings: SplunkSettings = loadSplunkSettings();
let client: HecClient | null = null;
let started = false;
const settingsListeners = new Set<(s: SplunkSettings) => void>();

/** Be told when the settings change (the view keeps its form in step). */
export function onSettings(fn: (s: SplunkSettings) => void): () => void {
  settingsListeners.add(fn);
  return () => settingsListeners.delete(fn);
}

function clientConfig(s: SplunkSettings): HecClientConfig {
  return {
    url: s.hecUrl.trim(),
    token: s.hecToken.trim(),
    useAck: s.useAck,
    channel: requestChannel(),
    limits: { maxEvents: s.batchMaxEvents, maxBytes: s.batchMaxBytes, maxWaitMs: s.batchMaxWaitMs },
    backoff: DEFAULT_BACKOFF,
  };
}

function routing(): HecRouting {
  return { host: settings.host || (typeof location !== 'undefined' ? location.hostname : undefined), source: settings.source || undefined, index: settings.index || undefined };
}

/** The shared HEC client (created on first use). */
export function hecClient(): HecClient {
  if (!client) {
    const volatile = typeof indexedDB === 'undefined';
    // One tab sends the shared IndexedDB queue; a memory queue is this tab's alone.
    client = new HecClient(clientConfig(settings), { store: volatile ? memoryHecQueue() : idbHecQueue, volatile, election: volatile ? soloElection() : defaultElection() });
  }
  return client;
}

export function currentSettings(): SplunkSettings {
  return { ...settings };
}

/** Save new settings and apply them to the running client. */
export function applySettings(next: SplunkSettings): void {
  settings = { ...next };
  saveSplunkSettings(settings);
  hecClient().configure(clientConfig(settings));
  for (const fn of settingsListeners) fn({ ...settings });
}

/**
 * The scorer's entry point: send one live score to Splunk (when configured). `evenIfScoresOff`: the
 * view's "Send a test score" button, which sends one although "send scores" is off.
 */
export function forwardScore(score: LiveScore, opts: { evenIfScoresOff?: boolean } = {}): void {
  try {
    if ((!settings.sendScores && !opts.evenIfScoresOff) || !settings.hecUrl || !settings.hecToken) return;
    hecClient().enqueue([scoreEnvelope(score, routing())]);
  } catch (e) {
    console.error('Pointerprint: could not queue a score for Splunk', e);
  }
}

/** Send one captured chunk, only when the owner opted in to raw events. */
export function forwardChunk(chunk: EventChunk, meta: SessionMeta): void {
  try {
    if (!settings.sendRawEvents || !settings.hecUrl || !settings.hecToken || chunk.length === 0) return;
    hecClient().enqueue(pointerEnvelopes(chunk, meta, routing()));
  } catch (e) {
    console.error('Pointerprint: could not queue events for Splunk', e);
  }
}

/** Subscribe to a chunk source (the Recorder's `onChunk`); returns the unsubscriber. */
export function attachRecorder(source: { onChunk(fn: (chunk: EventChunk, meta: SessionMeta) => void): () => void }): () => void {
  return source.onChunk(forwardChunk);
}

/** Start once per page: load the durable queue, resending what a previous page left. */
export function startForwarding(): void {
  if (started) return;
  started = true;
  void hecClient().start();
}
