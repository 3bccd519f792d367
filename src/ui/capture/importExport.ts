/**
 * Import and export of sessions for the Sessions view: files in, files out. Each session is saved in
 * its own transaction, so a corrupt file never costs what is already stored, and sessions that are
 * already stored are skipped rather than overwritten.
 */
import { describeError } from '../../core/errors';
import type { SessionMeta } from '../../core/events';
import { parseBalabitSession } from '../../core/importers/balabit';
import { parseSessionJson, serializeBundle, serializeSession, type SessionData } from '../../core/importers/sessionJson';
import { getSessionMeta, listSessions, loadSessionColumns, saveSession } from '../../store/sessions';

export interface ImportOutcome {
  file: string;
  ok: boolean;
  /** Person-readable: what was imported, skipped, or why it failed. */
  message: string;
}

/** The folder a file was picked from (folder picker), e.g. "user7" for "user7/session_123". */
export function folderOf(file: File): string | null {
  const parts = (file.webkitRelativePath || '').split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2] : null;
}

export async function importBalabitFiles(files: readonly File[], profileName: string, label?: string): Promise<ImportOutcome[]> {
  const out: ImportOutcome[] = [];
  for (const f of files) {
    const profileId = profileName.trim() || folderOf(f) || 'imported';
    try {
      const { meta, columns } = parseBalabitSession(await f.text(), { fileName: f.name, profileId, ...(label ? { label } : {}) });
      if (await getSessionMeta(meta.id)) {
        out.push({ file: f.name, ok: true, message: `already stored as ${meta.id} (skipped)` });
        continue;
      }
      await saveSession(meta, columns);
      out.push({ file: f.name, ok: true, message: `imported ${columns.length.toLocaleString()} events as profile "${profileId}"` });
    } catch (e) {
      out.push({ file: f.name, ok: false, message: describeError(e) });
    }
  }
  return out;
}

export async function importJsonFiles(files: readonly File[]): Promise<ImportOutcome[]> {
  const out: ImportOutcome[] = [];
  for (const f of files) {
    let sessions: SessionData[];
    try {
      sessions = parseSessionJson(await f.text());
    } catch (e) {
      // The whole file is validated before anything is saved: a bad file imports nothing.
      out.push({ file: f.name, ok: false, message: describeError(e) });
      continue;
    }
    let added = 0, skipped = 0;
    try {
      for (const s of sessions) {
        if (await getSessionMeta(s.meta.id)) { skipped++; continue; }
        await saveSession(s.meta, s.columns);
        added++;
      }
      out.push({ file: f.name, ok: true, message: `imported ${added} session${added === 1 ? '' : 's'}${skipped ? `, ${skipped} already stored (skipped)` : ''}` });
    } catch (e) {
      out.push({ file: f.name, ok: false, message: `${describeError(e)} (${added} imported before the error)` });
    }
  }
  return out;
}

/** Offer text as a file download. */
export function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function exportSessionJson(meta: SessionMeta): Promise<{ text: string; fileName: string }> {
  const cols = await loadSessionColumns(meta.id);
  return { text: serializeSession(meta, cols), fileName: `pointerprint-session-${meta.id}.json` };
}

export async function exportAllJson(): Promise<{ text: string; fileName: string; count: number }> {
  const metas = await listSessions();
  const data: SessionData[] = [];
  for (const m of metas) data.push({ meta: m, columns: await loadSessionColumns(m.id) });
  const day = new Date().toISOString().slice(0, 10);
  return { text: serializeBundle(data), fileName: `pointerprint-sessions-${day}.json`, count: data.length };
}
