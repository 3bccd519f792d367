/**
 * Node-side speed of the encoding pipeline on the real Balabit data set:
 *   node --import tsx scripts/bench/encoding.ts [--quick]
 * Import (events/s, MB/s), segmentation, encodeWindow at 64 and 128 px (events/s, windows/s), and
 * rendering the draw lists with @napi-rs/canvas through the shared renderDrawList (images/s).
 * Prints a table and writes bench-results/encoding.json.
 */
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBalabit, REPO_ROOT } from '../lib/balabit-cache';
import { parseBalabitSession, type ImportedSession } from '../../src/core/importers/balabit';
import { segmentSession, type EventWindow } from '../../src/core/segment';
import { encodeWindow } from '../../src/core/encode';
import { renderToRgba } from '../../src/node/render';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS } from '../../src/core/settings';

const quick = process.argv.includes('--quick');
const data = ensureBalabit();
if ('skipReason' in data) {
  console.log(`encoding bench skipped: ${data.skipReason}`);
  process.exit(0);
}
const rows: { stage: string; value: number; unit: string; note: string }[] = [];

// Import: every file (or the training files with --quick).
const sessions: ImportedSession[] = [];
let importMs = 0, events = 0, bytes = 0;
for (const part of quick ? ['training_files'] : ['training_files', 'test_files']) {
  for (const user of readdirSync(join(data.root, part))) {
    for (const f of readdirSync(join(data.root, part, user))) {
      const text = readFileSync(join(data.root, part, user, f), 'utf8');
      const t0 = performance.now();
      const s = parseBalabitSession(text, { fileName: f, profileId: user });
      importMs += performance.now() - t0;
      events += s.columns.length; bytes += text.length;
      if (part === 'training_files') sessions.push(s);
    }
  }
}
rows.push({ stage: 'import (Balabit CSV)', value: (events / importMs) * 1000, unit: 'events/s', note: `${events} events, ${(bytes / 1e6).toFixed(0)} MB, ${(bytes / 1e6 / (importMs / 1000)).toFixed(0)} MB/s` });

// Segmentation of the training sessions.
let segMs = 0, segEvents = 0;
const windows: { s: ImportedSession; w: EventWindow }[] = [];
for (const s of sessions) {
  const t0 = performance.now();
  const r = segmentSession(s.columns, s.meta.id, DEFAULT_WINDOW_SETTINGS, s.meta.space);
  segMs += performance.now() - t0;
  segEvents += s.columns.length;
  for (const w of r.windows) windows.push({ s, w });
}
rows.push({ stage: 'segmentSession', value: (segEvents / segMs) * 1000, unit: 'events/s', note: `${windows.length} windows of ${DEFAULT_WINDOW_SETTINGS.eventsPerWindow} events` });

// Encoding and rendering at 64 and 128 px.
const sample = windows.slice(0, quick ? 200 : 1000);
for (const size of [64, 128]) {
  const es = { ...DEFAULT_ENCODING_SETTINGS, sizePx: size };
  for (const { s, w } of sample) encodeWindow(s.columns, w.start, w.end, s.meta.space, es); // warm-up (JIT)
  let ms = 0, ev = 0;
  const lists = [];
  for (const { s, w } of sample) {
    const t0 = performance.now();
    lists.push(encodeWindow(s.columns, w.start, w.end, s.meta.space, es));
    ms += performance.now() - t0;
    ev += w.end - w.start;
  }
  rows.push({ stage: `encodeWindow ${size}px`, value: (ev / ms) * 1000, unit: 'events/s', note: `${((sample.length / ms) * 1000).toFixed(0)} windows/s` });
  const t0 = performance.now();
  for (const d of lists) renderToRgba(d);
  const rms = performance.now() - t0;
  rows.push({ stage: `render ${size}px (@napi-rs/canvas)`, value: (sample.length / rms) * 1000, unit: 'images/s', note: `${((ev / rms) * 1000).toFixed(0)} events/s` });
}

console.log('\nstage                               value          unit       note');
for (const r of rows) console.log(`${r.stage.padEnd(34)} ${Math.round(r.value).toLocaleString('en').padStart(12)}  ${r.unit.padEnd(9)}  ${r.note}`);
mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
const out = join(REPO_ROOT, 'bench-results', 'encoding.json');
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, rows }, null, 2));
console.log(`\nwrote ${out}`);
