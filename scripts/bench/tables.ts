/**
 * `node --import tsx scripts/bench/tables.ts bench-results/balabit-quick.json`: the results tables of
 * docs/benchmark.md and the README, printed from a committed report, so every figure in them is copied
 * from the JSON rather than typed.
 */
import { readFileSync } from 'node:fs';
import { ENROLMENT_BAR } from '../../src/core/enrolmentCheck';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const r: Json = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const f = (x: unknown, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '—');
if (!r.challenge && r.bots?.splits) {
  // A bots-only report over user splits (`--only bot --bot-splits N`): one row per split.
  const sp = r.bots.splits, kinds = Object.keys(r.bots.perKind);
  const out = [`| seed | training users on the fine clock | default scorer (validation's choice) | ${kinds.map((k) => `${k}${r.bots.perKind[k].heldOut ? ' (held out)' : ''}`).join(' | ')} | jitter-overshoot, the app's combination | test humans' windows flagged (app's live rule) | test-human sessions led by bots | clock control, default (app's combination) |`,
    `|---|---|---|${kinds.map(() => '---').join('|')}|---|---|---|---|`];
  for (const x of sp.rows) out.push(`| ${x.seed} | ${x.fastClockTrainUsers} of ${x.humanTrainUsers.length} | ${x.chosen} | ${kinds.map((k) => f(x.windowAuc[k])).join(' | ')} | ${f(x.appRuleWindowAuc['jitter-overshoot'])} | ${f(x.testHumansFlagged)} | ${f(x.testHumanSessionsLedByBots)} | ${f(x.clockControl)} (${f(x.appRuleClockControl)}) |`);
  const ms = (s: Json) => `${f(s.mean)} ± ${f(s.sd)}`;
  out.push(`| mean ± sd | | | ${kinds.map((k) => ms(sp.windowAucOverSplits[k])).join(' | ')} | ${ms(sp.appRuleWindowAucOverSplits['jitter-overshoot'])} | ${ms(sp.testHumansFlaggedOverSplits)} | | |`);
  if (sp.rows[0].clockReference !== undefined) {
    // The app's clock check (core/recordingClock), per split: what it sets aside and the figures on what it compares.
    const j = 'jitter-overshoot';
    out.push('', `| seed | training people's clock (ms, 5th–95th pct.) | bot sessions on a finer clock | test-human sessions led by bots without the check (control) | test-human sessions not compared | test humans' windows flagged, compared sessions | ${j} sessions not compared | ${j} sessions led by bots | ${j} window AUC, compared sessions, default (app's combination) |`, '|---|---|---|---|---|---|---|---|---|');
    const ref = (c: Json) => (c ? `${f(c.lowMs, 0)}–${f(c.highMs, 0)}` : '—');
    for (const x of sp.rows) out.push(`| ${x.seed} | ${ref(x.clockReference)} | ${f(x.botSessionsOnFinerClock)} | ${f(x.testHumanSessionsLedByBotsWithoutClockCheck)} | ${f(x.testHumanSessionsNotCompared)} | ${f(x.comparedTestHumansFlagged)} | ${f(x.botSessionsNotCompared[j])} | ${f(x.botSessionsLedByBots[j])} | ${f(x.comparedWindowAuc[j])} (${f(x.appRuleComparedWindowAuc[j])}) |`);
    out.push(`| mean ± sd | | | | | ${ms(sp.comparedTestHumansFlaggedOverSplits)} | | | (${ms(sp.appRuleComparedWindowAucOverSplits[j])}) |`);
  }
  console.log(out.join('\n'));
  process.exit(0);
}
const c = r.challenge, v = c.variants;
const lines: string[] = [];
const seeds = r.seeds;
const pm = (s: Json | undefined) => (s && s.n > 1 ? ` (mean ${f(s.mean)} ± ${f(s.sd)} over ${s.n} seeds)` : '');
lines.push(`Report: \`${process.argv[2]}\` — profile ${r.profile}, seed ${r.seed}${seeds ? `, seeds ${seeds.seeds.join(', ')}` : ''}, ${r.date.slice(0, 10)}, wall ${Math.floor(r.wallSeconds / 60)} min ${Math.round(r.wallSeconds % 60)} s (the load it ran under is stated below the table).`, '');
lines.push('| figure (Balabit, 816 labelled test sessions unless said) | global AUC | EER | target |', '|---|---|---|---|');
const gatedDefault = !!v.fusedGated;
lines.push(`| **default verifier** (${gatedDefault ? 'fused, then gated by closeness to the account\'s own windows; ' : 'fused, '}feature weight ${c.fusion.featureWeight}, chosen on validation) | **${f(c.globalAuc)}**${pm(seeds?.challengeGlobalAuc)} | ${f(c.sessionEer)} | ≥ 0.96 |`);
lines.push(`| variant: features only (MLP on kinematic features) | ${f(v.features.globalAuc)}${pm(seeds?.featuresGlobalAuc)} | ${f(v.features.sessionEer)} | |`);
const tr = r.speed.training;
const ep = (name: string) => (tr[name] ? `; ${tr[name].epochs} epoch${tr[name].epochs === 1 ? '' : 's'}, stopped by ${tr[name].stoppedBy}` : '');
if (v.image) lines.push(`| variant: image only (CNN, screen-free images${ep('challenge-image')}) | ${f(v.image.globalAuc)} | ${f(v.image.sessionEer)} | ≥ 0.92 |`);
if (v.imageScreenFramed) lines.push(`| variant: image only, earlier screen-fitted drawing (comparison${ep('challenge-image-screen-framed')}) | ${f(v.imageScreenFramed.globalAuc)} | ${f(v.imageScreenFramed.sessionEer)} | |`);
lines.push(`| variant: fused${gatedDefault ? ', without the closeness gate' : ''} | ${f(v.fused.globalAuc)} | ${f(v.fused.sessionEer)} | |`);
lines.push(`| baseline: screen size alone (control) | ${f(c.baselines.screenOnly.globalAuc)} | | |`);
const ng = (x: Json | undefined) => (x?.withoutGate ? `; without the gate ${f(x.withoutGate.globalAuc)}` : '');
const gatedNote = (x: Json | undefined) => (x?.withoutGate ? ', gated' : '');
if (r.openSet) lines.push(`| open set: impostors no model saw (${r.openSet.folds} user folds, features${gatedNote(r.openSet)}) | ${f(r.openSet.globalAuc)}${pm(seeds?.openSetGlobalAuc)}${ng(r.openSet)} | ${f(r.openSet.eer)} | ≥ 0.95 |`);
const se = r.smallEnrolment;
// Since stop 12 the enrolment verifier adds the Gaussian branch; its parts alone are reported beside it.
const seParts = (x: Json) => (x.classifierOnly ? `; MLP alone ${f(x.classifierOnly.globalAuc)}, Gaussian alone ${f(x.gaussianOnly.globalAuc)}` : ng(x));
if (se) lines.push(`| small enrolment: ${se.secondsOfMovementPerAccount} s of movement per account (features${se.classifierOnly ? ': gated MLP + Gaussian branch' : gatedNote(se)}) | ${f(se.globalAuc)}${pm(seeds?.smallEnrolmentGlobalAuc)}${seParts(se)} | ${f(se.sessionEer)} | ≥ 0.93 |`);
lines.push(`| mean per-user AUC / EER (default verifier) | ${f(c.meanPerUserAuc)} | ${f(c.meanPerUserEer)} | |`);
lines.push(`| window-level AUC (default verifier); after 1 / 5 / 20 windows | ${f(c.windowAuc)}; ${f(c.afterWindows[1].auc)} / ${f(c.afterWindows[5].auc)} / ${f(c.afterWindows[20].auc)} | | |`);
lines.push('');
const users = Object.keys(c.perUser);
lines.push(`| user | ${users.map((u) => u.replace('user', '')).join(' | ')} |`, `|---|${users.map(() => '---').join('|')}|`);
lines.push(`| AUC | ${users.map((u) => f(c.perUser[u].auc)).join(' | ')} |`, `| EER | ${users.map((u) => f(c.perUser[u].eer)).join(' | ')} |`, '');
const s = c.sequential;
if (s) {
  lines.push('| sequential decision (issue #9), replayed on the labelled test sessions | value | target |', '|---|---|---|');
  const counts = (k: unknown, n: unknown) => (typeof k === 'number' && typeof n === 'number' ? ` (${k} of ${n})` : '');
  const ss = seeds?.liveVerdicts?.challenge;
  lines.push(`| false-accept rate (illegal sessions judged "match") | ${f(s.falseAcceptRate)}${counts(s.falseAccepts, s.impostorSessions)}${pm(ss?.falseAcceptRate)} | ≤ 0.05 |`);
  lines.push(`| false-reject rate (legal sessions judged "mismatch") | ${f(s.falseRejectRate)}${counts(s.falseRejects, s.genuineSessions)}${pm(ss?.falseRejectRate)} | ≤ 0.05 |`);
  lines.push(`| undecided after the scored windows | ${f(s.undecidedFraction)}${pm(ss?.undecidedFraction)} | |`);
  lines.push(`| median windows (seconds) to a decision | ${s.medianWindowsToDecision} (${s.medianSecondsToDecision} s) | ≤ 10 windows |`);
  lines.push(`| α / β, LLR weight (chosen on validation${s.weightRule ? ': 95 % upper bound of validation FAR ≤ α' : ''}) | ${s.alpha} / ${s.beta}, ${s.llrWeight} | |`);
  const o = s.pointEstimateRule;
  if (o) lines.push(`| *comparison: stop 8's rule (validation point estimates ≤ α, β): weight ${o.llrWeight}* | *FAR ${f(o.far)}, FRR ${f(o.frr)}, undecided ${f(o.undecided)}, median ${o.medianWindows} windows* | |`);
  lines.push('');
}
const ov = r.openSet?.liveVerdict;
if (ov) {
  // The live verdict against strangers: the open-set trials replayed through each fold's calibrated SPRT.
  lines.push(`| live verdict against strangers (open set: ${r.openSet.folds} user folds, each fold's verdict fitted on its known users' validation), replayed on the open-set trials | value | target |`, '|---|---|---|');
  const sv = seeds?.liveVerdicts?.openSet;
  lines.push(`| false-accept rate (held-out users claiming a known account, judged "match") | ${f(ov.falseAcceptRate)} (${ov.falseAccepts} of ${ov.impostorTrials})${pm(sv?.falseAcceptRate)} | ≤ 0.05 |`);
  lines.push(`| false-reject rate (known users' legal sessions judged "mismatch") | ${f(ov.falseRejectRate)} (${ov.falseRejects} of ${ov.genuineTrials})${pm(sv?.falseRejectRate)} | ≤ 0.05 |`);
  lines.push(`| undecided after the scored windows | ${f(ov.undecidedFraction)}${pm(sv?.undecidedFraction)} | |`);
  const sl = ov.calibratedOnStrangerLikeImpostors, slv = seeds?.liveVerdicts?.openSetStrangerLikeCalibration;
  if (sl) lines.push(`| *tried, not adopted: calibrated on stranger-like impostors (their own class out of the softmax)* | *FAR ${f(sl.falseAcceptRate)}${pm(slv?.falseAcceptRate)}, FRR ${f(sl.falseRejectRate)}, undecided ${f(sl.undecidedFraction)}* | |`);
  lines.push(`| LLR weight per fold (95 % upper bound of validation FAR ≤ α) | ${ov.llrWeights.join(', ')} | |`);
  lines.push('');
}
const lv = se?.liveVerdict;
if (lv) {
  // The live verdict a self-enrolled person gets: each account's decision model fitted as the app fits it.
  lines.push(`| live verdict after a ${se.secondsOfMovementPerAccount} s enrolment (the app's decision model per account), replayed on the labelled test sessions | value | target |`, '|---|---|---|');
  const lvs = seeds?.liveVerdicts?.smallEnrolment;
  lines.push(`| false-accept rate | ${f(lv.falseAcceptRate)} (${lv.falseAccepts} of ${lv.impostorSessions})${pm(lvs?.falseAcceptRate)} | ≤ 0.05 |`);
  lines.push(`| false-reject rate | ${f(lv.falseRejectRate)} (${lv.falseRejects} of ${lv.genuineSessions})${pm(lvs?.falseRejectRate)} | ≤ 0.05 |`);
  lines.push(`| undecided after the scored windows; median windows to a decision | ${f(lv.undecidedFraction)}; ${lv.medianWindowsToDecision} | |`);
  const weights = [...new Set<number>(lv.llrWeights)].sort((a, b) => b - a).join(', ');
  lines.push(`| LLR weight (validation: ${lv.validationSessionsPerAccount[0].impostor} impostor sessions per account, too few to bound FAR) | ${weights} | |`);
  const ec = lv.enrolmentCheck;
  if (ec) lines.push(`| the app's enrolment check on these sessions (AUC ≥ ${ENROLMENT_BAR.minAuc}, half total error at the threshold ≤ ${ENROLMENT_BAR.maxHalfTotalError}, wrong verdicts ≤ ${ENROLMENT_BAR.maxWrongVerdictFraction * 100} %): enrolments it accepts | ${ec.usable} of ${ec.accounts} (refused: ${ec.refusedFor.auc} for AUC, ${ec.refusedFor.errorAtThreshold} for error at the threshold, ${ec.refusedFor.wrongVerdicts} for wrong verdicts) | |`);
  const o = lv.pointEstimateRule;
  if (o) lines.push(`| *comparison: the rule until stop 15 (point estimates on those sessions): weights ${[...new Set<number>(o.llrWeights)].sort((a, b) => b - a).join(', ')}* | *FAR ${f(o.falseAcceptRate)}, FRR ${f(o.falseRejectRate)}, undecided ${f(o.undecidedFraction)}* | |`);
  const st = se.strangers;
  if (st) {
    // The same enrolment against people never among its negatives (the fraud case).
    lines.push(`| **against strangers** (other users held out of the negatives, ${st.groupsPerAccount} groups per account; ${st.impostorTrials} impostor / ${st.genuineTrials} genuine trials): session AUC | ${f(st.globalAuc)} | |`);
    const sts = seeds?.liveVerdicts?.smallEnrolmentStrangers;
    lines.push(`| against strangers: FAR; FRR; undecided; median windows | ${f(st.liveVerdict.falseAcceptRate)} (${st.liveVerdict.falseAccepts} of ${st.liveVerdict.impostorSessions})${pm(sts?.falseAcceptRate)}; ${f(st.liveVerdict.falseRejectRate)} (${st.liveVerdict.falseRejects} of ${st.liveVerdict.genuineSessions})${pm(sts?.falseRejectRate)}; ${f(st.liveVerdict.undecidedFraction)}; ${st.liveVerdict.medianWindowsToDecision} | ≤ 0.05; ≤ 0.05 |`);
    const so = st.liveVerdictPointEstimateRule;
    if (so) lines.push(`| *comparison, against strangers: the rule until stop 15* | *FAR ${f(so.falseAcceptRate)}, FRR ${f(so.falseRejectRate)}, undecided ${f(so.undecidedFraction)}* | |`);
  }
  lines.push('');
}
const b = r.bots;
if (b) {
  lines.push(`| bot kind | held out? | window AUC (default: ${b.verifier}) | rule flag rate | target |`, '|---|---|---|---|---|');
  for (const [k, x] of Object.entries<Json>(b.perKind)) lines.push(`| ${k} | ${x.heldOut ? 'yes' : 'no'} | ${f(x.windowAuc)} | ${f(x.rulesFlagRate, 2)} | ${k === 'replay' ? '(none)' : '≥ 0.97'} |`);
  lines.push(`| *human windows (rule false flags)* | | | *${f(b.humanRulesFalseFlagRate, 3)}* | |`);
  lines.push(`| *control: screen area alone, bots vs humans* | | ${f(b.baselines.screenAreaOnlyWindowAuc)} | | ≈ 0.5 |`);
  const clock = b.baselines.humansOnCoarsestClockWindowAuc;
  if (clock) lines.push(`| *control: fine-clock test humans floored to the coarsest clock (${f(b.baselines.coarsestClockMs, 1)} ms) vs as recorded (default scorer)* | | ${f(clock[b.verifier])} | | ≈ 0.5 |`);
  lines.push('');
  const live = b.appLiveRule;
  if (live) {
    // What the app's live view of a humans-vs-bots group model says of whole test sessions (core/groupTally).
    // Since stop 20 the rule sets aside sessions on a clock unlike the training people's (core/recordingClock).
    const clocked = live.clockReference !== undefined;
    const ref = live.clockReference ? `; training people's clock ${f(live.clockReference.lowMs, 0)}–${f(live.clockReference.highMs, 0)} ms` : '';
    lines.push(`| app's live rule, per test session (threshold flags ${f(live.validationFlagRate, 3)} of validation humans' windows${ref}) | windows flagged | sessions led by bots | led by humans | tied |${clocked ? ' not compared (clock) |' : ''} sessions (median windows) |`, `|---|---|---|---|---|${clocked ? '---|' : ''}---|`);
    const row = (name: string, t: Json) => lines.push(`| ${name} | ${f(t.windowFlagRate, 3)} | ${f(t.sessionsLedByBots, 3)} | ${f(t.sessionsLedByHumans, 3)} | ${f(t.sessionsTied, 3)} |${clocked ? ` ${f(t.sessionsNotCompared, 3)} |` : ''} ${t.sessions} (${t.medianWindowsPerSession}) |`);
    row('test humans', live.testHumans);
    for (const [k, x] of Object.entries<Json>(b.perKind)) if (x.appLiveRule) row(`${k}${x.heldOut ? ' (held out)' : ''}`, x.appLiveRule);
    lines.push('');
  }
  const sel = b.selection;
  if (sel) {
    // One row per human-vs-bot variant: its validation figure (what chose the default) and its test window AUC per kind.
    const kinds = Object.keys(b.perKind);
    lines.push(`| human-vs-bot variant | validation: worst AUC over left-out trained kinds | ${kinds.map((k) => `${k}${b.perKind[k].heldOut ? ' (held out)' : ''}`).join(' | ')} |`, `|---|---|${kinds.map(() => '---').join('|')}|`);
    for (const vn of sel.order as string[]) lines.push(`| ${vn === b.verifier ? `**${vn}** (default)` : vn} | ${f(sel.worstCaseAuc[vn])} | ${kinds.map((k) => f(b.perKind[k].variants?.[vn])).join(' | ')} |`);
    lines.push('');
  }
}
for (const [k, g] of Object.entries<Json>(r.groups ?? {})) lines.push(`- ${k}: session AUC ${f(g.sessionAuc)}, accuracy ${f(g.sessionAccuracyAt05)}, window AUC ${f(g.windowAuc)} (${g.testSessions} sessions)`);
lines.push('', '| work | method | metric on Balabit\'s labelled test sessions | theirs | ours (this report) |', '|---|---|---|---|---|');
lines.push(`| Antal & Egyed-Zsigmond, "Intrusion detection using mouse dynamics", *IET Biometrics* 2019 (arXiv 1810.04668) | mouse actions → hand-crafted features, per-user two-class classifiers, decisions over sets of actions | ROC AUC | **0.92** | **${f(c.globalAuc)}** (default verifier); ${f(v.features.globalAuc)} features only${v.image ? `; ${f(v.image.globalAuc)} image only` : ''} |`);
console.log(lines.join('\n'));
