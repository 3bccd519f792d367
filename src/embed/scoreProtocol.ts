/**
 * Messages between the embed's capture bundle and its scoring worker (a separate file that carries
 * TensorFlow.js; the capture bundle never imports it). Columns are transferred, not copied.
 */
import type { EventChunk, EventColumns, SizePx } from '../core/events';
import type { LiveVerdictFields } from '../core/liveVerdict';
import type { EncodingSettings, WindowSettings } from '../core/settings';

export type ScoreWorkerRequest =
  | { type: 'load'; profileUrl: string }
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

/** One scored window with the session's verdict so far (computed in the worker, as the app does). */
export interface WindowVerdict extends LiveVerdictFields {
  sessionId: string;
  index: number;
  windowScore: number;
  flags: string[];
  ms: number;
}

export type ScoreWorkerReply =
  | { type: 'loaded'; info: LoadedProfileInfo }
  | { type: 'verdict'; verdict: WindowVerdict }
  | { type: 'error'; code: string; message: string; index?: number };
