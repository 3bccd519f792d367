/**
 * Live scoring: while a recording runs, each completed window is copied, checked by the human-movement
 * rules, rendered and scored in the train worker, turned into a calibrated log-likelihood ratio with
 * the profile's decision model (core/calibration) and added to a sequential test (core/sequential):
 * "match" or "mismatch" as soon as the evidence suffices at the profile's error targets, "not yet"
 * (with how many more windows) before that. Every score becomes a `LiveScore`, kept in a history for
 * the gauge and sent to `forwardScore` (Splunk, when configured).
 *
 * A group model (regulars vs new visitors, humans vs bots) is scored too: each window is decided by
 * the model's own window rule and the session's windows are tallied by group (core/groupTally), kept
 * in `groupHistory` and sent to `forwardScore`. A group model has no sequential verdict.
 *
 * A singleton (like the capture controller) so scoring continues when the user switches tabs.
 */
import type { GroupLiveScore, LiveScore } from '../../core/score';
import { addGroupWindow, emptyGroupTally, groupRuleOf, groupTallyFields, type GroupRule, type GroupTally } from '../../core/groupTally';
import { emptySequential, type SequentialState } from '../../core/sequential';
import { addWindowScore, liveVerdictFields, readLiveVerdict, type LiveVerdict } from '../../core/liveVerdict';
import type { DecisionModel } from '../../core/enrolmentCheck';
import { checkHumanRules, type HumanFlag } from '../../core/humanRules';
import { windowsCompletedSince, type SegmentCursor } from '../../core/segment';
import { describeError, PointerprintError } from '../../core/errors';
import { forwardScore } from '../../splunk/forwarder';
import { assertCompatible, getModelRecord, getProfile, type EnrolledProfile, type ModelRecord } from '../../store/profiles';
import { trainClient } from '../../worker/trainClient.svelte';
import { capture } from '../capture/captureController.svelte';

const MAX_HISTORY = 200;

type WindowColumns = ReturnType<NonNullable<typeof capture.recorder>['liveCopy']>;

/** The model's feature branch as plain data for the worker (null: image only). */
const featureBranch = (model: ModelRecord) => (model.featureModel ? ($state.snapshot(model.featureModel) as NonNullable<ModelRecord['featureModel']>) : null);

export type { LiveVerdict };

class LiveScorer {
  profile = $state<EnrolledProfile | null>(null);
  model = $state<ModelRecord | null>(null);
  running = $state(false);
  error = $state<string | null>(null);
  history = $state<LiveScore[]>([]);
  fused = $state<LiveVerdict>(readLiveVerdict());
  /** Flags seen in this session so far, with counts. */
  flags = $state<Partial<Record<HumanFlag, number>>>({});
  /** Last scoring latency (render + inference in the worker), ms. */
  lastMs = $state(0);
  /** A group model's latest score (its tally so far); null for a verification profile. */
  group = $state<GroupLiveScore | null>(null);
  groupHistory = $state<GroupLiveScore[]>([]);

  #sequential: SequentialState = emptySequential();
  #decision: DecisionModel | null = null;
  #groupRule: GroupRule | null = null;
  #tally: GroupTally | null = null;
  #cursor: SegmentCursor = { nextEvent: 0, nextIndex: 0 };
  #sessionId: string | null = null;
  #queue: Promise<void> = Promise.resolve();
  #stopWatch: (() => void) | null = null;

  /** Load a profile's model and start scoring windows of the live recording. */
  async start(profileId: string): Promise<boolean> {
    this.error = null;
    try {
      const p = await getProfile(profileId);
      if (!p?.modelId) throw new PointerprintError('score/no-model', `Profile “${profileId}” has no trained model.`);
      if (p.kind === 'verification' && !p.decision) throw new PointerprintError('score/no-decision', `Profile “${profileId}” has no validated operating point (made by an older version). Please enrol again.`);
      const m = await getModelRecord(p.modelId);
      if (!m) throw new PointerprintError('score/model-missing', `The model of “${profileId}” is missing; enrol again.`);
      // Refuse a model trained under other settings, with a clear message.
      assertCompatible(m, capture.windowSettings, capture.encoding);
      this.profile = p;
      this.model = m;
      this.#decision = p.decision ? ($state.snapshot(p.decision) as DecisionModel) : null;
      this.#groupRule = p.kind === 'group' ? groupRuleOf(m.classNames, $state.snapshot(m.featureModel)) : null;
    } catch (e) {
      this.error = describeError(e);
      return false;
    }
    this.#reset(capture.meta?.id ?? null);
    this.running = true;
    this.#stopWatch ??= $effect.root(() => {
      $effect(() => {
        void capture.length;
        void capture.state;
        if (this.running) this.#tick();
      });
    });
    return true;
  }

  stop(): void {
    this.running = false;
    this.#stopWatch?.();
    this.#stopWatch = null;
  }

  #read(): LiveVerdict {
    return readLiveVerdict(this.#sequential, this.#decision);
  }

  #reset(sessionId: string | null): void {
    this.#sessionId = sessionId;
    this.#sequential = emptySequential();
    this.#cursor = { nextEvent: 0, nextIndex: 0 };
    this.fused = this.#read();
    this.history = [];
    this.flags = {};
    this.#tally = this.#groupRule ? emptyGroupTally(this.#groupRule) : null;
    this.group = null;
    this.groupHistory = [];
  }

  #tick(): void {
    const rec = capture.recorder;
    const meta = rec?.meta;
    const model = this.model;
    const profile = this.profile;
    if (!rec || !meta || !model || !profile) return;
    if (meta.id !== this.#sessionId) this.#reset(meta.id);
    const final = rec.state === 'stopped';
    const res = windowsCompletedSince(rec.liveColumns(), meta.id, model.windowSettings, meta.space, this.#cursor, final ? Number.POSITIVE_INFINITY : rec.now());
    this.#cursor = res.cursor;
    for (const w of res.windows) {
      const cols = rec.liveCopy(w.start, w.end);
      // Rules read the columns before they are transferred to the worker.
      const rules = checkHumanRules(cols, 0, cols.length);
      const space = { ...meta.space };
      // Score in order: the sequential test is a running state.
      this.#queue = this.#queue.then(() =>
        this.#groupRule ? this.#scoreGroupOne(w.index, cols, space, rules.flags, profile, model, meta.id) : this.#scoreOne(w.index, cols, space, rules.flags, profile, model, meta.id));
    }
  }

  #countFlags(flags: readonly HumanFlag[]): void {
    const next = { ...this.flags };
    for (const f of flags) next[f] = (next[f] ?? 0) + 1;
    this.flags = next;
  }

  async #scoreGroupOne(
    index: number, columns: WindowColumns, space: { width: number; height: number },
    flags: HumanFlag[], profile: EnrolledProfile, model: ModelRecord, sessionId: string,
  ): Promise<void> {
    try {
      const { windows, ms } = await trainClient().scoreGroups(model.url, [{ index, columns, space }], $state.snapshot(model.encoding), featureBranch(model), model.fusionWeight);
      const rule = this.#groupRule;
      if (!this.running || sessionId !== this.#sessionId || !rule || !this.#tally) return;
      this.lastMs = ms;
      this.#tally = addGroupWindow(this.#tally, rule, windows[0]);
      this.#countFlags(flags);
      const score: GroupLiveScore = {
        id: `${sessionId}:${index}`, sessionId, profileId: profile.id, modelId: model.id, windowIndex: index,
        ...groupTallyFields(this.#tally, rule, windows[0]), flags: [...flags], atEpochMs: Date.now(),
      };
      this.group = score;
      this.groupHistory = [...this.groupHistory, score].slice(-MAX_HISTORY);
      forwardScore(score);
    } catch (e) {
      this.error = describeError(e);
    }
  }

  async #scoreOne(
    index: number, columns: WindowColumns, space: { width: number; height: number },
    flags: HumanFlag[], profile: EnrolledProfile, model: ModelRecord, sessionId: string,
  ): Promise<void> {
    try {
      const { scores, ms } = await trainClient().score(model.url, [{ index, columns, space }], $state.snapshot(model.encoding), 1, featureBranch(model), model.fusionWeight);
      const d = this.#decision;
      if (!this.running || sessionId !== this.#sessionId || !d) return;
      this.lastMs = ms;
      const windowScore = scores[0];
      this.#sequential = addWindowScore(this.#sequential, d, windowScore);
      this.fused = this.#read();
      this.#countFlags(flags);
      const v = this.fused;
      const score: LiveScore = {
        id: `${sessionId}:${index}`, sessionId, profileId: profile.id, modelId: model.id, windowIndex: index,
        windowScore, ...liveVerdictFields(v, d), flags: [...flags], atEpochMs: Date.now(),
      };
      this.history = [...this.history, score].slice(-MAX_HISTORY);
      forwardScore(score);
    } catch (e) {
      this.error = describeError(e);
    }
  }
}

export const liveScorer = new LiveScorer();
