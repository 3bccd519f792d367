/// <reference lib="webworker" />
/**
 * The embed's scoring worker (its own file, built apart from the capture bundle; it carries
 * TensorFlow.js). It fetches the exported profile, loads its verifier from memory, and scores each
 * window the page sends exactly as the app's live scorer does, with the same functions: human-movement
 * rules, window → fused image/feature probability (ml/windowScorer), calibrated LLR → sequential
 * verdict (core/liveVerdict). It replies with scores and decisions only.
 */
import * as tf from '@tensorflow/tfjs';
import { describeError, PointerprintError } from '../core/errors';
import { checkHumanRules } from '../core/humanRules';
import { addWindowScore, liveVerdictFields, readLiveVerdict } from '../core/liveVerdict';
import { emptySequential, type SequentialState } from '../core/sequential';
import { loadFeatureModel } from '../ml/featureModel';
import { offscreenRasterizer, scoreWindows, type LoadedVerifier } from '../ml/windowScorer';
import { scoringProfileFromExport, type ScoringProfile } from './profileAdapter';
import type { ScoreWorkerReply, ScoreWorkerRequest } from './scoreProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: ScoreWorkerReply) => scope.postMessage(m);

let verifier: LoadedVerifier | null = null;
let profile: ScoringProfile | null = null;
const rasterize = offscreenRasterizer();
/** Running sequential test per capture session. */
const sequential = new Map<string, SequentialState>();

async function load(url: string): Promise<void> {
  let json: unknown;
  try {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    json = await res.json();
  } catch (e) {
    throw new PointerprintError('profile/unreachable', `Could not load the profile from ${url}: ${describeError(e)}.`);
  }
  const p = scoringProfileFromExport(json);
  await tf.ready();
  const image = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: p.modelTopology,
    weightSpecs: p.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: p.weightData,
  }));
  const features = p.featureModel ? loadFeatureModel(p.featureModel) : null;
  verifier = { image, features, fusionWeight: p.fusionWeight, encoding: p.encoding, cls: p.cls };
  profile = p;
  post({ type: 'loaded', info: { profileName: p.name, modelId: p.modelId, windowSettings: p.windowSettings, encoding: p.encoding, backend: tf.getBackend() } });
}

async function scoreWindow(req: Extract<ScoreWorkerRequest, { type: 'window' }>): Promise<void> {
  if (!verifier || !profile) throw new PointerprintError('profile/not-loaded', 'The profile is not loaded yet.');
  const t0 = performance.now();
  const cols = req.columns;
  const rules = checkHumanRules(cols, 0, cols.length);
  const [windowScore] = await scoreWindows(verifier, [{ columns: cols, space: req.space }], rasterize);
  const d = profile.decision;
  const state = addWindowScore(sequential.get(req.sessionId) ?? emptySequential(), d, windowScore);
  sequential.set(req.sessionId, state);
  post({
    type: 'verdict',
    verdict: { sessionId: req.sessionId, index: req.index, windowScore, ...liveVerdictFields(readLiveVerdict(state, d), d), flags: rules.flags, ms: performance.now() - t0 },
  });
}

// Windows are scored in arrival order: the sequential test is a running state.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (ev: MessageEvent<ScoreWorkerRequest>) => {
  const req = ev.data;
  queue = queue.then(() => (req.type === 'load' ? load(req.profileUrl) : scoreWindow(req))).catch((e: unknown) => {
    post({ type: 'error', code: e instanceof PointerprintError ? e.code : 'score/failed', message: describeError(e), ...(req.type === 'window' ? { index: req.index } : {}) });
  });
};
