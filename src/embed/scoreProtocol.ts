/**
 * Messages between the embed's capture bundle and its scoring worker (a separate file that carries
 * TensorFlow.js; the capture bundle never imports it). Columns are transferred, not copied.
 */
import type { EventChunk, EventColumns, SizePx } from '../core/events';
import type { GroupLiveScore, LiveScore } from '../core/score';
import type { HecEnvelope, HecRouting } from '../core/splunk/hec';
import type { EncodingSettings, WindowSettings } from '../core/settings';

export type ScoreWorkerRequest =
  // Who the visitor is (sent with every score) and where score events go: the worker builds them.
  | { type: 'load'; profileUrl: string; profileId: string; routing: HecRouting }
  | { type: 'window'; sessionId: string; index: number; columns: EventColumns & { length: number }; space: SizePx }
  // The page posts its chunks; the worker cuts the windows (window cutting stays out of the capture bundle).
  | { type: 'chunk'; chunk: EventChunk; space: SizePx }
  | { type: 'end'; sessionId: string };

/** What the worker says of a loaded profile (enough for the page to cut windows the model expects). */
export interface LoadedProfileInfo {
  profileName: string;
  modelId: string;
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  backend: string;
}

export type ScoreWorkerReply =
  | { type: 'loaded'; info: LoadedProfileInfo }
  // One scored window with the session's verdict (or a group model's tally) so far, computed in the worker
  // as the app does, and its HEC envelope (`pointerprint:score` / `pointerprint:group_score`) ready to queue.
  | { type: 'score'; score: LiveScore | GroupLiveScore; envelope: HecEnvelope }
  | { type: 'error'; code: string; message: string; index?: number };
