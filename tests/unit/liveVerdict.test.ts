/**
 * The shared live verdict step (app live scorer and embed worker): window score → calibrated LLR →
 * sequential test → the verdict fields of a score event.
 */
import { describe, expect, it } from 'vitest';
import { addWindowScore, liveVerdictFields, readLiveVerdict } from '../../src/core/liveVerdict';
import { fitDecisionModel } from '../../src/core/enrolmentCheck';
import { windowLlr } from '../../src/core/calibration';
import { decideSequence, emptySequential } from '../../src/core/sequential';

const d = fitDecisionModel({ scores: [0.95, 0.9, 0.8, 0.6, 0.4, 0.3, 0.1, 0.05], positives: [true, true, true, false, true, false, false, false] });

function run(scores: number[]) {
  let s = emptySequential();
  return scores.map((w) => liveVerdictFields(readLiveVerdict((s = addWindowScore(s, d, w)), d), d));
}

describe('live verdict', () => {
  it('before any window: not yet, even odds', () => {
    const v = readLiveVerdict(emptySequential(), d);
    expect(v.verdict).toBe('not yet');
    expect(v.fusedScore).toBe(0.5);
    expect(v.windowsSeen).toBe(0);
  });

  it('decides as the classic SPRT over the calibrated window LLRs, at the same window', () => {
    for (const scores of [[0.9, 0.92, 0.88, 0.95, 0.9, 0.93, 0.9, 0.91], [0.1, 0.05, 0.2, 0.08, 0.1, 0.04, 0.1, 0.1]]) {
      const out = run(scores);
      const classic = decideSequence(scores.map((s) => windowLlr(d.calibration, s, d.maxWindowLlr)), d.sequential);
      expect(classic.verdict).not.toBe('not yet');
      const first = out.findIndex((f) => f.decision !== 'not_yet');
      expect(first + 1).toBe(classic.windowsUsed);
      expect(out[first].decision).toBe(classic.verdict);
      expect(out[first].confidence).toBe(1);
      expect(out[first].moreWindows).toBeNull();
    }
  });

  it('carries the profile operating point and error targets, and a token decision', () => {
    const [f] = run([0.6]);
    expect(f).toMatchObject({ decision: 'not_yet', windowsSeen: 1, threshold: d.operatingPoint.threshold, targetFar: d.sequential.alpha, targetFrr: d.sequential.beta });
    expect(f.confidence).toBeGreaterThanOrEqual(0);
    expect(f.confidence).toBeLessThan(1);
  });
});
