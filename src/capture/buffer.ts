/**
 * A growable columnar event buffer: one typed array per field, doubled when full. Pushing an event
 * writes nine numbers and allocates nothing, which keeps capture's per-event cost tiny.
 */
import { allocColumns, COLUMN_NAMES, sliceColumns, type EventColumns } from '../core/events';

export class ColumnBuffer {
  tMs: Float64Array;
  kind: Uint8Array;
  x: Float32Array;
  y: Float32Array;
  button: Int8Array;
  buttons: Uint8Array;
  pointerKind: Uint8Array;
  dx: Float32Array;
  dy: Float32Array;
  length = 0;

  constructor(capacity = 16_384) {
    const c = allocColumns(capacity);
    this.tMs = c.tMs; this.kind = c.kind; this.x = c.x; this.y = c.y; this.button = c.button;
    this.buttons = c.buttons; this.pointerKind = c.pointerKind; this.dx = c.dx; this.dy = c.dy;
  }

  get capacity(): number {
    return this.tMs.length;
  }

  /** Append one event. Hot path: no objects, no closures. */
  push(tMs: number, kind: number, x: number, y: number, button: number, buttons: number, pointerKind: number, dx: number, dy: number): void {
    let i = this.length;
    if (i === this.tMs.length) this.#grow();
    this.tMs[i] = tMs; this.kind[i] = kind; this.x[i] = x; this.y[i] = y; this.button[i] = button;
    this.buttons[i] = buttons; this.pointerKind[i] = pointerKind; this.dx[i] = dx; this.dy[i] = dy;
    this.length = ++i;
  }

  #grow(): void {
    const next = allocColumns(this.tMs.length * 2);
    for (const n of COLUMN_NAMES) (next[n] as { set(a: ArrayLike<number>): void }).set(this[n]);
    this.tMs = next.tMs; this.kind = next.kind; this.x = next.x; this.y = next.y; this.button = next.button;
    this.buttons = next.buttons; this.pointerKind = next.pointerKind; this.dx = next.dx; this.dy = next.dy;
  }

  /** Views (no copy) of the valid events; invalidated when the buffer grows, so read them at once. */
  view(): EventColumns & { length: number } {
    const n = this.length;
    return {
      tMs: this.tMs.subarray(0, n), kind: this.kind.subarray(0, n), x: this.x.subarray(0, n), y: this.y.subarray(0, n),
      button: this.button.subarray(0, n), buttons: this.buttons.subarray(0, n), pointerKind: this.pointerKind.subarray(0, n),
      dx: this.dx.subarray(0, n), dy: this.dy.subarray(0, n), length: n,
    };
  }

  /** A right-sized copy of events [start, end) (safe to keep, store or transfer). */
  copy(start: number, end: number): EventColumns {
    return sliceColumns(this, start, end);
  }
}
