/**
 * Live scoring with a group model (core/groupTally): each window decided by the model's own rule
 * (argmax, or the people threshold), the session tallied by group. Hand-computed cases.
 */
import { describe, expect, it } from 'vitest';
import { addGroupWindow, decideGroupWindow, emptyGroupTally, groupRuleOf, groupTallyFields, type GroupRule, type GroupWindow } from '../../src/core/groupTally';

const plain: GroupRule = { classNames: ['new', 'regulars', 'staff'], people: null };
const people: GroupRule = { classNames: ['bots', 'humans'], people: { peopleClass: 1, threshold: 0.8 } };
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
    const rule: GroupRule = { classNames: ['bots', 'humans', 'scripts'], people: { peopleClass: 1, threshold: 0.5 } };
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
    expect(t).toEqual({ windowsSeen: 3, decided: [1, 2] });
    expect(groupTallyFields(t, people, windows[2])).toEqual({
      windowGroup: 'humans', windowProba: { bots: 0.2, humans: 0.8 }, notPeople: 0.1, notPeopleThreshold: 0.8,
      windowsSeen: 3, shares: { bots: 1 / 3, humans: 2 / 3 }, leadingGroup: 'humans',
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
    expect(t0).toEqual({ windowsSeen: 0, decided: [0, 0, 0] });
  });
});

describe('groupRuleOf', () => {
  it('takes the people group and its threshold from the feature branch, when there is one', () => {
    expect(groupRuleOf(['bots', 'humans'], { people: { peopleClass: 1, threshold: 0.93 } })).toEqual({ classNames: ['bots', 'humans'], people: { peopleClass: 1, threshold: 0.93 } });
    expect(groupRuleOf(['a', 'b'], {})).toEqual({ classNames: ['a', 'b'], people: null });
    expect(groupRuleOf(['a', 'b'], null)).toEqual({ classNames: ['a', 'b'], people: null });
  });
});
