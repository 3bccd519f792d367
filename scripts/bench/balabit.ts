/**
 * `npm run bench -- --dataset <folder> [--profile quick|full] [--out file.json] [--seed N] [--seeds N]
 *   [--extra-bots DIR] [--control] [--backend wasm|cpu]
 *   [--only challenge,openSet,smallEnrolment,group,bot] [--small-enrolment-seconds S1,S2,...] [--open-set-known K1,K2,...] [--enrolment-known K1,K2,...] [--image-epochs N]
 *   [--bot-splits N] [--bot-clock coarsest]`
 *
 * The Balabit Mouse Dynamics Challenge protocol with this project's own pipeline (importer → windows →
 * encoder → CNN → fused session score), a group task, a human-vs-bot task, and per-stage speed.
 * Without --dataset it uses the shared archive, unpacked once into .cache/balabit.
 * Exit codes: 0 done, 2 bad arguments or data set folder, 1 anything else.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeError, PointerprintError } from '../../src/core/errors';
import { ensureBalabit } from '../lib/balabit-cache';
import { checkDatasetFolder } from './lib/data';
import { PROFILES } from './lib/profiles';
import { runBench } from './lib/run';

const USAGE = 'usage: npm run bench -- --dataset <folder> [--profile quick|full] [--out bench-results/balabit-<profile>.json] [--seed N] [--seeds N] [--extra-bots DIR] [--backend wasm|cpu] [--control] [--browser] [--browser-only] [--only TASK,...] [--small-enrolment-seconds S1,S2,...] [--open-set-known K1,K2,...] [--enrolment-known K1,K2,...] [--image-epochs N] [--bot-splits N] [--bot-clock coarsest]';

/** Tasks `--only` can keep (the rest of the profile's tasks are switched off; data loading is shared). */
const ONLY_TASKS = ['challenge', 'openSet', 'smallEnrolment', 'group', 'bot'] as const;

function parseArgs(argv: string[]) {
  const o: { dataset?: string; profile: string; out?: string; seed: number; seeds: number; extraBots?: string; backend: 'wasm' | 'cpu'; control: boolean; browserOnly: boolean; browser: boolean; only?: string[]; smallEnrolmentSeconds?: number[]; openSetKnown?: number[]; enrolmentKnown?: number[]; imageEpochs?: number; botSplits: number; botClock?: 'coarsest' } = { profile: 'quick', seed: 42, seeds: 1, backend: 'wasm', control: false, browserOnly: false, browser: false, botSplits: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new PointerprintError('bench/args', `${a} needs a value.\n${USAGE}`);
      return v;
    };
    if (a === '--dataset') o.dataset = val();
    else if (a === '--profile') o.profile = val();
    else if (a === '--out') o.out = val();
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--seeds') o.seeds = Number(val());
    else if (a === '--extra-bots') o.extraBots = resolve(val());
    else if (a === '--backend') o.backend = val() as 'wasm' | 'cpu';
    else if (a === '--control') o.control = true;
    else if (a === '--browser-only') o.browserOnly = true;
    else if (a === '--browser') o.browser = true;
    else if (a === '--only') o.only = val().split(',').map((t) => t.trim()).filter(Boolean);
    else if (a === '--small-enrolment-seconds') o.smallEnrolmentSeconds = val().split(',').map(Number);
    else if (a === '--open-set-known') o.openSetKnown = val().split(',').map(Number);
    else if (a === '--enrolment-known') o.enrolmentKnown = val().split(',').map(Number);
    else if (a === '--image-epochs') o.imageEpochs = Number(val());
    else if (a === '--bot-splits') o.botSplits = Number(val());
    else if (a === '--bot-clock') { const v = val(); if (v !== 'coarsest') throw new PointerprintError('bench/args', `--bot-clock: only 'coarsest' is known.`); o.botClock = v; }
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else throw new PointerprintError('bench/args', `Unknown option ${a}.\n${USAGE}`);
  }
  if (!(o.profile === 'quick' || o.profile === 'full')) throw new PointerprintError('bench/args', `Unknown profile '${o.profile}': choose quick or full.`);
  if (!Number.isInteger(o.seed)) throw new PointerprintError('bench/args', `--seed must be an integer.`);
  if (!Number.isInteger(o.seeds) || o.seeds < 1 || o.seeds > 20) throw new PointerprintError('bench/args', `--seeds must be an integer from 1 to 20.`);
  if (!Number.isInteger(o.botSplits) || o.botSplits < 1 || o.botSplits > 20) throw new PointerprintError('bench/args', `--bot-splits must be an integer from 1 to 20.`);
  if (o.extraBots !== undefined && !(existsSync(o.extraBots) && statSync(o.extraBots).isDirectory())) throw new PointerprintError('bench/args', `--extra-bots ${o.extraBots} is not a folder.`);
  const badTask = o.only?.find((t) => !(ONLY_TASKS as readonly string[]).includes(t));
  if (badTask !== undefined) throw new PointerprintError('bench/args', `--only: unknown task '${badTask}'; choose from ${ONLY_TASKS.join(', ')}.`);
  if (o.smallEnrolmentSeconds?.some((x) => !(x > 0 && x <= 36_000))) throw new PointerprintError('bench/args', `--small-enrolment-seconds: positive numbers of seconds, comma-separated (e.g. 60,180,600).`);
  if (o.openSetKnown?.some((k) => !(Number.isInteger(k) && k >= 2))) throw new PointerprintError('bench/args', `--open-set-known: whole numbers of known users per fold, each at least 2, comma-separated (e.g. 2,4,6,8).`);
  if (o.enrolmentKnown?.some((k) => !(Number.isInteger(k) && k >= 2))) throw new PointerprintError('bench/args', `--enrolment-known: whole numbers of other people per enrolment, each at least 2 (the Gaussian branch's population), comma-separated (e.g. 2,4,6).`);
  if (o.imageEpochs !== undefined && !(Number.isInteger(o.imageEpochs) && o.imageEpochs >= 1 && o.imageEpochs <= 500)) throw new PointerprintError('bench/args', `--image-epochs must be an integer from 1 to 500.`);
  if (o.backend !== 'wasm' && o.backend !== 'cpu') throw new PointerprintError('bench/args', `--backend must be wasm or cpu.`);
  return o;
}

async function main() {
  let args;
  let root = '';
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.browserOnly) {
      // No data needed.
    } else if (args.dataset) {
      root = resolve(args.dataset);
    } else {
      const r = ensureBalabit();
      if ('skipReason' in r) throw new PointerprintError('bench/no-dataset', `No --dataset given and ${r.skipReason}.\n${USAGE}`);
      root = r.root;
    }
    if (!args.browserOnly) checkDatasetFolder(root);
  } catch (e) {
    console.error(`bench: ${describeError(e)}`);
    process.exit(2);
  }
  const base = PROFILES[args.profile as 'quick' | 'full'];
  const only = args.only;
  // `--only`: run some tasks alone (e.g. while working on one); the report marks the others null.
  const tasks = only
    ? { ...base.tasks, challenge: only.includes('challenge'), sequential: base.tasks.sequential && only.includes('challenge'), openSet: only.includes('openSet'),
      smallEnrolment: only.includes('smallEnrolment'), group: only.includes('group'), groupDisjoint: base.tasks.groupDisjoint && only.includes('group'), bot: only.includes('bot') }
    : base.tasks;
  const profile = { ...base, tasks, shuffledLabelControl: args.control, browserProbe: base.browserProbe || args.browser, ...(args.smallEnrolmentSeconds ? { smallEnrolmentCurveSeconds: args.smallEnrolmentSeconds } : {}), ...(args.openSetKnown ? { openSetKnownCurve: args.openSetKnown } : {}),
    ...(args.enrolmentKnown ? { smallEnrolmentStrangersCurve: args.enrolmentKnown } : {}) };
  // `--image-epochs N`: what limits the image branch: its CNN gets up to N epochs (a minute each at most,
  // early stopping as usual) instead of the profile's wall-clock budget; the screen-fitted comparison is
  // skipped. Not the profile: the report says so (settings.profile) and gets its own name.
  if (args.imageEpochs !== undefined) {
    Object.assign(profile, { epochs: args.imageEpochs, trainBudgetS: { ...profile.trainBudgetS, challenge: 60 * args.imageEpochs }, tasks: { ...profile.tasks, imageScreenFramed: false } });
  }
  if (args.browserOnly) {
    // Only the in-browser training probe of the profile's challenge network (no data needed).
    const { browserTrainingProbe } = await import('./lib/browserProbe');
    const { buildModel, defaultSpec } = await import('../../src/ml/model');
    const { modelFlops } = await import('./lib/flops');
    await (await import('./lib/tfnode')).selectBackend('cpu');
    const spec = { ...defaultSpec('group', profile.sizePx, 10), ...profile.model, numClasses: 10 };
    const m = buildModel(spec, args.seed);
    const flops = modelFlops(m).trainPerImage;
    m.dispose();
    const r = await browserTrainingProbe(spec, flops, 2);
    const out = resolve(args.out ?? `bench-results/balabit-browser-probe-${profile.name}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ benchmark: 'balabit-browser-probe', profile: profile.name, date: new Date().toISOString(), spec, trainFlopsPerImage: flops, result: r }, null, 2));
    console.log(`[bench] browser probe written to ${out}`);
    return;
  }
  const out = resolve(args.out ?? `bench-results/balabit-${profile.name}${args.control ? '-control' : ''}${only ? `-only-${only.join('-')}` : ''}${args.imageEpochs !== undefined ? `-image-epochs-${args.imageEpochs}` : ''}${args.botSplits > 1 ? '-splits' : ''}${args.botClock ? `-bot-clock-${args.botClock}` : ''}.json`);
  const extraSeeds = Array.from({ length: args.seeds - 1 }, (_, i) => args.seed + i + 1);
  // `--bot-splits N`: the bot task again on N − 1 more user splits (seeds seed+1 …), summarised in bots.splits.
  const botSplitSeeds = Array.from({ length: args.botSplits - 1 }, (_, i) => args.seed + i + 1);
  const report = await runBench({ root, profile, seed: args.seed, extraSeeds, extraBotsDir: args.extraBots, backend: args.backend, botSplitSeeds, botClock: args.botClock });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(`[bench] report written to ${out}`);
  const c = report.challenge as { globalAuc: number; sessionEer: number; meanPerUserAuc: number; meanPerUserEer: number; windowAuc: number; variants: Record<string, { globalAuc: number }>; baselines: { screenOnly: { globalAuc: number } } } | null;
  if (c) {
    console.log(`[bench] SUMMARY challenge (default verifier): global AUC ${c.globalAuc}, session EER ${c.sessionEer}, mean per-user AUC ${c.meanPerUserAuc} / EER ${c.meanPerUserEer}, window AUC ${c.windowAuc}`);
    console.log(`[bench] SUMMARY variants: ${Object.entries(c.variants).map(([k, v]) => `${k} ${v.globalAuc}`).join(', ')}; screen only ${c.baselines.screenOnly.globalAuc}`);
  }
  if (report.openSet) console.log(`[bench] SUMMARY open set: global AUC ${report.openSet.globalAuc}`);
  if (report.smallEnrolment) console.log(`[bench] SUMMARY small enrolment: global AUC ${report.smallEnrolment.globalAuc}`);
  for (const [name, g] of Object.entries(report.groups as Record<string, { sessionAuc: number; sessionAccuracyAt05: number }>)) console.log(`[bench] SUMMARY ${name}: AUC ${g.sessionAuc}, accuracy ${g.sessionAccuracyAt05}`);
  const b = report.bots as { perKind: Record<string, { windowAuc: number; heldOut: boolean }> } | null;
  if (b) console.log(`[bench] SUMMARY bots: ${Object.entries(b.perKind).map(([k, v]) => `${k}${v.heldOut ? '*' : ''} ${v.windowAuc}`).join(', ')} (* held out)`);
  console.log(`[bench] SUMMARY wall ${report.wallSeconds} s, slowest stage ${(report.speed as { slowestStage: string }).slowestStage}`);
}

main().catch((e) => {
  console.error(`bench: ${describeError(e)}`);
  if (!(e instanceof PointerprintError) && e instanceof Error && e.stack) console.error(e.stack);
  process.exit(1);
});
