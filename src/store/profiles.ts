/**
 * Enrolled profiles and their models (shell: IndexedDB).
 *
 * - `profiles` store: one `EnrolledProfile` per person (verification) or per group model, with the
 *   settings it was trained under, the honest quality report and what it trained against.
 * - `models` store: a `ModelRecord` (metadata.json-like: versions, labels, date, settings fingerprint,
 *   backend) per model; the weights live in tfjs's own IndexedDB model store under
 *   `indexeddb://pointerprint-model-<id>` (written by the train worker).
 *
 * A model is only valid for images made with the same window/encoding settings and the same
 * architecture version: `assertCompatible` refuses a mismatch with a message a person understands.
 */
import { openPointerprintDb, storageError } from './db';
import { deleteAllForProfile } from './sessions';
import { envelopesOfProfiles, purgeQueued } from './hecQueue';
import { parseProfileBundle, PROFILE_FORMAT_VERSION } from '../core/profileBundle';
import { encodingFingerprint, type EncodingSettings, type WindowSettings } from '../core/settings';
import { PointerprintError } from '../core/errors';
import { ARCH_VERSION, type ModelKind, type ModelSpec } from '../ml/spec';
import type { QualityReport, TrainedAgainst } from '../ml/pipeline';
import type { DecisionModel } from '../core/enrolmentCheck';
import type { FeatureModelDescription } from '../ml/featureModel';
import type { EpochReport } from '../ml/train';

/**
 * v2: verification profiles carry their decision model (calibration, the operating point chosen on
 * validation, SPRT error targets); v1 profiles (threshold chosen on test windows, no calibration) are
 * refused with words.
 */
export const APP_MODEL_FORMAT = 2;

/** metadata.json beside the weights. */
export interface ModelRecord {
  id: string;
  kind: ModelKind;
  /** tfjs model URL, e.g. indexeddb://pointerprint-model-<id>. */
  url: string;
  spec: ModelSpec;
  /** Class names by output index (verification: ['others', name]). */
  classNames: string[];
  fingerprint: string;
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  createdAtEpochMs: number;
  backend: string;
  tfjsVersion: string;
  formatVersion: number;
  /**
   * The kinematic-feature branch (versions, feature names, standardisation, weights; plain JSON) fused
   * with the image CNN at `fusionWeight` (feature share, chosen on validation). Null: image only.
   */
  featureModel: FeatureModelDescription | null;
  fusionWeight: number;
}

export interface EnrolledProfile {
  id: string;
  name: string;
  kind: ModelKind;
  createdAtEpochMs: number;
  /** Windows (images) used in total. */
  windows: number;
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  fingerprint: string;
  modelId: string | null;
  quality: QualityReport | null;
  trainedAgainst: TrainedAgainst | null;
  history: EpochReport[];
  backend: string;
  /**
   * Verification: calibration, operating point (chosen on validation windows only) and the sequential
   * test's error targets; used by the quality report, the live verdict, the gauge and score events.
   * Null for group models.
   */
  decision: DecisionModel | null;
  formatVersion: number;
}

export function modelUrl(modelId: string): string {
  return `indexeddb://pointerprint-model-${modelId}`;
}

export async function saveProfile(p: EnrolledProfile): Promise<void> {
  try {
    const db = await openPointerprintDb();
    await db.put('profiles', p);
  } catch (e) {
    throw storageError(e);
  }
}

export async function listProfiles(): Promise<EnrolledProfile[]> {
  const db = await openPointerprintDb();
  const all = await db.getAll('profiles');
  return all.sort((a, b) => b.createdAtEpochMs - a.createdAtEpochMs);
}

export async function getProfile(id: string): Promise<EnrolledProfile | undefined> {
  const db = await openPointerprintDb();
  return db.get('profiles', id);
}

export async function saveModelRecord(m: ModelRecord): Promise<void> {
  try {
    const db = await openPointerprintDb();
    await db.put('models', m);
  } catch (e) {
    throw storageError(e);
  }
}

export async function getModelRecord(id: string): Promise<ModelRecord | undefined> {
  const db = await openPointerprintDb();
  return db.get('models', id);
}

function describeSettings(ws: WindowSettings, es: EncodingSettings): string {
  const win = ws.mode === 'events' ? `${ws.eventsPerWindow} events per window` : `${ws.spanMs / 1000} s windows`;
  return `${es.sizePx} px images, ${win}, encoding v${es.version}`;
}

/**
 * Refuse a model trained under other settings or an older architecture, with a clear message.
 * Returns normally when the model fits the current settings.
 */
export function assertCompatible(m: Pick<ModelRecord, 'fingerprint' | 'windowSettings' | 'encoding' | 'spec' | 'formatVersion'>, ws: WindowSettings, es: EncodingSettings): void {
  const now = encodingFingerprint(ws, es);
  if (m.fingerprint !== now) {
    throw new PointerprintError(
      'model/settings-mismatch',
      `This model was trained on ${describeSettings(m.windowSettings, m.encoding)}, but the current settings make ${describeSettings(ws, es)} ` +
        `(fingerprint ${m.fingerprint} ≠ ${now}). Its scores would be meaningless, so it is not used: switch the settings back or enrol again.`,
    );
  }
  if (m.spec.archVersion !== ARCH_VERSION || m.formatVersion !== APP_MODEL_FORMAT) {
    throw new PointerprintError(
      'model/arch-mismatch',
      `This model was made by an older version of Pointerprint (architecture v${m.spec.archVersion}, format v${m.formatVersion}); this version needs v${ARCH_VERSION}/${APP_MODEL_FORMAT}. Please enrol again.`,
    );
  }
}

/** Whether a model's weights are present in tfjs's IndexedDB store. */
export async function modelStored(modelId: string): Promise<boolean> {
  const tf = await import('@tensorflow/tfjs');
  return modelUrl(modelId) in (await tf.io.listModels());
}

/** Remove a model's weights (tfjs IndexedDB) and record. */
export async function deleteModel(modelId: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  try {
    await tf.io.removeModel(modelUrl(modelId));
  } catch {
    // Already gone: nothing to remove.
  }
  const db = await openPointerprintDb();
  await db.delete('models', modelId);
}

/** The profile id live scoring records under while verifying `profileId` (see ScoreView). */
export function liveScoringProfileId(profileId: string): string {
  return `verify-${profileId}`;
}

/**
 * "Delete my profile": its unsent Splunk events first (so nothing of it leaves after this), then its
 * events (sessions recorded under the profile and the live-scoring recordings `verify-<id>`),
 * images (never stored: windows are re-rendered from events on demand), the model weights and
 * records. Returns the number of sessions removed.
 */
export async function deleteProfile(profileId: string): Promise<number> {
  const p = await getProfile(profileId);
  const owners = [profileId, liveScoringProfileId(profileId)];
  await purgeQueued(envelopesOfProfiles(owners));
  let sessions = 0;
  for (const owner of owners) sessions += await deleteAllForProfile(owner);
  if (p?.modelId) await deleteModel(p.modelId);
  const db = await openPointerprintDb();
  await db.delete('profiles', profileId);
  return sessions;
}

/** Remove every Pointerprint model's weights from tfjs's IndexedDB store (delete all). */
export async function deleteAllModelWeights(): Promise<number> {
  const tf = await import('@tensorflow/tfjs');
  const ours = Object.keys(await tf.io.listModels()).filter((url) => url.startsWith(modelUrl('')));
  for (const url of ours) await tf.io.removeModel(url).catch(() => undefined);
  return ours.length;
}

/** One file holding a profile: record, model metadata, topology and base64 weights. */
export interface ProfileBundle {
  format: 'pointerprint-profile';
  formatVersion: number;
  profile: EnrolledProfile;
  model: ModelRecord;
  modelTopology: unknown;
  weightSpecs: unknown;
  weightsBase64: string;
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Export a profile and its model as one JSON bundle (weights base64). */
export async function exportProfile(profileId: string): Promise<Blob> {
  const profile = await getProfile(profileId);
  if (!profile?.modelId) throw new PointerprintError('profile/no-model', 'This profile has no trained model to export.');
  const model = await getModelRecord(profile.modelId);
  if (!model) throw new PointerprintError('profile/no-model', 'The model record of this profile is missing; enrol again.');
  const tf = await import('@tensorflow/tfjs');
  const m = await tf.loadLayersModel(model.url);
  let bundle: ProfileBundle | null = null;
  await m.save(tf.io.withSaveHandler(async (a) => {
    bundle = {
      format: 'pointerprint-profile', formatVersion: APP_MODEL_FORMAT, profile, model,
      modelTopology: a.modelTopology, weightSpecs: a.weightSpecs,
      weightsBase64: toBase64(a.weightData as ArrayBuffer),
    };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  m.dispose();
  return new Blob([JSON.stringify(bundle)], { type: 'application/json' });
}

// Compile-time: the file format version is the model format version.
const _sameFormat: typeof APP_MODEL_FORMAT extends typeof PROFILE_FORMAT_VERSION ? true : never = true;
void _sameFormat;

export interface ImportProfileOptions {
  /** Replace a profile with the same id already on this device (the UI asks the person first). */
  replace?: boolean;
}

/**
 * The model id to store an imported model under: the file's, when it names no stored model or the
 * model of the profile being replaced; a fresh one otherwise, so a file can never overwrite the model
 * of another profile.
 */
async function modelIdForImport(fileModelId: string, replacing: EnrolledProfile | undefined): Promise<string> {
  if (replacing?.modelId === fileModelId) return fileModelId;
  const usedByProfile = (await listProfiles()).some((p) => p.modelId === fileModelId);
  const taken = usedByProfile || !!(await getModelRecord(fileModelId)) || (await modelStored(fileModelId));
  return taken ? crypto.randomUUID() : fileModelId;
}

/**
 * Import a bundle made by `exportProfile` (format v2: decision model, feature branch and fusion
 * weight included; v1 files are refused). Every field is validated (`parseProfileBundle`); the
 * storage location is derived from the model id, never read from the file; a profile already on
 * this device is replaced only with `replace: true`.
 */
export async function importProfile(text: string, opts: ImportProfileOptions = {}): Promise<EnrolledProfile> {
  const b = parseProfileBundle(text);
  const existing = await getProfile(b.profile.id);
  if (existing && !opts.replace) {
    throw new PointerprintError(
      'profile/exists',
      `A profile “${existing.name}” (id "${existing.id}") is already on this device. Importing this file would replace it and its model: delete it first, or confirm replacing it.`,
    );
  }
  const modelId = await modelIdForImport(b.model.id, existing);
  const { loadProfileNetwork } = await import('../ml/model');
  const m = await loadProfileNetwork(
    { modelTopology: b.modelTopology, weightSpecs: b.weightSpecs, weightData: b.weightData }, b.model.spec.inputSizePx, b.model.spec.numClasses,
    (why) => new PointerprintError('profile/bad-file', `This profile file cannot be imported: ${why}.`),
  );
  try {
    await m.save(modelUrl(modelId));
  } finally {
    m.dispose();
  }
  // Same key order as `exportProfile` wrote (id, kind, url, …), so a round trip stores the same record.
  const { id: _fileModelId, kind, ...rest } = b.model;
  const model: ModelRecord = { id: modelId, kind, url: modelUrl(modelId), ...rest };
  const profile: EnrolledProfile = { ...b.profile, modelId };
  await saveModelRecord(model);
  await saveProfile(profile);
  if (existing?.modelId && existing.modelId !== modelId) await deleteModel(existing.modelId);
  return profile;
}
