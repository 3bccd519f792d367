/**
 * The verifier: how the feature branch (MLP on kinematic features, featureModel.ts) and the image
 * branch (CNN on screen-free images, model.ts) are combined into one window score. Pure (no tfjs),
 * so the page, the workers and the benchmark share one rule.
 *
 * API (stable):
 * - `fuseWindowProb(pFeatures, pImage, featureWeight)`: the fused probability that a window is the
 *   claimed person: σ(w·logit(pF) + (1 − w)·logit(pI)), each logit clamped like the session fusion
 *   (src/core/fusion.ts `clampedLogOdds`); `pImage` null (no image branch) → pFeatures;
 * - `chooseFeatureWeight(validation, grid?)`: the weight w maximising AUC on validation claims
 *   (genuine vs impostor, e.g. windows or pseudo-sessions); ties go to more weight on features (the
 *   cheaper, screen-free branch). Never fed test data;
 * - `VerifierFusion`: what a profile stores ({ version, featureWeight, chosenOn, validationAuc }).
 */
import { clampedLogOdds, fuseWindows } from '../core/fusion';
import { auc } from '../core/metrics';

export const VERIFIER_FUSION_VERSION = 1;

export interface VerifierFusion {
  version: number;
  /** w in [0, 1]: 1 = features only, 0 = image only. */
  featureWeight: number;
  chosenOn: 'validation';
  /** Validation AUC per candidate weight (key = weight with one decimal). */
  validationAuc: Record<string, number>;
}

export const DEFAULT_WEIGHT_GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export function fuseWindowProb(pFeatures: number, pImage: number | null, featureWeight: number): number {
  if (pImage === null) return pFeatures;
  const w = Math.min(1, Math.max(0, featureWeight));
  const z = w * clampedLogOdds(pFeatures) + (1 - w) * clampedLogOdds(pImage);
  return 1 / (1 + Math.exp(-z));
}

/** One validation claim: the windows' branch probabilities of the claimed person, and the truth. */
export interface ValidationClaim {
  genuine: boolean;
  features: readonly number[];
  /** Same length as `features`, or empty when there is no image branch. */
  image: readonly number[];
}

/** Session-style score of a claim under weight w: fused P(claimed) over its windows. */
export function claimScore(c: ValidationClaim, w: number): number {
  return fuseWindows(c.features.map((p, i) => fuseWindowProb(p, c.image.length ? c.image[i] : null, w))).fusedScore;
}

export function chooseFeatureWeight(claims: readonly ValidationClaim[], grid: readonly number[] = DEFAULT_WEIGHT_GRID): VerifierFusion {
  const validationAuc: Record<string, number> = {};
  const genuine = claims.map((c) => c.genuine);
  let best = -1, featureWeight = 1;
  for (const w of grid) {
    const a = auc(claims.map((c) => claimScore(c, w)), genuine);
    validationAuc[w.toFixed(1)] = Math.round(a * 1e4) / 1e4;
    if (a > best + 1e-9 || (Math.abs(a - best) <= 1e-9 && w > featureWeight)) { best = a; featureWeight = w; }
  }
  return { version: VERIFIER_FUSION_VERSION, featureWeight, chosenOn: 'validation', validationAuc };
}
