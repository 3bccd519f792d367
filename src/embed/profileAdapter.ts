/**
 * The one place that reads an exported profile file for on-site scoring. It reads the app's
 * `pointerprint-profile` bundle, format v2 (store/profiles.ts `exportProfile`: profile with its
 * decision model, model record with the feature branch and fusion weight, tfjs topology and base64
 * weights), checked by the same validation as the app's import (core/profileBundle: every field's type,
 * range and size, and that the parts agree), so a damaged file is refused in words, never scored as NaN.
 * When the export format changes, adapt this function only: the worker and the page need just what
 * `ScoringProfile` holds.
 */
import { PointerprintError } from '../core/errors';
import type { DecisionModel } from '../core/enrolmentCheck';
import { validateProfileBundle } from '../core/profileBundle';
import type { EncodingSettings, WindowSettings } from '../core/settings';
import type { FeatureModelDescription } from '../ml/featureModel';
import { groupRuleOf, type GroupRule } from '../core/groupTally';

/** What on-site scoring needs from a profile (the same inputs the app's live scorer uses). */
export interface ScoringProfile {
  name: string;
  modelId: string;
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  /** A verification profile (one person: match score and verdict) or a group model (groups: a tally of window decisions). */
  kind: 'verification' | 'group';
  /** Output class whose probability is the match score (verification: 1 = the enrolled person). */
  cls: number;
  /** The network's outputs (verification: 2; a group model: one per group). */
  numClasses: number;
  /** tfjs model artifacts (topology, weight specs, weight bytes), for `tf.io.fromMemory`. */
  modelTopology: object;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  /** Kinematic-feature branch (null: image only) and its share in the per-window fusion. */
  featureModel: FeatureModelDescription | null;
  fusionWeight: number;
  /** Verification: calibration, operating point and SPRT targets chosen at enrolment (null for a group model). */
  decision: DecisionModel | null;
  /** A group model's window rule (core/groupTally; null for verification). */
  group: GroupRule | null;
}

/** The export format this script reads; equals the app's APP_MODEL_FORMAT (a unit test holds them together). */
export const SUPPORTED_FORMAT = 2;

const bad = (why: string) => new PointerprintError('profile/bad-file', `The profile file cannot be used for scoring: ${why}.`);

/** The version first, in the words a site owner needs (which side to update). */
function checkVersion(v: unknown): void {
  if (v === SUPPORTED_FORMAT) return;
  const older = typeof v === 'number' && v < SUPPORTED_FORMAT;
  throw new PointerprintError('profile/version', older
    ? `This profile was exported in format v${String(v)}, made before calibrated decisions; this script reads v${SUPPORTED_FORMAT}. Enrol again in the Pointerprint app and export the new profile.`
    : `This profile was exported in format v${String(v)}; this script reads v${SUPPORTED_FORMAT}. Use the embed script built with the same Pointerprint version as the app.`);
}

/** Exported profile JSON (parsed) → what the scorer needs. Throws a PointerprintError a person can read. */
export function scoringProfileFromExport(json: unknown): ScoringProfile {
  const b = json as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || b.format !== 'pointerprint-profile') throw bad('it is not a Pointerprint profile export');
  checkVersion(b.formatVersion);
  const { profile, model, modelTopology, weightSpecs, weightData } = validateProfileBundle(json, 'scoring');
  if (profile.kind === 'verification' && !profile.decision) throw bad('a verification profile needs its decision model');
  const featureModel = model.featureModel as FeatureModelDescription | null;
  const group = profile.kind === 'group' ? groupRuleOf(model.classNames, featureModel) : null;
  return {
    name: profile.name,
    modelId: model.id,
    windowSettings: model.windowSettings,
    encoding: model.encoding,
    kind: profile.kind,
    cls: 1,
    numClasses: model.classNames.length,
    modelTopology,
    weightSpecs,
    weightData,
    featureModel,
    // The validation holds it at 0 without a feature branch.
    fusionWeight: model.fusionWeight,
    decision: profile.kind === 'verification' ? (profile.decision as DecisionModel) : null,
    group,
  };
}
