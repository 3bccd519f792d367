/**
 * The enrolment and group-training jobs, outside any component: training outlives the view that
 * started it (the user may switch tabs meanwhile), and the profile must still be saved when it ends.
 */
import { describeError } from '../../core/errors';
import type { EncodingSettings, WindowSettings } from '../../core/settings';
import type { SessionMeta } from '../../core/events';
import type { EnrolledProfile } from '../../store/profiles';
import type { TrainOptions } from '../../ml/train';
import type { ModelKind } from '../../ml/spec';
import type { CheckGroup } from '../../ml/pipeline';
import { trainClient } from '../../worker/trainClient.svelte';
import { loadLabelled } from './trainingData';
import { backgroundAsOthers, loadBackgroundSet } from './background';
import { enrolmentFailureText, newModelId, storeTrained } from './profileActions';
import type { EnrolmentCheck } from '../../core/enrolmentCheck';

export interface TrainRequestSpec {
  kind: ModelKind;
  profileId: string;
  name: string;
  classNames: string[];
  /** Sessions per class index. */
  items: { meta: SessionMeta; label: number }[];
  /** Verification: also train against the shipped background set of other people (label 0). */
  withBackground?: boolean;
  windowSettings: WindowSettings;
  encoding: EncodingSettings;
  options: Partial<TrainOptions>;
  maxWindowsPerSession: number;
  /** Group models of two groups: which one is people (see TrainJob.peopleClass). */
  peopleClass?: number;
  /** Group models: sessions of groups to check the model against, never trained on (TrainJob.checkGroups). */
  checkItems?: { meta: SessionMeta; group: string }[];
}

class TrainingJobs {
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  saved = $state<EnrolledProfile | null>(null);
  /** The latest enrolment was judged unusable on its test windows: why, and what to do. */
  failure = $state<EnrolmentCheck | null>(null);
  /** Bumped whenever a profile was saved (views re-list). */
  savedCount = $state(0);
  /** What the latest job was asked for: a view opened (again) during or after it starts from this. */
  last = $state<{ kind: ModelKind; name: string; epochs: number } | null>(null);

  async run(r: TrainRequestSpec): Promise<EnrolledProfile | null> {
    this.message = null;
    this.error = null;
    this.saved = null;
    this.failure = null;
    this.last = { kind: r.kind, name: r.name, epochs: r.options.epochs ?? 0 };
    const client = trainClient();
    try {
      const sessions = await loadLabelled(r.items);
      if (r.withBackground) sessions.push(...backgroundAsOthers(await loadBackgroundSet()));
      const checkGroups = await loadCheckGroups(r.checkItems ?? []);
      const modelId = newModelId();
      const summary = await client.train(
        {
          kind: r.kind, classNames: r.classNames, sessions, windowSettings: r.windowSettings, encoding: r.encoding,
          options: r.options, maxWindowsPerSession: r.maxWindowsPerSession, valFraction: 0.2, testFraction: 0.2,
          ...(r.peopleClass !== undefined ? { peopleClass: r.peopleClass } : {}),
          ...(checkGroups.length ? { checkGroups } : {}),
        },
        modelId,
      );
      if (!summary) return null;
      if (!summary.check.usable) {
        this.failure = summary.check;
        this.error = enrolmentFailureText(summary);
        return null;
      }
      const p = await storeTrained(r.profileId, r.name, modelId, summary, r.classNames, r.windowSettings, r.encoding);
      this.saved = p;
      this.savedCount++;
      this.message = r.kind === 'verification'
        ? `Profile “${r.name}” saved. Use it under Live score.`
        : `Group model “${r.name}” saved (${r.classNames.join(' vs ')}). Score live sessions with it under Live score.`;
      return p;
    } catch (e) {
      this.error = describeError(e);
      return null;
    }
  }
}

/** Check groups' sessions from the store, grouped by name in the order given. */
async function loadCheckGroups(items: readonly { meta: SessionMeta; group: string }[]): Promise<CheckGroup[]> {
  const names = [...new Set(items.map((x) => x.group))];
  return Promise.all(names.map(async (name) => ({ name, sessions: await loadLabelled(items.filter((x) => x.group === name).map((x) => ({ meta: x.meta, label: 0 }))) })));
}

export const trainingJobs = new TrainingJobs();
