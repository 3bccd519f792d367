import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '../../src/ml/wasmGrads';
import { fitGaussianBranchFor, honestSplit, personOf, runTrainJob, type LabelledImage, type LabelledSession } from '../../src/ml/pipeline';
import { FEATURE_COUNT } from '../../src/core/features';
import { tinySpec } from '../../src/ml/model';
import { enrolmentFeatureSpec, loadFeatureModel } from '../../src/ml/featureModel';
import { scoreGroupWindows } from '../../src/ml/windowScorer';
import { addGroupWindow, emptyGroupTally, groupRuleOf, groupTallyFields } from '../../src/core/groupTally';
import { renderToRgba } from '../../src/node/render';
import { quantizeTimes, simulateBot, simulateHuman, PERSONAS } from '../../src/core/simulate';
import { segmentSession } from '../../src/core/segment';
import { windowFeatures } from '../../src/core/features';
import { notPeopleScores } from '../../src/core/peopleReference';
import { columnsFromSamples, sliceColumns } from '../../src/core/events';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, encodingFingerprint } from '../../src/core/settings';
import { assertCompatible, APP_MODEL_FORMAT } from '../../src/store/profiles';
import { defaultSpec } from '../../src/ml/model';
import { assertNoSessionLeak } from '../../src/core/dataset';

function sessions(n: number, reaches: number): LabelledSession[] {
  const out: LabelledSession[] = [];
  for (const [label, persona] of [[1, PERSONAS.alice], [0, PERSONAS.bob]] as const) {
    for (let k = 0; k < n; k++) {
      const samples = simulateHuman(persona, { width: 1100, height: 420 }, { seed: 10 * k + label, reaches });
      // The others stand for two people (the Gaussian branch learns how people vary across people).
      out.push({ sessionId: `${persona.id}-${k}`, label, space: { width: 1280, height: 900 }, columns: columnsFromSamples(samples), origin: `simulated ${persona.id}`, person: `${persona.id}-${label ? 0 : k % 2}` });
    }
  }
  return out;
}

describe('pipeline (Node, wasm, @napi-rs/canvas)', () => {
  it('renders, splits by session, trains and reports quality without leaking tensors', async () => {
    registerWasmGradients();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const ws = { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 80 };
    const es = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 16 };
    const out = await runTrainJob({
      kind: 'verification', classNames: ['others', 'alice'], sessions: sessions(5, 6), windowSettings: ws, encoding: es,
      options: { epochs: 3, batchSize: 16, seed: 1 }, maxWindowsPerSession: 50, valFraction: 0.2, testFraction: 0.2,
      spec: { ...tinySpec(16), kind: 'verification' },
    }, renderToRgba);
    expect(out.trainedAgainst.heldOutBy).toBe('sessions');
    expect(out.trainedAgainst.classes.map((c) => c.sessions)).toEqual([5, 5]);
    expect(out.trainedAgainst.split.test).toBeGreaterThan(0);
    expect(out.quality?.testWindows).toBe(out.trainedAgainst.split.test);
    expect(out.quality!.roc.length).toBeGreaterThan(1);
    // One operating point, chosen on validation; the test report is measured at it.
    expect(out.decision?.operatingPoint.chosenOn).toBe('validation');
    expect(out.quality!.threshold).toBe(out.decision!.operatingPoint.threshold);
    expect(out.quality!.sequential!.sessions).toBe(2);
    expect(typeof out.check.usable).toBe('boolean');
    // The kinematic-feature branch is trained beside the CNN and fused at a weight chosen on validation.
    expect(out.featureModel?.kind).toBe('pointerprint-feature-mlp');
    // A person enrolling against others: the enrolment MLP (chosen on validation for a few minutes of data).
    expect(out.featureModel?.spec.hidden).toEqual(enrolmentFeatureSpec().hidden);
    // Beside it, the Gaussian branch: population from the two "people" among the others, the person from alice.
    expect(out.featureModel?.gaussian?.population.people).toBe(2);
    expect(out.featureModel?.gaussian?.person.windows).toBeGreaterThan(0);
    // …and the report says how it scores, the Gaussian branch included.
    expect(out.trainedAgainst.scoredBy?.some((l) => /^Gaussian branch: .* 2 other people/.test(l))).toBe(true);
    expect([0, 0.25, 0.5, 0.75, 1]).toContain(out.fusionWeight);
    expect(out.fingerprint).toBe(encodingFingerprint(ws, es));
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a group model with a people group also flags movement unlike those people: a bot kind no group held is caught', async () => {
    registerWasmGradients();
    await tf.setBackend('wasm');
    const ws = { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 80 };
    const es = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 16 };
    const g = { width: 1100, height: 420 };
    const people: LabelledSession[] = [];
    for (const persona of [PERSONAS.alice, PERSONAS.bob]) {
      for (let k = 0; k < 5; k++) people.push({ sessionId: `${persona.id}-${k}`, label: 1, space: g, columns: columnsFromSamples(simulateHuman(persona, g, { seed: 100 + k, reaches: 8 })), origin: persona.id });
    }
    const bot = (kind: 'linear' | 'jitter-overshoot', k: number, label: number): LabelledSession =>
      ({ sessionId: `${kind}-${k}`, label, space: g, columns: columnsFromSamples(simulateBot(kind, g, { seed: 200 + k, reaches: 12 })), origin: kind });
    const job = {
      kind: 'group' as const, classNames: ['bots', 'humans'], sessions: [...people, ...Array.from({ length: 10 }, (_, k) => bot('linear', k, 0))],
      windowSettings: ws, encoding: es, options: { epochs: 2, batchSize: 16, seed: 1 }, maxWindowsPerSession: 50, valFraction: 0.2, testFraction: 0.2,
      spec: { ...tinySpec(16), kind: 'group' as const },
    };
    await expect(runTrainJob({ ...job, kind: 'verification', peopleClass: 1 }, renderToRgba)).rejects.toThrow(/exactly two groups/);
    await expect(runTrainJob({ ...job, peopleClass: 1, checkGroups: [{ name: 'again', sessions: [people[0]] }] }, renderToRgba)).rejects.toThrow(/both trained on and in a check group/);
    // A kind no group held, as a check group: scored after training with the stored rule.
    const unseenKind = [0, 1, 2, 3].map((k) => bot('jitter-overshoot', k, 0));
    // The same people recorded on a 110 ms clock (Balabit's coarse setup): a check group the live scorer would not compare.
    const coarsePeople: LabelledSession[] = [0, 1].map((k) => ({ sessionId: `coarse-alice-${k}`, label: 1, space: g, columns: columnsFromSamples(quantizeTimes(simulateHuman(PERSONAS.alice, g, { seed: 950 + k, reaches: 8 }), 110)) }));
    const out = await runTrainJob({ ...job, peopleClass: 1, checkGroups: [{ name: 'new-bots', sessions: unseenKind }, { name: 'coarse-people', sessions: coarsePeople }] }, renderToRgba);
    const ref = out.featureModel!.people!;
    expect(ref.peopleClass).toBe(1);
    expect(ref.validationFlagRate).toBeLessThanOrEqual(0.05);
    // Decided at the stored threshold, not argmax, and the report says so.
    expect(out.quality!.thresholdRule).toMatch(/less like people than 95 %/);
    expect(out.quality!.threshold).toBeCloseTo(1 - ref.threshold, 12);
    expect(out.quality!.confusion).toHaveLength(2);
    expect(out.trainedAgainst.scoredBy?.some((l) => /^not like people: a one-class model of “humans”/.test(l))).toBe(true);
    // A kind no group held, judged as if the classifier had been fooled outright (P(not people) = 0),
    // beside new sessions of the same people judged the same way.
    const flaggedShare = (sessions: LabelledSession[]) => {
      const feats = sessions.flatMap((s) => segmentSession(s.columns, s.sessionId, ws, s.space).windows.map((w) => windowFeatures(s.columns, w.start, w.end)));
      const values = new Float64Array(feats.length * FEATURE_COUNT);
      feats.forEach((f, i) => values.set(f, i * FEATURE_COUNT));
      const s = notPeopleScores(ref, new Array(feats.length).fill(0), { dim: FEATURE_COUNT, count: feats.length, values });
      return { windows: feats.length, share: Array.from(s).filter((v) => v > ref.threshold).length / feats.length };
    };
    const unseen = flaggedShare(unseenKind);
    const newPeople = flaggedShare([PERSONAS.alice, PERSONAS.bob].flatMap((persona) => [0, 1].map((k) =>
      ({ sessionId: `new-${persona.id}-${k}`, label: 1, space: g, columns: columnsFromSamples(simulateHuman(persona, g, { seed: 900 + k, reaches: 8 })) }))));
    console.log(`people reference: unseen jitter-overshoot bots flagged ${unseen.share} of ${unseen.windows} windows; new sessions of the people ${newPeople.share} of ${newPeople.windows}`);
    expect(unseen.windows).toBeGreaterThan(10);
    expect(newPeople.windows).toBeGreaterThan(10);
    expect(unseen.share).toBeGreaterThan(0.7);
    expect(newPeople.share).toBeLessThan(0.25);
    // …and by the whole model (classifier and reference), as the Groups view reports a check group.
    const [c, coarse] = out.checks;
    expect(c.sessionsOnOtherClock).toBe(0);
    expect(coarse).toMatchObject({ name: 'coarse-people', sessions: 2, sessionsOnOtherClock: 2 });
    console.log(`check group new-bots: ${c.windows} windows, flagged ${c.flaggedNotPeople}, AUC vs held-out people ${c.aucVsPeople}`);
    expect(c).toMatchObject({ name: 'new-bots', sessions: 4, windows: unseen.windows });
    expect(c.flaggedNotPeople).toBeGreaterThanOrEqual(unseen.share);
    expect(c.decidedAs[0]).toBeCloseTo(c.flaggedNotPeople!, 12);
    expect(c.decidedAs[0] + c.decidedAs[1]).toBeCloseTo(1, 12);
    expect(c.aucVsPeople).toBeGreaterThan(0.8);
    // Live scoring (the Live score view, the embed's worker) decides each window as this report did: the
    // same windows, cut from the sessions one by one, through ml/windowScorer and core/groupTally.
    const features = loadFeatureModel(out.featureModel!);
    const live = unseenKind.flatMap((s) => segmentSession(s.columns, s.sessionId, ws, s.space).windows.map((w) => ({ columns: { ...sliceColumns(s.columns, w.start, w.end), length: w.end - w.start }, space: s.space })));
    const scored = await scoreGroupWindows({ image: out.model, features, fusionWeight: out.fusionWeight, encoding: es }, live, renderToRgba);
    const rule = groupRuleOf(job.classNames, out.featureModel);
    const tally = scored.reduce((t, w) => addGroupWindow(t, rule, w), emptyGroupTally(rule));
    // The reference also holds the people's recording clock (here the simulator's few-ms steps: the 20 ms resampling step).
    expect(rule.people).toEqual({ peopleClass: 1, threshold: ref.threshold, clock: { lowMs: 20, highMs: 20, windows: expect.any(Number) } });
    expect(scored.every((w) => w.clockMs === 20)).toBe(true);
    expect(tally.windowsSeen).toBe(c.windows);
    expect(tally.decided[0]).toBe(Math.round(c.decidedAs[0] * c.windows));
    expect(groupTallyFields(tally, rule, scored[0]).shares.bots).toBeCloseTo(c.decidedAs[0], 12);
    expect(groupTallyFields(tally, rule, scored[0]).clock?.comparable).toBe(true);
    // A coarse-clock session of a trained person, live: decided window by window, but led by no group.
    const coarseLive = segmentSession(coarsePeople[0].columns, 'c', ws, g).windows.map((w) => ({ columns: { ...sliceColumns(coarsePeople[0].columns, w.start, w.end), length: w.end - w.start }, space: g }));
    const coarseScored = await scoreGroupWindows({ image: out.model, features, fusionWeight: out.fusionWeight, encoding: es }, coarseLive, renderToRgba);
    const coarseTally = coarseScored.reduce((t, w) => addGroupWindow(t, rule, w), emptyGroupTally(rule));
    expect(groupTallyFields(coarseTally, rule, coarseScored[0])).toMatchObject({ leadingGroup: null, windowClockMs: 110, clock: { sessionMs: 110, comparable: false } });
    features.model.dispose();
    out.model.dispose();
  });

  it('fits the Gaussian branch only when the others are two people or more and some are held out for validation', () => {
    const row = (v: number) => Float64Array.from({ length: FEATURE_COUNT }, (_, j) => v + ((j * 7) % 5) / 10 + j / 100);
    const item = (label: number, sessionId: string, v: number) => ({ label, sessionId, features: row(v) }) as unknown as LabelledImage;
    const own = [1, 1.1, 1.2, 0.9].map((v, i) => item(1, `me-${i % 2}`, v));
    const two = [2, 2.2, 2.1, 3, 3.3, 3.1].map((v, i) => item(0, i < 3 ? 'x-0' : 'y-0', v + i / 7));
    const val = [item(1, 'me-2', 1.05), item(0, 'x-1', 2.05), item(0, 'y-1', 3.05)];
    const person = personOf([
      { sessionId: 'x-0', person: 'x' }, { sessionId: 'x-1', person: 'x' }, { sessionId: 'y-0', origin: 'y' }, { sessionId: 'y-1', origin: 'y' },
    ] as unknown as LabelledSession[]);
    expect(person('y-0')).toBe('y');
    expect(person('unknown')).toBe('unknown');
    const b = fitGaussianBranchFor([...own, ...two], val, [0.9, 0.2, 0.1], person);
    expect(b?.population.people).toBe(2);
    expect(b?.person.windows).toBe(4);
    // Others from one person: no population to learn from, so no branch (the classifier alone scores).
    expect(fitGaussianBranchFor([...own, ...two.slice(0, 3)], val, [0.9, 0.2, 0.1], person)).toBeNull();
    // No validation window of others: no norm, no branch.
    expect(fitGaussianBranchFor([...own, ...two], val.slice(0, 1), [0.9], person)).toBeNull();
  });

  it('with fewer than 3 sessions, tests on the latest stretch of time: later than every training and validation window', () => {
    // "me": two sessions (the second started later, listed first); others: 6 sessions.
    const mine: LabelledImage[] = [
      ...Array.from({ length: 30 }, (_, i) => ({ sessionId: 'me-late', label: 1, windowIndex: i, sessionStart: 2000, features: new Float64Array(0), clockMs: null, rgb: new Uint8Array(0) })),
      ...Array.from({ length: 30 }, (_, i) => ({ sessionId: 'me-early', label: 1, windowIndex: i, sessionStart: 1000, features: new Float64Array(0), clockMs: null, rgb: new Uint8Array(0) })),
    ];
    const others: LabelledImage[] = Array.from({ length: 60 }, (_, i) => ({ sessionId: `o${i % 6}`, label: 0, windowIndex: i, sessionStart: 0, features: new Float64Array(0), clockMs: null, rgb: new Uint8Array(0) }));
    const { split, timeBlocks } = honestSplit([...mine, ...others], { val: 0.2, test: 0.2 }, 1);
    expect(timeBlocks).toBe(true);
    const place = (x: LabelledImage) => x.sessionStart * 1e6 + x.windowIndex;
    const own = (xs: LabelledImage[]) => xs.filter((x) => x.label === 1);
    const latestTrain = Math.max(...own(split.train).map(place), ...own(split.val).map(place));
    const earliestTest = Math.min(...own(split.test).map(place));
    expect(own(split.test).length).toBe(12);
    expect(own(split.val).length).toBe(12);
    expect(earliestTest).toBeGreaterThan(latestTrain);
    // The test stretch is the end of the later session; one window is left out at each cut.
    expect(own(split.test).every((x) => x.sessionStart === 2000 && x.windowIndex >= 18)).toBe(true);
    expect(own(split.train).length + own(split.val).length + own(split.test).length).toBe(58);
    // Validation is later than training too (it chose the epoch and threshold).
    expect(Math.min(...own(split.val).map(place))).toBeGreaterThan(Math.max(...own(split.train).map(place)));
    // Classes with enough sessions are split by session, untouched.
    expect(split.test.filter((x) => x.label === 0).every((x) => !x.sessionId.includes('#'))).toBe(true);
    expect(() => assertNoSessionLeak(split.train, split.val, split.test)).not.toThrow();
  });

  it('refuses to split a class too small to hold anything out', () => {
    const items: LabelledImage[] = Array.from({ length: 2 }, (_, i) => ({ sessionId: 'me', label: 1, windowIndex: i, sessionStart: 0, features: new Float64Array(0), clockMs: null, rgb: new Uint8Array(0) }));
    expect(() => honestSplit(items, { val: 0.2, test: 0.2 }, 1)).toThrow(/Too few windows/);
  });

  it('refuses a model trained under other settings with a clear message', () => {
    const ws = DEFAULT_WINDOW_SETTINGS, es = DEFAULT_ENCODING_SETTINGS;
    const m = { fingerprint: encodingFingerprint(ws, es), windowSettings: ws, encoding: es, spec: defaultSpec('verification', 64), formatVersion: APP_MODEL_FORMAT };
    expect(() => assertCompatible(m, ws, es)).not.toThrow();
    expect(() => assertCompatible(m, ws, { ...es, sizePx: 32 })).toThrow(/trained on 64 px images.*current settings make 32 px/);
    expect(() => assertCompatible(m, { ...ws, eventsPerWindow: 200 }, es)).toThrow(/1000 events per window/);
    expect(() => assertCompatible({ ...m, spec: { ...m.spec, archVersion: 0 } }, ws, es)).toThrow(/older version/);
  });
});
