import { describe, it, expect } from 'vitest';
import { isOthersCandidate, verifyProfileId } from '../../src/app/learn/trainingData';

describe('who counts as "other people" when enrolling', () => {
  it.each([
    { profileId: 'alice', who: 'alice', others: false }, // the person's own recordings
    { profileId: verifyProfileId('alice'), who: 'alice', others: false }, // live-score recordings of alice's profile
    { profileId: verifyProfileId('bob'), who: 'alice', others: false }, // any live-score recording: the mover is unknown
    { profileId: 'bob', who: 'alice', others: true },
    { profileId: 'balabit-7', who: 'alice', others: true },
  ])('$profileId when enrolling $who → $others', ({ profileId, who, others }) => {
    expect(isOthersCandidate({ profileId }, who)).toBe(others);
  });
});
