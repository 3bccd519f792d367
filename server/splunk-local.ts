/**
 * splunk-local: a small Splunk-compatible server for development and tests (127.0.0.1 only).
 *
 * HEC (Splunk docs, "HTTP Event Collector REST API endpoints"):
 *   POST /services/collector/event  (+ /services/collector, /services/collector/event/1.0)
 *   POST /services/collector/raw    (+ /1.0)
 *   GET  /services/collector/health (+ /1.0)
 *   POST /services/collector/ack    (+ /1.0)  indexer acknowledgement with X-Splunk-Request-Channel
 *   with the documented status codes and `{"text","code"}` bodies (see src/core/splunk/hecStatus.ts),
 *   `_raw` cut at TRUNCATE bytes (10000 by default) like the parsing tier of a real Splunk.
 * REST (Splunk REST API Reference): /services/auth/login, /services/server/info,
 *   /services/authentication/current-context, /services/search/jobs[/export], /services/search/v2/jobs[/export],
 *   jobs/<sid>, jobs/<sid>/results|events|results_preview|control, also under /servicesNS/<owner>/<app>/.
 *   Auth: `Authorization: Splunk <sessionKey>` (from auth/login), `Bearer <token>`, or Basic.
 * CORS like splunkd's `crossOriginSharingPolicy` / `crossOriginSharingHeaders`: only configured
 * origins (default: the app's own dev and preview origins) get CORS headers, and a preflight grants
 * only the configured headers. Accepted events persist as JSON lines in `<dataDir>/events.jsonl`.
 * Fault injection and inspection: `/__admin/*` with the admin token (see --help).
 *
 * The code lives in server/peer/ (options, http, state, hec, mgmt, admin, router, cli); this module
 * keeps the public entry points.
 *
 * Run: `npm run splunk:local -- --port 8088 --data-dir .splunk-local-data` (see --help).
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { requestListener } from './peer/router';
import { createState } from './peer/state';
import { defaultAllowedOrigins, type SplunkLocal, type SplunkLocalOptions } from './peer/options';
import { HELP, parseArgs, withCredentials } from './peer/cli';

export {
  DEV_HEC_TOKEN, DEV_ACK_TOKEN, DEV_DISABLED_TOKEN, DEV_SEARCH_TOKEN, DEFAULT_TOKENS, DEFAULT_ALLOWED_HEADERS,
  DEFAULT_TRUNCATE_BYTES, defaultAllowedOrigins,
  type TokenSpec, type Faults, type SplunkLocalOptions, type SplunkLocal, type TokenErrorStyle,
} from './peer/options';
export { parseArgs, parseFaults, withCredentials } from './peer/cli';
export { originAllowed } from './peer/http';
export { truncateRaw } from './peer/hec';

export async function startSplunkLocal(opts: SplunkLocalOptions = {}): Promise<SplunkLocal> {
  const st = createState(opts);
  const servers: http.Server[] = [];
  async function listen(port: number): Promise<number> {
    const s = http.createServer(requestListener(st));
    s.keepAliveTimeout = 2000;
    // Slow senders cannot hold a connection open forever with a trickled body.
    s.requestTimeout = 60_000;
    s.headersTimeout = 10_000;
    servers.push(s);
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, st.host, () => resolve()); });
    return (s.address() as { port: number }).port;
  }
  const port = await listen(opts.port ?? 8088);
  const mgmtPort = opts.mgmtPort !== undefined ? await listen(opts.mgmtPort) : undefined;
  return {
    port,
    mgmtPort,
    url: `http://${st.host}:${port}`,
    adminToken: st.adminToken,
    events: () => st.events,
    setFaults: (f) => { st.faults = { ...st.faults, ...f }; },
    faults: () => ({ ...st.faults }),
    reset: () => st.clearEvents(),
    stats: () => st.stats,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    },
  };
}

// ------------------------------------------------------------------------------------------- CLI

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2), process.env);
  if (cli.help) { process.stdout.write(HELP); return; }
  const o = withCredentials(cli);
  const s = await startSplunkLocal({ ...o, log: (l) => process.stdout.write(l + '\n') });
  const hecToken = o.tokens!.find((t) => !t.disabled && !t.ack) ?? o.tokens![0];
  const user = o.users![0];
  process.stdout.write(`splunk-local listening on ${s.url}${s.mgmtPort ? ` and http://127.0.0.1:${s.mgmtPort}` : ''} (data: ${o.dataDir}/events.jsonl, ${s.events().length} events loaded)\n` +
    `  HEC:    ${s.url}/services/collector/event   token ${hecToken.token}\n` +
    `  search: ${s.url}/services/search/jobs/export  Authorization: Bearer ${o.searchTokens![0]}   (login ${user.username}:${user.password})\n` +
    `  admin:  ${s.url}/__admin/{events,faults,reset,stats}  Authorization: Bearer ${s.adminToken}\n` +
    `  CORS for: ${(o.allowedOrigins ?? defaultAllowedOrigins()).join(' ')}\n`);
  const stop = () => { void s.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => { process.stderr.write(`splunk-local: ${e instanceof Error ? e.message : String(e)}\n`); process.exit(1); });
}
