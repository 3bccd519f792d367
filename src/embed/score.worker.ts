/// <reference lib="webworker" />
/**
 * The embed's scoring worker (its own file, built apart from the capture bundle; it carries
 * TensorFlow.js). It fetches the exported profile, loads the model from memory, and for each window
 * the page sends: human-movement rules, encode, draw on an OffscreenCanvas, predict, fuse with the
 * session's earlier windows. It replies with scores and decisions only.
 */
import * as tf from '@tensorflow/tfjs';
import { renderDrawList, type Canvas2DLike } from '../core/drawlist';
import { encodeWindow, BACKGROUND } from '../core/encode';
import { describeError, PointerprintError } from '../core/errors';
import { addWindow, emptyFusion, readFusion, DEFAULT_FUSION, type FusionSettings, type FusionState } from '../core/fusion';
import { checkHumanRules } from '../core/humanRules';
import { rgbaToRgb } from '../ml/pipeline';
import { scoreClass } from '../ml/train';
import { scoringProfileFromExport, type ScoringProfile } from './profileAdapter';
import type { ScoreWorkerReply, ScoreWorkerRequest } from './scoreProtocol';
import { ColumnBuffer } from '../capture/buffer';
import type { EventChunk, SizePx } from '../core/events';
import { windowsCompletedSince, type SegmentCursor } from '../core/segment';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: ScoreWorkerReply) => scope.postMessage(m);

let model: tf.LayersModel | null = null;
let profile: ScoringProfile | null = null;
let fusionSettings: FusionSettings = DEFAULT_FUSION;
let ctx: OffscreenCanvasRenderingContext2D | null = null;
const fusion = new Map<string, FusionState>();

async function load(url: string): Promise<void> {
  let json: unknown;
  try {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    json = await res.json();
  } catch (e) {
    throw new PointerprintError('profile/unreachable', `Could not load the profile from ${url}: ${describeError(e)}.`);
  }
  profile = scoringProfileFromExport(json);
  fusionSettings = { ...DEFAULT_FUSION, ...profile.fusion };
  await tf.ready();
  model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: profile.modelTopology,
    weightSpecs: profile.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: profile.weightData,
  }));
  const s = profile.encoding.sizePx;
  const c = new OffscreenCanvas(s, s).getContext('2d', { willReadFrequently: true, alpha: false });
  if (!c) throw new PointerprintError('render/no-2d', 'This browser cannot draw on an OffscreenCanvas in a worker.');
  ctx = c;
  post({ type: 'loaded', info: { profileName: profile.name, modelId: profile.modelId, windowSettings: profile.windowSettings, encoding: profile.encoding, backend: tf.getBackend() } });
}

async function scoreWindow(req: Extract<ScoreWorkerRequest, { type: 'window' }>): Promise<void> {
  if (!model || !profile || !ctx) throw new PointerprintError('profile/not-loaded', 'The profile is not loaded yet.');
  const t0 = performance.now();
  const cols = req.columns;
  const rules = checkHumanRules(cols, 0, cols.length);
  const s = profile.encoding.sizePx;
  renderDrawList(ctx as unknown as Canvas2DLike, encodeWindow(cols, 0, cols.length, req.space, profile.encoding));
  const pixels = rgbaToRgb(ctx.getImageData(0, 0, s, s).data, s);
  const [windowScore] = await scoreClass(model, { sizePx: s, count: 1, pixels, labels: new Int32Array(1), background: BACKGROUND }, profile.cls);
  const state = addWindow(fusion.get(req.sessionId) ?? emptyFusion(), windowScore, fusionSettings);
  fusion.set(req.sessionId, state);
  const f = readFusion(state, fusionSettings);
  post({
    type: 'verdict',
    verdict: { sessionId: req.sessionId, index: req.index, windowScore, fusedScore: f.fusedScore, confidence: f.confidence, windowsSeen: f.windowsSeen, decision: f.decision, flags: rules.flags, ms: performance.now() - t0 },
  });
}

/*
 * Window cutting happens here, not in the page: the capture bundle posts its chunks and stays small.
 * One live session at a time (the recorder rolls over to a new id): its events so far and a cursor.
 */
let live: { sessionId: string; buf: ColumnBuffer; space: SizePx; cursor: SegmentCursor } | null = null;

function addChunk(c: EventChunk, space: SizePx): Promise<void> {
  if (live?.sessionId !== c.sessionId) live = { sessionId: c.sessionId, buf: new ColumnBuffer(), space, cursor: { nextEvent: 0, nextIndex: 0 } };
  for (let i = 0; i < c.length; i++) live.buf.push(c.tMs[i], c.kind[i], c.x[i], c.y[i], c.button[i], c.buttons[i], c.pointerKind[i], c.dx[i], c.dy[i]);
  return cutWindows(false);
}

/** Score the windows completed since last time; `final` closes the open one (stop, pause). */
async function cutWindows(final: boolean): Promise<void> {
  if (!live || !profile) return;
  const { sessionId, buf, space } = live;
  const res = windowsCompletedSince(buf.view(), sessionId, profile.windowSettings, space, live.cursor, final ? Number.POSITIVE_INFINITY : undefined);
  live.cursor = res.cursor;
  for (const w of res.windows) await scoreWindow({ type: 'window', sessionId, index: w.index, columns: { ...buf.copy(w.start, w.end), length: w.end - w.start }, space });
}

function handle(req: ScoreWorkerRequest): Promise<void> {
  if (req.type === 'load') return load(req.profileUrl);
  if (req.type === 'chunk') return addChunk(req.chunk, req.space);
  if (req.type === 'end') return live?.sessionId === req.sessionId ? cutWindows(true) : Promise.resolve();
  return scoreWindow(req);
}

// Windows are scored in arrival order: fusion is a running state.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (ev: MessageEvent<ScoreWorkerRequest>) => {
  const req = ev.data;
  queue = queue.then(() => handle(req)).catch((e: unknown) => {
    post({ type: 'error', code: e instanceof PointerprintError ? e.code : 'score/failed', message: describeError(e), ...(req.type === 'window' ? { index: req.index } : {}) });
  });
};
