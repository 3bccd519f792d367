/**
 * Pointerprint's own export / import format for recordings: versioned JSON.
 *
 * One session:
 * ```json
 * { "format": "pointerprint-session", "version": 1, "meta": { …SessionMeta },
 *   "columns": { "tMs": [...], "kind": [...], "x": [...], "y": [...], "button": [...],
 *                "buttons": [...], "pointerKind": [...], "dx": [...], "dy": [...] } }
 * ```
 * Several sessions: `{ "format": "pointerprint-sessions", "version": 1, "sessions": [ <one session>… ] }`.
 * Columns are plain number arrays of equal length; a missing position (NaN) is written as null.
 * Validation is strict and every error names where it is (e.g. "sessions[2].columns.x[17]"). Values are
 * range-checked against the typed arrays they are stored in, strings are bounded and free of control
 * characters, and
 * an imported session is always `source: 'import-json'` whatever the file claims (retention and the
 * training-data choices depend on the source).
 */
import { PointerprintError } from '../errors';
import { COLUMN_NAMES, EventKind, allocColumns, type EventColumns, type SessionMeta, type SessionSource, type SizePx } from '../events';

export const SESSION_FORMAT = 'pointerprint-session';
export const BUNDLE_FORMAT = 'pointerprint-sessions';
export const SESSION_FORMAT_VERSION = 1;

/** Columns as JSON arrays (null stands for NaN). */
export type JsonColumns = { [K in (typeof COLUMN_NAMES)[number]]: (number | null)[] };

/** One session in the export format. */
export interface SessionJson {
  format: typeof SESSION_FORMAT;
  version: 1;
  meta: SessionMeta;
  columns: JsonColumns;
}

/** Several sessions in one file. */
export interface SessionBundleJson {
  format: typeof BUNDLE_FORMAT;
  version: 1;
  exportedAtEpochMs?: number;
  sessions: SessionJson[];
}

export interface SessionData {
  meta: SessionMeta;
  columns: EventColumns & { length: number };
}

/** Build the JSON object of one session (first `columns.length` events). */
export function sessionToJson(meta: SessionMeta, columns: EventColumns & { length: number }): SessionJson {
  const n = columns.length;
  const cols = {} as JsonColumns;
  for (const name of COLUMN_NAMES) {
    const src = columns[name];
    const arr: (number | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i];
      arr[i] = Number.isFinite(v) ? v : null;
    }
    cols[name] = arr;
  }
  return { format: SESSION_FORMAT, version: SESSION_FORMAT_VERSION, meta: { ...meta, eventCount: n }, columns: cols };
}

/** Serialise one session to JSON text. */
export function serializeSession(meta: SessionMeta, columns: EventColumns & { length: number }): string {
  return JSON.stringify(sessionToJson(meta, columns));
}

/** Serialise several sessions to one bundle's JSON text. */
export function serializeBundle(sessions: readonly SessionData[], exportedAtEpochMs = Date.now()): string {
  const b: SessionBundleJson = {
    format: BUNDLE_FORMAT,
    version: SESSION_FORMAT_VERSION,
    exportedAtEpochMs,
    sessions: sessions.map((s) => sessionToJson(s.meta, s.columns)),
  };
  return JSON.stringify(b);
}

function bad(where: string, msg: string): never {
  throw new PointerprintError('import/bad-json', `Not a valid Pointerprint recording: ${where} ${msg}`, { where });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SOURCES: readonly SessionSource[] = ['capture', 'import-balabit', 'import-json', 'splunk', 'simulator'];

function size(v: unknown, where: string, required: boolean): SizePx | undefined {
  if (v === undefined && !required) return undefined;
  if (!isObj(v) || typeof v.width !== 'number' || typeof v.height !== 'number' || !(v.width > 0) || !(v.height > 0) || !(v.width <= MAX_SIDE_PX) || !(v.height <= MAX_SIDE_PX)) {
    bad(where, `must be { width, height } with positive numbers up to ${MAX_SIDE_PX}.`);
  }
  return { width: v.width, height: v.height };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_TEXT = 2000;
const MAX_SIDE_PX = 1e6;

function validateMeta(m: unknown, where: string): SessionMeta {
  if (!isObj(m)) bad(where, 'is missing or not an object.');
  const str = (k: string, required: boolean, max = 200): string | undefined => {
    const v = m[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || (required && v.length === 0)) bad(`${where}.${k}`, 'must be a non-empty string.');
    if (v.length > max) bad(`${where}.${k}`, `is ${v.length} characters long; at most ${max} are allowed.`);
    if (CONTROL.test(v)) bad(`${where}.${k}`, 'contains control characters.');
    return v;
  };
  const num = (k: string, required: boolean, min: number, max: number): number | undefined => {
    const v = m[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${where}.${k}`, 'must be a finite number.');
    if (v < min || v > max) bad(`${where}.${k}`, `must be between ${min} and ${max}, found ${v}.`);
    return v;
  };
  const source = m.source;
  if (typeof source !== 'string' || !SOURCES.includes(source as SessionSource)) {
    bad(`${where}.source`, `must be one of ${SOURCES.join(', ')}.`);
  }
  // The id is the session's key: an id already stored is skipped by the importer, never overwritten.
  const id = str('id', true, 300)!;
  const out: SessionMeta = {
    id,
    profileId: str('profileId', true)!,
    // What a file says about its origin is a claim, not a fact: everything imported from a file is
    // 'import-json' (so retention and the training-data choices treat it as imported).
    source: 'import-json',
    startedAtEpochMs: num('startedAtEpochMs', true, 0, 8.64e15)!,
    space: size(m.space, `${where}.space`, true)!,
    eventCount: num('eventCount', true, 0, Number.MAX_SAFE_INTEGER)!,
    durationMs: num('durationMs', true, 0, 8.64e15)!,
  };
  const label = str('label', false); if (label !== undefined) out.label = label;
  const ua = str('userAgent', false, 1000); if (ua !== undefined) out.userAgent = ua;
  const note = str('note', false, MAX_TEXT); if (note !== undefined) out.note = note;
  const dpr = num('devicePixelRatio', false, 0.01, 100); if (dpr !== undefined) out.devicePixelRatio = dpr;
  const vp = size(m.viewport, `${where}.viewport`, false); if (vp) out.viewport = vp;
  const pg = size(m.page, `${where}.page`, false); if (pg) out.page = pg;
  const sc = size(m.screen, `${where}.screen`, false); if (sc) out.screen = sc;
  return out;
}

/**
 * Allowed values per column: the typed array a column is stored in would silently wrap or round
 * anything else (e.g. button 300 in an Int8Array).
 */
const COLUMN_RANGE: Record<(typeof COLUMN_NAMES)[number], { min: number; max: number; integer: boolean }> = {
  tMs: { min: -8.64e15, max: 8.64e15, integer: false },
  kind: { min: 0, max: EventKind.Idle, integer: true },
  x: { min: -1e7, max: 1e7, integer: false },
  y: { min: -1e7, max: 1e7, integer: false },
  button: { min: -1, max: 127, integer: true },
  buttons: { min: 0, max: 255, integer: true },
  pointerKind: { min: 0, max: 255, integer: true },
  dx: { min: -1e7, max: 1e7, integer: false },
  dy: { min: -1e7, max: 1e7, integer: false },
};

/** Columns whose values may be null (NaN: a position not known, e.g. a wheel tick before any move). */
const NULLABLE = new Set<string>(['x', 'y']);
const MAX_KIND = EventKind.Idle;

function validateSession(v: unknown, where: string): SessionData {
  if (!isObj(v)) bad(where, 'is not an object.');
  if (v.format !== SESSION_FORMAT) bad(`${where}.format`, `must be "${SESSION_FORMAT}", found ${JSON.stringify(v.format)?.slice(0, 40)}.`);
  if (v.version !== SESSION_FORMAT_VERSION) {
    bad(`${where}.version`, `is ${JSON.stringify(v.version)}; this app reads version ${SESSION_FORMAT_VERSION}. Update the app to import newer files.`);
  }
  const meta = validateMeta(v.meta, `${where}.meta`);
  const cj = v.columns;
  if (!isObj(cj)) bad(`${where}.columns`, 'is missing or not an object.');
  const first = cj.tMs;
  if (!Array.isArray(first)) bad(`${where}.columns.tMs`, 'must be an array of numbers.');
  const n = first.length;
  const cols = allocColumns(n);
  for (const name of COLUMN_NAMES) {
    const arr = cj[name];
    const w = `${where}.columns.${name}`;
    if (!Array.isArray(arr)) bad(w, 'must be an array of numbers.');
    if (arr.length !== n) bad(w, `has ${arr.length} values but tMs has ${n}; all columns must be the same length.`);
    const dst = cols[name];
    const nullable = NULLABLE.has(name);
    const range = COLUMN_RANGE[name];
    for (let i = 0; i < n; i++) {
      const x = arr[i];
      if (typeof x === 'number' && Number.isFinite(x)) {
        if (x < range.min || x > range.max || (range.integer && !Number.isInteger(x))) {
          if (name === 'kind') bad(`${w}[${i}]`, `is not a known event kind (0..${MAX_KIND}).`);
          bad(`${w}[${i}]`, `must be ${range.integer ? 'a whole number' : 'a number'} between ${range.min} and ${range.max}, found ${x}.`);
        }
        dst[i] = x;
      } else if (x === null && nullable) dst[i] = NaN;
      else bad(`${w}[${i}]`, `must be a number, found ${JSON.stringify(x)?.slice(0, 40)}.`);
    }
  }
  for (let i = 0; i < n; i++) {
    if (i > 0 && cols.tMs[i] < cols.tMs[i - 1]) bad(`${where}.columns.tMs[${i}]`, 'goes backwards in time; events must be in time order.');
  }
  meta.eventCount = n;
  return { meta, columns: { ...cols, length: n } };
}

/**
 * Parse an exported file: one session or a bundle. Always returns a list.
 * Throws PointerprintError('import/bad-json', …) naming the first problem found.
 */
export function parseSessionJson(text: string): SessionData[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new PointerprintError('import/bad-json', `Not a valid Pointerprint recording: the file is not JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!isObj(v)) bad('the file', 'is not a JSON object.');
  if (v.format === BUNDLE_FORMAT) {
    if (v.version !== SESSION_FORMAT_VERSION) bad('version', `is ${JSON.stringify(v.version)}; this app reads version ${SESSION_FORMAT_VERSION}.`);
    if (!Array.isArray(v.sessions)) bad('sessions', 'must be an array.');
    return v.sessions.map((s, i) => validateSession(s, `sessions[${i}]`));
  }
  if (v.format === SESSION_FORMAT) return [validateSession(v, 'session')];
  bad('format', `must be "${SESSION_FORMAT}" or "${BUNDLE_FORMAT}", found ${JSON.stringify(v.format)?.slice(0, 40) ?? 'nothing'}.`);
}
