/**
 * Options, defaults and public types of the local Splunk peer (`server/splunk-local.ts`).
 */
import type { StoredEvent } from '../spl';

export interface TokenSpec {
  token: string;
  /** Name shown as the default source `http:<name>`. */
  name?: string;
  /** Default index for events that name none. */
  index?: string;
  /** Indexes this token may write to (Splunk's `indexes` allow list); empty: any known index. */
  indexes?: string[];
  /** Indexer acknowledgement on (`useACK = 1`): requests need a request channel. */
  ack?: boolean;
  disabled?: boolean;
}

export interface Faults {
  /** Drop every connection (as if the server were down); admin endpoints still answer. */
  down: boolean;
  /** Answer HEC with 503 `Server is busy` (code 9): -1 always, N for the next N requests, 0 off. */
  busy: number;
  /** Delay every response (and every chunk of an export stream) by this many ms. */
  slowMs: number;
  /** Cut responses: HEC bodies after accepting the data, export streams mid-line. */
  truncate: boolean;
  /** Health says "HEC is unhealthy, queues are full" (code 18). */
  unhealthy: boolean;
}

export const NO_FAULTS: Faults = { down: false, busy: 0, slowMs: 0, truncate: false, unhealthy: false };

/**
 * How a bad HEC token is answered. `'403'`: codes 4 `Invalid token` / 1 `Token disabled` with HTTP
 * 403 (Splunk Enterprise's long-standing answer). `'400'`: codes 21 / 22 with HTTP 400, as some
 * versions answer; a client must treat both as token problems.
 */
export type TokenErrorStyle = '403' | '400';

export interface SplunkLocalOptions {
  port?: number;
  /** Optional second listener for the management API (Splunk: 8089); the HEC port serves both anyway. */
  mgmtPort?: number;
  host?: string;
  tokens?: TokenSpec[];
  /** Known indexes; events to any other index get `Incorrect index` (code 7). */
  indexes?: string[];
  /** Where accepted events persist; undefined: memory only. */
  dataDir?: string;
  users?: { username: string; password: string }[];
  /** Tokens accepted as `Authorization: Bearer <token>` on the management API. */
  searchTokens?: string[];
  /** Token for `/__admin/*` (`Authorization: Bearer <token>`); default: random, see `SplunkLocal.adminToken`. */
  adminToken?: string;
  faults?: Partial<Faults>;
  /**
   * Origins that get CORS headers, with splunkd's `crossOriginSharingPolicy` syntax: exact origins,
   * `*` wildcards in any part (`http://127.0.0.1:*`), `!` to exclude (first match wins), a lone `*`
   * for any. Default: the app's own dev and preview origins (see `defaultAllowedOrigins`).
   */
  allowedOrigins?: string[];
  /** @deprecated alias of `allowedOrigins` (`'*'` = any origin). */
  corsOrigins?: string[] | '*';
  /**
   * Request headers a CORS preflight may grant (splunkd's `crossOriginSharingHeaders`, which is empty
   * by default there). Default: Authorization, Content-Type, X-Splunk-Request-Channel.
   */
  allowedHeaders?: string[];
  /** `_raw` longer than this many bytes is cut, like props.conf `TRUNCATE` (default 10000; 0 = never). */
  truncateBytes?: number;
  /** Per-sourcetype `TRUNCATE`, as when an app's props.conf is installed on the parsing tier. */
  truncateBySourcetype?: Record<string, number>;
  /** Largest HEC request body in bytes (splunkd: limits.conf `[http_input] max_content_length`); default 1 MB. */
  maxHecBodyBytes?: number;
  /** Largest management API request body in bytes; default 256 KB. */
  maxMgmtBodyBytes?: number;
  tokenErrors?: TokenErrorStyle;
  /** Extra names the Host header may carry (default: 127.0.0.1, localhost, [::1] and `host`). */
  allowedHosts?: string[];
  /** Accept `?token=` on HEC (Splunk's `allowQueryStringAuth`). */
  allowQueryStringAuth?: boolean;
  serverName?: string;
  log?: (line: string) => void;
}

export const DEV_HEC_TOKEN = '5f2a5c3e-1d4b-4c8e-9a61-000000000001';
export const DEV_ACK_TOKEN = '5f2a5c3e-1d4b-4c8e-9a61-000000000002';
export const DEV_DISABLED_TOKEN = '5f2a5c3e-1d4b-4c8e-9a61-000000000003';
export const DEV_SEARCH_TOKEN = 'pp-dev-search-token';

export const DEFAULT_TOKENS: TokenSpec[] = [
  { token: DEV_HEC_TOKEN, name: 'pointerprint', index: 'pointerprint', indexes: ['pointerprint', 'main'] },
  { token: DEV_ACK_TOKEN, name: 'pointerprint-ack', index: 'pointerprint', indexes: ['pointerprint', 'main'], ack: true },
  { token: DEV_DISABLED_TOKEN, name: 'pointerprint-disabled', index: 'pointerprint', disabled: true },
];

export const DEFAULT_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Splunk-Request-Channel'];
export const DEFAULT_TRUNCATE_BYTES = 10_000;
export const DEFAULT_MAX_HEC_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_MGMT_BODY_BYTES = 256 * 1024;

/**
 * The app's own origins: `npm run dev` (5173), `npm run preview` (4173) and the Playwright dev
 * server (PP_TEST_PORT, default 5179), each as 127.0.0.1 and localhost.
 */
export function defaultAllowedOrigins(env: Record<string, string | undefined> = process.env): string[] {
  const ports = [5173, 4173, Number(env.PP_TEST_PORT ?? 5179)];
  return [...new Set(ports)].flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`]);
}

export interface SplunkLocal {
  port: number;
  url: string;
  mgmtPort?: number;
  /** Bearer token for `/__admin/*`. */
  adminToken: string;
  events(): StoredEvent[];
  setFaults(f: Partial<Faults>): void;
  faults(): Faults;
  reset(): void;
  stats(): { requests: number; byPath: Record<string, number> };
  close(): Promise<void>;
}
