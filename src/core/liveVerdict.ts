/**
 * One live verdict step, shared by every scorer (the app's live scorer and the embed's scoring worker):
 * a window's score → calibrated log-likelihood ratio (core/calibration) → sequential test
 * (core/sequential) → the verdict fields of a `LiveScore`. Pure: no DOM, no tfjs.
 */
import { windowLlr } from './calibration';
import type { DecisionModel } from './enrolmentCheck';
import { decisionToken, type LiveScore } from './score';
import { addLlr, emptySequential, readSequential, type SequentialReading, type SequentialState } from './sequential';

/** What the gauge shows: the verdict and the evidence behind it. */
export interface LiveVerdict extends SequentialReading {
  /** σ(evidence): probability it is the person, from even odds. */
  fusedScore: number;
  /** 0..1 of the way to the bound the evidence is heading for. */
  confidence: number;
  windowsSeen: number;
}

function verdictOf(r: SequentialReading): LiveVerdict {
  const confidence = r.verdict !== 'not yet' ? 1 : r.sumLlr >= 0 ? r.sumLlr / r.upper : r.sumLlr / r.lower;
  return { ...r, fusedScore: 1 / (1 + Math.exp(-r.sumLlr)), confidence, windowsSeen: r.windows };
}

/** The verdict of a running test (before any window, or without a decision model: the defaults). */
export function readLiveVerdict(state: SequentialState = emptySequential(), d: DecisionModel | null = null): LiveVerdict {
  return verdictOf(d ? readSequential(state, d.sequential, d.expectedLlr) : readSequential(state));
}

/** Add one window's raw score (the verifier's probability that it is the person) to the test. */
export function addWindowScore(state: SequentialState, d: DecisionModel, windowScore: number): SequentialState {
  return addLlr(state, windowLlr(d.calibration, windowScore, d.maxWindowLlr), d.sequential);
}

export type LiveVerdictFields = Pick<LiveScore, 'fusedScore' | 'confidence' | 'windowsSeen' | 'decision' | 'threshold' | 'targetFar' | 'targetFrr' | 'moreWindows'>;

/** The verdict part of a score event, as every consumer (gauge, Splunk, alerts) reads it. */
export function liveVerdictFields(v: LiveVerdict, d: DecisionModel): LiveVerdictFields {
  return {
    fusedScore: v.fusedScore, confidence: v.confidence, windowsSeen: v.windowsSeen, decision: decisionToken(v.verdict),
    threshold: d.operatingPoint.threshold, targetFar: d.sequential.alpha, targetFrr: d.sequential.beta, moreWindows: v.moreWindows,
  };
}
