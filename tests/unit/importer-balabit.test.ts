import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseBalabitSession, inferScreen, observedExtent, WHEEL_NOTCH_PX } from '../../src/core/importers/balabit';
import { PointerprintError } from '../../src/core/errors';
import { Button, EventKind } from '../../src/core/events';
import { segmentSession } from '../../src/core/segment';
import { encodeWindow } from '../../src/core/encode';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS } from '../../src/core/settings';
import { ensureBalabit } from '../../scripts/lib/balabit-cache';

const HEADER = 'record timestamp,client timestamp,button,state,x,y';
const opts = { fileName: 'session_test', profileId: 'user0' };
const parse = (body: string) => parseBalabitSession(`${HEADER}\n${body}`, opts);

describe('parseBalabitSession (synthetic)', () => {
  it('maps rows to the event model', () => {
    const s = parse([
      '0.0,0.0,NoButton,Move,100,200',
      '0.1,0.125,NoButton,Move,110,200',
      '0.2,0.125,Left,Pressed,110,200', // repeated client timestamp
      '0.3,0.25,NoButton,Drag,150,220',
      '0.4,0.375,Left,Released,150,220',
      '0.5,0.5,Scroll,Down,0,0',
      '0.6,0.6,Scroll,Up,0,0',
      '0.7,0.7,Right,Pressed,160,230',
      '0.8,0.8,Right,Released,160,230',
      '0.9,0.9,NoButton,Move,65535,65535',
    ].join('\n') + '\n');
    const c = s.columns;
    expect(c.length).toBe(10);
    expect(Array.from(c.tMs)).toEqual([0, 125, 125, 250, 375, 500, 600, 700, 800, 900]);
    const M = EventKind.Move, D = EventKind.Down, U = EventKind.Up, W = EventKind.Wheel;
    expect(Array.from(c.kind)).toEqual([M, M, D, M, U, W, W, D, U, M]);
    expect(Array.from(c.button)).toEqual([-1, -1, Button.Left, -1, Button.Left, -1, -1, Button.Right, Button.Right, -1]);
    expect(Array.from(c.buttons)).toEqual([0, 0, 1, 1, 0, 0, 0, 2, 0, 0]);
    // wheel: direction in dy (browser sign), last known position, dx 0
    expect([c.dy[5], c.dy[6], c.dx[5]]).toEqual([WHEEL_NOTCH_PX, -WHEEL_NOTCH_PX, 0]);
    expect([c.x[5], c.y[5]]).toEqual([150, 220]);
    // overflow kept as is (the encoder leaves it out)
    expect(c.x[9]).toBe(65535);
    expect(s.meta.space).toEqual({ width: 800, height: 600 });
    expect(s.meta).toMatchObject({ source: 'import-balabit', profileId: 'user0', eventCount: 10, durationMs: 900, note: 'session_test' });
  });
  it('accepts CRLF, a BOM, a trailing newline, exponents and a space override', () => {
    const s = parseBalabitSession(`\ufeff${HEADER}\r\n1e-3,1e-3,NoButton,Move,1000,700\r\n0.5,0.5,NoButton,Move,1,2\r\n`, { ...opts, space: { width: 1920, height: 1080 } });
    expect(s.columns.length).toBe(2);
    expect(s.columns.tMs[0]).toBeCloseTo(1, 9);
    expect(s.meta.space).toEqual({ width: 1920, height: 1080 });
    expect(s.meta.screen).toEqual({ width: 1024, height: 768 });
  });
  it('infers a common screen that holds all valid positions', () => {
    const cases: [number, number, number, number][] = [
      [1919, 1079, 1920, 1080], [1363, 767, 1366, 768], [1023, 767, 1024, 768], [1279, 799, 1280, 800],
      [1439, 899, 1440, 900], [1500, 1070, 1920, 1080], [5000, 3000, 5056, 3008],
    ];
    for (const [x, y, w, h] of cases) expect(inferScreen(x, y)).toEqual({ width: w, height: h });
  });

  const corrupt: [string, string, string, RegExp][] = [
    ['empty file', '', 'import/empty', /empty/],
    ['header only', `${HEADER}\n`, 'import/empty', /no events/],
    ['wrong header', 'time,x,y\n1,2,3\n', 'import/bad-header', /line 1.*expected the header/],
    ['binary junk', '\u0000\u0001PK\u0003\u0004\ufffd\ufffd\u0010garbage', 'import/bad-header', /line 1.*binary or unreadable/],
    ['non-numeric x', `${HEADER}\n0,0,NoButton,Move,1,2\n0.1,0.1,NoButton,Move,abc,2\n`, 'import/bad-number', /line 3: x is not a number: "abc"/],
    ['non-numeric time', `${HEADER}\n0,zz,NoButton,Move,1,2\n`, 'import/bad-number', /line 2: client timestamp/],
    ['missing field', `${HEADER}\n0,0,NoButton,Move,1\n`, 'import/bad-row', /line 2: expected 6/],
    ['extra field', `${HEADER}\n0,0,NoButton,Move,1,2,3\n`, 'import/bad-row', /line 2: expected 6/],
    ['unknown button', `${HEADER}\n0,0,Foot,Move,1,2\n`, 'import/bad-button', /line 2: unknown button "Foot"/],
    ['unknown state', `${HEADER}\n0,0,Left,Wiggle,1,2\n`, 'import/bad-state', /line 2: unknown state "Wiggle"/],
    ['scroll with Move', `${HEADER}\n0,0,Scroll,Move,0,0\n`, 'import/bad-state', /line 2/],
    ['press without button', `${HEADER}\n0,0,NoButton,Pressed,1,2\n`, 'import/bad-row', /line 2/],
    ['scroll rows only', `${HEADER}\n0,0,Scroll,Up,0,0\n`, 'import/no-positions', /no valid pointer positions/],
  ];
  it.each(corrupt)('rejects %s with a clear PointerprintError', (_name, text, code, msg) => {
    let caught: unknown;
    try { parseBalabitSession(text, opts); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(PointerprintError);
    expect((caught as PointerprintError).code).toBe(code);
    expect((caught as PointerprintError).message).toMatch(msg);
  });
  it('never crashes on random bytes', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let k = 0; k < 200; k++) {
      const body = Array.from({ length: 200 }, () => String.fromCharCode(Math.floor(rnd() * 128))).join('');
      const text = k % 2 ? `${HEADER}\n${body}` : body;
      try { parseBalabitSession(text, opts); } catch (e) { expect(e).toBeInstanceOf(PointerprintError); }
    }
  });
});

const data = ensureBalabit();
const skipReason = 'skipReason' in data ? data.skipReason : '';
if (skipReason) console.warn(`[importer-balabit] skipping real-data tests: ${skipReason}`);

/** A straightforward reference parser (split per line) to check the fast one against. */
function reference(text: string) {
  const rows = text.split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.trim().split(','));
  return rows.map(([, ct, button, state, x, y]) => ({ tMs: Number(ct) * 1000, button, state, x: Number(x), y: Number(y) }));
}

describe.skipIf(!!skipReason)('parseBalabitSession on the real Balabit data set', () => {
  const root = 'root' in data ? data.root : '';
  const pick = (part: string, user: string, n: number) =>
    readdirSync(join(root, part, user)).sort().slice(0, n).map((f) => ({ path: join(root, part, user, f), user, f }));
  // Built only when the data is there (the describe body is still collected when skipped).
  const sample = !root ? [{ path: '', user: 'none', f: 'none' }] : [
    ...pick('training_files', 'user7', 2), ...pick('training_files', 'user12', 2), ...pick('training_files', 'user20', 1),
    ...pick('test_files', 'user9', 3), ...pick('test_files', 'user35', 3),
    // sessions known to hold 65535 overflow rows
    { path: join(root, 'training_files/user29/session_3135434116'), user: 'user29', f: 'session_3135434116' },
    { path: join(root, 'training_files/user29/session_5396497934'), user: 'user29', f: 'session_5396497934' },
  ];

  it.each(sample.map((s) => [`${s.user}/${s.f}`, s] as const))('%s matches a reference parse', (_n, s) => {
    const text = readFileSync(s.path, 'utf8');
    const { meta, columns: c } = parseBalabitSession(text, { fileName: s.f, profileId: s.user });
    const ref = reference(text);
    expect(c.length).toBe(ref.length);
    expect(meta.eventCount).toBe(ref.length);
    let held = 0;
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i];
      expect(c.tMs[i]).toBeCloseTo(r.tMs, 3);
      if (i) expect(c.tMs[i]).toBeGreaterThanOrEqual(c.tMs[i - 1]);
      const kind = c.kind[i];
      if (r.button === 'Scroll') {
        expect(kind).toBe(EventKind.Wheel);
        expect(Math.sign(c.dy[i])).toBe(r.state === 'Up' ? -1 : 1);
      } else if (r.state === 'Pressed' || r.state === 'Released') {
        expect(kind).toBe(r.state === 'Pressed' ? EventKind.Down : EventKind.Up);
        held = c.buttons[i];
      } else {
        expect(kind).toBe(EventKind.Move);
        if (r.state === 'Drag') expect(c.buttons[i]).not.toBe(0);
        else expect(c.buttons[i]).toBe(held);
        expect(c.x[i]).toBe(r.x);
        expect(c.y[i]).toBe(r.y);
      }
    }
    // the inferred space holds every valid position, and no overflow inflated it
    expect(meta.space.width).toBeLessThan(4000);
    const ext = observedExtent(c);
    expect(ext.maxX).toBeLessThan(meta.space.width);
    expect(ext.maxY).toBeLessThan(meta.space.height);
  });

  it('overflow rows neither crash nor stretch the images of their windows', () => {
    const f = 'session_3135434116';
    const { meta, columns } = parseBalabitSession(readFileSync(join(root, 'training_files/user29', f), 'utf8'), { fileName: f, profileId: 'user29' });
    let overflow = 0;
    for (let i = 0; i < columns.length; i++) if (columns.x[i] === 65535) overflow++;
    expect(overflow).toBe(24);
    const { windows } = segmentSession(columns, meta.id, DEFAULT_WINDOW_SETTINGS, meta.space);
    expect(windows.length).toBeGreaterThan(10);
    for (const w of windows) {
      const d = encodeWindow(columns, w.start, w.end, meta.space, DEFAULT_ENCODING_SETTINGS);
      for (const v of d.segments) expect(Number.isFinite(v)).toBe(true);
      for (let i = 0; i < d.segments.length; i += 8) for (let j = 0; j < 4; j++) {
        expect(d.segments[i + j]).toBeGreaterThanOrEqual(0);
        expect(d.segments[i + j]).toBeLessThanOrEqual(DEFAULT_ENCODING_SETTINGS.sizePx);
      }
    }
  });

  // Import speed is measured by `npm run bench -- encoding` (speed targets live in benchmarks, not in tests).
  it('imports every file of the data set (262 overflow rows in all)', () => {
    let events = 0, files = 0, overflow = 0;
    for (const part of ['training_files', 'test_files']) {
      for (const user of readdirSync(join(root, part))) {
        for (const f of readdirSync(join(root, part, user))) {
          const text = readFileSync(join(root, part, user, f), 'utf8');
          const { columns } = parseBalabitSession(text, { fileName: f, profileId: user });
          files++; events += columns.length;
          for (let i = 0; i < columns.length; i++) if (columns.x[i] === 65535 || columns.y[i] === 65535) overflow++;
        }
      }
    }
    expect(files).toBe(1676);
    expect(overflow).toBe(262);
    expect(events).toBeGreaterThan(3_000_000);
  });
});
