/**
 * Live scoring with a group model (regulars vs new visitors, humans vs bots): each window is decided
 * by the model's own window rule, and a session is described by the share of its windows decided as
 * each group.
 *
 * The window rule is the one the model's quality report measured on held-out sessions
 * (ml/pipeline): with a people group, a window is "not people" when its combined score exceeds the
 * threshold set on validation people (core/peopleReference); otherwise it goes to the most probable
 * group. No session-level operating point was validated for group models, so the running result is a
 * tally of window decisions (with the group most windows went to), not a verdict with error targets
 * like a verification profile's (core/liveVerdict).
 *
 * The recording clock: with a people group whose reference stores its people's clocks, each window's
 * effective clock is tallied too, and a session whose median clock lies outside that range is not
 * comparable (core/recordingClock): its windows are still decided and counted, but no group leads it,
 * because on Balabit a model flagged most windows of people recorded on another clock as not people.
 *
 * Pure: no DOM, no worker, no network. Shared by the app's live scorer and the embed's scoring worker.
 */

import type { PeopleReference } from './peopleReference';
import { checkClock, type ClockCheck, type ClockReference } from './recordingClock';

/** How a group model decides one window. */
export interface GroupRule {
  /** Group names by output index (the model record's `classNames`). */
  classNames: readonly string[];
  /** With a people group: its index, the stored threshold on the "not people" score, and its people's clocks (null in references fitted before them). */
  people: { peopleClass: number; threshold: number; clock: ClockReference | null } | null;
}

/** One scored window: the fused probability of each group and, with a people group, its "not people" score (0..1). */
export interface GroupWindow {
  proba: readonly number[];
  notPeople: number | null;
  /** The window's effective recording clock (ms; core/recordingClock), null or absent if unknown. */
  clockMs?: number | null;
}

export interface GroupTally {
  windowsSeen: number;
  /** Windows decided as each group, by output index. */
  decided: number[];
  /** The last `CLOCK_WINDOWS_KEPT` windows' effective clocks (ms), with a people group that has a clock reference; else empty. */
  clocks: number[];
}

/** A session's clock is the median of at most this many of its latest windows: bounded state for an all-day page. */
export const CLOCK_WINDOWS_KEPT = 1000;

/** The running tally as it travels in score events and shows in the views (names, not indices). */
export interface GroupTallyFields {
  /** The group this window was decided as. */
  windowGroup: string;
  /** This window's fused probability of each group. */
  windowProba: Record<string, number>;
  /** With a people group: this window's "not people" score, 0..1 (flagged above `notPeopleThreshold`). */
  notPeople: number | null;
  notPeopleThreshold: number | null;
  windowsSeen: number;
  /** Share of the session's windows decided as each group so far. */
  shares: Record<string, number>;
  /** The group most windows were decided as (null on a tie, or when the session's clock is not comparable). */
  leadingGroup: string | null;
  /** With a people group that stores its people's clocks: this window's effective clock (ms; null if it has none) and how the session's clock compares (null before any window has one). Both null without such a reference. */
  windowClockMs: number | null;
  clock: ClockCheck | null;
}

export function emptyGroupTally(rule: GroupRule): GroupTally {
  return { windowsSeen: 0, decided: rule.classNames.map(() => 0), clocks: [] };
}

function argmax(v: readonly number[], skip = -1): number {
  let best = -1;
  for (let i = 0; i < v.length; i++) if (i !== skip && (best < 0 || v[i] > v[best])) best = i;
  return best;
}

/** The group a window is decided as: flagged "not people" → the most probable other group; else argmax. */
export function decideGroupWindow(rule: GroupRule, w: GroupWindow): number {
  if (w.proba.length !== rule.classNames.length) throw new RangeError(`a window has ${w.proba.length} probabilities for ${rule.classNames.length} groups`);
  if (!rule.people) return argmax(w.proba);
  if (w.notPeople === null) throw new RangeError('a group model with a people group needs each window\'s "not people" score');
  return w.notPeople > rule.people.threshold ? argmax(w.proba, rule.people.peopleClass) : rule.people.peopleClass;
}

export function addGroupWindow(t: GroupTally, rule: GroupRule, w: GroupWindow): GroupTally {
  const decided = [...t.decided];
  decided[decideGroupWindow(rule, w)]++;
  const clocked = rule.people?.clock && Number.isFinite(w.clockMs);
  return { windowsSeen: t.windowsSeen + 1, decided, clocks: clocked ? [...t.clocks, w.clockMs as number].slice(-CLOCK_WINDOWS_KEPT) : t.clocks };
}

export function groupTallyFields(t: GroupTally, rule: GroupRule, last: GroupWindow): GroupTallyFields {
  const names = rule.classNames;
  return {
    windowGroup: names[decideGroupWindow(rule, last)],
    windowProba: Object.fromEntries(names.map((n, i) => [n, last.proba[i]])),
    notPeople: rule.people ? last.notPeople : null,
    notPeopleThreshold: rule.people?.threshold ?? null,
    windowsSeen: t.windowsSeen,
    shares: Object.fromEntries(names.map((n, i) => [n, t.windowsSeen ? t.decided[i] / t.windowsSeen : 0])),
    leadingGroup: leadingGroupOf(t, rule),
    windowClockMs: rule.people?.clock ? last.clockMs ?? null : null,
    clock: clockCheckOf(t, rule),
  };
}

/** How the session's clock compares with the people's; null without a clock reference or before any clocked window. */
export function clockCheckOf(t: GroupTally, rule: GroupRule): ClockCheck | null {
  const ref = rule.people?.clock;
  return ref ? checkClock(ref, t.clocks) : null;
}

/** The group most of the tally's windows were decided as; null before any window, on a tie, and on a clock unlike the people's. */
export function leadingGroupOf(t: GroupTally, rule: GroupRule): string | null {
  if (clockCheckOf(t, rule)?.comparable === false) return null;
  const top = Math.max(...t.decided);
  return t.windowsSeen > 0 && t.decided.filter((n) => n === top).length === 1 ? rule.classNames[t.decided.indexOf(top)] : null;
}

/** A group model's window rule from its class names and feature branch (with a people reference, if any). */
export function groupRuleOf(classNames: readonly string[], featureModel: { people?: Pick<PeopleReference, 'peopleClass' | 'threshold' | 'clock'> } | null): GroupRule {
  const people = featureModel?.people;
  return { classNames: [...classNames], people: people ? { peopleClass: people.peopleClass, threshold: people.threshold, clock: people.clock ?? null } : null };
}
