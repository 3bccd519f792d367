/**
 * A live verification score, as produced by the scorer and consumed by the UI gauge and the Splunk
 * forwarder (sourcetype `pointerprint:score`).
 */
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
  /** Fused probability over the session so far, 0..1. */
  fusedScore: number;
  /** 0..1: how much evidence the fused score rests on (grows with windows seen and agreement). */
  confidence: number;
  /** Number of windows fused so far. */
  windowsSeen: number;
  decision: 'match' | 'uncertain' | 'mismatch';
  /** Rule-based flags for movement no human makes (see humanRules), e.g. 'constant-speed'. */
  flags: string[];
  /** Wall clock, epoch ms. */
  atEpochMs: number;
}
