/**
 * The one adapter between an exported profile file and on-site scoring: what it accepts, what it
 * refuses, and with which words.
 */
import { describe, expect, it } from 'vitest';
import { scoringProfileFromExport, SUPPORTED_FORMAT } from '../../src/embed/profileAdapter';
import { PointerprintError } from '../../src/core/errors';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS } from '../../src/core/settings';
import { fitDecisionModel } from '../../src/core/enrolmentCheck';
import { APP_MODEL_FORMAT } from '../../src/store/profiles';
import { FEATURE_COUNT } from '../../src/core/features';
import { fitGaussianBranch } from '../../src/core/gaussianVerifier';

const weights = new Uint8Array([1, 2, 3, 250]);
const decision = fitDecisionModel({ scores: [0.9, 0.7, 0.4, 0.6, 0.2, 0.1], positives: [true, true, true, false, false, false] });
const featureModel = { kind: 'pointerprint-feature-mlp', version: 1 };
const valid = () => ({
  format: 'pointerprint-profile', formatVersion: 2,
  profile: { id: 'alice', name: 'Alice', kind: 'verification', decision, formatVersion: 2 },
  model: {
    id: 'm1', windowSettings: { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 300 }, encoding: { ...DEFAULT_ENCODING_SETTINGS, sizePx: 48 }, classNames: ['others', 'Alice'],
    featureModel, fusionWeight: 0.25,
  },
  modelTopology: { class_name: 'Sequential' }, weightSpecs: [{ name: 'w', shape: [4], dtype: 'float32' }],
  weightsBase64: Buffer.from(weights).toString('base64'),
});
const withDecision = (patch: object) => ({ ...valid(), profile: { ...valid().profile, decision: { ...decision, ...patch } } });

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (e) { return e instanceof PointerprintError ? e.code : 'not-a-PointerprintError'; }
  return 'no-error';
}

describe('scoringProfileFromExport', () => {
  it('reads the settings, the class to score and the weight bytes of an app export', () => {
    const p = scoringProfileFromExport(valid());
    expect(p.name).toBe('Alice');
    expect(p.modelId).toBe('m1');
    expect(p.windowSettings.eventsPerWindow).toBe(300);
    expect(p.encoding.sizePx).toBe(48);
    expect(p.cls).toBe(1);
    expect(Array.from(new Uint8Array(p.weightData))).toEqual(Array.from(weights));
    expect(p.decision).toEqual(decision);
    expect(p.featureModel).toEqual(featureModel);
    expect(p.fusionWeight).toBe(0.25);
  });

  it('reads the format the app exports', () => {
    expect(SUPPORTED_FORMAT).toBe(APP_MODEL_FORMAT);
  });

  it('takes an image-only profile (no feature branch) with fusion weight 0', () => {
    const b = valid();
    const p = scoringProfileFromExport({ ...b, model: { ...b.model, featureModel: null, fusionWeight: 0.7 } });
    expect(p.featureModel).toBeNull();
    expect(p.fusionWeight).toBe(0);
  });

  it('keeps a sound Gaussian branch and refuses a damaged one in words (not NaN scores)', () => {
    const rows = Array.from({ length: 8 }, (_, r) => Array.from({ length: FEATURE_COUNT }, (_, j) => 1 + ((r * 7 + j * 3) % 5) / 4 + j / 50));
    const gaussian = fitGaussianBranch(rows.slice(0, 3), rows, rows.map((_, r) => `p${r % 2}`), rows.slice(0, 4), [0.2, 0.4, 0.6, 0.8]);
    const b = valid();
    const withGaussian = (g: object) => ({ ...b, model: { ...b.model, featureModel: { ...featureModel, gaussian: g } } });
    expect(scoringProfileFromExport(withGaussian(gaussian)).featureModel?.gaussian).toEqual(gaussian);
    const message = (g: object) => { try { scoringProfileFromExport(withGaussian(g)); } catch (e) { return (e as Error).message; } return 'accepted'; };
    expect(message({ ...gaussian, person: { ...gaussian.person, mean: gaussian.person.mean.slice(1) } })).toMatch(/cannot be used for scoring: gaussian: person\.mean has \d+ values/);
    expect(message({ ...gaussian, gaussianNorm: { mean: 0, sd: 0 } })).toMatch(/gaussian: a scale, sd or clip is not positive/);
    expect(message({ ...gaussian, population: { ...gaussian.population, withinInv: [...gaussian.population.withinInv.slice(1), null] } })).toMatch(/gaussian: a value is not a finite number/);
  });

  it('refuses a v1 export with words that say what to do', () => {
    let message = '';
    try { scoringProfileFromExport({ ...valid(), formatVersion: 1 }); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/format v1.*reads v2.*Enrol again/);
  });

  it.each([
    ['not a profile', () => ({ hello: 1 }), 'profile/bad-file'],
    ['null', () => null, 'profile/bad-file'],
    ['another format version', () => ({ ...valid(), formatVersion: 99 }), 'profile/version'],
    ['a group model', () => ({ ...valid(), profile: { name: 'g', kind: 'group' } }), 'profile/bad-file'],
    ['no weights', () => ({ ...valid(), weightsBase64: undefined }), 'profile/bad-file'],
    ['no settings', () => ({ ...valid(), model: { id: 'm1' } }), 'profile/bad-file'],
    ['a v1 export', () => ({ ...valid(), formatVersion: 1 }), 'profile/version'],
    ['no decision model', () => ({ ...valid(), profile: { ...valid().profile, decision: null } }), 'profile/bad-file'],
    ['a decision model without calibration', () => withDecision({ calibration: undefined }), 'profile/bad-file'],
    ['error targets out of range', () => withDecision({ sequential: { alpha: 0.7, beta: 0.05, llrWeight: 1 } }), 'profile/bad-file'],
    ['a feature branch without a fusion weight', () => ({ ...valid(), model: { ...valid().model, fusionWeight: undefined } }), 'profile/bad-file'],
  ])('refuses %s with a readable error', (_name, make, code) => {
    expect(codeOf(() => scoringProfileFromExport(make()))).toBe(code);
  });
});
