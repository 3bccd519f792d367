/**
 * The recording clock (core/recordingClock): a window's clock, its effective clock, the people's
 * reference and the session check. Hand-computed cases.
 */
import { describe, expect, it } from 'vitest';
import { columnsFromSamples, EventKind, type PointerSample } from '../../src/core/events';
import { checkClock, CLOCK_TOLERANCE, clockReferenceProblem, effectiveClockMs, fitClockReference, windowClockMs, windowEffectiveClockMs } from '../../src/core/recordingClock';

const row = (tMs: number, kind: number = EventKind.Move): PointerSample => ({ tMs, kind: kind as 0, x: tMs / 10, y: 5, button: 0, buttons: 0, pointerKind: 1, dx: 0, dy: 0 });
const cols = (rows: PointerSample[]) => columnsFromSamples(rows);

describe('windowClockMs', () => {
  it.each([
    ['a steady 16 ms recorder', [0, 16, 32, 48, 64].map((t) => row(t)), 16],
    // A coarse clock stamps several rows with one tick: ties are one instant, not zero-length steps.
    ['a 110 ms clock with three rows per tick', [0, 0, 0, 110, 110, 110, 220, 220, 330].map((t) => row(t)), 110],
    ['the median, not the mean: one long pause does not move it', [0, 10, 20, 30, 2030].map((t) => row(t)), 10],
    // Wheel rows and markers carry no position: they are not the pointer's clock.
    ['only position rows count', [row(0), row(1, EventKind.Wheel), row(2, EventKind.Wheel), row(40), row(41, EventKind.Wheel), row(80, EventKind.Down), row(120, EventKind.Up)], 40],
    ['a timestamp going back is skipped, not a negative step', [0, 20, 10, 40, 60].map((t) => row(t)), 20],
  ])('%s', (_name, rows, want) => {
    expect(windowClockMs(cols(rows), 0, rows.length)).toBe(want);
  });

  it('is null without two distinct times, and reads only [start, end)', () => {
    expect(windowClockMs(cols([row(5), row(5), row(5)]), 0, 3)).toBeNull();
    expect(windowClockMs(cols([row(5)]), 0, 1)).toBeNull();
    const c = cols([0, 100, 200, 210, 220, 230].map((t) => row(t)));
    expect(windowClockMs(c, 2, 6)).toBe(10);
    expect(windowClockMs(c, 0, 3)).toBe(100);
  });
});

describe('the effective clock', () => {
  it('is never finer than the features\' 20 ms resampling step', () => {
    expect(effectiveClockMs(1)).toBe(20);
    expect(effectiveClockMs(16.7)).toBe(20);
    expect(effectiveClockMs(110)).toBe(110);
    expect(effectiveClockMs(5, 10)).toBe(10);
    expect(windowEffectiveClockMs(cols([0, 8, 16, 24].map((t) => row(t))), 0, 4)).toBe(20);
    expect(windowEffectiveClockMs(cols([row(3)]), 0, 1)).toBeNull();
  });
});

describe('the reference and the session check', () => {
  // 100 windows: 90 at 110 ms, 10 at 125 ms → 5th percentile 110, 95th 125.
  const ref = fitClockReference([...Array(90).fill(110), ...Array(10).fill(125), null])!;

  it('is the 5th–95th percentile of the people\'s windows (windows without a clock skipped)', () => {
    expect(ref).toEqual({ lowMs: 110, highMs: 125, windows: 100 });
    expect(fitClockReference([null, null])).toBeNull();
    expect(fitClockReference([])).toBeNull();
  });

  it.each([
    ['a session on the people\'s clock', [110, 110, 124], 110, true],
    // A 60 Hz browser session against people recorded at 110 ms: 20 < 110 / 1.5.
    ['a fine-clock session', [20, 20, 20, 110], 20, false],
    ['at the edge, finer: low / tolerance is still compared', [110 / CLOCK_TOLERANCE], 110 / CLOCK_TOLERANCE, true],
    ['at the edge, coarser: high × tolerance is still compared', [125 * CLOCK_TOLERANCE], 125 * CLOCK_TOLERANCE, true],
    ['beyond it', [125 * CLOCK_TOLERANCE + 1], 125 * CLOCK_TOLERANCE + 1, false],
  ])('%s', (_name, clocks, sessionMs, comparable) => {
    expect(checkClock(ref, clocks)).toEqual({ sessionMs, referenceLowMs: 110, referenceHighMs: 125, comparable });
  });

  it('says nothing before a window has a clock', () => {
    expect(checkClock(ref, [])).toBeNull();
    expect(checkClock(ref, [null])).toBeNull();
  });

  it('says what is wrong with a damaged stored reference', () => {
    expect(clockReferenceProblem(ref)).toBeNull();
    expect(clockReferenceProblem({ ...ref, lowMs: 200 })).toMatch(/lowMs ≤ highMs/);
    expect(clockReferenceProblem({ ...ref, lowMs: 0 })).toMatch(/0 < lowMs/);
    expect(clockReferenceProblem({ ...ref, windows: 0 })).toMatch(/window count/);
    expect(clockReferenceProblem(null as never)).toMatch(/object/);
  });
});
