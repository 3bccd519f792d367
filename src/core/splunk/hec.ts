/**
 * Splunk HTTP Event Collector (HEC) wire format: envelopes, compact pointer batches, score events.
 *
 * Pure: no DOM, no network. The browser shell (`src/splunk/hecClient.ts`) and the local peer
 * (`server/splunk-local.ts`) both build on it.
 *
 * Contract (Splunk docs, "Format events for HTTP Event Collector"): one JSON object per event with
 * `time` (epoch seconds, fractions allowed), `host`, `source`, `sourcetype`, `index`, `event`
 * (the payload) and `fields` (indexed fields: flat string values or arrays of strings); several
 * objects may be concatenated in one request body ("batching"), optionally separated by whitespace.
 */
import { COLUMN_NAMES, type EventChunk, type SessionMeta } from '../events';
import type { GroupLiveScore, LiveScore } from '../score';

/** Sourcetypes under which Pointerprint sends; the Splunk app's props.conf describes each. */
export const SOURCETYPE_POINTER = 'pointerprint:pointer';
export const SOURCETYPE_SCORE = 'pointerprint:score';
export const SOURCETYPE_GROUP_SCORE = 'pointerprint:group_score';
/** Format version of the `event` payloads below; bump when the shape changes. */
export const WIRE_VERSION = 1;

/** Indexed fields: HEC accepts a string or an array of strings per key (no nesting). */
export type HecFields = Record<string, string | string[]>;

/** One HEC event envelope, exactly as serialised on the wire. */
export interface HecEnvelope<E = unknown> {
  /** Epoch seconds with (up to) millisecond fractions, e.g. 1732545691.123. */
  time: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: E;
  fields?: HecFields;
}

/** Where envelopes go: host/source/index chosen by the owner in the settings. */
export interface HecRouting {
  host?: string;
  source?: string;
  /** Empty or undefined: the token's default index. */
  index?: string;
}

/** Epoch ms → HEC `time` (epoch seconds, 3 decimals: HEC keeps millisecond precision). */
export function epochMsToHecTime(epochMs: number): number {
  return Math.round(epochMs) / 1000;
}

/** HEC `time` (number or numeric string, as splunk-logging sends it) → epoch ms, or null. */
export function hecTimeToEpochMs(t: unknown): number | null {
  const n = typeof t === 'number' ? t : typeof t === 'string' && t.trim() !== '' ? Number(t) : NaN;
  return Number.isFinite(n) ? Math.round(n * 1000) : null;
}

function routed<E>(routing: HecRouting, sourcetype: string, time: number, event: E, fields: HecFields): HecEnvelope<E> {
  const env: HecEnvelope<E> = { time, sourcetype, event, fields };
  if (routing.host) env.host = routing.host;
  if (routing.source) env.source = routing.source;
  if (routing.index) env.index = routing.index;
  return env;
}

/** Session facts sent with every pointer event so a search result can rebuild the session alone. */
export interface WireSession {
  id: string;
  profileId: string;
  label?: string;
  source: SessionMeta['source'];
  startedAtEpochMs: number;
  space: { width: number; height: number };
  viewport?: { width: number; height: number };
  screen?: { width: number; height: number };
  devicePixelRatio?: number;
}

/** Columns as plain number arrays (JSON has no typed arrays); names as in `COLUMN_NAMES`. */
export type WireColumns = Record<(typeof COLUMN_NAMES)[number], number[]>;

/** The `event` of a `pointerprint:pointer` HEC event: one part of one chunk of one session. */
export interface PointerWireEvent {
  v: number;
  type: 'pointer';
  /** Stable id `${sessionId}:${seq}:${offset}`: the same data always gets the same id (dedup). */
  eventId: string;
  session: WireSession;
  seq: number;
  /** Index of this part's first sample within the chunk (a chunk may be split into parts). */
  offset: number;
  length: number;
  /** Samples in the whole chunk, so a reader can tell a chunk's last part arrived. */
  chunkLength: number;
  columns: WireColumns;
}

/** The `event` of a `pointerprint:score` HEC event. */
export interface ScoreWireEvent extends LiveScore {
  v: number;
  type: 'score';
  eventId: string;
}

/** The `event` of a `pointerprint:group_score` HEC event. */
export interface GroupScoreWireEvent extends GroupLiveScore {
  v: number;
  type: 'group_score';
  eventId: string;
}

function wireSession(meta: SessionMeta): WireSession {
  const s: WireSession = {
    id: meta.id,
    profileId: meta.profileId,
    source: meta.source,
    startedAtEpochMs: meta.startedAtEpochMs,
    space: { width: meta.space.width, height: meta.space.height },
  };
  if (meta.label !== undefined) s.label = meta.label;
  if (meta.viewport) s.viewport = { ...meta.viewport };
  if (meta.screen) s.screen = { ...meta.screen };
  if (meta.devicePixelRatio !== undefined) s.devicePixelRatio = meta.devicePixelRatio;
  return s;
}

/** Round to 3 decimals: sub-microsecond digits of performance.now() only cost bytes. */
function r3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Splunk's default `TRUNCATE` (props.conf) on the tier that parses HEC data: events longer than this
 * many bytes are cut, and a cut pointer event is no longer JSON.
 */
export const SPLUNK_DEFAULT_TRUNCATE_BYTES = 10_000;

/**
 * Most bytes of one serialised pointer envelope. The envelope holds the event plus time, routing and
 * indexed fields, so an envelope this size leaves an event (`_raw`) well under the default TRUNCATE,
 * with a tenth to spare for how Splunk re-serialises the JSON (number formatting may differ).
 */
export const DEFAULT_MAX_POINTER_EVENT_BYTES = 9_000;

export interface PointerSplit {
  /** Most UTF-8 bytes of one serialised envelope (default `DEFAULT_MAX_POINTER_EVENT_BYTES`). */
  maxEventBytes?: number;
  /** Most samples per event, whatever their size (default: no limit but bytes). */
  maxSamplesPerEvent?: number;
}

function wireValue(name: (typeof COLUMN_NAMES)[number], v: number): number {
  return name === 'tMs' || name === 'x' || name === 'y' || name === 'dx' || name === 'dy' ? r3(v) : v;
}

function pointerPart(chunk: EventChunk, meta: SessionMeta, session: WireSession, routing: HecRouting, offset: number, end: number): HecEnvelope<PointerWireEvent> {
  const columns = {} as WireColumns;
  for (const name of COLUMN_NAMES) {
    const src = chunk[name];
    const arr = new Array<number>(end - offset);
    for (let i = offset; i < end; i++) arr[i - offset] = wireValue(name, src[i]);
    columns[name] = arr;
  }
  const eventId = `${chunk.sessionId}:${chunk.seq}:${offset}`;
  const event: PointerWireEvent = { v: WIRE_VERSION, type: 'pointer', eventId, session, seq: chunk.seq, offset, length: end - offset, chunkLength: chunk.length, columns };
  const fields: HecFields = { pp_event_id: eventId, pp_session: meta.id, pp_profile: meta.profileId };
  if (meta.label) fields.pp_label = meta.label;
  const time = epochMsToHecTime(meta.startedAtEpochMs + (chunk.length > 0 ? chunk.tMs[offset] : 0));
  return routed(routing, SOURCETYPE_POINTER, time, event, fields);
}

/** Bytes sample `i` adds to an envelope: each column's value and its comma. */
function sampleBytes(chunk: EventChunk, i: number): number {
  let n = 0;
  for (const name of COLUMN_NAMES) n += String(wireValue(name, chunk[name][i])).length + 1;
  return n;
}

/**
 * Split a chunk into compact pointer envelopes, each at most `maxEventBytes` when serialised
 * (measured in bytes, not samples: a sample's size depends on its numbers, the session's label and
 * ids). Why: Splunk cuts events longer than props.conf `TRUNCATE` (10,000 bytes by default) on the
 * tier that parses HEC, wherever the app is installed; the keepalive flush at page hide has a
 * 64 KiB budget too. Parts keep stable ids `${sessionId}:${seq}:${offset}`.
 */
export function pointerEnvelopes(chunk: EventChunk, meta: SessionMeta, routing: HecRouting, split: PointerSplit = {}): HecEnvelope<PointerWireEvent>[] {
  const maxBytes = split.maxEventBytes ?? DEFAULT_MAX_POINTER_EVENT_BYTES;
  const maxSamples = Math.max(1, Math.floor(split.maxSamplesPerEvent ?? Infinity));
  const out: HecEnvelope<PointerWireEvent>[] = [];
  if (chunk.length === 0) return out;
  const session = wireSession(meta);
  let offset = 0;
  do {
    // Estimate from the empty envelope plus each sample's bytes, then check the real serialisation.
    let budget = maxBytes - utf8Bytes(serializeEnvelope(pointerPart(chunk, meta, session, routing, offset, offset)));
    let end = offset;
    while (end < chunk.length && end - offset < maxSamples) {
      budget -= sampleBytes(chunk, end);
      if (budget < 0 && end > offset) break;
      end++;
    }
    let env = pointerPart(chunk, meta, session, routing, offset, end);
    while (end - offset > 1 && utf8Bytes(serializeEnvelope(env)) > maxBytes) env = pointerPart(chunk, meta, session, routing, offset, --end);
    out.push(env);
    offset = end;
  } while (offset < chunk.length);
  return out;
}

/**
 * A score envelope, timed at the score's wall clock: `pointerprint:score` for a verification score;
 * `pointerprint:group_score` for a group model's (it has `leadingGroup`), its own sourcetype so the
 * searches and the alert on verification decisions (`decision=…`) never see it; purged with scores.
 */
export function scoreEnvelope(score: LiveScore, routing: HecRouting): HecEnvelope<ScoreWireEvent>;
export function scoreEnvelope(score: GroupLiveScore, routing: HecRouting): HecEnvelope<GroupScoreWireEvent>;
export function scoreEnvelope(score: LiveScore | GroupLiveScore, routing: HecRouting): HecEnvelope<ScoreWireEvent | GroupScoreWireEvent>;
export function scoreEnvelope(score: LiveScore | GroupLiveScore, routing: HecRouting): HecEnvelope<ScoreWireEvent | GroupScoreWireEvent> {
  const group = 'leadingGroup' in score;
  const event = { ...score, flags: [...score.flags], v: WIRE_VERSION, type: group ? 'group_score' : 'score', eventId: score.id } as ScoreWireEvent | GroupScoreWireEvent;
  const fields: HecFields = { pp_event_id: score.id, pp_session: score.sessionId, pp_profile: score.profileId };
  if (!group) fields.pp_decision = score.decision;
  else if (score.leadingGroup) fields.pp_group = score.leadingGroup;
  return routed(routing, group ? SOURCETYPE_GROUP_SCORE : SOURCETYPE_SCORE, epochMsToHecTime(score.atEpochMs), event, fields);
}

/** Serialise one envelope. Newline-separated concatenation is what HEC batching accepts. */
export function serializeEnvelope(env: HecEnvelope): string {
  return JSON.stringify(env);
}

/** UTF-8 byte length without TextEncoder allocation per call site. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Join a base URL (absolute, or same-origin path such as `/splunk-hec` for the dev proxy) and a path. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

export const HEC_EVENT_PATH = 'services/collector/event';
export const HEC_HEALTH_PATH = 'services/collector/health';
export const HEC_ACK_PATH = 'services/collector/ack';

/**
 * Split a HEC request body into its JSON objects (concatenated, whitespace optional). Used by the
 * local peer and tests; returns the texts so a bad object can be reported by its position.
 */
export function splitConcatenatedJson(body: string): { objects: string[]; rest: string } {
  const objects: string[] = [];
  let depth = 0;
  let inStr = false;
  let esc = false;
  let start = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inStr) {
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') { inStr = true; if (start < 0) return { objects, rest: body.slice(i) }; continue; }
    if (c === '{') { if (depth === 0) start = i; depth++; continue; }
    if (c === '}') {
      depth--;
      if (depth === 0 && start >= 0) { objects.push(body.slice(start, i + 1)); start = -1; }
      if (depth < 0) return { objects, rest: body.slice(i) };
      continue;
    }
    if (depth === 0 && !/\s/.test(c)) return { objects, rest: body.slice(i) };
  }
  return { objects, rest: depth === 0 ? '' : body.slice(start) };
}
