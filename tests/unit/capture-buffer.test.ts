import { describe, expect, it } from 'vitest';
import { ColumnBuffer } from '../../src/capture/buffer';
import { wheelDeltaPx, LINE_HEIGHT_PX } from '../../src/capture/listen';
import { EventKind, sampleAt } from '../../src/core/events';

describe('ColumnBuffer', () => {
  it('grows past its capacity and keeps every event in order', () => {
    const b = new ColumnBuffer(4);
    for (let i = 0; i < 1000; i++) b.push(i * 0.5, EventKind.Move, i, 2 * i, -1, i % 2, 1, 0, 0);
    expect(b.length).toBe(1000);
    expect(b.capacity).toBeGreaterThanOrEqual(1000);
    const v = b.view();
    expect(v.length).toBe(1000);
    expect(v.x.length).toBe(1000);
    expect(sampleAt(v, 999)).toEqual({ tMs: 499.5, kind: 0, x: 999, y: 1998, button: -1, buttons: 1, pointerKind: 1, dx: 0, dy: 0 });
  });

  it('copies are right-sized and independent of the buffer', () => {
    const b = new ColumnBuffer(8);
    for (let i = 0; i < 10; i++) b.push(i, EventKind.Down, i, i, 0, 1, 1, 0, 0);
    const c = b.copy(2, 5);
    expect(Array.from(c.tMs)).toEqual([2, 3, 4]);
    expect(c.tMs.buffer.byteLength).toBe(3 * 8);
    b.tMs[2] = 99;
    expect(c.tMs[0]).toBe(2);
  });
});

describe('wheelDeltaPx', () => {
  it.each([
    [120, 0, 900, 120],
    [3, 1, 900, 3 * LINE_HEIGHT_PX],
    [-1, 2, 900, -900],
  ])('delta %d mode %d page %d → %d px', (d, mode, page, px) => {
    expect(wheelDeltaPx(d, mode, page)).toBe(px);
  });
});
