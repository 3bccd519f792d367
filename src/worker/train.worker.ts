/// <reference lib="webworker" />
/**
 * The train worker: a thin shell around src/ml. It picks the tfjs backend, renders windows on an
 * OffscreenCanvas, trains (posting per-epoch progress), saves models to IndexedDB and scores windows.
 * Training runs here so the page never blocks; between batches it yields to its message queue now
 * and then so a cancel or a scoring request is served promptly.
 */
import * as tf from '@tensorflow/tfjs';
import { PointerprintError, describeError } from '../core/errors';
import { chooseBackend, describeBackend, probeTraining, setWasmThreads } from '../ml/backends';
import { countParams } from '../ml/model';
import { runTrainJob } from '../ml/pipeline';
import { loadFeatureModel } from '../ml/featureModel';
import { offscreenRasterizer, scoreGroupWindows, scoreWindows } from '../ml/windowScorer';
import type { TrainWorkerReply, TrainWorkerRequest, ScoreGroupsRequest, ScoreRequest, TrainRequest } from './trainProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: TrainWorkerReply, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

const rasterize = offscreenRasterizer();

const cancelled = new Set<number>();
let lastYield = 0;
/** Yield to the message queue at most every ~50 ms (a macrotask: lets 'cancel' in). */
async function maybeYield(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < 50) return;
  lastYield = now;
  await new Promise<void>((r) => setTimeout(r, 0));
}

let backendReady: Promise<unknown> | null = null;
function ensureBackend(): Promise<unknown> {
  return (backendReady ??= chooseBackend({ override: 'auto' }));
}

async function train(req: TrainRequest): Promise<void> {
  await ensureBackend();
  const t0 = performance.now();
  const out = await runTrainJob(req.job, rasterize, {
    onStage: async (stage, done, total) => { post({ type: 'stage', id: req.id, stage, done, total }); await maybeYield(); },
    onEpoch: async (report) => { post({ type: 'epoch', id: req.id, report }); await maybeYield(); },
    onBatch: maybeYield,
    shouldStop: () => cancelled.has(req.id),
  });
  let url: string | null = null;
  try {
    // A failed enrolment (its test windows do not separate the person) is not kept as a usable model.
    if (req.modelId && !out.cancelled && out.check.usable) {
      url = `indexeddb://pointerprint-model-${req.modelId}`;
      await out.model.save(url);
    }
    post({
      type: 'trained', id: req.id,
      summary: {
        spec: out.spec, params: countParams(out.model), history: out.history, bestEpoch: out.bestEpoch,
        cancelled: out.cancelled, stoppedEarly: out.stoppedEarly, quality: out.quality, trainedAgainst: out.trainedAgainst,
        fingerprint: out.fingerprint, backend: out.backend, droppedWindows: out.droppedWindows, modelUrl: url,
        decision: out.decision, check: out.check, featureModel: out.featureModel, fusionWeight: out.fusionWeight, checks: out.checks,
        totalMs: performance.now() - t0,
      },
    });
  } finally {
    out.model.dispose();
    cancelled.delete(req.id);
  }
}

const models = new Map<string, tf.LayersModel>();
const featureModels = new Map<string, ReturnType<typeof loadFeatureModel>>();
/** The request's models, loaded once per model URL and cached. */
async function loadedModels(req: ScoreRequest | ScoreGroupsRequest): Promise<{ image: tf.LayersModel; features: ReturnType<typeof loadFeatureModel> | null }> {
  await ensureBackend();
  let m = models.get(req.modelUrl);
  if (!m) {
    try {
      m = await tf.loadLayersModel(req.modelUrl);
    } catch (e) {
      throw new PointerprintError('model/missing', `The model could not be loaded (${describeError(e)}). It may have been deleted: enrol again.`);
    }
    models.set(req.modelUrl, m);
  }
  let features: ReturnType<typeof loadFeatureModel> | null = null;
  if (req.featureModel) {
    features = featureModels.get(req.modelUrl) ?? null;
    if (!features) featureModels.set(req.modelUrl, (features = loadFeatureModel(req.featureModel)));
  }
  return { image: m, features };
}

async function score(req: ScoreRequest): Promise<void> {
  const t0 = performance.now();
  const { image, features } = await loadedModels(req);
  const scores = await scoreWindows({ image, features, fusionWeight: req.fusionWeight, encoding: req.encoding, cls: req.cls }, req.windows, rasterize);
  post({ type: 'scores', id: req.id, scores, ms: performance.now() - t0 });
}

async function scoreGroups(req: ScoreGroupsRequest): Promise<void> {
  const t0 = performance.now();
  const { image, features } = await loadedModels(req);
  const windows = await scoreGroupWindows({ image, features, fusionWeight: req.fusionWeight, encoding: req.encoding }, req.windows, rasterize);
  post({ type: 'group-scores', id: req.id, windows, ms: performance.now() - t0 });
}

async function handle(req: TrainWorkerRequest): Promise<void> {
  switch (req.type) {
    case 'cancel':
      cancelled.add(req.id);
      return;
    case 'backend': {
      backendReady = chooseBackend({ override: req.choice, probeAll: req.probeAll });
      await backendReady;
      post({ type: 'backend', id: req.id, info: describeBackend()! });
      return;
    }
    case 'probe': {
      if (req.wasmThreads !== undefined) setWasmThreads(req.wasmThreads);
      const result = await probeTraining(req.backend, req.spec, { images: req.images, steps: req.steps, learningRate: req.learningRate });
      post({ type: 'probe', id: req.id, result });
      return;
    }
    case 'train':
      return train(req);
    case 'score':
      return score(req);
    case 'score-groups':
      return scoreGroups(req);
    case 'memory': {
      const m = tf.memory();
      post({ type: 'memory', id: req.id, numTensors: m.numTensors, numBytes: m.numBytes, backend: tf.getBackend() });
      return;
    }
    case 'dispose-models':
      for (const m of models.values()) m.dispose();
      models.clear();
      for (const f of featureModels.values()) f.model.dispose();
      featureModels.clear();
      post({ type: 'disposed', id: req.id });
      return;
  }
}

scope.onmessage = (ev: MessageEvent<TrainWorkerRequest>) => {
  const req = ev.data;
  handle(req).catch((e: unknown) => {
    post({ type: 'error', id: req.id, code: e instanceof PointerprintError ? e.code : 'learn/failed', message: describeError(e) });
  });
};
