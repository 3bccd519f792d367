/**
 * Command line of the local peer: options, and credentials that are secret unless asked otherwise.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_TOKENS, DEV_ACK_TOKEN, DEV_DISABLED_TOKEN, DEV_HEC_TOKEN, DEV_SEARCH_TOKEN,
  type Faults, type SplunkLocalOptions, type TokenSpec,
} from './options';

export const HELP = `splunk-local: a Splunk-compatible HEC + search peer for development (127.0.0.1 only)

  --port N              HEC and management port (default 8088; env PP_SPLUNK_PORT)
  --mgmt-port N         also serve the management API on this port (Splunk uses 8089)
  --token T[:ix1,ix2]   accept HEC token T, optionally limited to indexes (repeatable; env PP_SPLUNK_TOKENS, comma/space separated)
  --ack-token T         a token that requires indexer acknowledgement (repeatable)
  --disabled-token T    a token that answers "Token disabled" (repeatable)
  --index NAME          known indexes (repeatable; default main, pointerprint)
  --data-dir DIR        persist accepted events to DIR/events.jsonl (default .splunk-local-data; env PP_SPLUNK_DATA_DIR)
  --user NAME:PASSWORD  account for /services/auth/login
  --search-token T      token accepted as "Authorization: Bearer T" on the management API
  --admin-token T       token for /__admin/* (Authorization: Bearer T)
  --dev-credentials     use the well-known development tokens and admin:changeme (public: tests only)
  --faults LIST         e.g. busy, busy=3, slow=500, down, truncate, unhealthy (env PP_SPLUNK_FAULTS)
  --cors ORIGIN         allow this origin (repeatable; splunkd syntax: wildcards *, !exclude). Default: the app's
                        dev/preview origins http://127.0.0.1|localhost:5173, :4173 and :PP_TEST_PORT (5179)
  --cors-headers LIST   headers a preflight grants (default Authorization, Content-Type, X-Splunk-Request-Channel)
  --truncate N          cut _raw after N bytes like props.conf TRUNCATE (default 10000; 0 = never)
  --truncate-sourcetype ST=N   per-sourcetype TRUNCATE (repeatable), as with the app on the parsing tier
  --max-body N          largest HEC request body in bytes (default 1048576)
  --token-errors 403|400   bad/disabled token as codes 4/1 with HTTP 403 (default) or 21/22 with HTTP 400

Without credential options the peer makes random tokens and a random admin password on first start,
keeps them in DIR/credentials.json (readable by you only) and prints them.
Fault injection at run time: curl -XPOST -H "Authorization: Bearer <admin token>" localhost:8088/__admin/faults -d '{"busy":-1}'
`;

export function parseFaults(s: string | undefined): Partial<Faults> {
  const f: Partial<Faults> = {};
  for (const part of (s ?? '').split(/[\s,]+/).filter(Boolean)) {
    const [k, v] = part.split('=');
    if (k === 'down') f.down = true;
    else if (k === 'busy') f.busy = v === undefined ? -1 : Number(v);
    else if (k === 'slow') f.slowMs = Number(v ?? 1000);
    else if (k === 'truncate') f.truncate = true;
    else if (k === 'unhealthy') f.unhealthy = true;
    else throw new Error(`unknown fault '${k}'`);
  }
  return f;
}

function nonNegative(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} needs a non-negative integer (got ${v})`);
  return n;
}

export type CliOptions = SplunkLocalOptions & { help?: boolean; devCredentials?: boolean };

export function parseArgs(argv: string[], env: Record<string, string | undefined>): CliOptions {
  const o: CliOptions = {};
  const tokens: TokenSpec[] = [];
  const indexesOpt: string[] = [];
  const users: { username: string; password: string }[] = [];
  const searchTokens: string[] = [];
  const cors: string[] = [];
  const perSourcetype: Record<string, number> = {};
  const tok = (spec: string, extra: Partial<TokenSpec>) => {
    const [t, ix] = spec.split(':');
    const list = ix ? ix.split(',') : undefined;
    tokens.push({ token: t, name: `token${tokens.length + 1}`, index: list?.[0] ?? 'main', indexes: list, ...extra });
  };
  for (const t of (env.PP_SPLUNK_TOKENS ?? '').split(/[\s,]+/).filter(Boolean)) tok(t, {});
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--port') o.port = Number(next());
    else if (a === '--mgmt-port') o.mgmtPort = Number(next());
    else if (a === '--token') tok(next(), {});
    else if (a === '--ack-token') tok(next(), { ack: true });
    else if (a === '--disabled-token') tok(next(), { disabled: true });
    else if (a === '--index') indexesOpt.push(next());
    else if (a === '--data-dir') o.dataDir = next();
    else if (a === '--user') { const [u, p] = next().split(':'); users.push({ username: u, password: p ?? '' }); }
    else if (a === '--search-token') searchTokens.push(next());
    else if (a === '--admin-token') o.adminToken = next();
    else if (a === '--dev-credentials') o.devCredentials = true;
    else if (a === '--faults') o.faults = parseFaults(next());
    else if (a === '--cors') cors.push(next());
    else if (a === '--cors-headers') o.allowedHeaders = next().split(',').map((h) => h.trim()).filter(Boolean);
    else if (a === '--truncate') o.truncateBytes = nonNegative(next(), a);
    else if (a === '--truncate-sourcetype') { const [st, n] = next().split('='); perSourcetype[st] = nonNegative(n ?? '', a); }
    else if (a === '--max-body') o.maxHecBodyBytes = nonNegative(next(), a);
    else if (a === '--token-errors') { const v = next(); if (v !== '403' && v !== '400') throw new Error('--token-errors is 403 or 400'); o.tokenErrors = v; }
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  o.port ??= env.PP_SPLUNK_PORT ? Number(env.PP_SPLUNK_PORT) : 8088;
  o.dataDir ??= env.PP_SPLUNK_DATA_DIR ?? '.splunk-local-data';
  o.faults ??= parseFaults(env.PP_SPLUNK_FAULTS);
  if (tokens.length) {
    o.tokens = tokens;
    o.indexes = [...new Set(['main', 'pointerprint', ...indexesOpt, ...tokens.flatMap((t) => t.indexes ?? [])])];
  } else if (indexesOpt.length) o.indexes = ['main', ...indexesOpt];
  if (users.length) o.users = users;
  if (searchTokens.length) o.searchTokens = searchTokens;
  if (cors.length) o.allowedOrigins = cors;
  if (Object.keys(perSourcetype).length) o.truncateBySourcetype = perSourcetype;
  return o;
}

interface StoredCredentials { hecToken: string; ackToken: string; disabledToken: string; searchToken: string; adminToken: string; password: string }

/** Random credentials, made once per data directory and kept there with owner-only permissions. */
function storedCredentials(dataDir: string): StoredCredentials {
  const file = join(dataDir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredCredentials;
  const secret = () => randomBytes(24).toString('base64url');
  const c: StoredCredentials = { hecToken: randomUUID(), ackToken: randomUUID(), disabledToken: randomUUID(), searchToken: secret(), adminToken: secret(), password: secret() };
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return c;
}

/**
 * Fill in credentials the command line did not give: the public development ones with
 * `--dev-credentials`, otherwise the data directory's random ones.
 */
export function withCredentials(o: CliOptions): SplunkLocalOptions {
  if (o.devCredentials) {
    return { ...o, tokens: o.tokens ?? DEFAULT_TOKENS, searchTokens: o.searchTokens ?? [DEV_SEARCH_TOKEN], users: o.users ?? [{ username: 'admin', password: 'changeme' }], adminToken: o.adminToken ?? 'pp-dev-admin-token' };
  }
  const c = storedCredentials(o.dataDir ?? '.splunk-local-data');
  const tokens = o.tokens ?? DEFAULT_TOKENS.map((t) => ({ ...t, token: t.token === DEV_HEC_TOKEN ? c.hecToken : t.token === DEV_ACK_TOKEN ? c.ackToken : t.token === DEV_DISABLED_TOKEN ? c.disabledToken : t.token }));
  return { ...o, tokens, searchTokens: o.searchTokens ?? [c.searchToken], users: o.users ?? [{ username: 'admin', password: c.password }], adminToken: o.adminToken ?? c.adminToken };
}
