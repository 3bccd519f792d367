/**
 * The SPL subset the local Splunk peer implements, over stored HEC events. Pure (no I/O).
 *
 *   search index=... sourcetype=... field=value field="quoted value" field!=value field=wild*
 *          field<N field<=N field>N field>=N (numeric) (a OR b) bare-term earliest=-24h latest=now
 *          _index_earliest=-10m _index_latest=now (index time)
 *   | head N | fields a, b | fields - a | table a b | dedup f | sort [-]f | search … | where … (same
 *   comparisons) | stats count dc() min() max() avg() sum() latest() earliest() values() [AS x] [by f …]
 *
 * Fields of a stored event: _raw, _time, host, source, sourcetype, index, splunk_server, the HEC
 * indexed `fields`, and the event's JSON (search-time extraction as with KV_MODE=json: dotted paths,
 * arrays as multivalue `path{}`). Anything else raises an error Splunk-style.
 */

export interface StoredEvent {
  /** Serial number in arrival order (the peer's `_cd`). */
  serial: number;
  timeMs: number;
  indexTimeMs: number;
  index: string;
  host: string;
  source: string;
  sourcetype: string;
  /** The `_raw` text: the HEC `event` serialised (strings stay as-is). */
  raw: string;
  fields: Record<string, string | string[]>;
}

export type Row = Record<string, string | string[]>;

export class SplError extends Error {}

// ------------------------------------------------------------------------------------------- time

const UNIT_MS: Record<string, number> = { s: 1000, sec: 1000, secs: 1000, m: 60_000, min: 60_000, mins: 60_000, h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000, w: 604_800_000, mon: 2_592_000_000, y: 31_536_000_000 };

function snap(ms: number, unit: string): number {
  const d = new Date(ms);
  switch (unit) {
    case 's': d.setUTCMilliseconds(0); break;
    case 'm': d.setUTCSeconds(0, 0); break;
    case 'h': d.setUTCMinutes(0, 0, 0); break;
    case 'd': d.setUTCHours(0, 0, 0, 0); break;
    case 'w': d.setUTCHours(0, 0, 0, 0); d.setUTCDate(d.getUTCDate() - d.getUTCDay()); break;
    case 'mon': d.setUTCHours(0, 0, 0, 0); d.setUTCDate(1); break;
    case 'y': d.setUTCHours(0, 0, 0, 0); d.setUTCMonth(0, 1); break;
    default: throw new SplError(`Unknown snap unit '@${unit}'.`);
  }
  return d.getTime();
}

/**
 * A Splunk time modifier → epoch ms: epoch seconds ("1732545691.5"), "now", "0", relative
 * ("-24h", "-7d@d", "+1h", "@d"), or an ISO-8601 date. Null for empty (= unbounded).
 */
export function parseTimeModifier(v: string | undefined, nowMs: number): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '') return null;
  if (t === 'now') return nowMs;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const m = /^([+-]\d*[a-z]+)?(?:@([a-z]+))?$/.exec(t);
  if (m && (m[1] || m[2])) {
    let ms = nowMs;
    if (m[1]) {
      const r = /^([+-])(\d*)([a-z]+)$/.exec(m[1])!;
      const unit = UNIT_MS[r[3]];
      if (!unit) throw new SplError(`Unknown time unit '${r[3]}' in '${t}'.`);
      ms += (r[1] === '-' ? -1 : 1) * Number(r[2] || '1') * unit;
    }
    if (m[2]) ms = snap(ms, m[2] === 'min' ? 'm' : m[2] === 'sec' ? 's' : m[2].replace(/s$/, ''));
    return ms;
  }
  const iso = Date.parse(t);
  if (Number.isFinite(iso)) return iso;
  throw new SplError(`Invalid time modifier '${t}'.`);
}

// ------------------------------------------------------------------------------------- tokenising

/** Split on `|` outside quotes. */
export function splitPipes(spl: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < spl.length; i++) {
    const c = spl[i];
    if (c === '\\' && q) { cur += c + (spl[i + 1] ?? ''); i++; continue; }
    if (c === '"') q = !q;
    if (c === '|' && !q) { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  out.push(cur.trim());
  return out;
}

type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
type Tok = { t: 'word'; v: string } | { t: 'str'; v: string } | { t: '(' } | { t: ')' } | { t: 'op'; v: CmpOp } | { t: ',' };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c }); i++; continue; }
    if (c === ',') { out.push({ t: ',' }); i++; continue; }
    if (c === '!' && s[i + 1] === '=') { out.push({ t: 'op', v: '!=' }); i += 2; continue; }
    if (c === '<' || c === '>') {
      const eq = s[i + 1] === '=';
      out.push({ t: 'op', v: (c + (eq ? '=' : '')) as CmpOp });
      i += eq ? 2 : 1;
      continue;
    }
    if (c === '=') { out.push({ t: 'op', v: '=' }); i += s[i + 1] === '=' ? 2 : 1; continue; }
    if (c === '"') {
      let v = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) { v += s[i + 1]; i += 2; continue; }
        v += s[i++];
      }
      if (i >= s.length) throw new SplError('Unbalanced quotes.');
      i++;
      out.push({ t: 'str', v });
      continue;
    }
    let v = '';
    while (i < s.length && !/[\s()=,"<>]/.test(s[i]) && !(s[i] === '!' && s[i + 1] === '=')) v += s[i++];
    out.push({ t: 'word', v });
  }
  return out;
}

// ------------------------------------------------------------------------------------ expressions

type Expr =
  | { k: 'cmp'; field: string; op: CmpOp; value: string }
  | { k: 'term'; value: string }
  | { k: 'and'; a: Expr[] }
  | { k: 'or'; a: Expr[] }
  | { k: 'not'; e: Expr }
  | { k: 'true' };

interface SearchClause {
  expr: Expr;
  earliest?: string;
  latest?: string;
  _index_earliest?: string;
  _index_latest?: string;
}

const TIME_TERMS = ['earliest', 'latest', '_index_earliest', '_index_latest'] as const;

function parseSearchClause(text: string): SearchClause {
  const toks = tokenize(text);
  let pos = 0;
  const clause: SearchClause = { expr: { k: 'true' } };
  const peek = () => toks[pos];
  function primary(): Expr | null {
    const t = peek();
    if (!t) return null;
    if (t.t === '(') {
      pos++;
      const e = orExpr();
      if (peek()?.t !== ')') throw new SplError('Unbalanced parentheses.');
      pos++;
      return e;
    }
    if (t.t === 'word' && t.v === 'NOT') { pos++; const e = primary(); if (!e) throw new SplError('NOT needs a term.'); return { k: 'not', e }; }
    if (t.t === 'word' || t.t === 'str') {
      pos++;
      const op = peek();
      if (t.t === 'word' && op?.t === 'op') {
        pos++;
        const v = peek();
        if (!v || (v.t !== 'word' && v.t !== 'str')) throw new SplError(`Missing value after '${t.v}${op.v}'.`);
        pos++;
        const timeTerm = TIME_TERMS.find((x) => x === t.v);
        if (timeTerm) {
          if (op.v !== '=') throw new SplError(`'${t.v}' takes '=' only.`);
          clause[timeTerm] = v.v;
          return { k: 'true' };
        }
        return { k: 'cmp', field: t.v, op: op.v, value: v.v };
      }
      return { k: 'term', value: t.v };
    }
    throw new SplError('Unexpected token in search.');
  }
  function andExpr(): Expr {
    const a: Expr[] = [];
    for (;;) {
      const t = peek();
      if (!t || t.t === ')' || (t.t === 'word' && t.v === 'OR')) break;
      if (t.t === 'word' && t.v === 'AND') { pos++; continue; }
      const e = primary();
      if (e) a.push(e);
    }
    return a.length === 1 ? a[0] : { k: 'and', a };
  }
  function orExpr(): Expr {
    const a = [andExpr()];
    while (peek()?.t === 'word' && (peek() as { v: string }).v === 'OR') { pos++; a.push(andExpr()); }
    return a.length === 1 ? a[0] : { k: 'or', a };
  }
  clause.expr = orExpr();
  if (pos < toks.length) throw new SplError('Unexpected token in search.');
  return clause;
}

function wildcard(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
}

// ------------------------------------------------------------------------------------ field access

function flatten(v: unknown, prefix: string, out: Row, depth: number): void {
  if (depth > 6) return;
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    const key = prefix + '{}';
    const scalars = v.filter((x) => x === null || typeof x !== 'object').map((x) => String(x));
    // Long numeric arrays (pointer columns) would bloat every row: the peer omits arrays above 100
    // values from search-time fields (Splunk would extract them); they stay in _raw.
    if (scalars.length && scalars.length <= 100) out[key] = scalars.length === 1 ? scalars[0] : scalars;
    v.forEach((x) => { if (x && typeof x === 'object') flatten(x, key, out, depth + 1); });
    return;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(x, prefix ? `${prefix}.${k}` : k, out, depth + 1);
    return;
  }
  if (!prefix) return;
  const s = String(v);
  const prev = out[prefix];
  out[prefix] = prev === undefined ? s : Array.isArray(prev) ? [...prev, s] : [prev, s];
}

function isoTime(ms: number): string {
  // Splunk renders _time like 2024-11-25T14:41:31.123+00:00.
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** The full row of a stored event (all fields), as the export endpoint returns without `fields`. */
export function rowOf(e: StoredEvent, serverName = 'splunk-local'): Row {
  const row: Row = {};
  let parsed: unknown;
  try { parsed = JSON.parse(e.raw); } catch { parsed = undefined; }
  if (parsed && typeof parsed === 'object') flatten(parsed, '', row, 0);
  for (const [k, v] of Object.entries(e.fields)) row[k] = v;
  row._bkt = `${e.index}~0~local`;
  row._cd = `0:${e.serial}`;
  row._indextime = String(Math.floor(e.indexTimeMs / 1000));
  row._raw = e.raw;
  row._serial = String(e.serial);
  row._si = [serverName, e.index];
  row._sourcetype = e.sourcetype;
  row._time = isoTime(e.timeMs);
  row.host = e.host;
  row.index = e.index;
  row.linecount = '1';
  row.source = e.source;
  row.sourcetype = e.sourcetype;
  row.splunk_server = serverName;
  return row;
}

function valuesOf(row: Row, field: string): string[] {
  const v = row[field];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `field<N` and friends: true when any value of the field is a number that compares true. */
function compareNumbers(vals: string[], op: '<' | '<=' | '>' | '>=', value: string): boolean {
  const b = Number(value);
  if (!Number.isFinite(b)) throw new SplError(`Comparison '${op} ${value}' needs a number.`);
  return vals.some((v) => {
    const a = Number(v);
    if (v === '' || !Number.isFinite(a)) return false;
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  });
}

function evalExpr(e: Expr, row: Row): boolean {
  switch (e.k) {
    case 'true': return true;
    case 'and': return e.a.every((x) => evalExpr(x, row));
    case 'or': return e.a.some((x) => evalExpr(x, row));
    case 'not': return !evalExpr(e.e, row);
    case 'term': {
      if (e.value === '*') return true;
      const re = wildcard(`*${e.value}*`);
      return re.test(String(row._raw ?? ''));
    }
    case 'cmp': {
      if (e.op !== '=' && e.op !== '!=') return compareNumbers(valuesOf(row, e.field), e.op, e.value);
      const re = wildcard(e.value);
      const vals = valuesOf(row, e.field);
      const hit = vals.some((v) => re.test(v));
      // Splunk: field!=v matches only events that have the field with another value.
      return e.op === '=' ? hit : vals.length > 0 && !hit;
    }
  }
}

// --------------------------------------------------------------------------------------- pipeline

export interface SearchRequest {
  search: string;
  earliest_time?: string;
  latest_time?: string;
  /** Index-time bounds (REST `index_earliest` / `index_latest`). */
  index_earliest?: string;
  index_latest?: string;
}

export interface SearchOutput {
  rows: Row[];
  /** Field names in output order (for json_rows). */
  fields: string[];
  /** Events scanned (matched by the base search before commands). */
  scanned: number;
  /** The pipeline has a transforming command (`stats`): results are a table, not events. */
  transforming: boolean;
}

/** Run the subset over events (any order); results newest first, as Splunk returns events. */
export function runSearch(req: SearchRequest, events: readonly StoredEvent[], nowMs: number, serverName = 'splunk-local'): SearchOutput {
  let spl = req.search.trim();
  if (spl.startsWith('|')) throw new SplError(`Only the 'search' command can start this peer's searches.`);
  spl = spl.replace(/^search\s+/i, '');
  const [base, ...cmds] = splitPipes(spl);
  const clause = parseSearchClause(base);
  const earliest = parseTimeModifier(clause.earliest ?? req.earliest_time, nowMs);
  const latest = parseTimeModifier(clause.latest ?? req.latest_time, nowMs);
  const indexEarliest = parseTimeModifier(clause._index_earliest ?? req.index_earliest, nowMs);
  const indexLatest = parseTimeModifier(clause._index_latest ?? req.index_latest, nowMs);
  // Splunk searches only the default indexes (main) when the search names none.
  const namesIndex = /(^|[\s(])index\s*=/.test(base);
  let rows: Row[] = [];
  const sorted = [...events].sort((a, b) => b.timeMs - a.timeMs || b.serial - a.serial);
  for (const e of sorted) {
    if (earliest !== null && e.timeMs < earliest) continue;
    if (latest !== null && e.timeMs >= latest) continue;
    if (indexEarliest !== null && e.indexTimeMs < indexEarliest) continue;
    if (indexLatest !== null && e.indexTimeMs >= indexLatest) continue;
    if (!namesIndex && e.index !== 'main') continue;
    const row = rowOf(e, serverName);
    if (evalExpr(clause.expr, row)) rows.push(row);
  }
  const scanned = rows.length;
  let fields: string[] | null = null;
  let transforming = false;
  for (const cmdText of cmds) {
    const m = /^(\w+)\s*(.*)$/s.exec(cmdText);
    if (!m) throw new SplError('Empty command after |.');
    const [, name, args] = m;
    switch (name.toLowerCase()) {
      case 'head': {
        const n = args.trim() === '' ? 10 : Number(/^(?:limit\s*=\s*)?(\d+)$/.exec(args.trim())?.[1]);
        if (!Number.isFinite(n)) throw new SplError(`head: '${args}' is not a number.`);
        rows = rows.slice(0, n);
        break;
      }
      case 'fields':
      case 'table': {
        const list = args.replace(/^[+-]\s*/, '').split(/[\s,]+/).filter(Boolean);
        const remove = name === 'fields' && args.trim().startsWith('-');
        const res = list.map(wildcard);
        const keep = (k: string) => res.some((r) => r.test(k));
        rows = rows.map((r) => {
          const o: Row = {};
          for (const [k, v] of Object.entries(r)) {
            // Like Splunk, `fields a, b` keeps the internal _raw and _time too (only `fields - _raw` drops it).
            if (remove ? !keep(k) : keep(k) || (name === 'fields' && (k === '_raw' || k === '_time'))) o[k] = v;
          }
          return o;
        });
        if (!remove) fields = list;
        break;
      }
      case 'dedup': {
        const fs = args.split(/[\s,]+/).filter(Boolean);
        if (!fs.length) throw new SplError('dedup needs a field.');
        const seen = new Set<string>();
        rows = rows.filter((r) => {
          const vals = fs.map((f) => r[f]);
          if (vals.some((v) => v === undefined)) return false; // Splunk drops rows missing a dedup field
          const key = JSON.stringify(vals);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        break;
      }
      case 'sort': {
        const specs = args.split(/[\s,]+/).filter(Boolean).filter((s) => !/^\d+$/.test(s)).map((s) => ({ desc: s.startsWith('-'), f: s.replace(/^[+-]/, '') }));
        rows = [...rows].sort((a, b) => {
          for (const { desc, f } of specs) {
            const x = String(valuesOf(a, f)[0] ?? '');
            const y = String(valuesOf(b, f)[0] ?? '');
            const nx = Number(x), ny = Number(y);
            const c = Number.isFinite(nx) && Number.isFinite(ny) && x !== '' && y !== '' ? nx - ny : x.localeCompare(y);
            if (c) return desc ? -c : c;
          }
          return 0;
        });
        break;
      }
      case 'search':
      case 'where': {
        const c = parseSearchClause(args);
        rows = rows.filter((r) => evalExpr(c.expr, r));
        break;
      }
      case 'stats': {
        const out = runStats(args, rows);
        rows = out.rows;
        fields = out.fields;
        transforming = true;
        break;
      }
      default:
        throw new SplError(`Unknown search command '${name}'.`);
    }
  }
  const names = fields ?? [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
  return { rows, fields: names, scanned, transforming };
}

// ------------------------------------------------------------------------------------------ stats

interface Aggregation { fn: string; field: string | null; as: string }

const STATS_FUNCTIONS = new Set(['count', 'dc', 'distinct_count', 'min', 'max', 'avg', 'mean', 'sum', 'latest', 'earliest', 'first', 'last', 'values']);

/** `count`, `dc(f)`, `min(f) AS x`, … `by a b` (commas optional). */
function parseStats(args: string): { aggs: Aggregation[]; by: string[] } {
  const m = /^(.*?)(?:\s+by\s+(.+))?$/is.exec(args.trim());
  const [aggText, byText] = [m?.[1] ?? '', m?.[2] ?? ''];
  const by = byText.split(/[\s,]+/).filter(Boolean);
  const aggs: Aggregation[] = [];
  const re = /([a-z_]+)(?:\(([^)]*)\))?(?:\s+as\s+([\w.{}]+))?\s*,?\s*/giy;
  let pos = 0;
  const text = aggText.trim();
  while (pos < text.length) {
    re.lastIndex = pos;
    const a = re.exec(text);
    if (!a || a[0] === '') throw new SplError(`stats: cannot read '${text.slice(pos)}'.`);
    const fn = a[1].toLowerCase();
    if (!STATS_FUNCTIONS.has(fn)) throw new SplError(`stats: unknown function '${a[1]}'.`);
    const field = a[2]?.trim() || null;
    if (fn !== 'count' && !field) throw new SplError(`stats: ${fn} needs a field.`);
    aggs.push({ fn, field, as: a[3] ?? (field ? `${a[1]}(${field})` : a[1]) });
    pos = re.lastIndex;
  }
  if (!aggs.length) throw new SplError('stats needs a function.');
  return { aggs, by };
}

function aggregate(fn: string, vals: string[]): string | string[] | undefined {
  const nums = vals.map(Number).filter((x, i) => vals[i] !== '' && Number.isFinite(x));
  switch (fn) {
    case 'count': return String(vals.length);
    case 'dc': case 'distinct_count': return String(new Set(vals).size);
    case 'values': { const u = [...new Set(vals)].sort(); return u.length === 1 ? u[0] : u; }
    // Rows arrive newest first: latest is the first value seen, earliest the last.
    case 'latest': case 'first': return vals[0];
    case 'earliest': case 'last': return vals[vals.length - 1];
    case 'min': return nums.length ? String(Math.min(...nums)) : [...vals].sort()[0];
    case 'max': return nums.length ? String(Math.max(...nums)) : [...vals].sort().at(-1);
    case 'sum': return nums.length ? String(nums.reduce((a, b) => a + b, 0)) : undefined;
    case 'avg': case 'mean': return nums.length ? String(nums.reduce((a, b) => a + b, 0) / nums.length) : undefined;
  }
  return undefined;
}

function runStats(args: string, rows: Row[]): { rows: Row[]; fields: string[] } {
  const { aggs, by } = parseStats(args);
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const keyVals = by.map((f) => valuesOf(r, f)[0]);
    if (keyVals.some((v) => v === undefined)) continue; // Splunk drops rows missing a by-field
    const key = JSON.stringify(keyVals);
    const g = groups.get(key);
    if (g) g.push(r); else groups.set(key, [r]);
  }
  if (!by.length && !groups.size) groups.set('[]', []);
  const out: Row[] = [];
  for (const [key, members] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const row: Row = {};
    (JSON.parse(key) as string[]).forEach((v, i) => (row[by[i]] = v));
    for (const a of aggs) {
      const vals = a.field === null ? members.map(() => '1') : members.flatMap((m) => valuesOf(m, a.field!));
      const v = aggregate(a.fn, vals);
      if (v !== undefined) row[a.as] = v;
    }
    out.push(row);
  }
  return { rows: out, fields: [...by, ...aggs.map((a) => a.as)] };
}
