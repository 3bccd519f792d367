import { describe, it, expect } from 'vitest';
import { EventKind, PointerKind, columnsFromSamples, type PointerSample } from '../../src/core/events';
import { shiftedWindows, segmentSession, windowsCompletedSince, type SegmentCursor } from '../../src/core/segment';
import { DEFAULT_WINDOW_SETTINGS, type WindowSettings } from '../../src/core/settings';

const SPACE = { width: 1000, height: 1000 };
const ev = (tMs: number, x: number, y: number, kind: EventKind = EventKind.Move): PointerSample => ({
  tMs, kind, x, y, button: kind === EventKind.Down || kind === EventKind.Up ? 0 : -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0,
});
/** n moves, `stepMs` apart from t0, zig-zagging over 200 px (plenty of path). */
const moves = (n: number, t0 = 0, stepMs = 10): PointerSample[] =>
  Array.from({ length: n }, (_, i) => ev(t0 + i * stepMs, 100 + (i % 20) * 10, 100 + (i % 7) * 10));
const ws = (o: Partial<WindowSettings>): WindowSettings => ({ ...DEFAULT_WINDOW_SETTINGS, minMoveEvents: 5, minPathFraction: 0.01, ...o });

describe('segmentSession', () => {
  it('cuts by event count (table)', () => {
    const cases: [number, number, number[]][] = [
      [100, 25, [25, 25, 25, 25]],
      [100, 30, [30, 30, 30, 10]],
      [10, 100, [10]],
    ];
    for (const [n, per, sizes] of cases) {
      const c = columnsFromSamples(moves(n));
      const { windows, dropped } = segmentSession(c, 's', ws({ mode: 'events', eventsPerWindow: per }), SPACE);
      expect(dropped).toEqual([]);
      expect(windows.map((w) => w.end - w.start)).toEqual(sizes);
      expect(windows.map((w) => w.index)).toEqual(sizes.map((_, i) => i));
      expect(windows[0].start).toBe(0);
      expect(windows[windows.length - 1].end).toBe(n);
      for (const w of windows) expect(w.sessionId).toBe('s');
    }
  });
  it('markers do not count towards eventsPerWindow', () => {
    const s = moves(20);
    s.splice(5, 0, ev(45, 0, 0, EventKind.Scroll), ev(46, 0, 0, EventKind.Focus));
    const { windows } = segmentSession(columnsFromSamples(s), 's', ws({ eventsPerWindow: 10 }), SPACE);
    expect(windows.map((w) => w.eventCount)).toEqual([10, 10]);
    expect(windows[0].end - windows[0].start).toBe(12);
  });
  it('cuts by time span', () => {
    const c = columnsFromSamples(moves(100, 0, 10)); // 0..990 ms
    const { windows } = segmentSession(c, 's', ws({ mode: 'time', spanMs: 250 }), SPACE);
    expect(windows.map((w) => [w.startMs, w.endMs])).toEqual([[0, 240], [250, 490], [500, 740], [750, 990]]);
    for (const w of windows) expect(w.endMs - w.startMs).toBeLessThan(250);
  });
  it('breaks at idle gaps in both modes', () => {
    const s = [...moves(40, 0), ...moves(40, 10_000)];
    for (const mode of ['events', 'time'] as const) {
      const { windows } = segmentSession(columnsFromSamples(s), 's', ws({ mode, eventsPerWindow: 1000, spanMs: 60_000, idleGapMs: 2000 }), SPACE);
      expect(windows.map((w) => [w.start, w.end])).toEqual([[0, 40], [40, 80]]);
    }
  });
  it('breaks at Hidden, Blur and Idle markers (not belonging to any window), not at Visible/Focus', () => {
    for (const k of [EventKind.Hidden, EventKind.Blur, EventKind.Idle]) {
      const s = [...moves(30, 0), ev(300, 0, 0, k), ...moves(30, 310)];
      const { windows } = segmentSession(columnsFromSamples(s), 's', ws({}), SPACE);
      expect(windows.map((w) => [w.start, w.end])).toEqual([[0, 30], [31, 61]]);
    }
    const s = [...moves(30, 0), ev(300, 0, 0, EventKind.Focus), ...moves(30, 310)];
    expect(segmentSession(columnsFromSamples(s), 's', ws({}), SPACE).windows.length).toBe(1);
  });
  it('drops windows with too few moves or too short a path, with a reason', () => {
    const few = [...moves(3, 0), ev(40, 200, 200, EventKind.Down), ev(90, 200, 200, EventKind.Up)];
    const still = Array.from({ length: 50 }, (_, i) => ev(10_000 + i * 10, 500 + (i % 2), 500));
    const good = moves(50, 30_000);
    const c = columnsFromSamples([...few, ...still, ...good]);
    const { windows, dropped } = segmentSession(c, 's', ws({ idleGapMs: 3000, minMoveEvents: 5, minPathFraction: 0.05 }), SPACE);
    expect(dropped.map((d) => d.index)).toEqual([0, 1]);
    expect(dropped[0].reason).toBe('only 3 move events (minimum 5)');
    expect(dropped[1].reason).toMatch(/^path 3\.5% of the screen diagonal \(minimum 5\.0%\)$/);
    expect(windows.map((w) => w.index)).toEqual([2]);
    expect(windows[0].moveCount).toBe(50);
  });
  it('never emits empty windows (markers only, empty session)', () => {
    const s = [ev(0, 0, 0, EventKind.Hidden), ev(5, 0, 0, EventKind.Visible), ev(6, 0, 0, EventKind.Blur)];
    expect(segmentSession(columnsFromSamples(s), 's', ws({}), SPACE)).toEqual({ windows: [], dropped: [] });
    expect(segmentSession(columnsFromSamples([]), 's', ws({}), SPACE)).toEqual({ windows: [], dropped: [] });
  });
});

describe('windowsCompletedSince (live)', () => {
  it('yields, chunk by chunk, the windows segmentSession yields (minus the open one)', () => {
    const all = [...moves(95, 0), ev(1000, 0, 0, EventKind.Blur), ...moves(70, 1100), ...moves(10, 20_000)];
    const settings = ws({ eventsPerWindow: 30 });
    const whole = segmentSession(columnsFromSamples(all), 's', settings, SPACE);
    let cursor: SegmentCursor = { nextEvent: 0, nextIndex: 0 };
    const got: number[][] = [];
    const droppedLive: number[] = [];
    for (let n = 7; n <= all.length + 7; n += 7) {
      const c = columnsFromSamples(all.slice(0, Math.min(n, all.length)));
      const r = windowsCompletedSince(c, 's', settings, SPACE, cursor);
      got.push(...r.windows.map((w) => [w.index, w.start, w.end]));
      droppedLive.push(...r.dropped.map((d) => d.index));
      cursor = r.cursor;
    }
    const expected = whole.windows.map((w) => [w.index, w.start, w.end]);
    // The final 10-event window is still open live: everything else matches.
    expect(got).toEqual(expected.slice(0, -1));
    expect(droppedLive).toEqual(whole.dropped.map((d) => d.index));
    // With nowMs past the idle gap the open window completes too.
    const c = columnsFromSamples(all);
    const r = windowsCompletedSince(c, 's', settings, SPACE, cursor, 20_090 + settings.idleGapMs + 1);
    expect(r.windows.map((w) => [w.index, w.start, w.end])).toEqual(expected.slice(-1));
  });
});

describe('shiftedWindows', () => {
  it('at other fractions: one window per pair and fraction', () => {
    const c = columnsFromSamples(moves(90, 0, 10));
    const { windows } = segmentSession(c, 's', ws({ mode: 'events', eventsPerWindow: 40 }), SPACE); // 40, 40, 10
    expect(shiftedWindows(c, windows, 5000, [0.25, 0.5]).map((w) => [w.start, w.end, w.fraction])).toEqual([[10, 50, 0.25], [20, 60, 0.5], [50, 82, 0.25], [60, 85, 0.5]]);
  });
  it('puts one window between each pair of touching windows, from middle to middle', () => {
    const c = columnsFromSamples(moves(100, 0, 10));
    const { windows } = segmentSession(c, 's', ws({ mode: 'events', eventsPerWindow: 30 }), SPACE); // 30, 30, 30, 10
    const sh = shiftedWindows(c, windows, 5000);
    expect(sh.map((w) => [w.start, w.end, ...w.between])).toEqual([[15, 45, 0, 1], [45, 75, 1, 2], [75, 95, 2, 3]]);
    expect(sh.map((w) => [w.startMs, w.endMs])).toEqual([[150, 440], [450, 740], [750, 940]]);
  });
  it('bridges no idle gap, break marker or dropped window', () => {
    const gap = columnsFromSamples([...moves(40, 0), ...moves(40, 10_000)]);
    const g = segmentSession(gap, 's', ws({ eventsPerWindow: 1000, idleGapMs: 2000 }), SPACE).windows;
    expect(g.map((w) => [w.start, w.end])).toEqual([[0, 40], [40, 80]]);
    expect(shiftedWindows(gap, g, 2000)).toEqual([]);
    const marked = columnsFromSamples([...moves(30, 0), ev(300, 0, 0, EventKind.Blur), ...moves(30, 310)]);
    expect(shiftedWindows(marked, segmentSession(marked, 's', ws({}), SPACE).windows, 5000)).toEqual([]);
    const still = Array.from({ length: 50 }, (_, i) => ev(600 + i * 10, 500 + (i % 2), 500));
    const dropped = columnsFromSamples([...moves(50, 0), ...still, ...moves(50, 1100)]);
    const d = segmentSession(dropped, 's', ws({ eventsPerWindow: 50, minPathFraction: 0.05 }), SPACE);
    expect(d.windows.map((w) => w.index)).toEqual([0, 2]);
    expect(shiftedWindows(dropped, d.windows, 5000)).toEqual([]);
  });
});
