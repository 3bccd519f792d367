/**
 * Live scores as the scorers produce them and the views and the Splunk forwarder consume them: a
 * verification score (`LiveScore`, sourcetype `pointerprint:score`) and a group model's
 * (`GroupLiveScore`, `pointerprint:group_score`).
 */
import type { GroupTallyFields } from './groupTally';

/** The verdict as it travels in score events. */
export type ScoreDecision = 'match' | 'mismatch' | 'not_yet';

/** The sequential verdict ("not yet" in the UI) as the wire token. */
export function decisionToken(verdict: 'match' | 'mismatch' | 'not yet'): ScoreDecision {
  return verdict === 'not yet' ? 'not_yet' : verdict;
}

export interface LiveScore {
  /** Unique id (for Splunk dedup). */
  id: string;
  sessionId: string;
  /** The profile the person claims to be / is being verified against. */
  profileId: string;
  modelId: string;
  /** Index of the window just scored within the session. */
  windowIndex: number;
  /** Model's probability that this one window is the profile owner, 0..1. */
  windowScore: number;
  /**
   * Probability, 0..1, that the session is the profile owner given the evidence so far (even odds
   * before it): σ(summed calibrated window log-likelihood ratios).
   */
  fusedScore: number;
  /** 0..1: how far the evidence has gone towards the bound it is heading for (1 = decided). */
  confidence: number;
  /** Number of windows fused so far. */
  windowsSeen: number;
  /**
   * The sequential verdict (Wald's SPRT at targetFar / targetFrr); `not_yet` until the evidence
   * suffices. A token, not prose: Splunk searches and the app's alert match on it (`decision="mismatch"`).
   */
  decision: ScoreDecision;
  /** The profile's operating point on window scores (chosen on validation windows at enrolment). */
  threshold: number;
  /** Error targets of the verdict: false-accept (α) and false-reject (β) rates. */
  targetFar: number;
  targetFrr: number;
  /** "not yet": estimated further windows before a verdict (null when decided or unknown). */
  moreWindows: number | null;
  /** Rule-based flags for movement no human makes (see humanRules), e.g. 'constant-speed'. */
  flags: string[];
  /** Wall clock, epoch ms. */
  atEpochMs: number;
}

/**
 * A live score of a group model (regulars vs new visitors, humans vs bots): the window's group and the
 * session's tally so far (core/groupTally). Sent as sourcetype `pointerprint:group_score`.
 */
export interface GroupLiveScore extends GroupTallyFields {
  id: string;
  sessionId: string;
  /** Who the session is attributed to: on a site, the visitor id the page passed (`profileId`); in the app, the group model's profile. */
  profileId: string;
  modelId: string;
  windowIndex: number;
  /** Rule-based flags for movement no human makes (see humanRules). */
  flags: string[];
  atEpochMs: number;
}
