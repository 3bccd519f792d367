import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBackgroundRows, dequantiseTimes, encodeBackgroundRows, harmoniseRecording, parseBackgroundSet, BACKGROUND_FORMAT, BACKGROUND_VERSION } from '../../src/core/background';
import { columnsFromSamples, EventKind, PointerKind, type PointerSample } from '../../src/core/events';
import { REPO_ROOT } from '../../scripts/lib/balabit-cache';

const mv = (tMs: number, x: number, y: number, buttons = 0): PointerSample => ({ tMs, kind: EventKind.Move, x, y, button: -1, buttons, pointerKind: PointerKind.Mouse, dx: 0, dy: 0 });

describe('background set: harmonisation to browser capture', () => {
  it('spreads rows sharing a clock tick evenly across the tick, and keeps pauses as pauses', () => {
    // Ticks of 16 ms: three rows at 0, one at 16, two at 32, then a 500 ms pause.
    const t = [0, 0, 0, 16, 32, 32, 532];
    expect(Array.from(dequantiseTimes(t, t.length, 16))).toEqual([0, 16 / 3, 32 / 3, 16, 32, 40, 532]);
    // A run before a long pause spreads over one tick only, not over the pause.
    expect(Array.from(dequantiseTimes([0, 0, 1000], 3, 16))).toEqual([0, 8, 1000]);
    // The last run has no next stamp: it spreads over one tick.
    expect(Array.from(dequantiseTimes([5, 5], 2, 10))).toEqual([5, 10]);
  });

  it('drops overflow rows and repeated moves, makes positions relative and times start at 0', () => {
    const cols = columnsFromSamples([
      mv(100, 500, 300), mv(100, 500, 300), mv(116, 65535, 65535), mv(116, 510, 305), mv(132, 520, 320),
      { ...mv(140, 0, 0), kind: EventKind.Wheel, dy: -100 },
      { ...mv(148, 520, 320), kind: EventKind.Down, button: 0, buttons: 1 },
    ]);
    const h = harmoniseRecording(cols, { tickMs: 16, overflow: 65535 });
    expect(h.length).toBe(5);
    expect(Array.from(h.tMs)).toEqual([0, 16, 32, 40, 48]);
    expect(Array.from(h.x)).toEqual([0, 10, 20, 20, 20]);
    expect(Array.from(h.y)).toEqual([0, 5, 20, 20, 20]);
    expect(Array.from(h.kind)).toEqual([EventKind.Move, EventKind.Move, EventKind.Move, EventKind.Wheel, EventKind.Down]);
    expect(h.dy[3]).toBe(-100);
    expect(h.buttons[4]).toBe(1);
    // Space: the movement's bounding box rounded up to 64 px, not the screen.
    expect(h.space).toEqual({ width: 64, height: 64 });
  });

  it('wire rows round-trip exactly (0.1 ms time unit, integer deltas)', () => {
    const cols = columnsFromSamples([mv(0, 3, 4), mv(8.3, 10, 2), mv(16.6, 7, 9), { ...mv(20, 7, 9), kind: EventKind.Up, button: 0 }]);
    const back = decodeBackgroundRows(encodeBackgroundRows(cols));
    expect(back.length).toBe(4);
    expect(Array.from(back.tMs)).toEqual([0, 8.3, 16.6, 20].map((v) => Math.round(v * 10) / 10));
    expect(Array.from(back.x)).toEqual([3, 10, 7, 7]);
    expect(Array.from(back.y)).toEqual([4, 2, 9, 9]);
    expect(Array.from(back.kind)).toEqual([0, 0, 0, EventKind.Up]);
  });

  it('refuses a damaged file with a sentence that says what is wrong', () => {
    const ok = { format: BACKGROUND_FORMAT, version: BACKGROUND_VERSION, source: 's', harmonisation: [], sessions: [{ id: 'a', person: 'p', space: { width: 64, height: 64 }, rows: [0, 0, 1, 1, -1, 0, 0] }] };
    expect(parseBackgroundSet(ok).events).toBe(1);
    expect(() => parseBackgroundSet(null)).toThrow(/not a JSON object/);
    expect(() => parseBackgroundSet({ ...ok, format: 'x' })).toThrow(/format is "x"/);
    expect(() => parseBackgroundSet({ ...ok, version: 9 })).toThrow(/version 9/);
    expect(() => parseBackgroundSet({ ...ok, sessions: [{ ...ok.sessions[0], rows: [0, 0, 1] }] })).toThrow(/multiple of 7/);
    expect(() => parseBackgroundSet({ ...ok, sessions: [{ ...ok.sessions[0], rows: [0, 42, 1, 1, -1, 0, 0] }] })).toThrow(/unknown event kind 42/);
    expect(() => parseBackgroundSet({ ...ok, sessions: [{ ...ok.sessions[0], rows: [-5, 0, 1, 1, -1, 0, 0] }] })).toThrow(/backwards/);
    expect(() => parseBackgroundSet({ ...ok, sessions: [{ ...ok.sessions[0], rows: [0.5, 0, 1, 1, -1, 0, 0] }] })).toThrow(/not an integer/);
  });

  it('the shipped file is valid, small, of several people, each with several sessions, and screen-free', () => {
    const p = join(REPO_ROOT, 'public/background/others-v1.json');
    expect(existsSync(p), 'public/background/others-v1.json is shipped (npm run make:background)').toBe(true);
    expect(statSync(p).size).toBeLessThan(3 * 1024 * 1024);
    const set = parseBackgroundSet(JSON.parse(readFileSync(p, 'utf8')));
    expect(set.people).toBeGreaterThanOrEqual(5);
    const perPerson = new Map<string, number>();
    for (const s of set.sessions) perPerson.set(s.person, (perPerson.get(s.person) ?? 0) + 1);
    expect(Math.min(...perPerson.values())).toBeGreaterThanOrEqual(3);
    for (const s of set.sessions) {
      // Positions start at the movement's own origin; no row carries a screen-sized coordinate of a remote desktop.
      let minX = Infinity, minY = Infinity;
      for (let i = 0; i < s.columns.length; i++) if (s.columns.kind[i] !== EventKind.Wheel) { minX = Math.min(minX, s.columns.x[i]); minY = Math.min(minY, s.columns.y[i]); }
      expect([minX, minY]).toEqual([0, 0]);
      expect(s.columns.tMs[0]).toBe(0);
      // Dequantised: no run of equal timestamps.
      let ties = 0;
      for (let i = 1; i < s.columns.length; i++) if (s.columns.tMs[i] === s.columns.tMs[i - 1]) ties++;
      expect(ties / s.columns.length).toBeLessThan(0.01);
    }
  });
});
