/**
 * The one place that reads an exported profile file for on-site scoring. It reads the app's
 * `pointerprint-profile` bundle, format v2 (store/profiles.ts `exportProfile`: profile with its
 * decision model, model record with the feature branch and fusion weight, tfjs topology and base64
 * weights). When the export format changes, adapt this function only: the worker and the page need
 * just what `ScoringProfile` holds.
 */
import { PointerprintError } from '../core/errors';
import { FEATURE_COUNT } from '../core/features';
import { gaussianBranchProblem } from '../core/gaussianVerifier';
import type { DecisionModel } from '../core/enrolmentCheck';
import { sprtBounds } from '../core/sequential';
import type { EncodingSettings, WindowSettings } from '../core/settings';
import type { FeatureModelDescription } from '../ml/featureModel';
import type { EnrolledProfile, ModelRecord } from '../store/profiles';

/** What on-site scoring needs from a profile (the same inputs the app's live scorer uses). */
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
  /** Kinematic-feature branch (null: image only) and its share in the per-window fusion. */
  featureModel: FeatureModelDescription | null;
  fusionWeight: number;
  /** Calibration, operating point and SPRT targets chosen at enrolment. */
  decision: DecisionModel;
}

/** The export format this script reads; equals the app's APP_MODEL_FORMAT (a unit test holds them together). */
export const SUPPORTED_FORMAT = 2;

function fromBase64(b64: string): ArrayBuffer {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

const bad = (why: string) => new PointerprintError('profile/bad-file', `The profile file cannot be used for scoring: ${why}.`);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function checkVersion(v: unknown): void {
  if (v === SUPPORTED_FORMAT) return;
  const older = typeof v === 'number' && v < SUPPORTED_FORMAT;
  throw new PointerprintError('profile/version', older
    ? `This profile was exported in format v${String(v)}, made before calibrated decisions; this script reads v${SUPPORTED_FORMAT}. Enrol again in the Pointerprint app and export the new profile.`
    : `This profile was exported in format v${String(v)}; this script reads v${SUPPORTED_FORMAT}. Use the embed script built with the same Pointerprint version as the app.`);
}

/** The decision model, checked enough that scoring cannot produce NaN verdicts from a damaged file. */
function checkDecision(d: Partial<DecisionModel> | null | undefined): DecisionModel {
  if (!d) throw bad('it has no decision model (calibration and threshold); enrol again');
  const c = d.calibration, s = d.sequential, e = d.expectedLlr;
  if (!c || !finite(c.a) || !finite(c.b) || !finite(c.prior) || !finite(d.operatingPoint?.threshold) || !finite(d.maxWindowLlr)) throw bad('its decision model is incomplete');
  if (!s || !finite(s.llrWeight) || !e) throw bad('its sequential test settings are missing');
  try { sprtBounds(s); } catch { throw bad(`its error targets are out of range (α=${String(s.alpha)}, β=${String(s.beta)})`); }
  return d as DecisionModel;
}

/** Exported profile JSON (parsed) → what the scorer needs. Throws a PointerprintError a person can read. */
export function scoringProfileFromExport(json: unknown): ScoringProfile {
  const b = json as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || b.format !== 'pointerprint-profile') throw bad('it is not a Pointerprint profile export');
  checkVersion(b.formatVersion);
  const profile = b.profile as Partial<EnrolledProfile> | undefined;
  const model = b.model as Partial<ModelRecord> | undefined;
  if (!profile || !model?.windowSettings || !model.encoding || typeof model.id !== 'string') throw bad('model settings are missing');
  if (profile.kind !== 'verification') throw bad('only verification profiles (one person) can score a visitor');
  if (typeof b.weightsBase64 !== 'string' || !b.modelTopology || !Array.isArray(b.weightSpecs)) throw bad('the model weights are missing');
  const featureModel = model.featureModel ?? null;
  if (featureModel && (!finite(model.fusionWeight) || model.fusionWeight < 0 || model.fusionWeight > 1)) throw bad('its feature branch has no valid fusion weight');
  const gaussianProblem = featureModel?.gaussian ? gaussianBranchProblem(featureModel.gaussian, FEATURE_COUNT) : null;
  if (gaussianProblem) throw bad(gaussianProblem);
  return {
    name: profile.name ?? 'profile',
    modelId: model.id,
    windowSettings: model.windowSettings,
    encoding: model.encoding,
    cls: 1,
    modelTopology: b.modelTopology as object,
    weightSpecs: b.weightSpecs,
    weightData: fromBase64(b.weightsBase64),
    featureModel,
    fusionWeight: featureModel ? (model.fusionWeight as number) : 0,
    decision: checkDecision(profile.decision),
  };
}
