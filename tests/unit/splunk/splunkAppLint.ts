/**
 * A small linter for a Splunk app directory: `.conf` syntax, known stanzas and keys (taken from
 * Splunk's own .spec files: app, props, transforms, macros, fields, savedsearches, collections,
 * indexes, inputs, server, authorize, default.meta), and AppInspect-style rules (no
 * `is_configured = true`, `[id]` name/version, nav for a visible app, README, icons, Simple XML
 * version 1.1, bounded TRUNCATE, no local/ in the package).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export interface ConfStanza { name: string; line: number; keys: Map<string, { value: string; line: number }> }
export interface LintProblem { file: string; line?: number; rule: string; message: string }

/** Parse a .conf file: `[stanza]`, `key = value`, `#` comments, `\` line continuations. */
export function parseConf(text: string): { stanzas: ConfStanza[]; errors: { line: number; message: string }[] } {
  const stanzas: ConfStanza[] = [{ name: 'default', line: 0, keys: new Map() }];
  const errors: { line: number; message: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + '\n' + lines[++i];
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const st = /^\[(.*)\]$/.exec(t);
    if (st) { stanzas.push({ name: st[1], line: start + 1, keys: new Map() }); continue; }
    const kv = /^([^=\s][^=]*?)\s*=\s*(.*)$/s.exec(t);
    if (!kv) { errors.push({ line: start + 1, message: `not a stanza, setting or comment: ${t.slice(0, 60)}` }); continue; }
    const cur = stanzas[stanzas.length - 1];
    if (cur.keys.has(kv[1])) errors.push({ line: start + 1, message: `'${kv[1]}' set twice in [${cur.name}]` });
    cur.keys.set(kv[1], { value: kv[2], line: start + 1 });
  }
  return { stanzas: stanzas.filter((s) => s.name !== 'default' || s.keys.size), errors };
}

type KeyRule = string | RegExp;
interface ConfSpec { stanzas: RegExp; keys: (stanza: string) => KeyRule[] }

const SAVEDSEARCH_KEYS: KeyRule[] = [
  'search', 'description', 'disabled', 'cron_schedule', 'enableSched', 'schedule_window', 'schedule_priority', 'realtime_schedule',
  'run_on_startup', 'run_n_times', 'max_concurrent', 'dispatchAs', 'allow_skew', 'is_visible', 'counttype', 'relation', 'quantity',
  'alert_condition', 'actions', 'embed.enabled', 'defer_scheduled_searchable_idxc', 'displayview', 'vsid', 'workload_pool',
  'request.ui_dispatch_app', 'request.ui_dispatch_view',
  /^alert\.(track|severity|digest_mode|suppress|suppress\.fields|suppress\.period|suppress\.group_name|expires|display_view|managedBy)$/,
  /^dispatch\.(ttl|buckets|max_count|max_time|lookups|earliest_time|latest_time|index_earliest|index_latest|time_format|spawn_process|auto_cancel|auto_pause|reduce_freq|rt_backfill|rt_maximum_span|indexedRealtime|indexedRealtimeOffset|indexedRealtimeMinSpan|sample_ratio|allow_partial_results|rate_limit_retry)$/,
  /^action\.(email|script|lookup|logevent|populate_lookup|summary_index|webhook|rss)(\.[\w.]+)?$/,
  /^display\.[\w.]+$/, /^auto_summarize(\.[\w.]+)?$/,
];

/** Known stanzas and keys per file, from the .spec files (the parts an app like this uses). */
export const CONF_SPECS: Record<string, ConfSpec> = {
  'app.conf': {
    stanzas: /^(launcher|package|install|ui|id|triggers|shclustering|credentials_settings|author=.+)$/,
    keys: (s) => ({
      launcher: ['author', 'description', 'version'],
      package: ['id', 'check_for_updates', 'show_upgrade_notification'],
      install: ['state', 'state_change_requires_restart', 'is_configured', 'build', 'allows_disable', 'install_source_checksum', 'install_source_local_checksum'],
      ui: ['is_visible', 'is_manageable', 'label', 'docs_section_override', 'setup_view', 'show_in_nav', 'supported_themes'],
      id: ['group', 'name', 'version'],
      triggers: [/^reload\.[\w.]+$/],
      shclustering: ['deployer_lookups_push_mode', 'deployer_push_mode'],
    } as Record<string, KeyRule[]>)[s] ?? [/.*/],
  },
  'props.conf': {
    stanzas: /^(default|[^\s[\]]+)$/,
    keys: () => [
      'priority', 'CHARSET', 'TRUNCATE', 'LINE_BREAKER', 'LINE_BREAKER_LOOKBEHIND', 'SHOULD_LINEMERGE', 'BREAK_ONLY_BEFORE', 'BREAK_ONLY_BEFORE_DATE',
      'MUST_BREAK_AFTER', 'MAX_EVENTS', 'EVENT_BREAKER_ENABLE', 'EVENT_BREAKER', 'DATETIME_CONFIG', 'TIME_PREFIX', 'TIME_FORMAT', 'TZ',
      'MAX_TIMESTAMP_LOOKAHEAD', 'MAX_DAYS_AGO', 'MAX_DAYS_HENCE', 'INDEXED_EXTRACTIONS', 'KV_MODE', 'AUTO_KV_JSON', 'KV_TRIM_SPACES',
      'NO_BINARY_CHECK', 'ANNOTATE_PUNCT', 'category', 'description', 'pulldown_type', 'rename', 'sourcetype', 'detect_trailing_nulls',
      /^(LOOKUP|EXTRACT|REPORT|TRANSFORMS|FIELDALIAS|EVAL|SEDCMD)-[\w.:-]+$/,
    ],
  },
  'transforms.conf': {
    stanzas: /^[\w:.-]+$/,
    keys: () => [
      'REGEX', 'FORMAT', 'DEST_KEY', 'SOURCE_KEY', 'WRITE_META', 'DEFAULT_VALUE', 'LOOKAHEAD', 'DELIMS', 'FIELDS', 'MV_ADD', 'CLEAN_KEYS',
      'KEEP_EMPTY_VALS', 'CAN_OPTIMIZE', 'filename', 'collection', 'external_type', 'external_cmd', 'fields_list', 'case_sensitive_match',
      'match_type', 'max_matches', 'min_matches', 'default_match', 'time_field', 'time_format', 'max_offset_secs', 'min_offset_secs',
      'batch_index_query', 'allow_caching', 'filter', 'replicate', 'max_ext_batch', 'feature_id_element', 'check_permission',
    ],
  },
  'macros.conf': { stanzas: /^[\w.-]+(\(\d+\))?$/, keys: () => ['definition', 'args', 'validation', 'errormsg', 'iseval', 'description'] },
  'fields.conf': { stanzas: /^[\w.{}-]+$/, keys: () => ['INDEXED', 'INDEXED_VALUE', 'TOKENIZER'] },
  'savedsearches.conf': { stanzas: /^[^[\]]+$/, keys: () => SAVEDSEARCH_KEYS },
  'collections.conf': {
    stanzas: /^[\w.-]+$/,
    keys: () => ['enforceTypes', 'replicate', 'replication_dump_strategy', 'replication_dump_maximum_file_size', 'profilingEnabled', 'profilingThresholdMs', 'type', /^field\.[\w.]+$/, /^accelerated_fields\.[\w.]+$/],
  },
  'indexes.conf': {
    stanzas: /^[a-z0-9_][a-z0-9_-]*$/,
    keys: () => ['homePath', 'coldPath', 'thawedPath', 'summaryHomePath', 'tstatsHomePath', 'frozenTimePeriodInSecs', 'maxTotalDataSizeMB', 'coldToFrozenDir',
      'coldToFrozenScript', 'maxDataSize', 'maxHotBuckets', 'maxWarmDBCount', 'homePath.maxDataSizeMB', 'coldPath.maxDataSizeMB', 'datatype', 'repFactor',
      'disabled', 'enableDataIntegrityControl', 'maxHotSpanSecs', 'maxHotIdleSecs', 'quarantinePastSecs', 'quarantineFutureSecs', 'remotePath'],
  },
  'inputs.conf': {
    stanzas: /^(http|http:\/\/[\w.-]+)$/,
    keys: () => ['disabled', 'token', 'index', 'indexes', 'sourcetype', 'source', 'host', 'useACK', 'description', 'port', 'enableSSL',
      'dedicatedIoThreads', 'maxSockets', 'maxThreads', 'allowQueryStringAuth', 'outputgroup', 'queue', 'connection_host', 'channel_cookie',
      'ackIdleCleanup', 'maxEventSize', 'crossOriginSharingPolicy', 'crossOriginSharingHeaders', 'serverCert', 'sslPassword', 'requireClientCert',
      'acceptFrom', 'maxIdleTime', 'busyKeepAliveIdleTimeout', 'forceHttp10', 'useDeploymentServer'],
  },
  'server.conf': {
    stanzas: /^(httpServer|general|sslConfig)$/,
    keys: () => ['crossOriginSharingPolicy', 'crossOriginSharingHeaders', 'acceptFrom', 'maxSockets', 'maxThreads', 'forceHttp10', 'x_frame_options_sameorigin',
      'allowEmbedTokenAuth', 'busyKeepAliveIdleTimeout', 'streamInWriteTimeout', 'max_content_length', 'serverName', 'pass4SymmKey', 'enableSplunkdSSL', 'serverCert', 'sslPassword'],
  },
  'authorize.conf': {
    stanzas: /^(role_[\w-]+|capability::[\w-]+|tokens_auth|default)$/,
    keys: () => ['importRoles', 'grantableRoles', 'srchFilter', 'srchTimeWin', 'srchTimeEarliest', 'srchDiskQuota', 'srchJobsQuota', 'rtSrchJobsQuota',
      'srchMaxTime', 'srchIndexesDefault', 'srchIndexesAllowed', 'srchIndexesDisallowed', 'deleteIndexesAllowed', 'cumulativeSrchJobsQuota',
      'cumulativeRTSrchJobsQuota', 'federatedProviders',
      // capabilities, `<capability> = enabled | disabled`
      'search', 'rtsearch', 'schedule_search', 'schedule_rtsearch', 'accelerate_search', 'embed_report', 'export_results_is_visible', 'get_metadata',
      'get_typeahead', 'input_file', 'output_file', 'pattern_detect', 'request_remote_tok', 'run_collect', 'run_mcollect', 'change_own_password',
      'edit_tokens_own', 'list_inputs', 'list_tokens_own'],
  },
  'default.meta': { stanzas: /^[\w./%:-]*$/, keys: () => ['access', 'export', 'owner', 'version', 'modtime', 'import'] },
};

function keyKnown(key: string, rules: KeyRule[]): boolean {
  return rules.some((r) => (typeof r === 'string' ? r === key : r.test(key)));
}

/** Known stanzas and keys of one conf file. `name` is the spec name (e.g. `props.conf`). */
export function lintConfText(name: string, text: string, file = name): LintProblem[] {
  const spec = CONF_SPECS[name];
  const { stanzas, errors } = parseConf(text);
  const out: LintProblem[] = errors.map((e) => ({ file, line: e.line, rule: 'syntax', message: e.message }));
  if (!spec) return [...out, { file, rule: 'unknown-file', message: `no spec known for ${name}` }];
  for (const s of stanzas) {
    if (!spec.stanzas.test(s.name)) out.push({ file, line: s.line, rule: 'unknown-stanza', message: `[${s.name}] is not a ${name} stanza` });
    const rules = spec.keys(s.name);
    for (const [k, { line }] of s.keys) {
      if (!keyKnown(k, rules)) out.push({ file, line, rule: 'unknown-key', message: `'${k}' is not a ${name} setting (in [${s.name}])` });
    }
  }
  return out;
}

function pngSize(file: string): { width: number; height: number } | null {
  const b = readFileSync(file);
  if (b.length < 24 || b.toString('latin1', 1, 4) !== 'PNG') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? walk(p) : [p]; });
}

/** Lint a whole app directory: every .conf (and README/*.conf.example template), plus AppInspect-style rules. */
export function lintApp(appDir: string): LintProblem[] {
  const out: LintProblem[] = [];
  const appName = basename(appDir);
  const rel = (p: string) => relative(appDir, p);
  const files = walk(appDir);
  for (const f of files) {
    const name = basename(f);
    const specName = name.endsWith('.conf.example') ? name.replace(/\.example$/, '') : name;
    if (specName.endsWith('.conf') || specName === 'default.meta') out.push(...lintConfText(specName, readFileSync(f, 'utf8'), rel(f)));
  }
  if (existsSync(join(appDir, 'local')) || files.some((f) => basename(f) === 'local.meta')) out.push({ file: 'local', rule: 'no-local', message: 'a package must not contain local/ or local.meta' });
  const appConfPath = join(appDir, 'default', 'app.conf');
  const app = existsSync(appConfPath) ? parseConf(readFileSync(appConfPath, 'utf8')).stanzas : [];
  const get = (stanza: string, key: string) => app.find((s) => s.name === stanza)?.keys.get(key)?.value;
  if (/^(1|true|t|yes)$/i.test(get('install', 'is_configured') ?? '')) out.push({ file: 'default/app.conf', rule: 'is-configured', message: 'is_configured = true fails AppInspect (cloud)' });
  if (get('id', 'name') !== appName) out.push({ file: 'default/app.conf', rule: 'id-name', message: `[id] name must be the app folder name '${appName}'` });
  if (get('package', 'id') !== undefined && get('package', 'id') !== appName) out.push({ file: 'default/app.conf', rule: 'id-name', message: '[package] id must be the app folder name' });
  const version = get('id', 'version');
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) out.push({ file: 'default/app.conf', rule: 'id-version', message: '[id] version must be X.Y.Z' });
  if (get('launcher', 'version') !== version) out.push({ file: 'default/app.conf', rule: 'id-version', message: '[launcher] version must equal [id] version' });
  if (/^(1|true)$/i.test(get('ui', 'is_visible') ?? '') && !existsSync(join(appDir, 'default', 'data', 'ui', 'nav', 'default.xml'))) {
    out.push({ file: 'default/data/ui/nav/default.xml', rule: 'nav', message: 'a visible app needs default/data/ui/nav/default.xml' });
  }
  if (!['README', 'README.txt', 'README.md'].some((n) => existsSync(join(appDir, n)) && statSync(join(appDir, n)).isFile())) out.push({ file: 'README', rule: 'readme', message: 'the package needs a README file' });
  for (const [icon, px] of [['appIcon.png', 36], ['appIcon_2x.png', 72], ['appIconAlt.png', 36], ['appIconAlt_2x.png', 72]] as const) {
    const p = join(appDir, 'static', icon);
    const size = existsSync(p) ? pngSize(p) : null;
    if (!size || size.width !== px || size.height !== px) out.push({ file: `static/${icon}`, rule: 'icon', message: `static/${icon} must be a ${px}x${px} PNG` });
  }
  for (const f of files.filter((x) => /data[/\\]ui[/\\]views[/\\].+\.xml$/.test(x))) {
    const root = /<(form|dashboard)\b([^>]*)>/.exec(readFileSync(f, 'utf8'));
    if (root && !/\bversion="1\.1"/.test(root[2])) out.push({ file: rel(f), rule: 'simplexml-version', message: 'Simple XML dashboards must declare version="1.1"' });
  }
  const propsPath = join(appDir, 'default', 'props.conf');
  if (existsSync(propsPath)) {
    for (const s of parseConf(readFileSync(propsPath, 'utf8')).stanzas) {
      const t = s.keys.get('TRUNCATE');
      if (t && !(Number(t.value) > 0)) out.push({ file: 'default/props.conf', line: t.line, rule: 'truncate-bounded', message: `[${s.name}] TRUNCATE must be a positive bound, not ${t.value}` });
    }
  }
  return out;
}
