/**
 * `npm run bench -- enrol`: a fresh-install enrolment in headless Chromium (issue #9), through the
 * app's own modules: the backend the app chooses by measurement, the app's window and image settings,
 * the shipped background set as the only "others", the training options of the Enrol view.
 *
 * For each simulated persona (src/core/simulate): sessions of its movement adding up to about
 * `--own-seconds` (default 170 s, under the 3-minute target) enrol it; the wall time of the whole job
 * (render, CNN, feature MLP, evaluation) is the figure to hold against the ≤ 30 s target. Fresh
 * sessions of the same persona and of the other one are then scored window by window through the live
 * verdict. Writes bench-results/enrol-browser.json with the machine's load before and after.
 *
 *   npm run bench -- enrol [--own-seconds 170] [--epochs N (default: the Enrol view's)] [--out bench-results/enrol-browser.json]
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { evaluateSettled, withAppPage } from './lib/appPage';

const arg = (n: string, d: string) => { const i = process.argv.indexOf(`--${n}`); return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : d; };
const OWN_SECONDS = Number(arg('own-seconds', '170'));
/** 0 = the Enrol view's default (src/app/learn/enrolOptions.ts). */
const EPOCHS = Number(arg('epochs', '0'));
const OUT = resolve(arg('out', 'bench-results/enrol-browser.json'));

/** Runs in the page (plain JS: see evaluateSettled). */
const PAGE_CODE = `async ({ ownSeconds, epochs }) => {
  const be = await import('/src/ml/backends.ts');
  const pl = await import('/src/ml/pipeline.ts');
  const wsc = await import('/src/ml/windowScorer.ts');
  const fm = await import('/src/ml/featureModel.ts');
  const bgm = await import('/src/app/learn/background.ts');
  const sim = await import('/src/core/simulate/index.ts');
  const ev = await import('/src/core/events.ts');
  const st = await import('/src/core/settings.ts');
  const seg = await import('/src/core/segment.ts');
  const lv = await import('/src/core/liveVerdict.ts');
  const eo = await import('/src/app/learn/enrolOptions.ts');
  const sq = await import('/src/core/sequential.ts');
  const backend = await be.chooseBackend();
  const PAGE = { width: 1100, height: 420 };
  const ws = st.APP_WINDOW_SETTINGS, es = st.APP_ENCODING_SETTINGS;
  const tb = performance.now();
  const bg = await bgm.loadBackgroundSet();
  const backgroundLoadMs = performance.now() - tb;
  const rasterize = wsc.offscreenRasterizer();
  const session = (who, seed, reaches) => ev.columnsFromSamples(sim.simulateHuman(sim.PERSONAS[who], PAGE, { seed, reaches }));
  const enrolments = [];
  for (const [who, other] of [['alice', 'bob'], ['bob', 'alice']]) {
    const own = [];
    let ownMs = 0;
    for (let k = 0; ownMs < ownSeconds * 1000; k++) {
      const columns = session(who, 100 * k + 1, 10);
      if (ownMs + columns.tMs[columns.length - 1] > ownSeconds * 1000 && own.length >= 3) break;
      own.push({ sessionId: who + '-' + k, label: 1, space: PAGE, columns, startedAtEpochMs: 1000 * k });
      ownMs += columns.tMs[columns.length - 1];
    }
    const stages = {};
    let last = 'preparing', t = performance.now();
    const onStage = (s) => { const now = performance.now(); if (s !== last) { stages[last] = (stages[last] || 0) + now - t; t = now; last = s; } };
    const t0 = performance.now();
    const r = await pl.runTrainJob({
      kind: 'verification', classNames: ['others', who], sessions: [...own, ...bgm.backgroundAsOthers(bg)], windowSettings: ws, encoding: es,
      options: eo.enrolTrainOptions(es, epochs || eo.ENROL_MAX_EPOCHS),
      maxWindowsPerSession: 200, valFraction: 0.2, testFraction: 0.2,
    }, rasterize, { onStage });
    const trainingMs = performance.now() - t0;
    stages[last] = (stages[last] || 0) + performance.now() - t;
    const v = { image: r.model, features: r.featureModel ? fm.loadFeatureModel(r.featureModel) : null, fusionWeight: r.fusionWeight, encoding: es, cls: 1 };
    const live = [];
    if (r.decision) {
      for (const [person, seed] of [[who, 901], [who, 902], [who, 903], [other, 904], [other, 905], [other, 906]]) {
        // Long enough for 20 windows: a profile validated on few impostor sessions takes the cautious LLR weight (≥ 9 windows to a verdict).
        const cols = session(person, seed, 32);
        const wins = seg.segmentSession(cols, person, ws, PAGE).windows;
        const scores = await wsc.scoreWindows(v, wins.map((w) => ({ columns: { ...ev.sliceColumns(cols, w.start, w.end), length: w.end - w.start }, space: PAGE })), rasterize);
        let state = sq.emptySequential();
        let verdict = 'not yet', decidedAt = null;
        scores.forEach((s, i) => {
          state = lv.addWindowScore(state, r.decision, s);
          const now = lv.readLiveVerdict(state, r.decision);
          if (decidedAt === null && now.verdict !== 'not yet') { verdict = now.verdict; decidedAt = i + 1; }
        });
        live.push({ person, genuine: person === who, windows: scores.length, verdict, decidedAt });
      }
    }
    r.model.dispose();
    if (v.features) v.features.model.dispose();
    enrolments.push({
      person: who, ownSessions: own.length, ownSeconds: Math.round(ownMs / 100) / 10, split: r.trainedAgainst.split,
      classes: r.trainedAgainst.classes.map((c) => ({ name: c.name, sessions: c.sessions, windows: c.windows })),
      trainingSeconds: Math.round(trainingMs / 100) / 10, stagesSeconds: Object.fromEntries(Object.entries(stages).map(([k, ms]) => [k, Math.round(ms / 100) / 10])),
      epochsRun: r.history.length, bestEpoch: r.bestEpoch, fusionWeight: r.fusionWeight, llrWeight: r.decision?.sequential.llrWeight ?? null, usable: r.check.usable, reasons: r.check.reasons,
      // The Gaussian branch (core/gaussianVerifier): whether the profile has one, and what it learnt from.
      gaussianBranch: r.featureModel?.gaussian ? { people: r.featureModel.gaussian.population.people, othersWindows: r.featureModel.gaussian.population.windows, ownWindows: r.featureModel.gaussian.person.windows } : null,
      test: r.quality ? { auc: r.quality.auc, far: r.quality.far, frr: r.quality.frr, windows: r.quality.testWindows } : null, live,
    });
  }
  return { backend: { name: backend.name, reason: backend.reason, wasmThreads: backend.wasmThreads ?? null }, backgroundLoadMs, background: { people: bg.people, sessions: bg.sessions.length, events: bg.events }, enrolments };
}`;

async function main() {
  const loadBefore = loadavg()[0];
  const t0 = Date.now();
  const result = await withAppPage((page, chromium) => evaluateSettled<Record<string, unknown>>(page, PAGE_CODE, { ownSeconds: OWN_SECONDS, epochs: EPOCHS }).then((r) => ({ chromium, ...r })));
  const report = {
    benchmark: 'enrol-browser', date: new Date().toISOString(), command: `npm run bench -- enrol --own-seconds ${OWN_SECONDS}${EPOCHS ? ` --epochs ${EPOCHS}` : ''}`,
    machine: { cores: cpus().length, loadAverage1mBefore: loadBefore, loadAverage1mAfter: loadavg()[0] },
    targets: { ownSecondsAtMost: 180, trainingSecondsAtMost: 30, windowsToVerdictAtMost: 20 },
    wallSeconds: Math.round((Date.now() - t0) / 1000), result,
  };
  writeFileSync(OUT, JSON.stringify(report, null, 2) + '\n');
  const enrolments = (result as { enrolments?: { person: string; trainingSeconds: number; ownSeconds: number; usable: boolean; test: { auc: number } | null; live: { person: string; verdict: string; decidedAt: number | null }[] }[] }).enrolments ?? [];
  for (const e of enrolments) {
    console.log(`[enrol] ${e.person}: ${e.ownSeconds} s own movement, training ${e.trainingSeconds} s, usable ${e.usable}, test AUC ${e.test?.auc.toFixed(3)}; live: ${e.live.map((l) => `${l.person} ${l.verdict}@${l.decidedAt ?? '-'}`).join(', ')}`);
  }
  console.log(`[enrol] written to ${OUT} (load ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)})`);
}
void main();
