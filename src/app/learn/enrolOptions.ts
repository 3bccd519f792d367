/**
 * The training options of a self-enrolment, in one place: the Enrol view uses them and so does the
 * benchmark that times a fresh-install enrolment (`npm run bench -- enrol`).
 *
 * At most 8 epochs of the image CNN (early stopping after 4 without a better validation loss): on a
 * 2-core laptop an enrolment must finish in about 30 s (issue #9), the CNN is most of that time, and in
 * every enrolment measured the fusion weight chosen on validation gave the CNN no share (the
 * kinematic features carry the decision). The user can raise the cap in the Enrol view.
 */
import type { EncodingSettings } from '../../core/settings';
import type { TrainOptions } from '../../ml/train';

export const ENROL_MAX_EPOCHS = 8;

export function enrolTrainOptions(es: EncodingSettings, epochs = ENROL_MAX_EPOCHS): Partial<TrainOptions> {
  return { epochs, batchSize: 32, learningRate: 1e-3, seed: 1, patience: 4, maxShiftPx: Math.max(1, Math.round(es.sizePx / 24)) };
}
