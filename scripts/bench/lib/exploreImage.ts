/**
 * Shared by the image-branch explorations (explore-image-frame.ts, explore-image-model.ts): one CNN trained
 * on training_files windows and scored on the validation windows (each user's held-out last training
 * session), as the quick profile trains the challenge's image branch but with no time budget, so every
 * candidate gets the same epochs. Test sessions are never loaded.
 */
import { cnnTrainOptions, round } from './context';
import { claimsAuc, validationClaims } from './verify';
import { emptyRenderStats, renderImageSet } from './images';
import { predictProba, trainModel } from '../../../src/ml/train';
import { BACKGROUND } from '../../../src/core/encode';
import type { ModelSpec } from '../../../src/ml/model';
import type { EncodingSettings } from '../../../src/core/settings';
import type { BenchProfile } from './profiles';
import type { Item } from './context';

export interface CnnCandidate {
  es: EncodingSettings; spec: ModelSpec; learningRate: number;
  /** Stop after the first two epochs when they average more seconds than this (a candidate too slow for the time budget). */
  maxSecondsPerEpoch?: number;
  /** At most this many epochs (early stopping still applies); the profile's by default. */
  epochs?: number;
}

/** Train one candidate on `train`, early-stopped on `val`, and score `val`'s windows claimed as every account. */
export async function cnnOnValidation(profile: BenchProfile, train: readonly Item[], val: readonly Item[], c: CnnCandidate, seed: number, log: (l: string) => void) {
  const stats = emptyRenderStats();
  const trainSet = renderImageSet(train.map((i) => i.ref), train.map((i) => i.label), c.es, BACKGROUND, stats);
  const valSet = renderImageSet(val.map((i) => i.ref), val.map((i) => i.label), c.es, BACKGROUND);
  const t0 = performance.now();
  let tooSlow = false;
  const r = await trainModel(c.spec, trainSet, valSet, {
    shouldStop: () => tooSlow,
    ...cnnTrainOptions(profile, seed, c.epochs ?? profile.epochs), learningRate: c.learningRate,
    onEpoch: (e) => {
      log(`  epoch ${e.epoch + 1}: val loss ${e.valLoss.toFixed(3)} acc ${e.valAcc.toFixed(3)} | ${(e.ms / 1000).toFixed(1)} s`);
      if (c.maxSecondsPerEpoch !== undefined && e.epoch === 1 && (performance.now() - t0) / 2000 > c.maxSecondsPerEpoch) tooSlow = true;
    },
  });
  const trainS = (performance.now() - t0) / 1000;
  const timing = { epochs: r.history.length, trainS: round(trainS, 0), secondsPerEpoch: round(trainS / Math.max(1, r.history.length), 1) };
  if (tooSlow) { r.model.dispose(); return { stoppedTooSlow: `after 2 epochs: more than ${round(c.maxSecondsPerEpoch ?? NaN, 1)} s per epoch`, ...timing }; }
  const proba = await predictProba(r.model, valSet, 128);
  r.model.dispose();
  const k = c.spec.numClasses;
  const labels = val.map((v) => v.label);
  const best = r.history[r.bestEpoch];
  return {
    trainWindows: train.length, valWindows: val.length,
    segmentsPerTrainImage: round(stats.segments / Math.max(1, stats.images), 1),
    bestEpoch: r.bestEpoch + 1, bestValLoss: round(best?.valLoss ?? NaN), bestValAcc: round(best?.valAcc ?? NaN),
    validationWindowAuc: round(claimsAuc(validationClaims(labels, proba, null, k, 1), 1)),
    validationPseudoSessionAuc: round(claimsAuc(validationClaims(labels, proba, null, k, 20), 1)),
    ...timing,
  };
}
