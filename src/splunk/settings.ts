/**
 * Splunk settings (browser shell). Stored in localStorage under `pointerprint.splunk.settings` so the
 * forwarder can read them synchronously at start-up. Tokens: kept in localStorage (this browser
 * profile, plain text, readable by scripts of this origin) only when "remember tokens" is on;
 * otherwise in sessionStorage, gone when the tab closes. Splunk tokens should be scoped: a HEC token
 * limited to the Pointerprint index, a search token for a role that can only read it.
 */
import { DEFAULT_BATCH_LIMITS } from '../core/splunk/batcher';

export interface SplunkSettings {
  /** HEC base URL, e.g. https://splunk.example.com:8088, or `/splunk-hec` through the dev proxy. */
  hecUrl: string;
  hecToken: string;
  /** Empty: the token's default index. */
  index: string;
  host: string;
  source: string;
  /** Indexer acknowledgement with a request channel (needed when the token has useACK on). */
  useAck: boolean;
  /** Send score events (pointerprint:score). */
  sendScores: boolean;
  /** Send raw pointer events (pointerprint:pointer): biometric data, off unless the owner opts in. */
  sendRawEvents: boolean;
  /** Management (REST) base URL, e.g. https://splunk.example.com:8089, or `/splunk-mgmt`. */
  mgmtUrl: string;
  mgmtToken: string;
  /** Use the v2 export endpoint (Splunk 9.0.2+). */
  useV2Search: boolean;
  rememberTokens: boolean;
  batchMaxEvents: number;
  batchMaxBytes: number;
  batchMaxWaitMs: number;
}

export const DEFAULT_SPLUNK_SETTINGS: SplunkSettings = {
  hecUrl: '',
  hecToken: '',
  index: 'pointerprint',
  host: '',
  source: 'pointerprint',
  useAck: false,
  sendScores: true,
  sendRawEvents: false,
  mgmtUrl: '',
  mgmtToken: '',
  useV2Search: false,
  rememberTokens: false,
  batchMaxEvents: DEFAULT_BATCH_LIMITS.maxEvents,
  batchMaxBytes: DEFAULT_BATCH_LIMITS.maxBytes,
  batchMaxWaitMs: DEFAULT_BATCH_LIMITS.maxWaitMs,
};

export const SETTINGS_KEY = 'pointerprint.splunk.settings';
const TOKENS_KEY = 'pointerprint.splunk.tokens';

function storage(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? globalThis.localStorage ?? null : globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled (privacy settings)
  }
}

export function loadSplunkSettings(): SplunkSettings {
  const out: SplunkSettings = { ...DEFAULT_SPLUNK_SETTINGS };
  try {
    const raw = storage('local')?.getItem(SETTINGS_KEY);
    if (raw) Object.assign(out, JSON.parse(raw) as Partial<SplunkSettings>);
    if (!out.rememberTokens) {
      const t = storage('session')?.getItem(TOKENS_KEY);
      if (t) Object.assign(out, JSON.parse(t) as Pick<SplunkSettings, 'hecToken' | 'mgmtToken'>);
    }
  } catch {
    /* corrupt settings: defaults */
  }
  return out;
}

export function saveSplunkSettings(s: SplunkSettings): void {
  const plain: SplunkSettings = { ...s };
  const tokens = { hecToken: s.hecToken, mgmtToken: s.mgmtToken };
  if (!s.rememberTokens) {
    plain.hecToken = '';
    plain.mgmtToken = '';
    storage('session')?.setItem(TOKENS_KEY, JSON.stringify(tokens));
  } else {
    storage('session')?.removeItem(TOKENS_KEY);
  }
  storage('local')?.setItem(SETTINGS_KEY, JSON.stringify(plain));
}

/** A stable request channel id for this browser (HEC indexer acknowledgement). */
export function requestChannel(): string {
  const key = 'pointerprint.splunk.channel';
  const st = storage('local');
  let c = st?.getItem(key) ?? null;
  if (!c) {
    c = crypto.randomUUID();
    st?.setItem(key, c);
  }
  return c;
}
