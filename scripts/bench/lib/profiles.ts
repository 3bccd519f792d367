/**
 * Benchmark profiles: the same protocol at two sizes. `quick` is sized (by measurement) to finish in
 * under 15 minutes on a 2-core machine without a GPU; `full` is for a machine with time or a GPU.
 */
import type { FeatureModelSpec } from '../../../src/ml/featureModel';
import type { ModelSpec } from '../../../src/ml/model';
import type { SliceOptions } from './data';

export interface BenchProfile {
  name: string;
  /** Image side, px. */
  sizePx: number;
  /** Pointer events per window (each window → one image). */
  eventsPerWindow: number;
  /** Training images per user (challenge) / per user in the group and bot tasks. */
  maxTrainWindowsPerUser: number;
  maxValWindowsPerUser: number;
  /**
   * Training windows per user for the challenge's feature MLP (and its reruns per seed). Features are
   * cheap, so this may exceed the CNN's `maxTrainWindowsPerUser`: more was better on validation
   * (explore-features --train-sizes); the quick profile takes what fits its 15 minutes (2,000 since
   * stop 13, when MLP training became ~4× faster; 1,000 before).
   */
  featureTrainWindowsPerUser: number;
  /**
   * Training windows per user for each open-set fold's feature MLP (15 of them in a 3-seed run): chosen
   * on the open-set validation (explore-open-set.ts, open-set-choices.json: 1,000 beat 500 and tied 2,000).
   */
  openSetTrainWindowsPerUser: number;
  /** Training images per user in the group and bot tasks (smaller: those models have 2 classes). */
  groupTrainWindowsPerUser: number;
  /** Test windows scored per session (the first N, in order). */
  maxWindowsPerTestSession: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  maxShiftPx: number;
  /** Wall-clock budget per CNN training (s): stops between batches and keeps the best epoch so far. */
  trainBudgetS: { challenge: number; challengeScreenFramed: number };
  /** Space px across a screen-free image (EncodingSettings.framePx). */
  framePx: number;
  /** Feature MLP: changes on top of `defaultFeatureSpec`, epochs (early stopping decides), learning rate, patience. */
  featureModel: Partial<FeatureModelSpec>;
  featureEpochs: number;
  featureBatchSize: number;
  featureLearningRate: number;
  featurePatience: number;
  /** Open set: folds of held-out users. */
  openSetFolds: number;
  /** Small enrolment: seconds of movement per account. */
  smallEnrolmentSeconds: number;
  /**
   * Small enrolment, per-account models: windows of other accounts as negatives, in all (spread evenly).
   * 300 = about what the app's shipped background set holds (29,990 events in 100-event windows).
   */
  smallEnrolmentOthersWindows: number;
  /**
   * Small enrolment at other amounts of own movement too (`--small-enrolment-seconds`): the same protocol
   * repeated, reported as `smallEnrolment.curve`. Off in the profiles (time); nothing is chosen from it.
   */
  smallEnrolmentCurveSeconds?: number[];
  /** Others among each strangers-protocol enrolment's negatives (all of them when absent); set by the curve below. */
  smallEnrolmentStrangersKnown?: number;
  /** `--enrolment-known`: numbers of others per enrolment to measure against strangers (chooses nothing). */
  smallEnrolmentStrangersCurve?: number[];
  /** `--open-set-known`: numbers of known users per open-set fold to measure (what limits the open set; chooses nothing). */
  openSetKnownCurve?: number[];
  /** Architecture changes on top of the app's `group` spec (src/ml/model.ts) (the multi-class / group model). */
  model: Partial<ModelSpec>;
  botSessionsPerKind: number;
  botReachesPerSession: number;
  /** Steps timed per backend in the training-speed probe. */
  probeSteps: { wasm: number; cpu: number };
  latencyWindows: number;
  /** Also time training of the challenge net in headless Chromium per browser backend (Playwright). */
  browserProbe: boolean;
  tasks: {
    challenge: boolean; group: boolean; groupDisjoint: boolean; bot: boolean;
    /** The CNN branch (screen-free images) in the challenge; without it the default verifier is features only. */
    image: boolean;
    /** Also train the CNN on the earlier screen-fitted drawing, to measure what the screen contributed. */
    imageScreenFramed: boolean;
    openSet: boolean; smallEnrolment: boolean; sequential: boolean;
  };
  slice?: SliceOptions;
  /** Train the challenge model on randomly permuted labels (a leakage control: AUC must be ~0.5). */
  shuffledLabelControl?: boolean;
}

export const PROFILES: Record<'quick' | 'full' | 'tiny', BenchProfile> = {
  quick: {
    name: 'quick', sizePx: 48, eventsPerWindow: 100,
    maxTrainWindowsPerUser: 500, featureTrainWindowsPerUser: 2000, openSetTrainWindowsPerUser: 1000, maxValWindowsPerUser: 60, groupTrainWindowsPerUser: 300, maxWindowsPerTestSession: 20,
    epochs: 10, batchSize: 32, learningRate: 1e-3, patience: 4, maxShiftPx: 2,
    trainBudgetS: { challenge: 300, challengeScreenFramed: 120 },
    model: {},
    framePx: 1024, featureModel: {}, featureEpochs: 80, featureBatchSize: 256, featureLearningRate: 3e-3, featurePatience: 8,
    openSetFolds: 5, smallEnrolmentSeconds: 180, smallEnrolmentOthersWindows: 300,
    botSessionsPerKind: 24, botReachesPerSession: 40,
    probeSteps: { wasm: 6, cpu: 1 }, latencyWindows: 60, browserProbe: false, // --browser adds ~1 min
    tasks: { challenge: true, group: true, groupDisjoint: true, bot: true, image: true, imageScreenFramed: true, openSet: true, smallEnrolment: true, sequential: true },
  },
  full: {
    name: 'full', sizePx: 64, eventsPerWindow: 100,
    maxTrainWindowsPerUser: 2000, featureTrainWindowsPerUser: 2000, openSetTrainWindowsPerUser: 2000, maxValWindowsPerUser: 300, groupTrainWindowsPerUser: 1500, maxWindowsPerTestSession: 1000,
    epochs: 40, batchSize: 32, learningRate: 1e-3, patience: 6, maxShiftPx: 3,
    trainBudgetS: { challenge: 4 * 3600, challengeScreenFramed: 4 * 3600 },
    model: { convsPerBlock: 2, denseUnits: 64, batchNorm: true, dropout: 0.4, l2: 1e-4 },
    framePx: 1024, featureModel: {}, featureEpochs: 200, featureBatchSize: 128, featureLearningRate: 1e-3, featurePatience: 15,
    openSetFolds: 5, smallEnrolmentSeconds: 180, smallEnrolmentOthersWindows: 300,
    botSessionsPerKind: 80, botReachesPerSession: 60,
    probeSteps: { wasm: 10, cpu: 2 }, latencyWindows: 200, browserProbe: true,
    tasks: { challenge: true, group: true, groupDisjoint: true, bot: true, image: true, imageScreenFramed: true, openSet: true, smallEnrolment: true, sequential: true },
  },
  /** For the unit tests: a few sessions, 16 px, a tiny net. */
  tiny: {
    name: 'tiny', sizePx: 16, eventsPerWindow: 100,
    maxTrainWindowsPerUser: 60, featureTrainWindowsPerUser: 60, openSetTrainWindowsPerUser: 60, maxValWindowsPerUser: 10, groupTrainWindowsPerUser: 40, maxWindowsPerTestSession: 6,
    epochs: 3, batchSize: 32, learningRate: 3e-3, patience: 0, maxShiftPx: 0,
    trainBudgetS: { challenge: 30, challengeScreenFramed: 15 },
    model: { blockFilters: [4, 8], denseUnits: 8, dropout: 0 },
    framePx: 1024, featureModel: { hidden: [32] }, featureEpochs: 30, featureBatchSize: 64, featureLearningRate: 3e-3, featurePatience: 5,
    openSetFolds: 3, smallEnrolmentSeconds: 180, smallEnrolmentOthersWindows: 300,
    botSessionsPerKind: 4, botReachesPerSession: 15,
    probeSteps: { wasm: 1, cpu: 0 }, latencyWindows: 5, browserProbe: false,
    tasks: { challenge: true, group: false, groupDisjoint: false, bot: true, image: true, imageScreenFramed: false, openSet: true, smallEnrolment: true, sequential: true },
    slice: { maxUsers: 3, maxTrainSessionsPerUser: 2, maxTestSessionsPerUser: 8, maxEventsPerTrainSession: 4000 },
  },
};
