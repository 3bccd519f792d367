/// <reference lib="webworker" />
/**
 * The embed's scoring worker (its own file, built apart from the capture bundle; it carries
 * TensorFlow.js). It fetches the exported profile, loads its verifier from memory, and scores each
 * window the page sends exactly as the app's live scorer does, with the same functions: human-movement
 * rules, window → fused image/feature probability (ml/windowScorer), calibrated LLR → sequential
 * verdict (core/liveVerdict); with a group model, every group's probability and the tally of window
 * decisions (ml/windowScorer `scoreGroupWindows`, core/groupTally). It replies with scores and
 * decisions only, each with its HEC envelope (core/splunk/hec `scoreEnvelope`) for the page to queue.
 */
import * as tf from '@tensorflow/tfjs';
import { describeError, PointerprintError } from '../core/errors';
import { checkHumanRules } from '../core/humanRules';
import { addWindowScore, liveVerdictFields, readLiveVerdict } from '../core/liveVerdict';
import { emptySequential, type SequentialState } from '../core/sequential';
import { loadFeatureModel } from '../ml/featureModel';
import { loadProfileNetwork } from '../ml/model';
import { offscreenRasterizer, scoreGroupWindows, scoreWindows, type LoadedVerifier } from '../ml/windowScorer';
import { addGroupWindow, emptyGroupTally, groupTallyFields, type GroupTally } from '../core/groupTally';
import { scoringProfileFromExport, type ScoringProfile } from './profileAdapter';
import { scoreEnvelope, type HecRouting } from '../core/splunk/hec';
import type { GroupLiveScore, LiveScore } from '../core/score';
import type { ScoreWorkerReply, ScoreWorkerRequest } from './scoreProtocol';
import { ColumnBuffer } from '../capture/buffer';
import type { EventChunk, SizePx } from '../core/events';
import { windowsCompletedSince, type SegmentCursor } from '../core/segment';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: ScoreWorkerReply) => scope.postMessage(m);

let verifier: LoadedVerifier | null = null;
/** The visitor's id and the score events' routing, from the page. */
let page: { profileId: string; routing: HecRouting } = { profileId: 'anonymous', routing: {} };
let profile: ScoringProfile | null = null;
const rasterize = offscreenRasterizer();
/** Running sequential test (verification) or tally (group model) per capture session. */
const sequential = new Map<string, SequentialState>();
const tallies = new Map<string, GroupTally>();

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
  const image = await loadProfileNetwork(
    { modelTopology: p.modelTopology, weightSpecs: p.weightSpecs as tf.io.WeightsManifestEntry[], weightData: p.weightData }, p.encoding.sizePx, p.numClasses,
    (why) => new PointerprintError('profile/bad-file', `The profile file cannot be used for scoring: ${why}.`),
  );
  const features = p.featureModel ? loadFeatureModel(p.featureModel) : null;
  verifier = { image, features, fusionWeight: p.fusionWeight, encoding: p.encoding, cls: p.cls };
  profile = p;
  post({ type: 'loaded', info: { profileName: p.name, modelId: p.modelId, windowSettings: p.windowSettings, encoding: p.encoding, backend: tf.getBackend() } });
}

async function scoreWindow(req: Extract<ScoreWorkerRequest, { type: 'window' }>): Promise<void> {
  if (!verifier || !profile) throw new PointerprintError('profile/not-loaded', 'The profile is not loaded yet.');
  const cols = req.columns;
  const rules = checkHumanRules(cols, 0, cols.length);
  const sid = req.sessionId;
  const base = { id: `${sid}:${req.index}`, sessionId: sid, profileId: page.profileId, modelId: profile.modelId, windowIndex: req.index, flags: rules.flags, atEpochMs: Date.now() };
  let score: LiveScore | GroupLiveScore;
  if (profile.group) {
    const rule = profile.group;
    const [w] = await scoreGroupWindows(verifier, [{ columns: cols, space: req.space }], rasterize);
    const tally = addGroupWindow(tallies.get(sid) ?? emptyGroupTally(rule), rule, w);
    tallies.set(sid, tally);
    score = { ...base, ...groupTallyFields(tally, rule, w) };
  } else {
    const d = profile.decision;
    if (!d) throw new PointerprintError('profile/bad-file', 'The profile has no decision model.');
    const [windowScore] = await scoreWindows(verifier, [{ columns: cols, space: req.space }], rasterize);
    const state = addWindowScore(sequential.get(sid) ?? emptySequential(), d, windowScore);
    sequential.set(sid, state);
    score = { ...base, windowScore, ...liveVerdictFields(readLiveVerdict(state, d), d) };
  }
  post({ type: 'score', score, envelope: scoreEnvelope(score, page.routing) });
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
  if (req.type === 'load') { page = { profileId: req.profileId, routing: req.routing }; return load(req.profileUrl); }
  if (req.type === 'chunk') return addChunk(req.chunk, req.space);
  if (req.type === 'end') return live?.sessionId === req.sessionId ? cutWindows(true) : Promise.resolve();
  return scoreWindow(req);
}

// Windows are scored in arrival order: the sequential test is a running state.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (ev: MessageEvent<ScoreWorkerRequest>) => {
  const req = ev.data;
  queue = queue.then(() => handle(req)).catch((e: unknown) => {
    post({ type: 'error', code: e instanceof PointerprintError ? e.code : 'score/failed', message: describeError(e), ...(req.type === 'window' ? { index: req.index } : {}) });
  });
};
