/**
 * Issue #10 item 5: a profile file is untrusted. Crafted files are refused with a message naming the
 * field; nothing that says where to store something is taken from a file; unknown fields are dropped.
 * Format v2 (issues #8, #9, #12): the decision model, the feature branch and the movement framing are
 * validated too; v1 files and verification profiles without a decision model are refused with words.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_MODEL_VERSION_READ, parseProfileBundle, PROFILE_FORMAT_VERSION } from '../../src/core/profileBundle';
import { PointerprintError } from '../../src/core/errors';
import { encodingFingerprint, SCREEN_FREE_ENCODING_SETTINGS } from '../../src/core/settings';
import { FEATURE_COUNT } from '../../src/core/features';
import { fitDecisionModel, type DecisionModel } from '../../src/core/enrolmentCheck';
import { FEATURE_MODEL_VERSION, type FeatureModelDescription } from '../../src/ml/featureModel';
import { APP_MODEL_FORMAT } from '../../src/store/profiles';
import { es, groupWithPeople, peopleReference, profileExportFixture, weights, ws } from './profile/exportFixture';

let featureModel: FeatureModelDescription;
let decision: DecisionModel;
/** A bundle as `exportProfile` writes it (tests/unit/profile/exportFixture). */
let good: () => Record<string, any>;

beforeAll(async () => {
  ({ featureModel, decision, good } = await profileExportFixture());
});

/** The same bundle made under the screen-free drawing (movement framing changes the fingerprint). */
function movementFramed(b: Record<string, any>): void {
  const enc = { ...SCREEN_FREE_ENCODING_SETTINGS, sizePx: 32 };
  b.profile.encoding = b.model.encoding = enc;
  b.profile.fingerprint = b.model.fingerprint = encodingFingerprint(ws, enc);
}

function refusal(make: (b: Record<string, any>) => unknown): PointerprintError {
  const b = good();
  const v = make(b) ?? b;
  try {
    parseProfileBundle(typeof v === 'string' ? v : JSON.stringify(v));
  } catch (e) {
    expect(e).toBeInstanceOf(PointerprintError);
    return e as PointerprintError;
  }
  throw new Error('the crafted file was accepted');
}

describe('parseProfileBundle', () => {
  it('accepts an exported profile, restores NaN, and keeps only checked fields (never a storage URL)', () => {
    const b = good();
    b.model.url = 'https://attacker.example/steal';
    b.profile.extra = { note: 'unchecked' };
    const r = parseProfileBundle(JSON.stringify(b));
    expect(r.profile.id).toBe('Alice Smith');
    expect(r.profile.quality!.auc).toBeNaN();
    expect(r.profile.history[0].valLoss).toBeNaN();
    expect(r.model).not.toHaveProperty('url');
    expect(r.profile).not.toHaveProperty('extra');
    expect(new Uint8Array(r.weightData)).toEqual(weights);
    // Same JSON as exported (key order kept), so an export → import round trip is exact.
    expect(JSON.stringify(r.profile)).toBe(JSON.stringify(good().profile));
    const { url: _url, ...modelWithoutUrl } = good().model;
    expect(JSON.stringify(r.model)).toBe(JSON.stringify(modelWithoutUrl));
    // The v2 parts arrive whole: the decision model and the feature branch's weights.
    expect(r.profile.decision).toEqual(decision);
    expect(r.model.featureModel).toEqual(featureModel);
    expect(r.model.fusionWeight).toBe(0.25);
  });

  it('accepts a screen-free (movement-framed) profile and keeps its framing', () => {
    const b = good();
    movementFramed(b);
    const r = parseProfileBundle(JSON.stringify(b));
    expect(r.model.encoding).toMatchObject({ framing: 'movement', framePx: SCREEN_FREE_ENCODING_SETTINGS.framePx });
    expect(r.profile.fingerprint).toContain('-fm');
    expect(JSON.stringify(r.profile)).toBe(JSON.stringify(b.profile));
  });

  it('accepts the calibration a fit on well-separated validation windows gives', () => {
    const scores = [0.999, 0.998, 0.997, 0.996, 0.004, 0.003, 0.002, 0.001];
    const steep = fitDecisionModel({ scores, positives: scores.map((s) => s > 0.5) });
    expect(Number.isFinite(steep.calibration.a) && Number.isFinite(steep.calibration.b)).toBe(true);
    const b = good();
    b.profile.decision = JSON.parse(JSON.stringify(steep));
    b.profile.quality.threshold = steep.operatingPoint.threshold;
    expect(parseProfileBundle(JSON.stringify(b)).profile.decision).toEqual(steep);
  });

  it('accepts a group model (no decision model, no feature branch)', () => {
    const b = good();
    b.profile.kind = b.model.kind = b.model.spec.kind = 'group';
    b.profile.decision = null;
    b.model.featureModel = null;
    b.model.fusionWeight = 0;
    b.profile.quality.threshold = 0.5;
    expect(parseProfileBundle(JSON.stringify(b)).profile.decision).toBeNull();
  });

  it('accepts a group model with a people group and keeps its reference and decision rule', () => {
    const b = good();
    groupWithPeople(b);
    b.profile.quality.threshold = 1 - b.model.featureModel.people.threshold;
    const parsed = parseProfileBundle(JSON.stringify(b));
    expect(parsed.model.featureModel?.people).toEqual(b.model.featureModel.people);
    expect(parsed.model.featureModel?.people?.clock).toEqual({ lowMs: 20, highMs: 24, windows: 30 });
    expect(parsed.profile.quality?.thresholdRule).toBe(b.profile.quality.thresholdRule);
  });

  it('accepts a people reference fitted before it stored its people\'s clocks (no clock check then)', () => {
    const b = good();
    groupWithPeople(b);
    b.profile.quality.threshold = 1 - b.model.featureModel.people.threshold;
    delete b.model.featureModel.people.clock;
    expect(parseProfileBundle(JSON.stringify(b)).model.featureModel?.people?.clock).toBeUndefined();
  });

  it('reads the format the store writes and the feature-model version the app trains', () => {
    expect(PROFILE_FORMAT_VERSION).toBe(APP_MODEL_FORMAT);
    expect(FEATURE_MODEL_VERSION_READ).toBe(FEATURE_MODEL_VERSION);
  });

  it.each([
    ['a v1 file', (b: Record<string, any>) => ({ ...b, formatVersion: 1 }), /older version of Pointerprint \(format v1.*Please enrol again/],
    ['a verification profile without a decision model', (b: Record<string, any>) => { b.profile.decision = null; }, /older version of Pointerprint .*without calibration.*Please enrol again/],
    ['a feature model on other features', (b: Record<string, any>) => { b.model.featureModel.featuresVersion = 99; }, /older version of Pointerprint .*features v99.*Please enrol again/],
    ['a feature model of another version', (b: Record<string, any>) => { b.model.featureModel.version = b.model.featureModel.spec.version = 7; }, /feature model v7/],
    ['feature names that are not this version\'s', (b: Record<string, any>) => { b.model.featureModel.featureNames[0] = 'shoe size'; }, /trained on other features/],
  ])('refuses %s as made by an older version (profile/version)', (_n, make, msg) => {
    const e = refusal(make);
    expect(e.code).toBe('profile/version');
    expect(e.message).toMatch(msg);
  });

  const cases: [string, (b: Record<string, any>) => unknown, RegExp][] = [
    ['not JSON', () => '{"format":', /not JSON/],
    ['another format', () => ({ format: 'pointerprint-session' }), /not a Pointerprint profile export/],
    ['a newer format', (b) => ({ ...b, formatVersion: 3 }), /format v3 by a newer version of Pointerprint; this version reads v2/],
    ['a profile format that disagrees with the file', (b) => { b.profile.formatVersion = 1; }, /file\.profile\.formatVersion must be 2/],
    ['a model id that escapes its storage key', (b) => { b.model.id = b.profile.modelId = '../pointerprint-model-victim'; }, /file\.profile\.modelId must be letters, digits/],
    ['a model id with a URL in it', (b) => { b.model.id = b.profile.modelId = 'x?https://evil'; }, /file\.profile\.modelId must be letters/],
    ['a profile pointing at another model', (b) => { b.profile.modelId = 'someone-elses-model'; }, /profile\.modelId .* is not model\.id/],
    ['a profile without a model', (b) => { b.profile.modelId = null; }, /profile\.modelId is empty/],
    ['a fingerprint that lies about the settings', (b) => { b.model.fingerprint = b.profile.fingerprint = encodingFingerprint(ws, { ...es, sizePx: 64 }); }, /does not match its own settings/],
    ['class names that do not fit the network', (b) => { b.model.classNames = ['a', 'b', 'c']; }, /3 names but the network has 2 outputs/],
    ['weights shorter than declared', (b) => { b.weightSpecs[0].shape = [4, 3]; }, /weights are 24 bytes but weightSpecs describe 48/],
    ['weights that are not base64', (b) => { b.weightsBase64 = 'not base64!'; }, /weightsBase64 must be base64/],
    ['a quantised or unknown dtype', (b) => { b.weightSpecs[0].dtype = 'string'; }, /weightSpecs\[0\]\.dtype must be "float32" or "int32" or "bool"/],
    ['an image size out of range', (b) => { b.model.encoding.sizePx = 100_000; }, /model\.encoding\.sizePx must be between 8 and 512/],
    ['a probability above 1', (b) => { b.profile.quality.roc[1].fpr = 2; }, /profile\.quality\.roc\[1\]\.fpr must be between 0 and 1/],
    ['a name with control characters', (b) => { b.profile.name = 'Alice\u0000'; }, /profile\.name contains control characters/],
    ['an over-long name', (b) => { b.profile.name = 'A'.repeat(500); }, /profile\.name is 500 characters long/],
    ['a history that is not a list', (b) => { b.profile.history = 'lots'; }, /profile\.history must be a list/],
    ['an unknown model kind', (b) => { b.model.kind = b.profile.kind = 'oracle'; }, /kind must be "verification" or "group"/],
    ['a topology that is not an object', (b) => { b.modelTopology = 'Sequential'; }, /modelTopology must be an object/],
    // v2: the encoding's framing.
    ['an unknown framing', (b) => { b.model.encoding.framing = 'diagonal'; }, /model\.encoding\.framing must be "screen" or "movement"/],
    ['a frame size out of range', (b) => { movementFramed(b); b.model.encoding = { ...b.model.encoding, framePx: -5 }; }, /model\.encoding\.framePx must be between 1/],
    ['movement framing under a screen fingerprint', (b) => { b.model.encoding = { ...b.model.encoding, framing: 'movement', framePx: 1024 }; }, /does not match its own settings/],
    // v2: the decision model.
    ['a calibration slope that is not a number', (b) => { b.profile.decision.calibration.a = null; }, /profile\.decision\.calibration\.a must be a finite number/],
    ['an overflowing calibration slope', (b) => { b.profile.decision.calibration.a = 1e300; }, /profile\.decision\.calibration\.a must be between/],
    ['a calibration prior of 0', (b) => { b.profile.decision.calibration.prior = 0; }, /profile\.decision\.calibration\.prior must be between/],
    ['an operating point above 1', (b) => { b.profile.decision.operatingPoint.threshold = 1.5; }, /profile\.decision\.operatingPoint\.threshold must be between 0 and 1/],
    ['an operating point chosen on test windows', (b) => { b.profile.decision.operatingPoint.chosenOn = 'test'; }, /chosenOn must be "validation"/],
    ['an SPRT error target of 0', (b) => { b.profile.decision.sequential.alpha = 0; }, /profile\.decision\.sequential\.alpha must be between/],
    ['an SPRT LLR weight above 1', (b) => { b.profile.decision.sequential.llrWeight = 3; }, /profile\.decision\.sequential\.llrWeight must be between/],
    ['an unknown basis for the LLR weight', (b) => { b.profile.decision.llrWeightChoice = { basis: 'a hunch', impostorSessions: 9, genuineSessions: 1 }; }, /profile\.decision\.llrWeightChoice\.basis must be "upper-bound" or "too-few-impostors" or "point-estimate"/],
    ['an expected LLR beyond the window cap', (b) => { b.profile.decision.expectedLlr.genuine = b.profile.decision.maxWindowLlr + 1; }, /expectedLlr lies outside ±maxWindowLlr/],
    ['a report threshold that is not the operating point', (b) => { b.profile.quality.threshold = 0.123; }, /quality\.threshold \(0\.123\) is not the decision's operating point/],
    ['a group model with a decision model', (b) => { b.profile.kind = b.model.kind = b.model.spec.kind = 'group'; }, /a group model has no decision model/],
    ['an unknown live verdict', (b) => { b.profile.quality.sequential.perSession[0].verdict = 'maybe'; }, /perSession\[0\]\.verdict must be "match" or "mismatch" or "not yet"/],
    // v2: the feature branch.
    ['a fusion weight above 1', (b) => { b.model.fusionWeight = 1.5; }, /model\.fusionWeight must be between 0 and 1/],
    ['a fusion weight without a feature branch', (b) => { b.model.featureModel = null; }, /fusionWeight is 0\.25 but the model has no feature branch/],
    ['feature weights that do not fit the layers', (b) => { b.model.featureModel.weights[0].shape = [FEATURE_COUNT, 4]; }, /featureModel\.weights\[0\] has shape \[\d+,4\] but its layers need \[\d+,3\]/],
    ['a feature weight tensor with a value missing', (b) => { b.model.featureModel.weights[1].values.pop(); }, /featureModel\.weights\[1\] has 2 values for shape \[3\]/],
    ['a feature layer missing', (b) => { b.model.featureModel.weights.splice(2, 2); }, /featureModel\.weights has 2 tensors but its layers need 4/],
    ['a feature weight that is not a number', (b) => { b.model.featureModel.weights[0].values[5] = 'x'; }, /featureModel\.weights\[0\]\.values\[5\] must be a finite number/],
    ['a declared input size that is not the feature count', (b) => { b.model.featureModel.spec.inputDim = FEATURE_COUNT + 1; }, /spec\.inputDim is \d+ but there are \d+ features/],
    ['a standardiser of the wrong length', (b) => { b.model.featureModel.standardiser.mean.pop(); }, /standardiser has \d+ means and \d+ sds/],
    ['a standardiser dividing by zero', (b) => { b.model.featureModel.standardiser.sd[3] = 0; }, /standardiser\.sd\[3\] must be between/],
    ['a feature branch with other classes', (b) => { b.model.featureModel.spec.numClasses = 3; }, /featureModel has 3 outputs but the image network has 2/],
    ['a closeness model of the wrong length', (b) => { b.model.featureModel.closeness.center.pop(); }, /closeness has \d+ centres and \d+ scales for \d+ features/],
    ['a closeness scale of 0', (b) => { b.model.featureModel.closeness.scale[2] = 0; }, /closeness\.scale\[2\] must be between/],
    ['closeness reference distances out of order', (b) => { b.model.featureModel.closeness.reference = [2, 1]; }, /closeness\.reference must be in ascending order/],
    ['a Gaussian branch of the wrong length', (b) => { b.model.featureModel.gaussian.person.mean.pop(); }, /gaussian: person\.mean has \d+ values \(dim \d+\) for \d+ features/],
    ['a Gaussian inverse that is not dim × dim', (b) => { b.model.featureModel.gaussian.population.withinInv.pop(); }, /gaussian\.population\.withinInv has \d+ values, not \d+×\d+/],
    ['a Gaussian norm dividing by zero', (b) => { b.model.featureModel.gaussian.gaussianNorm.sd = 0; }, /gaussianNorm\.sd must be between/],
    // A group model's people reference (core/peopleReference).
    ['a people reference on a verification profile', (b) => { b.model.featureModel.people = JSON.parse(JSON.stringify(peopleReference())); }, /featureModel\.people is set, but only a group model has a people group/],
    ['a people group that is not one of the classes', (b) => { groupWithPeople(b); b.model.featureModel.people.peopleClass = 2; }, /people\.peopleClass 2 is not one of the model's 2 classes/],
    ['a people model that does not fit the features', (b) => { groupWithPeople(b); b.model.featureModel.people.novelty.mahalanobis.precision.pop(); }, /people\.novelty\.mahalanobis does not fit \d+ features/],
    ['people references out of order', (b) => { groupWithPeople(b); b.model.featureModel.people.noveltyReference.reverse(); }, /people references must be in ascending order/],
    ['a people threshold above 1', (b) => { groupWithPeople(b); b.model.featureModel.people.threshold = 2; }, /people\.threshold must be between 0 and 1/],
    ['a people clock range upside down', (b) => { groupWithPeople(b); b.model.featureModel.people.clock.lowMs = 500; }, /people\.clock: clock reference needs 0 < lowMs ≤ highMs/],
    ['a people clock that is not a number', (b) => { groupWithPeople(b); b.model.featureModel.people.clock.highMs = 'fast'; }, /clock\.highMs/],
    ['an absurdly wide feature layer', (b) => { b.model.featureModel.spec.hidden = [100_000]; }, /featureModel\.spec\.hidden\[0\] must be between 1 and 4096/],
  ];
  it.each(cases)('refuses %s with a message naming the field', (_n, make, msg) => {
    const e = refusal(make);
    expect(e.message).toMatch(msg);
    expect(['profile/bad-file', 'profile/invalid', 'profile/version', 'import/invalid']).toContain(e.code);
  });
});
