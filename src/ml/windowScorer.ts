/**
 * Window → the verifier's probability that it is the person: the one scoring path shared by the app's
 * train worker (live scoring) and the embed's scoring worker. Each window is encoded and rasterised
 * for the image CNN; when the profile has a kinematic-feature branch, its features are scored too and
 * the two branches fused per window (core/fusion `fuseBranchProba`, at the profile's `fusionWeight`).
 * Group models: `scoreGroupWindows`, every group's probability and the "not people" score.
 */
import type * as tf from '@tensorflow/tfjs';
import { renderDrawList, type Canvas2DLike, type DrawList } from '../core/drawlist';
import { encodeWindow, BACKGROUND } from '../core/encode';
import { PointerprintError } from '../core/errors';
import type { EventColumns, SizePx } from '../core/events';
import { windowFeatures, FEATURE_COUNT } from '../core/features';
import { windowEffectiveClockMs } from '../core/recordingClock';
import { fuseBranchProba } from '../core/fusion';
import { closeness, gatedScore } from '../core/closeness';
import { scoreWithGaussianBranch } from '../core/gaussianVerifier';
import type { GroupWindow } from '../core/groupTally';
import { notPeopleScores } from '../core/peopleReference';
import type { EncodingSettings } from '../core/settings';
import { predictFeatureProba, type loadFeatureModel } from './featureModel';
import { rgbaToRgb } from './pipeline';
import { predictProba } from './train';

export interface WindowToScore { columns: EventColumns & { length: number }; space: SizePx }

/** A profile's loaded verifier: image CNN, optional feature branch and the fusion weight between them. */
export interface LoadedVerifier {
  image: tf.LayersModel;
  features: ReturnType<typeof loadFeatureModel> | null;
  fusionWeight: number;
  encoding: EncodingSettings;
  /** Output class whose probability is the score (verification: 1 = the person). */
  cls: number;
}

/** Draw lists → RGBA pixels on an OffscreenCanvas per size (workers have no DOM canvas). */
export function offscreenRasterizer(): (d: DrawList) => Uint8ClampedArray {
  const canvases = new Map<number, OffscreenCanvasRenderingContext2D>();
  return (d) => {
    let ctx = canvases.get(d.sizePx);
    if (!ctx) {
      const c = new OffscreenCanvas(d.sizePx, d.sizePx).getContext('2d', { willReadFrequently: true, alpha: false });
      if (!c) throw new PointerprintError('render/no-2d', 'This browser cannot draw on an OffscreenCanvas in a worker.');
      canvases.set(d.sizePx, (ctx = c));
    }
    renderDrawList(ctx as unknown as Canvas2DLike, d);
    return ctx.getImageData(0, 0, d.sizePx, d.sizePx).data;
  };
}

/** Fused image/feature probabilities (count × k) and the windows' features (empty without a feature branch). */
async function fusedProba(v: Omit<LoadedVerifier, 'cls'>, windows: readonly WindowToScore[], rasterize: (d: DrawList) => ArrayLike<number>): Promise<{ p: Float32Array; k: number; features: Float32Array }> {
  const s = v.encoding.sizePx;
  const per = s * s * 3;
  const n = windows.length;
  const pixels = new Uint8Array(n * per);
  windows.forEach((w, i) => pixels.set(rgbaToRgb(rasterize(encodeWindow(w.columns, 0, w.columns.length, w.space, v.encoding)), s), i * per));
  const pImg = await predictProba(v.image, { sizePx: s, count: n, pixels, labels: new Int32Array(n), background: BACKGROUND });
  const k = pImg.length / Math.max(1, n);
  let p = pImg;
  const features = new Float32Array(v.features ? n * FEATURE_COUNT : 0);
  if (v.features) {
    windows.forEach((w, i) => features.set(windowFeatures(w.columns, 0, w.columns.length), i * FEATURE_COUNT));
    p = fuseBranchProba(pImg, await predictFeatureProba(v.features.model, v.features.standardiser, { count: n, features }), n, k, v.fusionWeight);
  }
  return { p, k, features };
}

/** One probability per window (class `v.cls`), image and feature branches fused as at enrolment. */
export async function scoreWindows(v: LoadedVerifier, windows: readonly WindowToScore[], rasterize: (d: DrawList) => ArrayLike<number>): Promise<number[]> {
  const { p, k, features } = await fusedProba(v, windows, rasterize);
  const gate = v.features?.closeness, branch = v.features?.gaussian;
  return Array.from({ length: windows.length }, (_, i) => {
    const row = features.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT);
    // Verification profiles also require the window to look like the person's own (core/closeness),
    // and add the Gaussian branch where the profile has one (core/gaussianVerifier).
    const score = gate ? gatedScore(p[i * k + v.cls], closeness(gate, row)) : p[i * k + v.cls];
    return branch ? scoreWithGaussianBranch(branch, score, row) : score;
  });
}

/**
 * A group model's view of each window: the fused probability of every group and, when the model has
 * a people group, the "not people" score its quality report was measured with (ml/pipeline: the same
 * fused probabilities and features, core/peopleReference `notPeopleScores`), with the window's
 * recording clock when the reference stores its people's (core/recordingClock).
 */
export async function scoreGroupWindows(v: Omit<LoadedVerifier, 'cls'>, windows: readonly WindowToScore[], rasterize: (d: DrawList) => ArrayLike<number>): Promise<GroupWindow[]> {
  const { p, k, features } = await fusedProba(v, windows, rasterize);
  const n = windows.length;
  const people = v.features?.people ?? null;
  const notPeople = people
    ? notPeopleScores(people, Array.from({ length: n }, (_, i) => 1 - p[i * k + people.peopleClass]), { dim: FEATURE_COUNT, count: n, values: features })
    : null;
  return Array.from({ length: n }, (_, i) => ({
    proba: Array.from(p.subarray(i * k, (i + 1) * k)), notPeople: notPeople ? notPeople[i] : null,
    clockMs: people?.clock ? windowEffectiveClockMs(windows[i].columns, 0, windows[i].columns.length) : null,
  }));
}
