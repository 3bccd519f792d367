/**
 * Benchmark profiles: the same protocol at two sizes. `quick` is sized (by measurement) to finish in
 * under 15 minutes on a 2-core machine without a GPU; `full` is for a machine with time or a GPU.
 */
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
  /** Training images per user in the group and bot tasks (smaller: those models have 2 classes). */
  groupTrainWindowsPerUser: number;
  /** Test windows scored per session (the first N, in order). */
  maxWindowsPerTestSession: number;
  epochs: number;
  groupEpochs: number;
  botEpochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  maxShiftPx: number;
  /** Wall-clock budget per training (s): stops between batches and keeps the best epoch so far. */
  trainBudgetS: { challenge: number; group: number; bot: number };
  /** Architecture changes on top of the app's `group` spec (src/ml/model.ts) (the multi-class / group model). */
  model: Partial<ModelSpec>;
  botSessionsPerKind: number;
  botReachesPerSession: number;
  /** Steps timed per backend in the training-speed probe. */
  probeSteps: { wasm: number; cpu: number };
  latencyWindows: number;
  /** Also time training of the challenge net in headless Chromium per browser backend (Playwright). */
  browserProbe: boolean;
  tasks: { challenge: boolean; group: boolean; groupDisjoint: boolean; bot: boolean };
  slice?: SliceOptions;
  /** Train the challenge model on randomly permuted labels (a leakage control: AUC must be ~0.5). */
  shuffledLabelControl?: boolean;
}

export const PROFILES: Record<'quick' | 'full' | 'tiny', BenchProfile> = {
  quick: {
    name: 'quick', sizePx: 48, eventsPerWindow: 100,
    maxTrainWindowsPerUser: 500, maxValWindowsPerUser: 60, groupTrainWindowsPerUser: 300, maxWindowsPerTestSession: 20,
    epochs: 10, groupEpochs: 6, botEpochs: 4, batchSize: 32, learningRate: 1e-3, patience: 4, maxShiftPx: 2,
    trainBudgetS: { challenge: 330, group: 90, bot: 75 },
    model: {},
    botSessionsPerKind: 24, botReachesPerSession: 40,
    probeSteps: { wasm: 6, cpu: 1 }, latencyWindows: 60, browserProbe: false, // --browser adds ~1 min
    tasks: { challenge: true, group: true, groupDisjoint: true, bot: true },
  },
  full: {
    name: 'full', sizePx: 64, eventsPerWindow: 100,
    maxTrainWindowsPerUser: 2000, maxValWindowsPerUser: 300, groupTrainWindowsPerUser: 1500, maxWindowsPerTestSession: 1000,
    epochs: 40, groupEpochs: 20, botEpochs: 15, batchSize: 32, learningRate: 1e-3, patience: 6, maxShiftPx: 3,
    trainBudgetS: { challenge: 4 * 3600, group: 3600, bot: 3600 },
    model: { convsPerBlock: 2, denseUnits: 64, batchNorm: true, dropout: 0.4, l2: 1e-4 },
    botSessionsPerKind: 80, botReachesPerSession: 60,
    probeSteps: { wasm: 10, cpu: 2 }, latencyWindows: 200, browserProbe: true,
    tasks: { challenge: true, group: true, groupDisjoint: true, bot: true },
  },
  /** For the unit tests: a few sessions, 16 px, a tiny net. */
  tiny: {
    name: 'tiny', sizePx: 16, eventsPerWindow: 100,
    maxTrainWindowsPerUser: 60, maxValWindowsPerUser: 10, groupTrainWindowsPerUser: 40, maxWindowsPerTestSession: 6,
    epochs: 3, groupEpochs: 2, botEpochs: 2, batchSize: 32, learningRate: 3e-3, patience: 0, maxShiftPx: 0,
    trainBudgetS: { challenge: 30, group: 15, bot: 15 },
    model: { blockFilters: [4, 8], denseUnits: 8, dropout: 0 },
    botSessionsPerKind: 4, botReachesPerSession: 15,
    probeSteps: { wasm: 1, cpu: 0 }, latencyWindows: 5, browserProbe: false,
    tasks: { challenge: true, group: false, groupDisjoint: false, bot: true },
    slice: { maxUsers: 3, maxTrainSessionsPerUser: 2, maxTestSessionsPerUser: 8, maxEventsPerTrainSession: 4000 },
  },
};
