/**
 * Exploration (not the benchmark): a fresh-install enrolment in Node. A simulated person enrols against
 * the shipped background set only (public/background/others-v1.json); fresh sessions of that person and
 * of a different simulated person are then scored window by window through the live verdict.
 *
 *   node --import tsx scripts/bench/explore-background.ts [--reaches 10] [--sessions 5] [--epochs 20] [--size 32]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend, tf } from './lib/tfnode';
import { REPO_ROOT } from '../lib/balabit-cache';
import { parseBackgroundSet } from '../../src/core/background';
import { columnsFromSamples, sliceColumns } from '../../src/core/events';
import { simulateHuman, PERSONAS } from '../../src/core/simulate';
import { DEFAULT_WINDOW_SETTINGS, SCREEN_FREE_ENCODING_SETTINGS } from '../../src/core/settings';
import { segmentSession } from '../../src/core/segment';
import { runTrainJob, type LabelledSession } from '../../src/ml/pipeline';
import { loadFeatureModel } from '../../src/ml/featureModel';
import { scoreWindows } from '../../src/ml/windowScorer';
import { renderToRgba } from '../../src/node/render';
import { addWindowScore, readLiveVerdict } from '../../src/core/liveVerdict';
import { emptySequential } from '../../src/core/sequential';

const arg = (n: string, d: number) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const REACHES = arg('reaches', 10), SESSIONS = arg('sessions', 5), EPOCHS = arg('epochs', 20), SIZE = arg('size', 32), EVENTS = arg('events', 100);
const PAGE = { width: 1200, height: 560 };

async function main() {
  await selectBackend('wasm');
  const bg = parseBackgroundSet(JSON.parse(readFileSync(join(REPO_ROOT, 'public/background/others-v1.json'), 'utf8')));
  const ws = { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: EVENTS };
  const es = { ...SCREEN_FREE_ENCODING_SETTINGS, sizePx: SIZE };
  const sim = (who: 'alice' | 'bob', seed: number, space = PAGE) => columnsFromSamples(simulateHuman(PERSONAS[who], space, { seed, reaches: REACHES }));
  const sessions: LabelledSession[] = [
    ...Array.from({ length: SESSIONS }, (_, k) => ({ sessionId: `alice-${k}`, label: 1, space: PAGE, columns: sim('alice', 100 * k + 1), startedAtEpochMs: 1000 * k })),
    ...bg.sessions.map((s, k) => ({ sessionId: s.id, label: 0, space: s.space, columns: s.columns, startedAtEpochMs: k })),
  ];
  const own = sessions.filter((s) => s.label === 1);
  const ownMs = own.reduce((a, s) => a + s.columns.tMs[s.columns.length - 1], 0);
  console.log(`own: ${own.length} sessions, ${own.reduce((a, s) => a + s.columns.length, 0)} events, ${(ownMs / 1000).toFixed(0)} s of movement; background ${bg.sessions.length} sessions of ${bg.people} people`);
  const t0 = Date.now();
  const out = await runTrainJob({
    kind: 'verification', classNames: ['others', 'alice'], sessions, windowSettings: ws, encoding: es,
    options: { epochs: EPOCHS, batchSize: 32, learningRate: 1e-3, seed: 1, patience: 6, maxShiftPx: 1 }, maxWindowsPerSession: 200, valFraction: 0.2, testFraction: 0.2,
  }, renderToRgba);
  console.log(`trained in ${((Date.now() - t0) / 1000).toFixed(1)} s; split ${JSON.stringify(out.trainedAgainst.split)} by ${out.trainedAgainst.heldOutBy}; test AUC ${out.quality?.auc?.toFixed(3)}, FAR ${out.quality?.far?.toFixed(3)} FRR ${out.quality?.frr?.toFixed(3)}; fusion weight ${out.fusionWeight}; usable ${out.check.usable} ${out.check.reasons.join('; ')}`);
  const v = { image: out.model, features: loadFeatureModel(out.featureModel!), fusionWeight: out.fusionWeight, encoding: es, cls: 1 };
  for (const [who, seed] of [['alice', 901], ['alice', 902], ['bob', 903], ['bob', 904]] as const) {
    const cols = sim(who, seed);
    const wins = segmentSession(cols, who, ws, PAGE).windows;
    const scores = await scoreWindows(v, wins.map((w) => ({ columns: { ...sliceColumns(cols, w.start, w.end), length: w.end - w.start }, space: PAGE })), renderToRgba);
    let st = emptySequential();
    let decided = '';
    scores.forEach((s, i) => { st = addWindowScore(st, out.decision!, s); const r = readLiveVerdict(st, out.decision!); if (!decided && r.verdict !== 'not yet') decided = `${r.verdict} after ${i + 1}`; });
    console.log(`${who} seed ${seed}: ${wins.length} windows → ${decided || 'not yet'}; scores ${scores.map((s) => s.toFixed(2)).join(' ')}`);
  }
  out.model.dispose();
  void tf;
}
void main();
