import { describe, it, expect } from 'vitest';
import { EventKind, PointerKind, columnsFromSamples, concatChunks, isMarker, isPositional, sampleAt, type PointerSample, type EventChunk } from '../../src/core/events';

const s = (tMs: number, x: number, y: number, kind: EventKind = EventKind.Move): PointerSample => ({
  tMs, kind, x, y, button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0,
});

describe('event columns', () => {
  it('round-trips samples through columns', () => {
    const samples = [s(0, 1, 2), s(5, 3, 4, EventKind.Down)];
    const c = columnsFromSamples(samples);
    expect(c.length).toBe(2);
    expect(sampleAt(c, 1)).toEqual(samples[1]);
  });
  it('concatenates chunks in seq order regardless of input order', () => {
    const a = { ...columnsFromSamples([s(0, 0, 0), s(1, 1, 1)]), sessionId: 'x', seq: 0 } as EventChunk;
    const b = { ...columnsFromSamples([s(2, 2, 2)]), sessionId: 'x', seq: 1 } as EventChunk;
    const all = concatChunks([b, a]);
    expect(Array.from(all.tMs)).toEqual([0, 1, 2]);
    expect(Array.from(all.x)).toEqual([0, 1, 2]);
  });
});

describe('event kinds', () => {
  // One definition of "this row carries the pointer's position", shared by kinematics, features, the
  // recording clock and the movement framing of images.
  it.each(Object.entries(EventKind))('%s: positional only for moves, presses and releases; never both positional and a marker', (name, kind) => {
    expect(isPositional(kind)).toBe(name === 'Move' || name === 'Down' || name === 'Up');
    expect(isPositional(kind) && isMarker(kind)).toBe(false);
  });
});
