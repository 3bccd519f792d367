/**
 * Renders the encoding's example images for README.md (encoding section):
 *   node --import tsx scripts/make-encoding-examples.ts
 * - docs/encoding/legend.png: the legend (draw list from src/core/legend.ts + text labels);
 * - docs/encoding/<user>-w<k>-<size>.png: real Balabit windows at 64 and 128 px;
 * - docs/encoding/contact-sheet.png: 3 users × 6 windows at 128 px, labelled.
 * Every image goes through the same renderDrawList as the app's render worker.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { ensureBalabit, REPO_ROOT } from './lib/balabit-cache';
import { parseBalabitSession, inferScreen, observedExtent } from '../src/core/importers/balabit';
import { segmentSession } from '../src/core/segment';
import { encodeWindow } from '../src/core/encode';
import { legendDrawList, LEGEND_LABELS } from '../src/core/legend';
import { renderToPng } from '../src/node/render';
import { renderDrawList, type Canvas2DLike } from '../src/core/drawlist';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS } from '../src/core/settings';

const OUT = join(REPO_ROOT, 'docs', 'encoding');
mkdirSync(OUT, { recursive: true });
const es64 = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 64 };
const es128 = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 128 };

// Legend, with labels drawn on top (labels are docs-only; the UI writes its own).
{
  const S = 512;
  const canvas = createCanvas(S, S);
  const ctx = canvas.getContext('2d');
  renderDrawList(ctx as unknown as Canvas2DLike, legendDrawList(S, es64));
  ctx.fillStyle = '#ddd';
  ctx.font = '15px "DejaVu Sans"';
  ctx.textBaseline = 'middle';
  for (const l of LEGEND_LABELS) {
    ctx.textAlign = l.align;
    ctx.fillText(l.text, l.x * S, l.y * S);
  }
  writeFileSync(join(OUT, 'legend.png'), canvas.toBuffer('image/png'));
  console.log('wrote legend.png');
}

const data = ensureBalabit();
if ('skipReason' in data) {
  console.warn(`no Balabit examples: ${data.skipReason}`);
  process.exit(0);
}
const users = ['user7', 'user12', 'user29'];
const perUser = 6;
const tiles: { user: string; png: Buffer; label: string }[] = [];
for (const user of users) {
  const dir = join(data.root, 'training_files', user);
  const files = readdirSync(dir).sort();
  const sessions = files.map((f) => parseBalabitSession(readFileSync(join(dir, f), 'utf8'), { fileName: f, profileId: user }));
  // One screen per user, inferred over all their sessions, so every image of a user has the same scale.
  const ext = sessions.map((s) => observedExtent(s.columns));
  const space = inferScreen(Math.max(...ext.map((e) => e.maxX)), Math.max(...ext.map((e) => e.maxY)));
  const s = sessions[0];
  const { windows } = segmentSession(s.columns, s.meta.id, DEFAULT_WINDOW_SETTINGS, space);
  const step = Math.max(1, Math.floor(windows.length / perUser));
  for (let k = 0; k < perUser && k * step < windows.length; k++) {
    const w = windows[k * step];
    for (const es of [es64, es128]) {
      const png = renderToPng(encodeWindow(s.columns, w.start, w.end, space, es));
      if (k < 2) writeFileSync(join(OUT, `${user}-w${w.index}-${es.sizePx}.png`), png);
      if (es.sizePx === 128) tiles.push({ user, png, label: `${user} #${w.index} (${((w.endMs - w.startMs) / 1000).toFixed(0)} s)` });
    }
  }
  console.log(`${user}: ${files.length} sessions, space ${space.width}×${space.height}, ${windows.length} windows in ${s.meta.note}`);
}

// Contact sheet: rows = users, columns = windows.
{
  const tile = 128, pad = 6, labelH = 16;
  const colsN = perUser, rowsN = users.length;
  const W = colsN * (tile + pad) + pad, H = rowsN * (tile + pad + labelH) + pad;
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#333';
  ctx.fillRect(0, 0, W, H);
  ctx.font = '11px "DejaVu Sans"';
  ctx.fillStyle = '#ddd';
  ctx.textBaseline = 'middle';
  for (let r = 0; r < rowsN; r++) {
    const row = tiles.filter((t) => t.user === users[r]);
    for (let c = 0; c < row.length; c++) {
      const x = pad + c * (tile + pad), y = pad + r * (tile + pad + labelH);
      ctx.fillText(row[c].label, x, y + labelH / 2);
      ctx.drawImage(await loadImage(row[c].png), x, y + labelH);
    }
  }
  writeFileSync(join(OUT, 'contact-sheet.png'), canvas.toBuffer('image/png'));
  console.log('wrote contact-sheet.png');
}
