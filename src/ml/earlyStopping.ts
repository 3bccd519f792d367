/**
 * The epoch loop both trainers share (image CNN in train.ts, feature MLP in featureModel.ts): run epochs,
 * keep a copy of the weights of the best monitored epoch, stop after `patience` epochs without a gain,
 * or when the caller asks to stop, and end with the best weights in the model.
 *
 * What an epoch does (batches, augmentation, validation) is the caller's; this owns only the bookkeeping,
 * so the two trainers cannot drift apart in how they pick an epoch.
 */
import type * as tf from '@tensorflow/tfjs';

export interface EpochLoopOptions<R> {
  epochs: number;
  /** Epochs without a gain before stopping (0: never stop early). */
  patience: number;
  shouldStop?: () => boolean;
  onEpoch?: (report: R & { best: boolean }) => void | Promise<void>;
}

/** One epoch's outcome: the value to minimise (validation loss, or training loss without validation) and its report. */
export type EpochOutcome<R> = { monitored: number; report: R } | 'cancelled';

export interface EpochLoopResult<R> {
  history: (R & { best: boolean })[];
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
}

/** A gain smaller than this does not reset the patience count (float noise must not keep training alive). */
const MIN_GAIN = 1e-4;

export async function runEpochs<R>(model: tf.LayersModel, o: EpochLoopOptions<R>, epoch: (i: number) => Promise<EpochOutcome<R>>): Promise<EpochLoopResult<R>> {
  const history: (R & { best: boolean })[] = [];
  let best = Infinity, bestEpoch = -1, sinceBest = 0, cancelled = false, stoppedEarly = false;
  let bestWeights: tf.Tensor[] | null = null;
  try {
    for (let i = 0; i < o.epochs; i++) {
      const out = await epoch(i);
      if (out === 'cancelled') { cancelled = true; break; }
      const isBest = out.monitored < best - MIN_GAIN;
      if (isBest) {
        best = out.monitored; bestEpoch = i; sinceBest = 0;
        bestWeights?.forEach((t) => t.dispose());
        bestWeights = model.getWeights().map((w) => w.clone());
      } else sinceBest++;
      const report = { ...out.report, best: isBest };
      history.push(report);
      await o.onEpoch?.(report);
      if (o.shouldStop?.()) { cancelled = true; break; }
      if (o.patience > 0 && sinceBest >= o.patience) { stoppedEarly = true; break; }
    }
    if (bestWeights) model.setWeights(bestWeights);
  } finally {
    bestWeights?.forEach((t) => t.dispose());
  }
  return { history, bestEpoch, stoppedEarly, cancelled };
}
