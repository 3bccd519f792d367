/** The fusion rule of the verifier's two branches and the validation-only choice of its weight. */
import { describe, it, expect } from 'vitest';
import { clampedLogOdds } from '../../src/core/fusion';
import { chooseFeatureWeight, fuseWindowProb, type ValidationClaim } from '../../src/ml/verifier';

describe('fuseWindowProb', () => {
  it.each([
    { pF: 0.9, pI: 0.9, w: 0.5, want: 0.9 },
    { pF: 0.8, pI: 0.2, w: 0.5, want: 0.5 },
    { pF: 0.8, pI: 0.1, w: 1, want: 0.8 },
    { pF: 0.8, pI: 0.1, w: 0, want: 0.1 },
    { pF: 0.8, pI: 0.1, w: 2, want: 0.8 }, // clamped to [0, 1]
  ])('σ(w·logit $pF + (1−w)·logit $pI) at w=$w = $want', ({ pF, pI, w, want }) => {
    expect(fuseWindowProb(pF, pI, w)).toBeCloseTo(want, 9);
  });
  it('clamps each branch like the session fusion, and passes features through without an image', () => {
    const z = 0.5 * clampedLogOdds(1) + 0.5 * clampedLogOdds(0.5);
    expect(fuseWindowProb(1, 0.5, 0.5)).toBeCloseTo(1 / (1 + Math.exp(-z)), 9);
    expect(fuseWindowProb(0.37, null, 0.2)).toBe(0.37);
  });
});

describe('chooseFeatureWeight', () => {
  // Features separate genuine from impostor claims; the image branch is noise that, alone, points the wrong way.
  const claims: ValidationClaim[] = [];
  for (let i = 0; i < 20; i++) {
    const g = i % 2 === 0;
    claims.push({ genuine: g, features: [g ? 0.6 + i / 100 : 0.3 + i / 100], image: [g ? 0.4 : 0.6] });
  }
  it('picks the weight with the best validation AUC and records every candidate', () => {
    const f = chooseFeatureWeight(claims);
    expect(f.chosenOn).toBe('validation');
    expect(f.validationAuc['0.0']).toBe(0);
    expect(f.validationAuc['1.0']).toBe(1);
    expect(f.validationAuc[f.featureWeight.toFixed(1)]).toBe(1);
    expect(Object.keys(f.validationAuc)).toHaveLength(11);
  });
  it('breaks ties towards features (the cheaper, screen-free branch)', () => {
    const same = claims.map((c) => ({ ...c, image: c.features }));
    expect(chooseFeatureWeight(same).featureWeight).toBe(1);
  });
});
