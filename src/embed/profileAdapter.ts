/**
 * The one place that reads an exported profile file for on-site scoring. Today it reads the app's
 * `pointerprint-profile` bundle (store/profiles.ts `exportProfile`: profile + model record + tfjs
 * topology and base64 weights). When the export format changes, adapt this function only: the worker
 * and the page need just what `ScoringProfile` holds.
 */
import { PointerprintError } from '../core/errors';
import type { EncodingSettings, WindowSettings } from '../core/settings';
import type { FusionSettings } from '../core/fusion';

/** What on-site scoring needs from a profile. */
export interface ScoringProfile {
  name: string;
  modelId: string;
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  /** Output class whose probability is the match score (verification: 1 = the enrolled person). */
  cls: number;
  /** tfjs model artifacts (topology, weight specs, weight bytes), for `tf.io.fromMemory`. */
  modelTopology: object;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  /** Decision thresholds on the fused score; absent: core/fusion's defaults. */
  fusion?: Partial<FusionSettings>;
}

const SUPPORTED_FORMAT = 1;

function fromBase64(b64: string): ArrayBuffer {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

const bad = (why: string) => new PointerprintError('profile/bad-file', `The profile file cannot be used for scoring: ${why}.`);

/** Exported profile JSON (parsed) → what the scorer needs. Throws a PointerprintError a person can read. */
export function scoringProfileFromExport(json: unknown): ScoringProfile {
  const b = json as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || b.format !== 'pointerprint-profile') throw bad('it is not a Pointerprint profile export');
  if (b.formatVersion !== SUPPORTED_FORMAT) {
    throw new PointerprintError('profile/version', `This profile was exported in format v${String(b.formatVersion)}; this script reads v${SUPPORTED_FORMAT}.`);
  }
  const profile = b.profile as { name?: string; kind?: string } | undefined;
  const model = b.model as { id?: string; windowSettings?: WindowSettings; encoding?: EncodingSettings; classNames?: string[] } | undefined;
  if (!profile || !model?.windowSettings || !model.encoding || typeof model.id !== 'string') throw bad('model settings are missing');
  if (profile.kind !== 'verification') throw bad('only verification profiles (one person) can score a visitor');
  if (typeof b.weightsBase64 !== 'string' || !b.modelTopology || !Array.isArray(b.weightSpecs)) throw bad('the model weights are missing');
  return {
    name: profile.name ?? 'profile',
    modelId: model.id,
    windowSettings: model.windowSettings,
    encoding: model.encoding,
    cls: 1,
    modelTopology: b.modelTopology as object,
    weightSpecs: b.weightSpecs,
    weightData: fromBase64(b.weightsBase64),
  };
}
