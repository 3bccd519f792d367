/**
 * The peer's state: resolved options, stored events (persisted as JSON lines), faults, sessions,
 * search jobs, acknowledgement channels and request counters.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row, StoredEvent } from '../spl';
import {
  DEFAULT_ALLOWED_HEADERS, DEFAULT_MAX_HEC_BODY_BYTES, DEFAULT_MAX_MGMT_BODY_BYTES, DEFAULT_TOKENS, DEFAULT_TRUNCATE_BYTES,
  DEV_SEARCH_TOKEN, NO_FAULTS, defaultAllowedOrigins, type Faults, type SplunkLocalOptions, type TokenErrorStyle, type TokenSpec,
} from './options';
import type { CorsPolicy } from './http';

export interface Job { sid: string; search: string; rows: Row[]; fields: string[]; scanned: number; createdAtMs: number }

export interface PeerState {
  host: string;
  serverName: string;
  tokens: Map<string, TokenSpec>;
  indexes: Set<string>;
  users: { username: string; password: string }[];
  searchTokens: Set<string>;
  adminToken: string;
  cors: CorsPolicy;
  /** Host names (lower case, IPv6 in brackets) the Host header may carry. */
  allowedHosts: Set<string>;
  truncateBytes: number;
  truncateBySourcetype: Record<string, number>;
  maxHecBodyBytes: number;
  maxMgmtBodyBytes: number;
  tokenErrors: TokenErrorStyle;
  allowQueryStringAuth: boolean;
  log: (line: string) => void;
  faults: Faults;
  events: StoredEvent[];
  sessionKeys: Map<string, string>;
  jobs: Map<string, Job>;
  /** channel → next ack id and (ack id → indexed); ids handed out per channel from 0, like Splunk. */
  acks: Map<string, { next: number; done: Map<number, boolean> }>;
  stats: { requests: number; byPath: Record<string, number> };
  /** Number the batch, store it in memory and append it to the data file. */
  persist(batch: StoredEvent[]): void;
  /** Forget every event (memory and file). */
  clearEvents(): void;
}

function corsPolicy(opts: SplunkLocalOptions): CorsPolicy {
  const legacy = opts.corsOrigins === '*' ? ['*'] : opts.corsOrigins;
  return { origins: opts.allowedOrigins ?? legacy ?? defaultAllowedOrigins(), headers: opts.allowedHeaders ?? DEFAULT_ALLOWED_HEADERS };
}

function loadEvents(file: string | null): StoredEvent[] {
  const events: StoredEvent[] = [];
  if (!file || !existsSync(file)) return events;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try { events.push(JSON.parse(line) as StoredEvent); } catch { /* a torn last line after a crash */ }
  }
  return events;
}

export function createState(opts: SplunkLocalOptions): PeerState {
  if (opts.dataDir && !existsSync(opts.dataDir)) mkdirSync(opts.dataDir, { recursive: true });
  const file = opts.dataDir ? join(opts.dataDir, 'events.jsonl') : null;
  const events = loadEvents(file);
  let serial = events.reduce((m, e) => Math.max(m, e.serial), -1) + 1;
  const state: PeerState = {
    host: opts.host ?? '127.0.0.1',
    serverName: opts.serverName ?? 'splunk-local',
    tokens: new Map((opts.tokens ?? DEFAULT_TOKENS).map((t) => [t.token, t])),
    indexes: new Set(opts.indexes ?? ['main', 'pointerprint']),
    users: opts.users ?? [{ username: 'admin', password: 'changeme' }],
    searchTokens: new Set(opts.searchTokens ?? [DEV_SEARCH_TOKEN]),
    adminToken: opts.adminToken ?? randomBytes(24).toString('base64url'),
    cors: corsPolicy(opts),
    allowedHosts: new Set(['127.0.0.1', 'localhost', '[::1]', opts.host ?? '127.0.0.1', ...(opts.allowedHosts ?? [])].map((h) => h.toLowerCase())),
    truncateBytes: opts.truncateBytes ?? DEFAULT_TRUNCATE_BYTES,
    truncateBySourcetype: opts.truncateBySourcetype ?? {},
    maxHecBodyBytes: opts.maxHecBodyBytes ?? DEFAULT_MAX_HEC_BODY_BYTES,
    maxMgmtBodyBytes: opts.maxMgmtBodyBytes ?? DEFAULT_MAX_MGMT_BODY_BYTES,
    tokenErrors: opts.tokenErrors ?? '403',
    allowQueryStringAuth: opts.allowQueryStringAuth ?? false,
    log: opts.log ?? (() => {}),
    faults: { ...NO_FAULTS, ...opts.faults },
    events,
    sessionKeys: new Map(),
    jobs: new Map(),
    acks: new Map(),
    stats: { requests: 0, byPath: {} },
    persist(batch) {
      for (const e of batch) e.serial = serial++;
      state.events.push(...batch);
      if (file) appendFileSync(file, batch.map((e) => JSON.stringify(e)).join('\n') + '\n');
    },
    clearEvents() {
      state.events = [];
      if (file) writeFileSync(file, '');
    },
  };
  return state;
}
