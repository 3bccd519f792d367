/**
 * The shipped background set (src/core/background.ts) as "other people" for an enrolment: fetched once
 * from the app's own origin (public/background/), never stored in IndexedDB (it is public data, not the
 * user's, so it is neither deleted with theirs nor sent anywhere), and handed to training as label 0.
 */
import { parseBackgroundSet, type BackgroundSet } from '../../core/background';
import { PointerprintError } from '../../core/errors';
import { sliceColumns } from '../../core/events';
import type { LabelledSession } from '../../ml/pipeline';

/** Where the app serves it (Vite copies public/ to the site root). */
export const BACKGROUND_URL = `${import.meta.env.BASE_URL}background/others-v1.json`;

let cached: Promise<BackgroundSet> | null = null;

/** The background set, fetched and validated once per page; a failure is a PointerprintError and is retried next time. */
export function loadBackgroundSet(url = BACKGROUND_URL): Promise<BackgroundSet> {
  cached ??= (async () => {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new PointerprintError('background/unreachable', `The shipped background set could not be loaded (${(e as Error).message}). Enrol against other people's recordings instead.`);
    }
    if (!res.ok) throw new PointerprintError('background/missing', `The shipped background set is missing from this installation (HTTP ${res.status} for ${url}). Enrol against other people's recordings instead.`);
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new PointerprintError('background/invalid', 'The shipped background set is not valid JSON. Enrol against other people\'s recordings instead, or reinstall the app.');
    }
    return parseBackgroundSet(json);
  })();
  cached.catch(() => { cached = null; });
  return cached;
}

/** Its sessions as "others" (label 0) for a training job; fresh column copies (safe to transfer to the worker). */
export function backgroundAsOthers(set: BackgroundSet): LabelledSession[] {
  return set.sessions.map((s, k) => ({
    sessionId: s.id, label: 0, space: { ...s.space },
    columns: { ...sliceColumns(s.columns, 0, s.columns.length), length: s.columns.length },
    origin: `shipped background set (${s.person}, harmonised)`,
    person: `background:${s.person}`,
    // Background sessions have no wall-clock time; their order only matters among themselves.
    startedAtEpochMs: k,
  }));
}
