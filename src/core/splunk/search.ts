/**
 * The search side: SPL for the app's queries, an incremental parser of the export endpoint's
 * JSON-lines stream, and conversion of result rows back into sessions and labelled training sets.
 *
 * Contract (Splunk REST API Reference, "search/jobs/export"): `POST /services/search/jobs/export`
 * (or `/services/search/v2/jobs/export`) with `search`, `earliest_time`, `latest_time`,
 * `output_mode=json` streams one JSON object per line: `{"preview":false,"offset":n,"result":{...}}`,
 * the last one with `"lastrow":true`; `{"messages":[...]}` lines carry warnings and errors. A
 * transforming search (`stats`, `timechart`…) first streams preview sets (`"preview":true`), each
 * ending with its own `lastrow`; only the final set (`"preview":false`) ends the answer. A search with
 * no results ends with a bare `{"preview":false,"lastrow":true}`. Pure.
 */
import { COLUMN_NAMES, allocColumns, type EventColumns, type SessionMeta } from '../events';
import { PointerprintError } from '../errors';
import { SOURCETYPE_POINTER, type PointerWireEvent } from './hec';

// ---------------------------------------------------------------------------------------------- SPL

/** Quote a value for SPL: always double quotes, escaping backslash and quote. */
export function splQuote(v: string): string {
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** Field names SPL accepts unquoted (letters, digits, _, ., :, {}); others are refused. */
export function isSafeFieldName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.:{}]*$/.test(name);
}

export interface TrainingQuery {
  index: string;
  sourcetype?: string;
  /** Only sessions of these profiles (OR). */
  profileIds?: string[];
  /** field=value filters (AND), e.g. { 'session.label': 'customer' } or a lookup output field. */
  where?: Record<string, string>;
  /** Most result rows (`| head N`); 0 or undefined: no limit. */
  maxRows?: number;
}

/**
 * The SPL the app runs to pull pointer events back. `dedup eventId` folds the duplicates
 * at-least-once delivery may have produced; it uses the id inside the JSON (`eventId`, among the first
 * keys, so within Splunk's search-time extraction limit) rather than the indexed `pp_event_id`, because
 * `dedup` drops rows that lack its field and indexed fields depend on the deployment's fields.conf.
 * Filters use the JSON paths (`session.profileId`) for the same reason: search-time JSON extraction
 * exists on every Splunk (AUTO_KV_JSON), the indexed pp_* fields need fields.conf to be `field=value`
 * searchable. `fields` keeps the rows small (the session is in _raw).
 */
export function buildTrainingSearch(q: TrainingQuery, labelField?: string): string {
  const parts = [`search index=${splQuote(q.index)}`, `sourcetype=${splQuote(q.sourcetype ?? SOURCETYPE_POINTER)}`];
  if (q.profileIds?.length) {
    const ors = q.profileIds.map((p) => `session.profileId=${splQuote(p)}`);
    parts.push(ors.length === 1 ? ors[0] : `(${ors.join(' OR ')})`);
  }
  for (const [k, v] of Object.entries(q.where ?? {})) {
    if (!isSafeFieldName(k)) throw new PointerprintError('splunk/bad-field', `"${k}" is not a field name Splunk accepts.`);
    parts.push(`${k}=${splQuote(v)}`);
  }
  let spl = parts.join(' ');
  spl += ' | dedup eventId';
  if (q.maxRows && q.maxRows > 0) spl += ` | head ${Math.floor(q.maxRows)}`;
  const keep = ['_raw', '_time', 'eventId', 'session.id', 'session.profileId', 'session.label'];
  if (labelField && isSafeFieldName(labelField) && !keep.includes(labelField)) keep.push(labelField);
  spl += ` | fields ${keep.join(', ')}`;
  return spl;
}

/** Ensure a typed SPL string starts with a generating command, as the export endpoint requires. */
export function normalizeSpl(spl: string): string {
  const t = spl.trim();
  if (t.startsWith('|') || /^search\s/i.test(t)) return t;
  return 'search ' + t;
}

/** Form body for the export endpoint. */
export function exportParams(search: string, earliest?: string, latest?: string): URLSearchParams {
  const p = new URLSearchParams();
  p.set('search', normalizeSpl(search));
  p.set('output_mode', 'json');
  if (earliest) p.set('earliest_time', earliest);
  if (latest) p.set('latest_time', latest);
  return p;
}

// ------------------------------------------------------------------------------ streaming JSON lines

/** One search result row as Splunk returns it: strings, or arrays of strings for multivalue fields. */
export type ResultRow = Record<string, string | string[] | undefined>;

export interface ExportMessage {
  type: string;
  text: string;
}

export type ExportItem =
  | { kind: 'result'; row: ResultRow; preview: boolean; offset?: number; lastrow: boolean }
  | { kind: 'messages'; messages: ExportMessage[] };

export interface ExportStreamSummary {
  /** The stream ended inside a line (cut off), or a line was not JSON. */
  truncated: boolean;
  /** The final set's `lastrow` marker was seen (`preview` false): Splunk finished sending. */
  sawLastRow: boolean;
  /** Lines that could not be parsed (bounded sample, for the error message). */
  badLines: string[];
}

/**
 * Incremental parser: feed text as it arrives (chunk boundaries anywhere, even inside a multi-byte
 * character when the caller uses TextDecoder with `stream: true`), get complete items back.
 */
export class ExportStreamParser {
  private buf = '';
  private sawLastRow = false;
  private badLines: string[] = [];
  private bad = 0;

  push(text: string): ExportItem[] {
    this.buf += text;
    const out: ExportItem[] = [];
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.line(line, out);
    }
    return out;
  }

  /** The stream ended: parse a last unterminated line if it is complete JSON. */
  end(): { items: ExportItem[]; summary: ExportStreamSummary } {
    const items: ExportItem[] = [];
    const rest = this.buf;
    this.buf = '';
    if (rest.trim()) this.line(rest, items);
    return { items, summary: { truncated: this.bad > 0, sawLastRow: this.sawLastRow, badLines: this.badLines } };
  }

  private line(raw: string, out: ExportItem[]): void {
    const line = raw.trim();
    if (!line) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      this.bad++;
      if (this.badLines.length < 3) this.badLines.push(line.slice(0, 120));
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as { result?: ResultRow; results?: ResultRow[]; preview?: boolean; offset?: number; lastrow?: boolean; messages?: ExportMessage[] };
    // A preview set's lastrow only ends that preview; the answer ends with the final set's.
    if (o.lastrow && o.preview !== true) this.sawLastRow = true;
    if (Array.isArray(o.messages) && o.messages.length) out.push({ kind: 'messages', messages: o.messages });
    if (o.result && typeof o.result === 'object') {
      out.push({ kind: 'result', row: o.result, preview: !!o.preview, offset: o.offset, lastrow: !!o.lastrow });
    } else if (Array.isArray(o.results)) {
      // Some versions answer a whole (small) result set as one `{"results":[...]}` object.
      o.results.forEach((row, i) => out.push({ kind: 'result', row, preview: !!o.preview, offset: i, lastrow: !!o.lastrow && i === o.results!.length - 1 }));
    }
  }
}

// -------------------------------------------------------------------------- rows → sessions, sets

export interface RebuiltSession {
  meta: SessionMeta;
  columns: EventColumns & { length: number };
}

export interface RebuildReport {
  sessions: RebuiltSession[];
  /** Rows skipped, with a reason each (not pointer events, bad JSON…). */
  skipped: { reason: string; count: number }[];
  /** Duplicate pointer events folded (at-least-once delivery). */
  duplicates: number;
  /** Sessions where parts are missing (gaps in seq/offset): kept, flagged in `note`. */
  incomplete: number;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isPointerEvent(v: unknown): v is PointerWireEvent {
  if (!v || typeof v !== 'object') return false;
  const e = v as Partial<PointerWireEvent>;
  return e.type === 'pointer' && typeof e.eventId === 'string' && !!e.session && typeof e.session.id === 'string' && typeof e.seq === 'number' && !!e.columns && Array.isArray(e.columns.tMs);
}

/**
 * Rebuild sessions from export rows of `pointerprint:pointer` events. Each row's `_raw` is the HEC
 * `event` JSON. Sessions get `source: 'splunk'` and an id prefixed `splunk:` so pulling a session
 * the device also holds locally never overwrites the local copy. `labelField` names the row field
 * that carries the label (e.g. a lookup output); the event's own `session.label` is the fallback.
 */
export function rowsToSessions(rows: readonly ResultRow[], labelField?: string): RebuildReport {
  const skipped = new Map<string, number>();
  const skip = (r: string) => skipped.set(r, (skipped.get(r) ?? 0) + 1);
  const bySession = new Map<string, { parts: Map<string, PointerWireEvent>; label?: string }>();
  let duplicates = 0;
  for (const row of rows) {
    const raw = first(row._raw);
    if (!raw) { skip('no _raw field (add _raw to | fields)'); continue; }
    let ev: unknown;
    try { ev = JSON.parse(raw); } catch { skip('_raw is not JSON (truncated by Splunk? set TRUNCATE = 0 for the sourcetype)'); continue; }
    if (!isPointerEvent(ev)) { skip('not a pointerprint:pointer event'); continue; }
    let s = bySession.get(ev.session.id);
    if (!s) bySession.set(ev.session.id, (s = { parts: new Map() }));
    if (s.parts.has(ev.eventId)) { duplicates++; continue; }
    s.parts.set(ev.eventId, ev);
    const lab = labelField ? first(row[labelField]) : undefined;
    if (lab) s.label = lab;
  }
  const sessions: RebuiltSession[] = [];
  let incomplete = 0;
  for (const [sid, s] of bySession) {
    const parts = [...s.parts.values()].sort((a, b) => a.seq - b.seq || a.offset - b.offset);
    const total = parts.reduce((n, p) => n + p.length, 0);
    const cols = allocColumns(total);
    let at = 0;
    for (const p of parts) {
      for (const name of COLUMN_NAMES) {
        const src = p.columns[name] ?? [];
        (cols[name] as { set(a: ArrayLike<number>, o: number): void }).set(src.slice(0, p.length), at);
      }
      at += p.length;
    }
    // Complete means: chunk seqs follow each other, and each chunk's parts tile it from offset 0.
    let gaps = false;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      const prev = parts[i - 1];
      if (!prev) { if (p.offset !== 0) gaps = true; continue; }
      if (p.seq === prev.seq) { if (p.offset !== prev.offset + prev.length) gaps = true; }
      else if (p.seq !== prev.seq + 1 || p.offset !== 0 || (prev.chunkLength !== undefined && prev.offset + prev.length !== prev.chunkLength)) gaps = true;
    }
    const last = parts[parts.length - 1];
    if (last.chunkLength !== undefined && last.offset + last.length !== last.chunkLength) gaps = true;
    if (gaps) incomplete++;
    const w = parts[0].session;
    const label = s.label ?? w.label;
    const meta: SessionMeta = {
      id: `splunk:${sid}`,
      profileId: w.profileId,
      source: 'splunk',
      startedAtEpochMs: w.startedAtEpochMs,
      space: { ...w.space },
      eventCount: total,
      durationMs: total > 0 ? cols.tMs[total - 1] - cols.tMs[0] : 0,
      note: `pulled from Splunk (original session ${sid}, source ${w.source})${gaps ? '; some parts missing' : ''}`,
    };
    if (label !== undefined) meta.label = label;
    if (w.viewport) meta.viewport = { ...w.viewport };
    if (w.screen) meta.screen = { ...w.screen };
    if (w.devicePixelRatio !== undefined) meta.devicePixelRatio = w.devicePixelRatio;
    sessions.push({ meta, columns: { ...cols, length: total } });
  }
  sessions.sort((a, b) => a.meta.startedAtEpochMs - b.meta.startedAtEpochMs);
  return { sessions, skipped: [...skipped].map(([reason, count]) => ({ reason, count })), duplicates, incomplete };
}

/** A labelled training set: session ids per label (e.g. customers vs others, or one profile vs rest). */
export interface TrainingSet {
  labels: string[];
  byLabel: Record<string, string[]>;
  unlabelled: string[];
}

export function trainingSetOf(sessions: readonly RebuiltSession[]): TrainingSet {
  const byLabel: Record<string, string[]> = {};
  const unlabelled: string[] = [];
  for (const s of sessions) {
    const l = s.meta.label;
    if (l === undefined || l === '') unlabelled.push(s.meta.id);
    else (byLabel[l] ??= []).push(s.meta.id);
  }
  return { labels: Object.keys(byLabel).sort(), byLabel, unlabelled };
}
