/**
 * `npm run make:background`: writes the shipped background set (public/background/others-v1.json) from
 * the Balabit data set's training files, harmonised to browser capture (src/core/background.ts).
 *
 * Per Balabit user (10 people), up to SESSIONS sessions; from each, one stretch of EVENTS harmonised
 * events starting at a seeded random offset (one stretch per recorded session, so a held-out "other"
 * session never shares a recording with a training one). Deterministic: same data + seed → same file.
 *
 *   npm run make:background [-- --sessions 5 --events 1200 --seed 7 --out public/background/others-v1.json]
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensureBalabit, REPO_ROOT } from './lib/balabit-cache';
import { parseBalabitSession, BALABIT_OVERFLOW } from '../src/core/importers/balabit';
import { BACKGROUND_FORMAT, BACKGROUND_VERSION, encodeBackgroundRows, harmoniseRecording, parseBackgroundSet, type BackgroundSetWire } from '../src/core/background';
import { sliceColumns } from '../src/core/events';
import { mulberry32 } from '../src/core/random';

/** The Windows timer tick behind Balabit's client timestamps (1/64 s). */
const BALABIT_TICK_MS = 15.625;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const SESSIONS = Number(arg('sessions', '5'));
const EVENTS = Number(arg('events', '600'));
const SEED = Number(arg('seed', '7'));
const OUT = resolve(REPO_ROOT, arg('out', 'public/background/others-v1.json'));

const data = ensureBalabit();
if ('skipReason' in data) {
  console.error(`make:background: ${data.skipReason}`);
  process.exit(2);
}
const rng = mulberry32(SEED);
const users = readdirSync(join(data.root, 'training_files')).filter((u) => /^user\d+$/.test(u)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
const wire: BackgroundSetWire = {
  format: BACKGROUND_FORMAT, version: BACKGROUND_VERSION,
  source: `Balabit Mouse Dynamics Challenge (Fülöp, Kovács, Kurics, Windhager-Pokol, 2016), training files of its ${users.length} users; remote-desktop mouse logs published for research`,
  harmonisation: [
    `clock: rows sharing one ${BALABIT_TICK_MS} ms tick spread evenly across it (browser-like sub-ms times)`,
    'sampling: repeated moves at one position and recorder overflow rows (65535) dropped',
    'screen-free: positions relative to the movement, space = its bounding box; no screen size',
    `${EVENTS} consecutive events per recorded session, ${SESSIONS} sessions per person at most (seed ${SEED})`,
  ],
  sessions: [],
};
for (const user of users) {
  const dir = join(data.root, 'training_files', user);
  const files = readdirSync(dir).filter((f) => f.startsWith('session_')).sort().slice(0, SESSIONS);
  for (const f of files) {
    const imported = parseBalabitSession(readFileSync(join(dir, f), 'utf8'), { fileName: f, profileId: user });
    const h = harmoniseRecording(imported.columns, { tickMs: BALABIT_TICK_MS, overflow: BALABIT_OVERFLOW });
    const start = h.length > EVENTS ? Math.floor(rng() * (h.length - EVENTS)) : 0;
    const end = Math.min(h.length, start + EVENTS);
    // Re-harmonise the stretch: its own time origin and bounding box.
    const stretch = harmoniseRecording({ ...sliceColumns(h, start, end), length: end - start }, { tickMs: 0, overflow: BALABIT_OVERFLOW });
    wire.sessions.push({ id: `balabit-${user}-${f.replace('session_', '')}`, person: `balabit-${user}`, space: stretch.space, rows: encodeBackgroundRows(stretch) });
  }
}
const text = JSON.stringify(wire);
const check = parseBackgroundSet(JSON.parse(text));
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, text);
console.log(`make:background: ${check.sessions.length} sessions of ${check.people} people, ${check.events} events → ${OUT} (${(text.length / 1024).toFixed(0)} KiB)`);
