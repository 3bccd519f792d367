/**
 * Screen-free framing (issue #8): with framing 'movement' the image of a gesture does not depend on
 * the screen it was made on, nor on where on that screen; with the default framing it does.
 */
import { describe, it, expect } from 'vitest';
import { columnsFromSamples, EventKind, PointerKind, type PointerSample } from '../../src/core/events';
import { encodeWindow, movementToImage } from '../../src/core/encode';
import { DEFAULT_ENCODING_SETTINGS, DEFAULT_WINDOW_SETTINGS, SCREEN_FREE_ENCODING_SETTINGS, encodingFingerprint } from '../../src/core/settings';

function gesture(x0: number, y0: number): PointerSample[] {
  return Array.from({ length: 40 }, (_, i) => ({ tMs: i * 10, kind: EventKind.Move, x: x0 + i * 5, y: y0 + Math.sin(i / 5) * 40, button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0 }));
}

describe('movement framing', () => {
  it('draws the same gesture identically on any screen and at any place', () => {
    const a = columnsFromSamples(gesture(100, 300)), b = columnsFromSamples(gesture(1200, 700));
    const da = encodeWindow(a, 0, a.length, { width: 1280, height: 1024 }, SCREEN_FREE_ENCODING_SETTINGS);
    const db = encodeWindow(b, 0, b.length, { width: 1920, height: 1080 }, SCREEN_FREE_ENCODING_SETTINGS);
    expect(da.segments.length).toBeGreaterThan(0);
    expect(Array.from(db.segments)).toEqual(Array.from(da.segments).map((v) => expect.closeTo(v, 3)));
    // The default framing shows the screen: the same gesture at the same place differs by screen.
    const sa = encodeWindow(a, 0, a.length, { width: 1280, height: 1024 }, DEFAULT_ENCODING_SETTINGS);
    const sb = encodeWindow(a, 0, a.length, { width: 1920, height: 1080 }, DEFAULT_ENCODING_SETTINGS);
    expect(Array.from(sa.segments)).not.toEqual(Array.from(sb.segments));
  });

  it('centres the movement and keeps a fixed scale of framePx across the image', () => {
    const c = columnsFromSamples(gesture(100, 300));
    const es = { ...SCREEN_FREE_ENCODING_SETTINGS, sizePx: 64, framePx: 1000 };
    const f = movementToImage(c, 0, c.length, { width: 1280, height: 1024 }, 64, 1000);
    const cx = (100 + 100 + 39 * 5) / 2;
    expect(cx * f.scale + f.offsetX).toBeCloseTo(32, 6);
    expect(f.scale).toBeCloseTo((64 - 3) / 1000, 6);
    // Segments leaving the frame are left out, not clamped onto its edge.
    const wide = columnsFromSamples(gesture(0, 300).map((s, i) => ({ ...s, x: i * 50 })));
    const d = encodeWindow(wide, 0, wide.length, { width: 2560, height: 1440 }, es);
    const drawn = d.segments.length / 8;
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(39);
    for (let i = 0; i < d.segments.length; i += 8) for (const v of [d.segments[i], d.segments[i + 2]]) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('changes the fingerprint only when framing is movement', () => {
    expect(encodingFingerprint(DEFAULT_WINDOW_SETTINGS, DEFAULT_ENCODING_SETTINGS)).not.toMatch(/fm/);
    expect(encodingFingerprint(DEFAULT_WINDOW_SETTINGS, SCREEN_FREE_ENCODING_SETTINGS)).toMatch(/-fm1024$/);
  });
});
