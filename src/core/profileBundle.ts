/**
 * The schema of an exported profile file (`pointerprint-profile`, format v2) and its validation.
 *
 * v2 (issues #8, #9, #12): verification profiles carry their decision model (operating point chosen
 * on validation, Platt calibration, SPRT settings); models carry the kinematic-feature MLP (plain
 * JSON weights) and its fusion weight; the encoding may frame images by the movement. v1 files are
 * refused with words (their threshold was chosen on test windows and they have no calibration).
 *
 * A profile file comes from outside and is untrusted: every field is checked (type, range, size),
 * unknown fields are dropped, the parts must agree with each other (ids, kinds, class count,
 * settings fingerprint, weight sizes), and nothing that says *where* to store something is taken
 * from it: the model's storage URL is not read at all (the store derives it from the model id), and
 * ids are restricted to characters that cannot escape a storage key.
 * Pure (no DOM, no storage); the store's `importProfile` applies the result.
 */
import { PointerprintError } from './errors';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURES_VERSION } from './features';
import { encodingFingerprint } from './settings';
import { arrayOf, bool, check, id, isPlainObject, literal, nullable, num, obj, optional, str, type Infer, type Schema } from './validate';
import { gaussianBranchProblem, type GaussianBranch } from './gaussianVerifier';
import { peopleReferenceProblem, type PeopleReference } from './peopleReference';

export const PROFILE_FORMAT = 'pointerprint-profile';
/** Same value as the store's APP_MODEL_FORMAT (checked there at compile time). */
export const PROFILE_FORMAT_VERSION = 2;
/**
 * The feature-MLP version this app reads: the same value as FEATURE_MODEL_VERSION in
 * src/ml/featureModel.ts (core cannot import tfjs code; a unit test keeps the two equal).
 */
export const FEATURE_MODEL_VERSION_READ = 1;
/** A profile file larger than this is refused before parsing (a real one is well under 5 MB). */
export const MAX_PROFILE_FILE_CHARS = 64 * 1024 * 1024;

const count = (max = 1e9) => num({ min: 0, max, integer: true });
const unit = num({ min: 0, max: 1 });
const unitOrNaN = num({ min: 0, max: 1, nullIsNaN: true });
const finiteOrNaN = num({ nullIsNaN: true });
const epochMs = num({ min: 0, max: 8.64e15 });
const text = (max: number) => str({ max });
const name = str({ min: 1, max: 200 });
const modelKind = literal('verification', 'group');

const windowSettings = obj({
  mode: literal('events', 'time'),
  eventsPerWindow: num({ min: 1, max: 1e6, integer: true }),
  spanMs: num({ min: 1, max: 1e8 }),
  idleGapMs: num({ min: 0, max: 1e8 }),
  minMoveEvents: count(1e6),
  minPathFraction: unit,
});

const encoding = obj({
  sizePx: num({ min: 8, max: 512, integer: true }),
  speedFullPxPerMs: num({ min: 1e-6, max: 1e6 }),
  accelFullPxPerMs2: num({ min: 1e-9, max: 1e6 }),
  version: count(1e6),
  framing: optional(literal('screen', 'movement')),
  framePx: optional(num({ min: 1, max: 1e6 })),
});

const modelSpec = obj({
  kind: modelKind,
  inputSizePx: num({ min: 8, max: 512, integer: true }),
  channels: literal(3),
  numClasses: num({ min: 2, max: 64, integer: true }),
  blockFilters: arrayOf(num({ min: 1, max: 1024, integer: true }), { min: 1, max: 8 }),
  convsPerBlock: num({ min: 1, max: 8, integer: true }),
  denseUnits: count(4096),
  dropout: num({ min: 0, max: 0.95 }),
  l2: num({ min: 0, max: 1 }),
  batchNorm: bool,
  archVersion: count(1e6),
});

const sequentialReplay = obj({
  sessions: count(),
  correct: count(),
  wrong: count(),
  undecided: count(),
  medianWindows: num({ min: 0, max: 1e9, nullIsNaN: true }),
  perSession: arrayOf(obj({ sessionId: text(500), genuine: bool, verdict: literal('match', 'mismatch', 'not yet'), windowsUsed: count() }), { max: 100_000 }),
});

const qualityReport = obj({
  testWindows: count(),
  accuracy: unitOrNaN,
  auc: unitOrNaN,
  eer: unitOrNaN,
  threshold: finiteOrNaN,
  far: unitOrNaN,
  frr: unitOrNaN,
  sequential: optional(sequentialReplay),
  roc: arrayOf(obj({ fpr: unit, tpr: unit }), { max: 1001 }),
  confusion: optional(arrayOf(arrayOf(count(), { max: 64 }), { max: 64 })),
  thresholdRule: optional(text(300)),
});

const trainedAgainst = obj({
  classes: arrayOf(obj({ name, sessions: count(), windows: count(), origins: arrayOf(text(500), { max: 10_000 }) }), { max: 64 }),
  split: obj({ train: count(), val: count(), test: count() }),
  heldOutBy: literal('sessions', 'time-blocks'),
  note: text(2000),
  scoredBy: optional(arrayOf(text(1000), { max: 20 })),
});

const epochReport = obj({
  epoch: count(1e6),
  trainLoss: finiteOrNaN,
  trainAcc: unitOrNaN,
  valLoss: finiteOrNaN,
  valAcc: unitOrNaN,
  ms: num({ min: 0, nullIsNaN: true }),
  msPerStep: num({ min: 0, nullIsNaN: true }),
  best: bool,
});

/** Bounds that keep the live decision's arithmetic meaningful (logs of α, β; a positive LLR cap). */
const MAX_LLR = 100;
const llr = num({ min: -MAX_LLR, max: MAX_LLR });
const errorTarget = num({ min: 1e-9, max: 0.5 });
const MAX_PLATT = 1e12;
const decisionModel = obj({
  version: literal(1),
  operatingPoint: obj({
    threshold: unit,
    rule: literal('eer'),
    chosenOn: literal('validation'),
    validationFar: unit,
    validationFrr: unit,
    validationWindows: count(),
  }),
  calibration: obj({
    kind: literal('platt'),
    // Any finite slope is usable (window LLRs are clamped): Platt fits on well-separated validation
    // windows are steep (slopes of 1e7 and more seen); the bound only keeps a·logit(s) + b finite.
    a: num({ min: -MAX_PLATT, max: MAX_PLATT }),
    b: num({ min: -MAX_PLATT, max: MAX_PLATT }),
    prior: num({ min: 1e-9, max: 1 - 1e-9 }),
    windows: count(),
  }),
  expectedLlr: obj({ genuine: llr, impostor: llr }),
  sequential: obj({ alpha: errorTarget, beta: errorTarget, llrWeight: num({ min: 1e-6, max: 1 }) }),
  maxWindowLlr: num({ min: 1e-6, max: MAX_LLR }),
  llrWeightChoice: optional(obj({ basis: literal('upper-bound', 'too-few-impostors', 'point-estimate'), impostorSessions: count(), genuineSessions: count() })),
});

/** Layer sizes and weight counts of the feature MLP: small enough to keep a file well under its cap. */
const MAX_FEATURE_UNITS = 4096;
const MAX_FEATURE_LAYERS = 8;
const featureModel = obj({
  kind: literal('pointerprint-feature-mlp'),
  version: count(1e6),
  featuresVersion: count(1e6),
  featureNames: arrayOf(str({ min: 1, max: 100 }), { min: 1, max: 10_000 }),
  standardiser: obj({
    mean: arrayOf(num(), { min: 1, max: 10_000 }),
    // Values are divided by sd: a zero, negative or absurd sd is refused.
    sd: arrayOf(num({ min: 1e-12, max: 1e12 }), { min: 1, max: 10_000 }),
  }),
  spec: obj({
    inputDim: num({ min: 1, max: 10_000, integer: true }),
    hidden: arrayOf(num({ min: 1, max: MAX_FEATURE_UNITS, integer: true }), { max: MAX_FEATURE_LAYERS }),
    numClasses: num({ min: 2, max: 64, integer: true }),
    dropout: num({ min: 0, max: 0.95 }),
    l2: num({ min: 0, max: 1 }),
    version: count(1e6),
  }),
  weights: arrayOf(obj({
    shape: arrayOf(num({ min: 1, max: 1e6, integer: true }), { min: 1, max: 2 }),
    values: arrayOf(num(), { max: 2e7 }),
  }), { min: 2, max: 2 * (MAX_FEATURE_LAYERS + 1) }),
  closeness: optional(obj({
    version: literal(1),
    center: arrayOf(num(), { min: 1, max: 10_000 }),
    scale: arrayOf(num({ min: 1e-12, max: 1e12 }), { min: 1, max: 10_000 }),
    clip: num({ min: 1e-6, max: 1e6 }),
    reference: arrayOf(num({ min: 0 }), { min: 1, max: 100_000 }),
  })),
  gaussian: optional(obj({
    version: literal(1),
    population: obj({
      version: literal(1),
      dim: num({ min: 1, max: 10_000, integer: true }),
      scale: arrayOf(num({ min: 1e-300 }), { min: 1, max: 10_000 }),
      logMean: arrayOf(num(), { min: 1, max: 10_000 }),
      logSd: arrayOf(num({ min: 1e-12, max: 1e12 }), { min: 1, max: 10_000 }),
      mean: arrayOf(num(), { min: 1, max: 10_000 }),
      totalInv: arrayOf(num(), { min: 1, max: 1_000_000 }),
      withinInv: arrayOf(num(), { min: 1, max: 1_000_000 }),
      logDetTotal: num(),
      logDetWithin: num(),
      clip: num({ min: 1e-6, max: 1e6 }),
      people: count(),
      windows: count(),
    }),
    person: obj({ version: literal(1), mean: arrayOf(num(), { min: 1, max: 10_000 }), windows: count() }),
    classifierNorm: obj({ mean: num(), sd: num({ min: 1e-12, max: 1e12 }) }),
    gaussianNorm: obj({ mean: num(), sd: num({ min: 1e-12, max: 1e12 }) }),
  })),
  people: optional(obj({
    version: count(1e6),
    peopleClass: count(64),
    novelty: obj({
      version: literal(1),
      method: obj({ method: literal('mahalanobis'), shrinkage: optional(unit) }),
      standardiser: obj({ mean: arrayOf(num(), { min: 1, max: 10_000 }), sd: arrayOf(num({ min: 1e-12, max: 1e12 }), { min: 1, max: 10_000 }) }),
      mahalanobis: obj({ mean: arrayOf(num(), { min: 1, max: 10_000 }), precision: arrayOf(num(), { min: 1, max: 1_000_000 }), shrinkage: unit }),
    }),
    classifierReference: arrayOf(unit, { min: 1, max: 100_000 }),
    noveltyReference: arrayOf(num({ min: 0 }), { min: 1, max: 100_000 }),
    threshold: unit,
    validationFlagRate: unit,
    fittedOn: obj({ trainWindows: count(), validationWindows: count() }),
    // The people's recording clocks (core/recordingClock; since stop 20, absent before).
    clock: optional(obj({ lowMs: num({ min: 1e-6, max: 1e7 }), highMs: num({ min: 1e-6, max: 1e7 }), windows: count() })),
  })),
});

const profileSchema = obj({
  // The profile id is the name sessions are recorded under (free text); the model id, part of a
  // storage URL, is restricted to a safe alphabet.
  id: name,
  name,
  kind: modelKind,
  createdAtEpochMs: epochMs,
  windows: count(),
  windowSettings,
  encoding,
  fingerprint: text(300),
  modelId: nullable(id()),
  quality: nullable(qualityReport),
  trainedAgainst: nullable(trainedAgainst),
  history: arrayOf(epochReport, { max: 100_000 }),
  backend: text(64),
  decision: nullable(decisionModel),
  formatVersion: literal(PROFILE_FORMAT_VERSION),
});

/** The model record without `url`: a storage location is never read from a file. */
const modelSchema = obj({
  id: id(),
  kind: modelKind,
  spec: modelSpec,
  classNames: arrayOf(name, { min: 2, max: 64 }),
  fingerprint: text(300),
  windowSettings,
  encoding,
  createdAtEpochMs: epochMs,
  backend: text(64),
  tfjsVersion: text(32),
  formatVersion: literal(PROFILE_FORMAT_VERSION),
  featureModel: nullable(featureModel),
  // The feature branch's share of the fused score (0 = image only, 1 = features only).
  fusionWeight: unit,
});

const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1 } as const;
const weightSpec = obj({
  name: str({ min: 1, max: 300 }),
  shape: arrayOf(num({ min: 0, max: 1e6, integer: true }), { max: 8 }),
  dtype: literal('float32', 'int32', 'bool'),
});

const topology: Schema<Record<string, unknown>> = (v, path) => {
  if (!isPlainObject(v)) throw new PointerprintError('import/invalid', `${path} must be an object.`);
  return v;
};

const bundleSchema = obj({
  format: literal(PROFILE_FORMAT),
  formatVersion: literal(PROFILE_FORMAT_VERSION),
  profile: profileSchema,
  model: modelSchema,
  modelTopology: topology,
  weightSpecs: arrayOf(weightSpec, { min: 1, max: 1000 }),
  weightsBase64: str({ min: 4, max: MAX_PROFILE_FILE_CHARS, pattern: /^[A-Za-z0-9+/]*={0,2}$/, patternText: 'base64' }),
});

export type ImportedProfile = Infer<typeof profileSchema>;
export type ImportedModel = Infer<typeof modelSchema>;
export type WeightSpec = Infer<typeof weightSpec>;
export type ImportedFeatureModel = Infer<typeof featureModel>;
export type ImportedDecisionModel = Infer<typeof decisionModel>;

export interface ValidProfileBundle {
  profile: ImportedProfile & { modelId: string };
  model: ImportedModel;
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
}

/** How a refusal starts, by what the file was meant for (the app's import, the embed's on-site scoring). */
const LEAD = { import: 'This profile file cannot be imported', scoring: 'The profile file cannot be used for scoring' } as const;
export type ProfileUse = keyof typeof LEAD;

const bad = (msg: string): never => {
  throw new PointerprintError('profile/bad-file', `${LEAD.import}: ${msg}`);
};
const OLDER = 'This profile was made by an older version of Pointerprint';
const tooOld = (what: string): never => {
  throw new PointerprintError('profile/version', `${OLDER} (${what}); this version cannot use it. Please enrol again.`);
};

function decodeBase64(b64: string): ArrayBuffer {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

/** The parts of a bundle must describe one model: ids, kinds, classes, settings and weight sizes agree. */
function checkConsistency(b: Infer<typeof bundleSchema>, weightBytes: number): void {
  const { profile: p, model: m } = b;
  if (p.modelId !== m.id) bad(`profile.modelId (${JSON.stringify(p.modelId)}) is not model.id (${JSON.stringify(m.id)}).`);
  if (p.kind !== m.kind || m.spec.kind !== m.kind) bad(`the kinds disagree (profile ${p.kind}, model ${m.kind}, spec ${m.spec.kind}).`);
  if (m.classNames.length !== m.spec.numClasses) bad(`model.classNames has ${m.classNames.length} names but the network has ${m.spec.numClasses} outputs.`);
  if (m.spec.inputSizePx !== m.encoding.sizePx) bad(`the network takes ${m.spec.inputSizePx} px images but the encoding makes ${m.encoding.sizePx} px.`);
  const fp = encodingFingerprint(m.windowSettings, m.encoding);
  if (m.fingerprint !== fp) bad(`model.fingerprint ${JSON.stringify(m.fingerprint)} does not match its own settings (${fp}).`);
  if (p.fingerprint !== m.fingerprint) bad('the profile and its model were made under different settings.');
  if (m.featureModel) checkFeatureModel(m.featureModel, m.spec.numClasses, m.kind);
  else if (m.fusionWeight !== 0) bad(`model.fusionWeight is ${m.fusionWeight} but the model has no feature branch.`);
  checkDecision(p, m.kind);
  const expected = b.weightSpecs.reduce((n, w) => n + w.shape.reduce((a, d) => a * d, 1) * DTYPE_BYTES[w.dtype], 0);
  if (expected !== weightBytes) bad(`the weights are ${weightBytes} bytes but weightSpecs describe ${expected}.`);
}

/** The feature MLP must be one this app computes the features for, and its weights must fit its layers. */
function checkFeatureModel(f: ImportedFeatureModel, numClasses: number, kind: 'verification' | 'group'): void {
  const where = 'model.featureModel';
  if (f.version !== FEATURE_MODEL_VERSION_READ || f.featuresVersion !== FEATURES_VERSION || f.spec.version !== f.version) {
    tooOld(`feature model v${f.version} / spec v${f.spec.version}, features v${f.featuresVersion}; this version uses v${FEATURE_MODEL_VERSION_READ}, features v${FEATURES_VERSION}`);
  }
  if (f.featureNames.length !== FEATURE_COUNT || f.featureNames.some((n, i) => n !== FEATURE_NAMES[i])) {
    tooOld(`its feature model was trained on other features (${f.featureNames.length} named, this version computes ${FEATURE_COUNT})`);
  }
  const dim = f.spec.inputDim;
  if (dim !== FEATURE_COUNT) bad(`${where}.spec.inputDim is ${dim} but there are ${FEATURE_COUNT} features.`);
  if (f.standardiser.mean.length !== dim || f.standardiser.sd.length !== dim) {
    bad(`${where}.standardiser has ${f.standardiser.mean.length} means and ${f.standardiser.sd.length} sds for ${dim} features.`);
  }
  if (f.spec.numClasses !== numClasses) bad(`${where} has ${f.spec.numClasses} outputs but the image network has ${numClasses}.`);
  if (f.closeness && (f.closeness.center.length !== dim || f.closeness.scale.length !== dim)) {
    bad(`${where}.closeness has ${f.closeness.center.length} centres and ${f.closeness.scale.length} scales for ${dim} features.`);
  }
  if (f.closeness && f.closeness.reference.some((v, i, a) => i > 0 && v < a[i - 1])) bad(`${where}.closeness.reference must be in ascending order.`);
  const gaussianProblem = f.gaussian ? gaussianBranchProblem(f.gaussian as GaussianBranch, dim) : null;
  if (gaussianProblem) bad(`${where}.${gaussianProblem}.`);
  if (f.people && kind !== 'group') bad(`${where}.people is set, but only a group model has a people group.`);
  const peopleProblem = f.people ? peopleReferenceProblem(f.people as PeopleReference, dim, numClasses) : null;
  if (peopleProblem) bad(`${where}.${peopleProblem}.`);
  // Dense layers in order: kernel [in, out] then bias [out] (dropout has no weights).
  const sizes = [dim, ...f.spec.hidden, f.spec.numClasses];
  const expected = sizes.slice(1).flatMap((out, i) => [[sizes[i], out], [out]]);
  if (f.weights.length !== expected.length) bad(`${where}.weights has ${f.weights.length} tensors but its layers need ${expected.length}.`);
  f.weights.forEach((w, i) => {
    if (w.shape.join('x') !== expected[i].join('x')) bad(`${where}.weights[${i}] has shape [${w.shape}] but its layers need [${expected[i]}].`);
    const n = w.shape.reduce((a, d) => a * d, 1);
    if (w.values.length !== n) bad(`${where}.weights[${i}] has ${w.values.length} values for shape [${w.shape}] (${n}).`);
  });
}

/** Verification needs its decision model (v2); a group model has none. The report's threshold is the decision's. */
function checkDecision(p: ImportedProfile, kind: 'verification' | 'group'): void {
  if (kind === 'group') {
    if (p.decision !== null) bad('profile.decision is set, but a group model has no decision model.');
    return;
  }
  if (p.decision === null) tooOld('a verification profile without calibration, operating point or live-decision settings');
  const d = p.decision!;
  if (Math.abs(d.expectedLlr.genuine) > d.maxWindowLlr || Math.abs(d.expectedLlr.impostor) > d.maxWindowLlr) {
    bad(`profile.decision.expectedLlr lies outside ±maxWindowLlr (${d.maxWindowLlr}).`);
  }
  if (p.quality && p.quality.threshold !== d.operatingPoint.threshold) {
    bad(`profile.quality.threshold (${p.quality.threshold}) is not the decision's operating point (${d.operatingPoint.threshold}).`);
  }
}

/**
 * Parse and validate a profile file. Throws PointerprintError ('profile/bad-file', 'profile/version',
 * 'profile/invalid') with a message naming the first problem.
 */
export function parseProfileBundle(textIn: string): ValidProfileBundle {
  if (textIn.length > MAX_PROFILE_FILE_CHARS) bad(`it is ${(textIn.length / 1e6).toFixed(0)} MB; a profile is at most ${MAX_PROFILE_FILE_CHARS / 1e6} MB.`);
  let v: unknown;
  try {
    v = JSON.parse(textIn);
  } catch {
    throw new PointerprintError('profile/bad-file', 'This file is not a Pointerprint profile (not JSON).');
  }
  return validateProfileBundle(v);
}

/**
 * Validate an already parsed profile file: every check of the import, for the app and for the embed's
 * scoring worker alike (one reader of untrusted profile files, not two that drift). `use` only words
 * the refusal ("cannot be imported" / "cannot be used for scoring").
 */
export function validateProfileBundle(v: unknown, use: ProfileUse = 'import'): ValidProfileBundle {
  try {
    return validateParsed(v);
  } catch (e) {
    if (use !== 'import' && e instanceof PointerprintError && e.message.startsWith(LEAD.import)) {
      throw new PointerprintError(e.code, LEAD[use] + e.message.slice(LEAD.import.length), e.detail);
    }
    throw e;
  }
}

function validateParsed(v: unknown): ValidProfileBundle {
  if (!isPlainObject(v) || v.format !== PROFILE_FORMAT) throw new PointerprintError('profile/bad-file', 'This file is not a Pointerprint profile export.');
  if (v.formatVersion !== PROFILE_FORMAT_VERSION) {
    const older = typeof v.formatVersion === 'number' && v.formatVersion < PROFILE_FORMAT_VERSION;
    throw new PointerprintError(
      'profile/version',
      older
        ? `${OLDER} (format v${v.formatVersion}: its threshold was chosen on test windows and it has no calibration); this version reads v${PROFILE_FORMAT_VERSION}. Please enrol again.`
        : `This profile was exported in format v${JSON.stringify(v.formatVersion)} by a newer version of Pointerprint; this version reads v${PROFILE_FORMAT_VERSION}. Update Pointerprint to import it.`,
    );
  }
  const b = check(bundleSchema, v, 'file', 'profile/invalid', LEAD.import);
  if (b.profile.modelId === null) bad('profile.modelId is empty: a profile file carries a model.');
  let weightData: ArrayBuffer;
  try {
    weightData = decodeBase64(b.weightsBase64);
  } catch {
    return bad('weightsBase64 is not valid base64.');
  }
  checkConsistency(b, weightData.byteLength);
  return { profile: { ...b.profile, modelId: b.profile.modelId! }, model: b.model, modelTopology: b.modelTopology, weightSpecs: b.weightSpecs, weightData };
}
