/**
 * Gathering labelled sessions for training from the local store, and describing where they came
 * from (so the app can say what a model trained against).
 */
import type { SessionMeta } from '../../core/events';
import { segmentSession } from '../../core/segment';
import type { WindowSettings } from '../../core/settings';
import { listSessions, loadSessionColumns } from '../../store/sessions';
import type { LabelledSession } from '../../ml/pipeline';

/** Where a session came from, in words. */
export function originOf(m: SessionMeta): string {
  const when = new Date(m.startedAtEpochMs).toISOString().slice(0, 16).replace('T', ' ');
  switch (m.source) {
    case 'capture': return `recorded here (${m.profileId}, ${when})`;
    case 'import-balabit': return `Balabit data set (${m.profileId}${m.note ? ', ' + m.note : ''})`;
    case 'import-json': return `imported file (${m.profileId}${m.note ? ', ' + m.note : ''})`;
    case 'splunk': return `from Splunk (${m.profileId})`;
    case 'simulator': return `simulated (${m.profileId})`;
  }
}

/** The kind of negative source a session belongs to, for the enrolment choices. */
export type NegativeSource = 'device' | 'imported' | 'splunk';
export function negativeSourceOf(m: SessionMeta): NegativeSource {
  if (m.source === 'splunk') return 'splunk';
  if (m.source === 'import-balabit' || m.source === 'import-json' || m.source === 'simulator') return 'imported';
  return 'device';
}

export { listSessions };

/** Profile id under which the Live score view records the sessions it scores (with a verification or a group model). */
export const verifyProfileId = (profileId: string): string => `verify-${profileId}`;

/**
 * Whether a session may stand for "other people" when enrolling `who`: never the person's own
 * recordings, and never live-score recordings (`verify-…`: whoever moved the mouse is unknown).
 */
export function isOthersCandidate(m: Pick<SessionMeta, 'profileId'>, who: string): boolean {
  return m.profileId !== who && !m.profileId.startsWith('verify-');
}

/** Count the usable windows of sessions under the given window settings (loads their events). */
export async function countWindows(metas: readonly SessionMeta[], ws: WindowSettings): Promise<number> {
  let n = 0;
  for (const m of metas) {
    const cols = await loadSessionColumns(m.id);
    n += segmentSession(cols, m.id, ws, m.space).windows.length;
  }
  return n;
}

/** Load sessions' events with their labels (columns are fresh copies: safe to transfer). */
export async function loadLabelled(items: readonly { meta: SessionMeta; label: number }[]): Promise<LabelledSession[]> {
  const out: LabelledSession[] = [];
  for (const { meta, label } of items) {
    const columns = await loadSessionColumns(meta.id);
    if (columns.length === 0) continue;
    // Plain copies: metas may be Svelte state proxies, which cannot be posted to a worker.
    out.push({ sessionId: meta.id, label, space: { width: meta.space.width, height: meta.space.height }, columns, origin: originOf(meta), person: `${meta.source}:${meta.profileId}`, startedAtEpochMs: meta.startedAtEpochMs });
  }
  return out;
}
