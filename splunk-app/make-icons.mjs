// Draws the Splunk app icons (static/appIcon*.png): a pointer trail on a dark tile, 36 and 72 px,
// and the "Alt" variants (light tile) Splunk uses on dark backgrounds. Run: node splunk-app/make-icons.mjs
import { createCanvas } from '@napi-rs/canvas';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), 'pointerprint', 'static');
mkdirSync(out, { recursive: true });

function icon(size, alt) {
  const c = createCanvas(size, size);
  const g = c.getContext('2d');
  const s = size / 36;
  g.fillStyle = alt ? '#F2F4F5' : '#1A1C20';
  g.beginPath();
  g.roundRect(0, 0, size, size, 6 * s);
  g.fill();
  // A trail of dots growing along a curve, like pointer samples.
  g.fillStyle = '#3C6E71';
  for (let i = 0; i < 7; i++) {
    const t = i / 6;
    const x = (6 + 24 * t) * s, y = (28 - 20 * t + 6 * Math.sin(t * Math.PI)) * s;
    g.beginPath();
    g.arc(x, y, (1 + 2.2 * t) * s, 0, Math.PI * 2);
    g.fill();
  }
  g.fillStyle = alt ? '#1A1C20' : '#F2F4F5';
  g.beginPath();
  g.moveTo(24 * s, 4 * s); g.lineTo(33 * s, 13 * s); g.lineTo(28.5 * s, 13.5 * s); g.lineTo(31 * s, 19 * s);
  g.lineTo(29 * s, 20 * s); g.lineTo(26.5 * s, 14.5 * s); g.lineTo(24 * s, 17 * s);
  g.closePath();
  g.fill();
  return c.toBuffer('image/png');
}

for (const [name, size, alt] of [['appIcon.png', 36, false], ['appIcon_2x.png', 72, false], ['appIconAlt.png', 36, true], ['appIconAlt_2x.png', 72, true]]) {
  writeFileSync(join(out, name), icon(size, alt));
}
