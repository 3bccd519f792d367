/**
 * Turning a finished training into a stored profile + model record, and file export/import helpers.
 */
import type { TrainSummary } from '../../worker/trainProtocol';
import { PointerprintError } from '../../core/errors';
import type { EncodingSettings, WindowSettings } from '../../core/settings';
import { APP_MODEL_FORMAT, deleteModel, getProfile, saveModelRecord, saveProfile, exportProfile, type EnrolledProfile } from '../../store/profiles';

const TFJS_VERSION = '4.22.0';

export function newModelId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `m-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Save the model record and the profile; replaces (and deletes the model of) an older profile of the same id. */
export async function storeTrained(
  profileId: string, name: string, modelId: string, s: TrainSummary, classNames: string[], ws: WindowSettings, es: EncodingSettings,
): Promise<EnrolledProfile> {
  if (!s.check.usable) throw new PointerprintError('enrol/failed', enrolmentFailureText(s));
  if (!s.modelUrl) throw new PointerprintError('enrol/not-saved', 'The model was not saved.');
  const old = await getProfile(profileId);
  await saveModelRecord({
    id: modelId, kind: s.spec.kind, url: s.modelUrl, spec: s.spec, classNames, fingerprint: s.fingerprint,
    windowSettings: ws, encoding: es, createdAtEpochMs: Date.now(), backend: s.backend, tfjsVersion: TFJS_VERSION, formatVersion: APP_MODEL_FORMAT,
    featureModel: s.featureModel, fusionWeight: s.fusionWeight,
  });
  const windows = s.trainedAgainst.classes.reduce((n, c) => n + c.windows, 0);
  const p: EnrolledProfile = {
    id: profileId, name, kind: s.spec.kind, createdAtEpochMs: Date.now(), windows, windowSettings: ws, encoding: es,
    fingerprint: s.fingerprint, modelId, quality: s.quality, trainedAgainst: s.trainedAgainst, history: s.history, backend: s.backend,
    decision: s.decision, formatVersion: APP_MODEL_FORMAT,
  };
  await saveProfile(p);
  if (old?.modelId && old.modelId !== modelId) await deleteModel(old.modelId);
  return p;
}

/** Download a profile bundle as a file. */
export async function downloadProfile(p: EnrolledProfile): Promise<void> {
  const blob = await exportProfile(p.id);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `pointerprint-profile-${p.name.replace(/[^\w.-]+/g, '_')}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}

/** "Enrolment failed", in words: why, and what to do. */
export function enrolmentFailureText(s: Pick<TrainSummary, 'check'>): string {
  return `Enrolment failed: the profile was not saved because it does not tell you apart from others reliably. ${s.check.reasons.join(' ')} ${s.check.advice ?? ''}`.trim();
}
