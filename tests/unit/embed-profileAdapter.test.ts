/**
 * The one adapter between an exported profile file and on-site scoring: what it accepts, what it
 * refuses, and with which words. It reads the same file as the app's import (tests/unit/profile/
 * exportFixture) and applies the same validation (core/profileBundle), worded for scoring.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scoringProfileFromExport, SUPPORTED_FORMAT } from '../../src/embed/profileAdapter';
import { PointerprintError } from '../../src/core/errors';
import { APP_MODEL_FORMAT } from '../../src/store/profiles';
import type { DecisionModel } from '../../src/core/enrolmentCheck';
import type { FeatureModelDescription } from '../../src/ml/featureModel';
import { groupWithPeople, profileExportFixture, weights } from './profile/exportFixture';

let featureModel: FeatureModelDescription;
let decision: DecisionModel;
let good: () => Record<string, any>;
beforeAll(async () => {
  ({ featureModel, decision, good } = await profileExportFixture());
});

/** The export with one change made by `patch` (which edits the copy in place). */
const withChange = (patch: (b: Record<string, any>) => void) => { const b = good(); patch(b); return b; };

function refusal(make: () => unknown): PointerprintError {
  try { scoringProfileFromExport(make()); } catch (e) {
    expect(e).toBeInstanceOf(PointerprintError);
    return e as PointerprintError;
  }
  throw new Error('the damaged file was accepted');
}

describe('scoringProfileFromExport', () => {
  it('reads the settings, the class to score, the weight bytes and both branches of an app export', () => {
    const b = good();
    const p = scoringProfileFromExport(b);
    expect(p.name).toBe('Alice Smith');
    expect(p.modelId).toBe(b.model.id);
    expect(p.windowSettings.eventsPerWindow).toBe(500);
    expect(p.encoding.sizePx).toBe(32);
    expect(p.cls).toBe(1);
    expect(Array.from(new Uint8Array(p.weightData))).toEqual(Array.from(weights));
    expect(p.decision).toEqual(decision);
    expect(p.featureModel).toEqual(featureModel);
    expect(p.featureModel?.gaussian).toEqual(featureModel.gaussian);
    expect(p.fusionWeight).toBe(0.25);
  });

  it('reads a group model (Groups view): its groups and window rule, with the people reference when it has one; no decision model', () => {
    const b = withChange(groupWithPeople);
    b.model.classNames = ['bots', 'humans'];
    const p = scoringProfileFromExport(b);
    expect(p.kind).toBe('group');
    expect(p.numClasses).toBe(2);
    expect(p.decision).toBeNull();
    expect(p.group).toEqual({ classNames: ['bots', 'humans'], people: { peopleClass: 1, threshold: b.model.featureModel.people.threshold, clock: b.model.featureModel.people.clock ?? null } });
    // Without a people group the window rule is the most probable group.
    const plain = scoringProfileFromExport(withChange((x) => { x.profile.kind = x.model.kind = x.model.spec.kind = 'group'; x.profile.decision = null; x.model.featureModel.closeness = undefined; x.model.featureModel.gaussian = undefined; }));
    expect(plain.group?.people).toBeNull();
    // A verification profile has no group rule.
    expect(scoringProfileFromExport(good()).group).toBeNull();
  });

  it('reads the format the app exports', () => {
    expect(SUPPORTED_FORMAT).toBe(APP_MODEL_FORMAT);
  });

  it('takes an image-only profile (no feature branch, fusion weight 0)', () => {
    const p = scoringProfileFromExport(withChange((b) => { b.model.featureModel = null; b.model.fusionWeight = 0; }));
    expect(p.featureModel).toBeNull();
    expect(p.fusionWeight).toBe(0);
  });

  it('refuses a damaged Gaussian branch in words (not NaN scores)', () => {
    const short = refusal(() => withChange((b) => { b.model.featureModel.gaussian.person.mean.pop(); }));
    expect(short.message).toMatch(/^The profile file cannot be used for scoring: model\.featureModel\.gaussian: person\.mean has \d+ values/);
    expect(refusal(() => withChange((b) => { b.model.featureModel.gaussian.gaussianNorm.sd = 0; })).message).toMatch(/cannot be used for scoring: file\.model\.featureModel\.gaussian\.gaussianNorm\.sd/);
    expect(refusal(() => withChange((b) => { b.model.featureModel.gaussian.population.withinInv[3] = null; })).message).toMatch(/cannot be used for scoring: .*withinInv/);
  });

  it('refuses a damaged feature MLP or closeness model, as the import does (they reached the scorer unchecked before)', () => {
    expect(refusal(() => withChange((b) => { b.model.featureModel.weights[0].values.pop(); })).message).toMatch(/cannot be used for scoring: model\.featureModel\.weights\[0\] has \d+ values for shape/);
    expect(refusal(() => withChange((b) => { b.model.featureModel.weights[1].shape = [7]; })).message).toMatch(/weights\[1\] has shape \[7\]/);
    expect(refusal(() => withChange((b) => { b.model.featureModel.standardiser.sd[2] = 0; })).message).toMatch(/standardiser\.sd\[2\]/);
    expect(refusal(() => withChange((b) => { b.model.featureModel.closeness.reference.reverse(); })).message).toMatch(/closeness\.reference must be in ascending order/);
    expect(refusal(() => withChange((b) => { b.model.featureModel.closeness.center.pop(); })).message).toMatch(/closeness has \d+ centres/);
  });

  it('refuses a v1 export with words that say what to do', () => {
    expect(refusal(() => ({ ...good(), formatVersion: 1 })).message).toMatch(/format v1.*reads v2.*Enrol again/);
  });

  it.each([
    ['not a profile', () => ({ hello: 1 }), 'profile/bad-file'],
    ['null', () => null, 'profile/bad-file'],
    ['another format version', () => ({ ...good(), formatVersion: 99 }), 'profile/version'],
    ['a group model with a decision model', () => withChange((b) => { b.profile.kind = b.model.kind = b.model.spec.kind = 'group'; }), 'profile/bad-file'],
    ['no weights', () => withChange((b) => { delete b.weightsBase64; }), 'profile/invalid'],
    ['weights that do not fit their specs', () => withChange((b) => { b.weightSpecs[0].shape = [4, 3]; }), 'profile/bad-file'],
    ['no settings', () => withChange((b) => { b.model = { id: b.model.id }; }), 'profile/invalid'],
    ['a v1 export', () => ({ ...good(), formatVersion: 1 }), 'profile/version'],
    ['no decision model', () => withChange((b) => { b.profile.decision = null; }), 'profile/version'],
    ['a decision model without calibration', () => withChange((b) => { delete b.profile.decision.calibration; }), 'profile/invalid'],
    ['error targets out of range', () => withChange((b) => { b.profile.decision.sequential.alpha = 0.7; }), 'profile/invalid'],
    ['a feature branch without a fusion weight', () => withChange((b) => { delete b.model.fusionWeight; }), 'profile/invalid'],
    ['a fusion weight without a feature branch', () => withChange((b) => { b.model.featureModel = null; }), 'profile/bad-file'],
  ])('refuses %s with a readable error', (_name, make, code) => {
    const e = refusal(make);
    expect(e.code).toBe(code);
    expect(e.message).not.toMatch(/imported/); // worded for scoring, not for the app's import
  });
});
