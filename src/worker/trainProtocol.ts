/**
 * Messages between the UI and the train worker (training + scoring): a discriminated union on `type`;
 * every request carries an `id` its replies repeat. Event columns are transferred, not copied.
 */
import type { EventColumns, SizePx } from '../core/events';
import type { EncodingSettings } from '../core/settings';
import type { BackendInfo, BackendName, TrainingProbe } from '../ml/backends';
import type { ModelSpec } from '../ml/model';
import type { EpochReport } from '../ml/train';
import type { TrainJob, TrainOutcome } from '../ml/pipeline';
import type { FeatureModelDescription } from '../ml/featureModel';
import type { GroupWindow } from '../core/groupTally';

export interface BackendRequest { type: 'backend'; id: number; choice: BackendName | 'auto'; probeAll?: boolean }
export interface TrainRequest {
  type: 'train';
  id: number;
  job: TrainJob;
  /** Save the model under indexeddb://pointerprint-model-<modelId> (null = don't save). */
  modelId: string | null;
}
export interface CancelRequest { type: 'cancel'; id: number }
/** A window to score: its own events (sliced, transferred). */
export interface ScoreWindow { index: number; columns: EventColumns & { length: number }; space: SizePx }
export interface ScoreRequest {
  type: 'score';
  id: number;
  /** Model to use (loaded from IndexedDB once, then cached). */
  modelUrl: string;
  windows: ScoreWindow[];
  encoding: EncodingSettings;
  /** Output class to report (verification: 1 = the person). */
  cls: number;
  /** The profile's feature branch (cached in the worker by modelUrl) and its fusion weight; null = image only. */
  featureModel: FeatureModelDescription | null;
  fusionWeight: number;
}
/** Score windows with a group model: every group's probability and the "not people" score (ml/windowScorer `scoreGroupWindows`). */
export interface ScoreGroupsRequest extends Omit<ScoreRequest, 'type' | 'cls'> {
  type: 'score-groups';
}
/**
 * Time seeded training steps of `spec` on one backend (the benchmark; tests of the built app). With
 * `wasmThreads: false` before wasm first starts in this worker, wasm runs single-threaded. Leaves
 * that backend in use (the app itself never sends this).
 */
export interface ProbeRequest {
  type: 'probe';
  id: number;
  backend: BackendName;
  spec: ModelSpec;
  images: number;
  steps: number;
  learningRate?: number;
  wasmThreads?: boolean | number;
}
export interface MemoryRequest { type: 'memory'; id: number }
export interface DisposeRequest { type: 'dispose-models'; id: number }
export type TrainWorkerRequest = BackendRequest | TrainRequest | CancelRequest | ScoreRequest | ScoreGroupsRequest | ProbeRequest | MemoryRequest | DisposeRequest;

/** What the worker reports after training: the pipeline's outcome without the (unsendable) model. */
export interface TrainSummary extends Omit<TrainOutcome, 'model'> {
  params: number;
  /** Where the model was saved, or null (not saved / cancelled). */
  modelUrl: string | null;
  totalMs: number;
}

export type TrainWorkerReply =
  | { type: 'backend'; id: number; info: BackendInfo }
  | { type: 'stage'; id: number; stage: 'rendering' | 'training' | 'evaluating'; done: number; total: number }
  | { type: 'epoch'; id: number; report: EpochReport }
  | { type: 'trained'; id: number; summary: TrainSummary }
  | { type: 'scores'; id: number; scores: number[]; ms: number }
  | { type: 'group-scores'; id: number; windows: GroupWindow[]; ms: number }
  | { type: 'probe'; id: number; result: TrainingProbe }
  | { type: 'memory'; id: number; numTensors: number; numBytes: number; backend: string }
  | { type: 'disposed'; id: number }
  | { type: 'error'; id: number; code: string; message: string };
