/**
 * Search client (browser shell): runs a search through the export endpoint, parses the streamed
 * JSON lines as they arrive (progress, cancel), rebuilds sessions and saves them as `source: 'splunk'`.
 *
 * `POST {mgmt}/services/search/jobs/export` (or `/services/search/v2/jobs/export`) with
 * `Authorization: Bearer <token>` (Splunk authentication tokens) or `Splunk <sessionKey>`.
 */
import { PointerprintError, describeError } from '../core/errors';
import { joinUrl } from '../core/splunk/hec';
import {
  ExportStreamParser, exportParams, rowsToSessions, trainingSetOf,
  type ExportMessage, type RebuildReport, type ResultRow, type TrainingSet,
} from '../core/splunk/search';
import { saveSession } from '../store/sessions';

export interface SearchConnection {
  mgmtUrl: string;
  token: string;
  /** 'Bearer' for authentication tokens (default), 'Splunk' for a session key from auth/login. */
  scheme?: 'Bearer' | 'Splunk';
  useV2?: boolean;
}

export interface ExportRequest {
  search: string;
  earliest?: string;
  latest?: string;
}

export interface ExportProgress {
  bytes: number;
  rows: number;
  messages: ExportMessage[];
}

export interface ExportResult extends ExportProgress {
  rowsData: ResultRow[];
  complete: boolean;
}

function authHeader(c: SearchConnection): string {
  return `${c.scheme ?? 'Bearer'} ${c.token.trim()}`;
}

/** Words for a management API failure. */
async function httpError(res: Response): Promise<PointerprintError> {
  let text = '';
  try {
    const b = JSON.parse(await res.text()) as { messages?: ExportMessage[] };
    text = (b.messages ?? []).map((m) => m.text).join(' ');
  } catch { /* not JSON */ }
  if (res.status === 401) return new PointerprintError('splunk/unauthorized', `Splunk refused the search token (401${text ? `: ${text}` : ''}). Check the management token.`);
  if (res.status === 403) return new PointerprintError('splunk/forbidden', `The token may not search (403${text ? `: ${text}` : ''}).`);
  if (res.status === 400) return new PointerprintError('splunk/search-error', `Splunk rejected the search: ${text || 'bad request'}`);
  if (res.status === 404) return new PointerprintError('splunk/not-found', 'No search endpoint at this URL (404). Use the management port (8089) or the /splunk-mgmt proxy.');
  return new PointerprintError('splunk/http', `Splunk answered HTTP ${res.status}${text ? `: ${text}` : ''}.`);
}

/**
 * Run a search through the export endpoint and collect its rows, reporting progress as lines
 * arrive. Throws PointerprintError: cancelled, unreachable, unauthorized, search error, truncated.
 */
export async function exportSearch(conn: SearchConnection, req: ExportRequest, opts: { signal?: AbortSignal; onProgress?: (p: ExportProgress) => void; fetch?: typeof fetch } = {}): Promise<ExportResult> {
  const path = conn.useV2 ? 'services/search/v2/jobs/export' : 'services/search/jobs/export';
  let res: Response;
  try {
    res = await (opts.fetch ?? globalThis.fetch)(joinUrl(conn.mgmtUrl, path), {
      method: 'POST',
      headers: { Authorization: authHeader(conn), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: exportParams(req.search, req.earliest, req.latest).toString(),
      signal: opts.signal,
    });
  } catch (e) {
    if (opts.signal?.aborted) throw new PointerprintError('splunk/cancelled', 'Search cancelled.');
    throw new PointerprintError('splunk/unreachable', `Cannot reach Splunk at ${conn.mgmtUrl}: ${describeError(e)}. Is it up, the URL right, and CORS enabled on the management port (or the dev proxy in use)?`, e);
  }
  if (!res.ok) throw await httpError(res);
  const parser = new ExportStreamParser();
  const rows: ResultRow[] = [];
  const messages: ExportMessage[] = [];
  let bytes = 0;
  const take = (items: ReturnType<ExportStreamParser['push']>) => {
    for (const it of items) {
      if (it.kind === 'result') { if (!it.preview) rows.push(it.row); }
      else messages.push(...it.messages);
    }
  };
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  try {
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        take(parser.push(decoder.decode(value, { stream: true })));
        opts.onProgress?.({ bytes, rows: rows.length, messages });
      }
    } else {
      const t = await res.text();
      bytes = t.length;
      take(parser.push(t));
    }
    take(parser.push(decoder.decode()));
  } catch (e) {
    if (opts.signal?.aborted) throw new PointerprintError('splunk/cancelled', `Search cancelled after ${rows.length} rows.`);
    throw new PointerprintError('splunk/truncated', `The connection broke after ${rows.length} rows (${describeError(e)}); nothing was saved. Try again.`, e);
  }
  const end = parser.end();
  take(end.items);
  const fatal = messages.filter((m) => m.type === 'FATAL' || m.type === 'ERROR');
  if (fatal.length) throw new PointerprintError('splunk/search-error', `Splunk reported: ${fatal.map((m) => m.text).join(' ')}`);
  if (end.summary.truncated) {
    throw new PointerprintError('splunk/truncated', `Splunk's answer was cut off after ${rows.length} rows (an incomplete line arrived); nothing was saved. Try again, or narrow the time range.`);
  }
  opts.onProgress?.({ bytes, rows: rows.length, messages });
  // Complete only with the final lastrow: Splunk sends one even for zero results, so a stream that
  // stops without it was cut, however many preview sets or rows came before.
  return { rowsData: rows, bytes, rows: rows.length, messages, complete: end.summary.sawLastRow };
}

export interface PulledTrainingSet {
  report: RebuildReport;
  set: TrainingSet;
  savedIds: string[];
  rows: number;
  bytes: number;
}

/**
 * Pull pointer events, rebuild sessions, save them locally (source 'splunk'), and describe the
 * labelled training set they form. `labelField` names the field that marks the groups.
 */
export async function pullTrainingSet(conn: SearchConnection, req: ExportRequest, labelField: string | undefined, opts: { signal?: AbortSignal; onProgress?: (p: ExportProgress) => void; save?: boolean; fetch?: typeof fetch } = {}): Promise<PulledTrainingSet> {
  const result = await exportSearch(conn, req, opts);
  if (!result.complete) {
    throw new PointerprintError('splunk/truncated', result.rows === 0
      ? "Splunk's answer ended without rows and without its end marker: the connection was cut (or this Splunk does not mark an empty result). Nothing was saved. Try again."
      : `Splunk's answer ended before its last row (${result.rows} rows arrived); nothing was saved. Try again.`);
  }
  const report = rowsToSessions(result.rowsData, labelField || undefined);
  const savedIds: string[] = [];
  if (opts.save !== false) {
    for (const s of report.sessions) {
      if (opts.signal?.aborted) throw new PointerprintError('splunk/cancelled', `Cancelled after saving ${savedIds.length} sessions.`);
      await saveSession(s.meta, s.columns);
      savedIds.push(s.meta.id);
    }
  }
  return { report, set: trainingSetOf(report.sessions), savedIds, rows: result.rows, bytes: result.bytes };
}

/** Check the management connection: who the token belongs to. */
export async function checkSearchAuth(conn: SearchConnection): Promise<string> {
  let res: Response;
  try {
    res = await fetch(joinUrl(conn.mgmtUrl, 'services/authentication/current-context?output_mode=json'), { headers: { Authorization: authHeader(conn) } });
  } catch (e) {
    throw new PointerprintError('splunk/unreachable', `Cannot reach ${conn.mgmtUrl}: ${describeError(e)}. Is CORS enabled on the management port (server.conf [httpServer] crossOriginSharingPolicy), or the dev proxy in use?`, e);
  }
  if (!res.ok) throw await httpError(res);
  const b = (await res.json()) as { entry?: { content?: { username?: string } }[] };
  return b.entry?.[0]?.content?.username ?? '(unknown user)';
}
