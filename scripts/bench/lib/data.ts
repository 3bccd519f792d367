/**
 * Reading a data set laid out like the Balabit Mouse Dynamics Challenge, with the project's importer
 * and segmenter, timing each stage.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PointerprintError } from '../../../src/core/errors';
import type { EventColumns, SizePx } from '../../../src/core/events';
import { parseBalabitSession } from '../../../src/core/importers/balabit';
import { segmentSession, type EventWindow } from '../../../src/core/segment';
import type { WindowSettings } from '../../../src/core/settings';

export interface BenchSession {
  /** File name, e.g. session_0041905381. */
  id: string;
  /** Account the session was recorded under (userN). */
  user: string;
  part: 'train' | 'test';
  /** Public label for test sessions: true = illegal (someone else), false = the account owner. */
  illegal?: boolean;
  cols: EventColumns & { length: number };
  space: SizePx;
  windows: EventWindow[];
  droppedWindows: number;
}

export interface LoadStats {
  files: number;
  events: number;
  bytes: number;
  readMs: number;
  importMs: number;
  windowMs: number;
  windows: number;
  droppedWindows: number;
}

/** Which part of the data to read (tests use a tiny slice). */
export interface SliceOptions {
  /** Use only the first N users (sorted by number). */
  maxUsers?: number;
  maxTrainSessionsPerUser?: number;
  /** Public-labelled test sessions per user (legal and illegal alternated so both stay present). */
  maxTestSessionsPerUser?: number;
  /** Keep only the first N events of each training session. */
  maxEventsPerTrainSession?: number;
}

/** Check the layout, with a message that says what is missing. */
export function checkDatasetFolder(root: string): void {
  const missing = ['training_files', 'test_files', 'public_labels.csv'].filter((p) => !existsSync(join(root, p)));
  if (!existsSync(root)) throw new PointerprintError('bench/no-dataset', `The data set folder ${root} does not exist.`);
  if (missing.length) {
    throw new PointerprintError('bench/bad-dataset', `The folder ${root} is not laid out like the Balabit Mouse Dynamics Challenge: missing ${missing.join(', ')} (expected training_files/userN/session_*, test_files/userN/session_*, public_labels.csv).`);
  }
}

/** public_labels.csv → Map(file name → illegal). */
export function readPublicLabels(root: string): Map<string, boolean> {
  const text = readFileSync(join(root, 'public_labels.csv'), 'utf8');
  const m = new Map<string, boolean>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [name, v] = line.split(',');
    if (name && v !== undefined) m.set(name.trim(), v.trim() === '1');
  }
  return m;
}

const userNum = (u: string) => Number(u.replace(/\D/g, '')) || 0;

function listDir(p: string): string[] {
  return readdirSync(p).filter((f) => !f.startsWith('.')).sort();
}

/** Read, import and window the sessions of the data set. */
export function loadDataset(root: string, ws: WindowSettings, slice: SliceOptions = {}): { sessions: BenchSession[]; stats: LoadStats; labels: Map<string, boolean> } {
  checkDatasetFolder(root);
  const labels = readPublicLabels(root);
  const stats: LoadStats = { files: 0, events: 0, bytes: 0, readMs: 0, importMs: 0, windowMs: 0, windows: 0, droppedWindows: 0 };
  const sessions: BenchSession[] = [];
  const users = listDir(join(root, 'training_files')).filter((u) => statSync(join(root, 'training_files', u)).isDirectory())
    .sort((a, b) => userNum(a) - userNum(b)).slice(0, slice.maxUsers ?? Infinity);
  if (users.length === 0) throw new PointerprintError('bench/no-users', `${join(root, 'training_files')} holds no user folders.`);

  const load = (path: string, id: string, user: string, part: 'train' | 'test', illegal?: boolean, maxEvents?: number) => {
    const t0 = performance.now();
    let text = readFileSync(path, 'utf8');
    const t1 = performance.now();
    if (maxEvents !== undefined) {
      let at = 0;
      for (let k = 0; k <= maxEvents && at >= 0; k++) at = text.indexOf('\n', at + 1);
      if (at > 0) text = text.slice(0, at + 1);
    }
    const imp = parseBalabitSession(text, { fileName: id, profileId: user });
    const t2 = performance.now();
    const seg = segmentSession(imp.columns, id, ws, imp.meta.space);
    const t3 = performance.now();
    stats.files++;
    stats.bytes += text.length;
    stats.events += imp.columns.length;
    stats.readMs += t1 - t0;
    stats.importMs += t2 - t1;
    stats.windowMs += t3 - t2;
    stats.windows += seg.windows.length;
    stats.droppedWindows += seg.dropped.length;
    sessions.push({ id, user, part, illegal, cols: imp.columns, space: imp.meta.space, windows: seg.windows, droppedWindows: seg.dropped.length });
  };

  for (const u of users) {
    const dir = join(root, 'training_files', u);
    for (const f of listDir(dir).slice(0, slice.maxTrainSessionsPerUser ?? Infinity)) load(join(dir, f), f, u, 'train', undefined, slice.maxEventsPerTrainSession);
    const tdir = join(root, 'test_files', u);
    if (!existsSync(tdir)) continue;
    let files = listDir(tdir).filter((f) => labels.has(f));
    if (slice.maxTestSessionsPerUser !== undefined) {
      const legal = files.filter((f) => !labels.get(f)), illegal = files.filter((f) => labels.get(f));
      const mixed: string[] = [];
      for (let i = 0; mixed.length < slice.maxTestSessionsPerUser && (i < legal.length || i < illegal.length); i++) {
        if (i < legal.length) mixed.push(legal[i]);
        if (i < illegal.length && mixed.length < slice.maxTestSessionsPerUser) mixed.push(illegal[i]);
      }
      files = mixed;
    }
    for (const f of files) load(join(tdir, f), f, u, 'test', labels.get(f));
  }
  return { sessions, stats, labels };
}
