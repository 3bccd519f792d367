/**
 * The Splunk forwarder: the one place the app hands data to Splunk.
 *
 * Entry points:
 * - `forwardScore(score)`: the scorer calls this with every LiveScore. Sent as `pointerprint:score`
 *   when Splunk is configured and "send scores" is on; otherwise a no-op. Never throws, never waits.
 *   A group model's `GroupLiveScore` goes the same way, as `pointerprint:group_score`.
 * - `forwardChunk(chunk, meta)`: captured pointer events, sent as `pointerprint:pointer` only when the
 *   owner opted in to raw events (off by default: raw movement is biometric data, see DESIGN.md).
 * - `attachRecorder(source)`: subscribe `forwardChunk` to anything with `onChunk` (the Recorder).
 * - `startForwarding()`: load the durable queue (resend what a previous page left).
 *
 * The capture controller (src/app/capture) subscribes `forwardChunk` itself: this shell knows no
 * application or UI code.
 */
import type { EventChunk, SessionMeta } from '../core/events';
import type { GroupLiveScore, LiveScore } from '../core/score';
import { DEFAULT_BACKOFF } from '../core/splunk/hecStatus';
import { pointerEnvelopes, scoreEnvelope, type HecRouting } from '../core/splunk/hec';
import { idbHecQueue, memoryHecQueue, rawPointerEnvelopes, type PurgeResult } from '../store/hecQueue';
import { HecClient, type HecClientConfig } from './hecClient';
import { hecHealth, type HealthResult } from './hecHealth';
import { defaultElection, soloElection } from './senderElection';
import { loadSplunkSettings, requestChannel, saveSplunkSettings, SETTINGS_KEY, type SplunkSettings } from './settings';

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
    // One tab sends the shared IndexedDB queue; a memory queue is this tab's alone. Deletions in the
    // store layer (delete profile, delete all, retention) reach the client through queue notices.
    client = new HecClient(clientConfig(settings), { store: volatile ? memoryHecQueue() : idbHecQueue, volatile, election: volatile ? soloElection() : defaultElection() });
  }
  return client;
}

export function currentSettings(): SplunkSettings {
  return { ...settings };
}

/**
 * "Test connection" on settings that may not be saved: a throwaway client (memory queue, never
 * started), so testing neither saves nor applies anything.
 */
export function checkHealthOf(s: SplunkSettings): Promise<HealthResult> {
  return hecHealth(new HecClient(clientConfig(s), { store: memoryHecQueue(), volatile: true }));
}

/** Save new settings and apply them to the running client. */
export function applySettings(next: SplunkSettings): void {
  settings = { ...next };
  saveSplunkSettings(settings);
  hecClient().configure(clientConfig(settings));
  enforceRawOptOut();
  for (const fn of settingsListeners) fn({ ...settings });
}

const NOTHING_PURGED: PurgeResult = { events: 0, batches: 0, eventIds: [] };
let lastRawPurge: Promise<PurgeResult> = Promise.resolve(NOTHING_PURGED);

/**
 * Raw events are sent only while the owner opts in: when "send raw pointer events" is off, raw
 * events already queued (gathering, in memory, in IndexedDB, in every tab) are removed; scores stay.
 */
function enforceRawOptOut(): void {
  if (settings.sendRawEvents) return;
  lastRawPurge = hecClient().purgeEnvelopes(rawPointerEnvelopes).catch((e: unknown) => {
    console.error('Pointerprint: could not remove queued raw events', e);
    return NOTHING_PURGED;
  });
}

/** What the last opt-out removed in this tab (tests, the view's notice). */
export function rawPurgeDone(): Promise<PurgeResult> {
  return lastRawPurge;
}

/**
 * Opt out of raw events now, without saving other, unsaved edits: withdrawing consent takes effect
 * at once (GDPR Art. 7(3)), giving it needs an explicit Save.
 */
export function optOutOfRawEvents(): Promise<PurgeResult> {
  applySettings({ ...settings, sendRawEvents: false });
  return lastRawPurge;
}

/**
 * The scorer's entry point: send one live score to Splunk (when configured). `evenIfScoresOff`: the
 * view's "Send a test score" button, which sends one although "send scores" is off.
 */
export function forwardScore(score: LiveScore | GroupLiveScore, opts: { evenIfScoresOff?: boolean } = {}): void {
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
  void hecClient().start().then(enforceRawOptOut);
  // Settings saved in another tab (e.g. an opt-out) apply here too.
  if (typeof addEventListener === 'function') {
    addEventListener('storage', (e: StorageEvent) => {
      if (e.key !== SETTINGS_KEY) return;
      const stored = loadSplunkSettings();
      // Tokens not remembered are kept per tab (sessionStorage): keep this tab's. The client needs no
      // reconfiguring here: the saving tab's client sends its configuration to this one itself.
      settings = stored.rememberTokens ? stored : { ...stored, hecToken: stored.hecToken || settings.hecToken, mgmtToken: stored.mgmtToken || settings.mgmtToken };
      enforceRawOptOut();
      for (const fn of settingsListeners) fn({ ...settings });
    });
  }
}
