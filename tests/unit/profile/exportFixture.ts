/**
 * A profile export as the app's `exportProfile` writes it, built by the real code paths (a seeded feature
 * MLP, its closeness model and Gaussian branch, a fitted decision model): shared by the import's tests
 * and the embed's reader's tests, so both read the same file.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, encodingFingerprint } from '../../../src/core/settings';
import { FEATURE_COUNT } from '../../../src/core/features';
import { fitDecisionModel, testResults, type DecisionModel } from '../../../src/core/enrolmentCheck';
import { fitCloseness } from '../../../src/core/closeness';
import { fitGaussianBranch } from '../../../src/core/gaussianVerifier';
import { buildFeatureModel, defaultFeatureSpec, describeFeatureModel, fitStandardiser, type FeatureModelDescription } from '../../../src/ml/featureModel';
import { defaultSpec } from '../../../src/ml/spec';
import { fitPeopleReference, type PeopleReference } from '../../../src/core/peopleReference';

export const ws = { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 500 };
export const es = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 32 };
export const fp = encodingFingerprint(ws, es);
export const weights = new Uint8Array(24).map((_, i) => i);
const b64 = Buffer.from(weights).toString('base64');

export interface ProfileExportFixture {
  featureModel: FeatureModelDescription;
  decision: DecisionModel;
  /** A fresh copy of the whole export (JSON turns NaN into null). */
  good(): Record<string, any>;
}

export async function profileExportFixture(): Promise<ProfileExportFixture> {
  await tf.setBackend('cpu');
  // A tiny feature branch described by the real code path (seeded initialisers, real standardiser).
  const spec = { ...defaultFeatureSpec(2, FEATURE_COUNT), hidden: [3] };
  const rows = 4;
  const features = Float32Array.from({ length: rows * FEATURE_COUNT }, (_, i) => (i % 7) - 2 + i / 100);
  const m = buildFeatureModel(spec, 3);
  const featureModel = await describeFeatureModel(m, spec, fitStandardiser({ dim: FEATURE_COUNT, count: rows, features }));
  // The person's closeness model (core/closeness), fitted by the real code path on the same rows.
  const asRows = Array.from({ length: rows }, (_, r) => features.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT));
  featureModel.closeness = fitCloseness(asRows, asRows);
  // And its Gaussian branch (core/gaussianVerifier), by the real code path: rows split between two "people".
  featureModel.gaussian = fitGaussianBranch(asRows.slice(0, 3), asRows, asRows.map((_, r) => `p${r % 2}`), asRows.slice(0, 4), [0.2, 0.4, 0.6, 0.8]);
  m.dispose();
  // A decision model fitted by the real code path on validation-like scores; its replay on "test" windows.
  const scores = [0.9, 0.8, 0.7, 0.35, 0.6, 0.2, 0.3, 0.1, 0.65, 0.4];
  const positives = scores.map((_, i) => i < 5);
  const decision = fitDecisionModel({ scores, positives });
  const sequential = testResults(decision, { scores, positives, sessionIds: scores.map((_, i) => (i < 5 ? 'alice-1' : 'others-1')) }).sequential;
  const good = () => JSON.parse(JSON.stringify({
    format: 'pointerprint-profile', formatVersion: 2,
    profile: {
      id: 'Alice Smith', name: 'Alice Smith', kind: 'verification', createdAtEpochMs: 1_764_000_000_000, windows: 120,
      windowSettings: ws, encoding: es, fingerprint: fp, modelId: 'b2c4e0f6-1111-4a4a-9b9b-000000000001',
      quality: { testWindows: 20, accuracy: 0.9, auc: NaN, eer: 0.1, threshold: decision.operatingPoint.threshold, far: 0.1, frr: 0.1, sequential, roc: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
      trainedAgainst: { classes: [{ name: 'others', sessions: 3, windows: 60, origins: ['Balabit data set (user7)'] }, { name: 'Alice Smith', sessions: 2, windows: 60, origins: [] }], split: { train: 80, val: 20, test: 20 }, heldOutBy: 'sessions', note: '', scoredBy: ['kinematic features: an MLP', 'Gaussian branch: learnt from 10 other people'] },
      history: [{ epoch: 0, trainLoss: 0.7, trainAcc: 0.5, valLoss: NaN, valAcc: NaN, ms: 100, msPerStep: 10, best: true }],
      backend: 'wasm',
      decision,
      formatVersion: 2,
    },
    model: {
      id: 'b2c4e0f6-1111-4a4a-9b9b-000000000001', kind: 'verification', url: 'indexeddb://pointerprint-model-b2c4e0f6-1111-4a4a-9b9b-000000000001',
      spec: defaultSpec('verification', 32), classNames: ['others', 'Alice Smith'], fingerprint: fp, windowSettings: ws, encoding: es,
      createdAtEpochMs: 1_764_000_000_000, backend: 'wasm', tfjsVersion: '4.22.0', formatVersion: 2,
      featureModel, fusionWeight: 0.25,
    },
    modelTopology: { class_name: 'Sequential', config: { layers: [] } },
    weightSpecs: [{ name: 'dense/kernel', shape: [2, 3], dtype: 'float32' }],
    weightsBase64: b64,
  }));
  return { featureModel, decision, good };
}

/** A "not like people" reference fitted by the real code path on made-up feature rows. */
export function peopleReference(): PeopleReference {
  const rows = (count: number, seed: number) => ({ dim: FEATURE_COUNT, count, values: Float64Array.from({ length: count * FEATURE_COUNT }, (_, i) => 1 + ((i * 7919 + seed * 104729) % 997) / 997) });
  // With the people's recording clocks (core/recordingClock): a 60 Hz browser's steps are 20 ms effective.
  return fitPeopleReference(1, rows(30, 1), rows(10, 2), Array.from({ length: 10 }, (_, i) => i / 20), Array.from({ length: 30 }, (_, i) => (i % 3 ? 20 : 24)));
}

/** The bundle (edited in place) as a humans-vs-bots group model with its people reference (group 1 = people). */
export function groupWithPeople(b: Record<string, any>): void {
  b.profile.kind = b.model.kind = b.model.spec.kind = 'group';
  b.profile.decision = null;
  b.profile.quality.thresholdRule = 'flags windows less like people than 95 % of validation people\'s';
  b.model.featureModel.closeness = undefined;
  b.model.featureModel.gaussian = undefined;
  b.model.featureModel.people = JSON.parse(JSON.stringify(peopleReference()));
}
