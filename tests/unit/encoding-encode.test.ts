import { describe, it, expect } from 'vitest';
import { Button, ButtonsMask, EventKind, PointerKind, columnsFromSamples, type PointerSample } from '../../src/core/events';
import {
  accelLevel, clickRadiusPx, encodeWindow, legendSwatches, motionColour, spaceToImage, speedLevel, strokeWidthPx,
  SAT_ACCEL, SAT_DECEL, SAT_STEADY, VALUE_MIN,
} from '../../src/core/encode';
import { CIRCLE_STRIDE, SEGMENT_STRIDE, MARK_STRIDE, circleCount, segmentCount, markCount } from '../../src/core/drawlist';
import { DEFAULT_ENCODING_SETTINGS, type EncodingSettings } from '../../src/core/settings';
import { renderToRgba, renderToPng } from '../../src/node/render';

const ES: EncodingSettings = { ...DEFAULT_ENCODING_SETTINGS, sizePx: 64 };
const SPACE = { width: 1000, height: 1000 };
const ev = (tMs: number, x: number, y: number, kind: EventKind = EventKind.Move, o: Partial<PointerSample> = {}): PointerSample => ({
  tMs, kind, x, y, button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0, ...o,
});
const line = (t0: number, x0: number, y0: number, x1: number, y1: number, n: number, stepMs: number, buttons = 0) =>
  Array.from({ length: n + 1 }, (_, i) => ev(t0 + i * stepMs, x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n, EventKind.Move, { buttons }));

/** RGB → HSV (h 0..1, s, v 0..1). */
function hsv([r, g, b]: number[]): [number, number, number] {
  const R = r / 255, G = g / 255, B = b / 255;
  const max = Math.max(R, G, B), min = Math.min(R, G, B), d = max - min;
  let h = 0;
  if (d > 0) h = max === R ? ((G - B) / d + 6) % 6 : max === G ? (B - R) / d + 2 : (R - G) / d + 4;
  return [h / 6, max === 0 ? 0 : d / max, max];
}
const hueDist = (a: number, b: number) => Math.min(Math.abs(a - b), 1 - Math.abs(a - b));

describe('motionColour', () => {
  it('hue follows direction, circularly and without a seam', () => {
    for (let deg = 0; deg < 360; deg += 15) {
      const [h] = hsv(motionColour((deg * Math.PI) / 180, 1, 0, ES));
      expect(hueDist(h, deg / 360)).toBeLessThan(0.01);
    }
    // -π and π are the same direction; just either side of 0 are neighbours
    expect(motionColour(-Math.PI, 1, 0, ES)).toEqual(motionColour(Math.PI, 1, 0, ES));
    const a = hsv(motionColour(-0.01, 1, 0, ES))[0], b = hsv(motionColour(0.01, 1, 0, ES))[0];
    expect(hueDist(a, b)).toBeLessThan(0.01);
  });
  it('opposite directions are clearly different colours', () => {
    for (let deg = 0; deg < 360; deg += 45) {
      const c1 = motionColour((deg * Math.PI) / 180, 1, 0, ES), c2 = motionColour(((deg + 180) * Math.PI) / 180, 1, 0, ES);
      const dist = Math.hypot(c1[0] - c2[0], c1[1] - c2[1], c1[2] - c2[2]);
      expect(dist).toBeGreaterThan(150);
    }
  });
  it('brightness rises monotonically with speed (log), from a visible minimum to full', () => {
    const speeds = [0, 0.01, 0.05, 0.1, 0.3, 1, 2, 4, 10];
    const vs = speeds.map((s) => hsv(motionColour(1, s, 0, ES))[2]);
    expect(vs[0]).toBeCloseTo(VALUE_MIN, 2);
    for (let i = 1; i < vs.length - 1; i++) expect(vs[i]).toBeGreaterThan(vs[i - 1]);
    expect(vs[vs.length - 2]).toBeCloseTo(1, 2); // speedFull → 1
    expect(vs[vs.length - 1]).toBeCloseTo(1, 2); // clamped
    // log scale: the slow half of the range gets a good share of the brightness range
    expect(speedLevel(ES.speedFullPxPerMs / 8, ES)).toBeGreaterThan(0.5);
  });
  it('saturation rises monotonically with acceleration: braking < steady < speeding up', () => {
    const accels = [-1, -0.05, -0.02, -0.005, 0, 0.005, 0.02, 0.05, 1];
    const ss = accels.map((a) => hsv(motionColour(2, 2, a, ES))[1]);
    for (let i = 1; i < ss.length; i++) expect(ss[i]).toBeGreaterThanOrEqual(ss[i - 1]);
    expect(ss[0]).toBeCloseTo(SAT_DECEL, 1);
    expect(ss[4]).toBeCloseTo(SAT_STEADY, 1);
    expect(ss[8]).toBeCloseTo(SAT_ACCEL, 1);
    expect(accelLevel(NaN, ES)).toBe(0);
  });
  it('returns integers 0..255 for any input, even NaN and infinities', () => {
    for (const v of [NaN, Infinity, -Infinity, 0, 1e9, -1e9]) {
      for (const c of motionColour(v, v, v, ES)) {
        expect(Number.isInteger(c)).toBe(true);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(255);
      }
    }
  });
  it('the legend is made by the same function', () => {
    const L = legendSwatches(ES);
    expect(L.swatches.length).toBe(8);
    const sw = L.swatches[3][2][0];
    expect(sw.rgb).toEqual(motionColour(sw.directionRad, sw.speedPxPerMs, sw.accelPxPerMs2, ES));
    expect(L.dragWidthPx).toBeGreaterThan(L.moveWidthPx);
    expect(L.clickRadiusLongPx).toBeGreaterThan(L.clickRadiusTapPx);
  });
});

describe('legendDrawList', () => {
  it('is drawn with the encoder\'s own colours and shapes', async () => {
    const { legendDrawList } = await import('../../src/core/legend');
    const d = legendDrawList(256, ES);
    expect(segmentCount(d)).toBeGreaterThan(100);
    // first ray: rightwards, slowest step, steady → the encoder's colour for that
    const sp = ES.speedFullPxPerMs / 64 * Math.pow(64, 0.05);
    expect(Array.from(d.segments.subarray(4, 7))).toEqual(motionColour(0, sp, 0, ES));
    expect(circleCount(d)).toBe(7);
    const rgba = renderToRgba(d);
    expect(rgba.length).toBe(256 * 256 * 4);
  });
});

describe('encodeWindow: draw list', () => {
  it('one segment per moving step, coloured by motionColour, drags 3× as wide', () => {
    const s = [...line(0, 100, 500, 900, 500, 20, 10), ...line(300, 900, 600, 100, 600, 20, 10, ButtonsMask.Left)];
    const c = columnsFromSamples(s);
    const d = encodeWindow(c, 0, c.length, SPACE, ES);
    expect(segmentCount(d)).toBe(41); // 20 + the hop between strokes + 20
    const w0 = d.segments[7], wLast = d.segments[(segmentCount(d) - 1) * SEGMENT_STRIDE + 7];
    expect(w0).toBeCloseTo(strokeWidthPx(64, false));
    expect(wLast).toBeCloseTo(3 * w0);
    // rightwards stroke red-ish hue, leftwards (drag) cyan-ish
    const mid = 10 * SEGMENT_STRIDE;
    expect(hueDist(hsv([d.segments[mid + 4], d.segments[mid + 5], d.segments[mid + 6]])[0], 0)).toBeLessThan(0.02);
    const midDrag = 30 * SEGMENT_STRIDE;
    expect(hueDist(hsv([d.segments[midDrag + 4], d.segments[midDrag + 5], d.segments[midDrag + 6]])[0], 0.5)).toBeLessThan(0.02);
  });
  it('clicks are circles larger than any stroke; radius grows with press duration; right = ring', () => {
    const s = [
      ...line(0, 100, 100, 300, 100, 10, 10),
      ev(200, 300, 100, EventKind.Down, { button: Button.Left, buttons: 1 }), ev(260, 300, 100, EventKind.Up, { button: Button.Left }),
      ev(300, 500, 500, EventKind.Down, { button: Button.Left, buttons: 1 }), ev(1300, 500, 500, EventKind.Up, { button: Button.Left }),
      ev(1400, 700, 700, EventKind.Down, { button: Button.Right, buttons: 2 }), ev(1500, 700, 700, EventKind.Up, { button: Button.Right }),
    ];
    const c = columnsFromSamples(s);
    const d = encodeWindow(c, 0, c.length, SPACE, ES);
    expect(circleCount(d)).toBe(4); // two left discs, a right ring (two discs)
    const r = (i: number) => d.circles[i * CIRCLE_STRIDE + 2];
    expect(2 * r(0)).toBeGreaterThan(strokeWidthPx(64, true));
    expect(r(1)).toBeGreaterThan(r(0));
    expect(r(1)).toBeCloseTo(clickRadiusPx(64, 1000));
    expect(Array.from(d.circles.subarray(3, 6))).toEqual([255, 255, 255]);
    expect(d.circles[3 * CIRCLE_STRIDE + 2]).toBeLessThan(r(2)); // the ring's hole
    expect(Array.from(d.circles.subarray(3 * CIRCLE_STRIDE + 3, 3 * CIRCLE_STRIDE + 6))).toEqual([0, 0, 0]);
  });
  it('wheel rows are small marks at the last known position', () => {
    const s = [...line(0, 100, 100, 500, 500, 10, 10), ev(200, 0, 0, EventKind.Wheel, { dy: -100 }), ev(210, 0, 0, EventKind.Wheel, { dy: 100 })];
    const c = columnsFromSamples(s);
    const d = encodeWindow(c, 0, c.length, SPACE, ES);
    expect(markCount(d)).toBe(2);
    const fit = spaceToImage(SPACE, 64);
    expect(d.marks[0]).toBeCloseTo(500 * fit.scale + fit.offsetX);
    expect(d.marks[MARK_STRIDE + 3]).not.toBe(d.marks[3]); // up and down differ
  });
  it('normalisation keeps aspect and centres', () => {
    const fit = spaceToImage({ width: 1920, height: 1080 }, 64);
    expect(fit.offsetX).toBeCloseTo(64 - (1920 * fit.scale + fit.offsetX), 6); // centred horizontally
    expect(fit.offsetY).toBeCloseTo((64 - 1080 * fit.scale) / 2, 6);
    // a square in space stays a square in the image
    const s = [ev(0, 100, 100), ev(10, 300, 100), ev(20, 300, 300), ev(30, 100, 300), ev(40, 100, 100)];
    const c = columnsFromSamples(s);
    const d = encodeWindow(c, 0, c.length, { width: 1920, height: 1080 }, ES);
    const seg = d.segments;
    const w = seg[2] - seg[0], h = seg[SEGMENT_STRIDE + 3] - seg[SEGMENT_STRIDE + 1];
    expect(w).toBeCloseTo(h, 4);
  });
  it('out-of-range and repeated-time input never leaves the image or yields NaN', () => {
    const s = [ev(0, 10, 10), ev(0, 20, 20), ev(0, 65535, 65535), ev(5, -30, 5), ev(5, NaN, 5), ev(5, 990, 990), ev(5, 1000, 1000),
      ev(6, 65535, 65535, EventKind.Down, { button: 0 }), ev(7, 65535, 65535, EventKind.Up, { button: 0 }), ev(8, 0, 0, EventKind.Wheel, { dy: 1 })];
    const c = columnsFromSamples(s);
    for (const size of [64, 96, 128]) {
      const d = encodeWindow(c, 0, c.length, SPACE, { ...ES, sizePx: size });
      for (const arr of [d.segments, d.circles, d.marks]) {
        for (const v of arr) expect(Number.isFinite(v)).toBe(true);
      }
      for (let i = 0; i < d.segments.length; i += SEGMENT_STRIDE) {
        for (let j = 0; j < 4; j++) { expect(d.segments[i + j]).toBeGreaterThanOrEqual(0); expect(d.segments[i + j]).toBeLessThanOrEqual(size); }
      }
      expect(circleCount(d)).toBe(0); // a click at an overflow position is left out
    }
  });
  it('encodes an empty window to an empty list', () => {
    const d = encodeWindow(columnsFromSamples([]), 0, 0, SPACE, ES);
    expect(d.segments.length + d.circles.length + d.marks.length).toBe(0);
  });
});

describe('pixels (real rendering through renderDrawList on @napi-rs/canvas)', () => {
  const px = (rgba: Uint8ClampedArray, size: number, x: number, y: number) => {
    const i = (Math.round(y) * size + Math.round(x)) * 4;
    return [rgba[i], rgba[i + 1], rgba[i + 2]];
  };
  const lit = (p: number[]) => Math.max(...p) > 60;
  /** How many rows around `y` are lit at column x. */
  const thickness = (rgba: Uint8ClampedArray, size: number, x: number, y: number) => {
    let n = 0;
    for (let yy = Math.max(0, Math.round(y) - 10); yy <= Math.min(size - 1, Math.round(y) + 10); yy++) if (lit(px(rgba, size, x, yy))) n++;
    return n;
  };

  it('lights pixels where movement was, leaves background elsewhere, fills click discs, thickens drags', () => {
    const size = 128;
    const es = { ...ES, sizePx: size };
    const s = [
      ...line(0, 100, 250, 900, 250, 40, 10), // move, rightwards
      ...line(1000, 900, 750, 100, 750, 40, 10, ButtonsMask.Left), // drag, leftwards
      ev(2000, 500, 500, EventKind.Down, { button: Button.Left, buttons: 1 }), ev(2400, 500, 500, EventKind.Up, { button: Button.Left }),
    ];
    const c = columnsFromSamples(s);
    const d = encodeWindow(c, 0, c.length, SPACE, es);
    const rgba = renderToRgba(d);
    expect(rgba.length).toBe(size * size * 4);
    const fit = spaceToImage(SPACE, size);
    const X = (v: number) => v * fit.scale + fit.offsetX, Y = (v: number) => v * fit.scale + fit.offsetY;
    // movement lit, in its direction's colour (hue ≈ 0: red dominant)
    const m = px(rgba, size, X(500), Y(250));
    expect(lit(m)).toBe(true);
    expect(m[0]).toBeGreaterThan(m[1]);
    expect(m[0]).toBeGreaterThan(m[2]);
    // drag leftwards: cyan-ish (green and blue above red)
    const g = px(rgba, size, X(500), Y(750));
    expect(lit(g)).toBe(true);
    expect(Math.min(g[1], g[2])).toBeGreaterThan(g[0]);
    // drags measurably thicker
    const tMove = thickness(rgba, size, X(300), Y(250)), tDrag = thickness(rgba, size, X(300), Y(750));
    expect(tDrag).toBeGreaterThanOrEqual(tMove + 2);
    // a filled white disc at the click, wider than the drag stroke
    const cx = X(500), cy = Y(500);
    expect(px(rgba, size, cx, cy)).toEqual([255, 255, 255]);
    const r = clickRadiusPx(size, 400);
    expect(px(rgba, size, cx + r - 2, cy)).toEqual([255, 255, 255]);
    expect(px(rgba, size, cx, cy - r + 2)).toEqual([255, 255, 255]);
    expect(thickness(rgba, size, cx, cy)).toBeGreaterThan(tDrag);
    // background elsewhere
    for (const [x, y] of [[2, 2], [size - 3, size - 3], [X(500), Y(400)], [X(200), Y(600)]]) expect(px(rgba, size, x, y)).toEqual([0, 0, 0]);
    // PNG encodes
    const png = renderToPng(d);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
  it('a right click renders as a ring (white around a dark centre)', () => {
    const size = 128;
    const s = [ev(0, 500, 500, EventKind.Down, { button: Button.Right, buttons: 2 }), ev(600, 500, 500, EventKind.Up, { button: Button.Right })];
    const c = columnsFromSamples(s);
    const rgba = renderToRgba(encodeWindow(c, 0, c.length, SPACE, { ...ES, sizePx: size }));
    const fit = spaceToImage(SPACE, size);
    const cx = 500 * fit.scale + fit.offsetX, cy = 500 * fit.scale + fit.offsetY, r = clickRadiusPx(size, 600);
    expect(px(rgba, size, cx, cy)).toEqual([0, 0, 0]);
    expect(px(rgba, size, cx + r * 0.8, cy)).toEqual([255, 255, 255]);
  });
  it('an overflow sample draws nothing towards the corner', () => {
    const size = 64;
    const s = [...line(0, 100, 100, 300, 100, 10, 10), ev(110, 65535, 65535), ...line(120, 300, 120, 100, 120, 10, 10)];
    const c = columnsFromSamples(s);
    const rgba = renderToRgba(encodeWindow(c, 0, c.length, SPACE, { ...ES, sizePx: size }));
    let litCount = 0;
    for (let y = size / 2; y < size; y++) for (let x = size / 2; x < size; x++) if (lit(px(rgba, size, x, y))) litCount++;
    expect(litCount).toBe(0);
  });
});
