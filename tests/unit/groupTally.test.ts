/**
 * Live scoring with a group model (core/groupTally): each window decided by the model's own rule
 * (argmax, or the people threshold), the session tallied by group. Hand-computed cases.
 */
import { describe, expect, it } from 'vitest';
import { addGroupWindow, CLOCK_WINDOWS_KEPT, decideGroupWindow, emptyGroupTally, groupRuleOf, groupTallyFields, type GroupRule, type GroupWindow } from '../../src/core/groupTally';

const plain: GroupRule = { classNames: ['new', 'regulars', 'staff'], people: null };
const people: GroupRule = { classNames: ['bots', 'humans'], people: { peopleClass: 1, threshold: 0.8, clock: null } };
const w = (proba: number[], notPeople: number | null = null): GroupWindow => ({ proba, notPeople });

describe('decideGroupWindow', () => {
  it.each([
    ['argmax without a people group', plain, w([0.2, 0.5, 0.3]), 1],
    ['argmax, first of a tie', plain, w([0.4, 0.4, 0.2]), 0],
    // With a people group the classifier's argmax does not decide: the "not people" score does.
    ['people: below the threshold is people, even when the classifier says bots', people, w([0.9, 0.1], 0.79), 1],
    ['people: at the threshold is still people (flagged only above it)', people, w([0.9, 0.1], 0.8), 1],
    ['people: above the threshold is the other group, even when the classifier says humans', people, w([0.1, 0.9], 0.81), 0],
  ])('%s', (_name, rule, window, want) => {
    expect(decideGroupWindow(rule, window)).toBe(want);
  });

  it('flagged with three groups: the most probable group that is not the people group', () => {
    const rule: GroupRule = { classNames: ['bots', 'humans', 'scripts'], people: { peopleClass: 1, threshold: 0.5, clock: null } };
    expect(decideGroupWindow(rule, w([0.1, 0.6, 0.3], 0.9))).toBe(2);
  });

  it('refuses a window that does not fit the model (wrong number of groups, no "not people" score)', () => {
    expect(() => decideGroupWindow(plain, w([0.5, 0.5]))).toThrow(/2 probabilities for 3 groups/);
    expect(() => decideGroupWindow(people, w([0.5, 0.5]))).toThrow(/not people/);
  });
});

describe('the session tally', () => {
  it('counts windows by decided group, names the leading group, and reports the last window', () => {
    let t = emptyGroupTally(people);
    const windows = [w([0.3, 0.7], 0.2), w([0.6, 0.4], 0.95), w([0.2, 0.8], 0.1)];
    for (const x of windows) t = addGroupWindow(t, people, x);
    expect(t).toEqual({ windowsSeen: 3, decided: [1, 2], clocks: [] });
    expect(groupTallyFields(t, people, windows[2])).toEqual({
      windowGroup: 'humans', windowProba: { bots: 0.2, humans: 0.8 }, notPeople: 0.1, notPeopleThreshold: 0.8,
      windowsSeen: 3, shares: { bots: 1 / 3, humans: 2 / 3 }, leadingGroup: 'humans', windowClockMs: null, clock: null,
    });
  });

  it('a tie has no leading group; no people group, no "not people" fields', () => {
    let t = emptyGroupTally(plain);
    t = addGroupWindow(t, plain, w([0.6, 0.3, 0.1]));
    t = addGroupWindow(t, plain, w([0.1, 0.3, 0.6]));
    const f = groupTallyFields(t, plain, w([0.1, 0.3, 0.6]));
    expect(f.leadingGroup).toBeNull();
    expect(f.shares).toEqual({ new: 0.5, regulars: 0, staff: 0.5 });
    expect(f.notPeople).toBeNull();
    expect(f.notPeopleThreshold).toBeNull();
  });

  it('does not change the tally it is given (a running state, replayable)', () => {
    const t0 = emptyGroupTally(plain);
    addGroupWindow(t0, plain, w([1, 0, 0]));
    expect(t0).toEqual({ windowsSeen: 0, decided: [0, 0, 0], clocks: [] });
  });
});

describe('the recording clock (a people reference that stores its people\'s clocks)', () => {
  // People recorded at 110–125 ms between timestamps (Balabit's coarse clock): comparable from 73.3 to 187.5 ms.
  const rule: GroupRule = { classNames: ['bots', 'humans'], people: { peopleClass: 1, threshold: 0.8, clock: { lowMs: 110, highMs: 125, windows: 100 } } };
  const cw = (notPeople: number, clockMs: number | null): GroupWindow => ({ proba: [0.5, 0.5], notPeople, clockMs });

  it('a session on another clock is decided window by window but led by no group, and says why', () => {
    let t = emptyGroupTally(rule);
    const windows = [cw(0.9, 20), cw(0.95, 20), cw(0.1, 20)];
    for (const x of windows) t = addGroupWindow(t, rule, x);
    expect(t).toEqual({ windowsSeen: 3, decided: [2, 1], clocks: [20, 20, 20] });
    const f = groupTallyFields(t, rule, windows[2]);
    expect(f.shares).toEqual({ bots: 2 / 3, humans: 1 / 3 });
    expect(f.leadingGroup).toBeNull();
    expect(f.windowClockMs).toBe(20);
    expect(f.clock).toEqual({ sessionMs: 20, referenceLowMs: 110, referenceHighMs: 125, comparable: false });
  });

  it('a session on the people\'s clock is led as before; windows without a clock do not count towards it', () => {
    let t = emptyGroupTally(rule);
    for (const x of [cw(0.9, 110), cw(0.95, null), cw(0.91, 124)]) t = addGroupWindow(t, rule, x);
    expect(t.clocks).toEqual([110, 124]);
    const f = groupTallyFields(t, rule, cw(0.91, 124));
    expect(f.leadingGroup).toBe('bots');
    expect(f.clock).toEqual({ sessionMs: 117, referenceLowMs: 110, referenceHighMs: 125, comparable: true });
  });

  it('the session\'s median clock decides, so a few odd windows do not set it aside', () => {
    let t = emptyGroupTally(rule);
    for (const c of [110, 110, 110, 20, 20]) t = addGroupWindow(t, rule, cw(0.1, c));
    expect(groupTallyFields(t, rule, cw(0.1, 20)).clock?.comparable).toBe(true);
    expect(groupTallyFields(t, rule, cw(0.1, 20)).leadingGroup).toBe('humans');
  });

  it('keeps the latest CLOCK_WINDOWS_KEPT clocks only: a long session on a new clock is judged by its new clock', () => {
    let t = emptyGroupTally(rule);
    for (let i = 0; i < CLOCK_WINDOWS_KEPT; i++) t = addGroupWindow(t, rule, cw(0.1, 20));
    expect(groupTallyFields(t, rule, cw(0.1, 20)).clock?.comparable).toBe(false);
    for (let i = 0; i < CLOCK_WINDOWS_KEPT / 2 + 1; i++) t = addGroupWindow(t, rule, cw(0.1, 110));
    expect(t.clocks).toHaveLength(CLOCK_WINDOWS_KEPT);
    expect(t.windowsSeen).toBe(CLOCK_WINDOWS_KEPT * 1.5 + 1);
    expect(groupTallyFields(t, rule, cw(0.1, 110)).clock).toMatchObject({ sessionMs: 110, comparable: true });
  });

  it('without a clock reference (a model fitted before it) no clock is kept or checked', () => {
    let t = emptyGroupTally(people);
    t = addGroupWindow(t, people, cw(0.9, 20));
    expect(t.clocks).toEqual([]);
    expect(groupTallyFields(t, people, cw(0.9, 20))).toMatchObject({ leadingGroup: 'bots', windowClockMs: null, clock: null });
  });
});

describe('groupRuleOf', () => {
  it('takes the people group and its threshold from the feature branch, when there is one', () => {
    expect(groupRuleOf(['bots', 'humans'], { people: { peopleClass: 1, threshold: 0.93 } })).toEqual({ classNames: ['bots', 'humans'], people: { peopleClass: 1, threshold: 0.93, clock: null } });
    const clock = { lowMs: 20, highMs: 30, windows: 9 };
    expect(groupRuleOf(['bots', 'humans'], { people: { peopleClass: 1, threshold: 0.93, clock } }).people?.clock).toEqual(clock);
    expect(groupRuleOf(['a', 'b'], {})).toEqual({ classNames: ['a', 'b'], people: null });
    expect(groupRuleOf(['a', 'b'], null)).toEqual({ classNames: ['a', 'b'], people: null });
  });
});
