/**
 * A legend of the colour encoding as a draw list, built from the encoder's own functions
 * (motionColour, strokeWidthPx, clickRadiusPx, wheelMarkPx), so it can never drift from the images.
 * The UI can render it with the same renderer as any window; text labels are the caller's job
 * (`LEGEND_LABELS` says where they go).
 */
import type { DrawList } from './drawlist';
import type { EncodingSettings } from './settings';
import {
  BACKGROUND, CLICK_FULL_MS, OTHER_CLICK_GREY, WHEEL_DOWN_GREY, WHEEL_UP_GREY, clickRadiusPx, motionColour, strokeWidthPx, wheelMarkPx,
} from './encode';

/** A label position in legend units (0..1 of the legend's side). */
export interface LegendLabel {
  text: string;
  /** Anchor in 0..1 of the legend side. */
  x: number;
  y: number;
  align: 'left' | 'center' | 'right';
}

/** Where the parts of `legendDrawList` are, for labelling (fractions of its side). */
export const LEGEND_LABELS: readonly LegendLabel[] = [
  { text: 'direction (hue), speed (brightness)', x: 0.27, y: 0.045, align: 'center' },
  { text: 'centre: slow, rim: fast', x: 0.27, y: 0.61, align: 'center' },
  { text: '→', x: 0.52, y: 0.3, align: 'left' },
  { text: '↓', x: 0.27, y: 0.565, align: 'center' },
  { text: '←', x: 0.02, y: 0.3, align: 'left' },
  { text: '↑', x: 0.27, y: 0.1, align: 'center' },
  { text: 'acceleration (saturation)', x: 0.78, y: 0.045, align: 'center' },
  { text: 'braking', x: 0.6, y: 0.46, align: 'left' },
  { text: 'speeding up', x: 0.97, y: 0.46, align: 'right' },
  { text: 'rows: slow → fast speed', x: 0.78, y: 0.53, align: 'center' },
  { text: 'move', x: 0.05, y: 0.7, align: 'left' },
  { text: 'drag', x: 0.05, y: 0.8, align: 'left' },
  { text: 'left click: short → long press', x: 0.38, y: 0.66, align: 'left' },
  { text: 'right click', x: 0.38, y: 0.82, align: 'left' },
  { text: 'other', x: 0.6, y: 0.82, align: 'left' },
  { text: 'wheel ↑ ↓', x: 0.76, y: 0.82, align: 'left' },
];

/**
 * The legend as a draw list of `sizePx` (≥ 192 recommended). Stroke widths and click radii are
 * those of an image of `es.sizePx`, scaled up by sizePx / es.sizePx, so shapes keep their proportions.
 */
export function legendDrawList(sizePx: number, es: EncodingSettings): DrawList {
  const S = sizePx;
  const k = S / es.sizePx; // shape scale
  const segs: number[] = [], circles: number[] = [], marks: number[] = [];
  const seg = (x0: number, y0: number, x1: number, y1: number, rgb: readonly number[], w: number) =>
    segs.push(x0 * S, y0 * S, x1 * S, y1 * S, rgb[0], rgb[1], rgb[2], w);
  const full = es.speedFullPxPerMs;
  const slow = full / 64;
  const speedAt = (f: number) => slow * Math.pow(full / slow, f); // log scale, like the encoder
  const wMove = strokeWidthPx(es.sizePx, false) * k, wDrag = strokeWidthPx(es.sizePx, true) * k;

  // 1. Direction wheel: rays outward from the centre; angle = direction of motion, radius = speed.
  const cx = 0.27, cy = 0.32, r0 = 0.04, r1 = 0.22, rays = 72, steps = 10;
  for (let a = 0; a < rays; a++) {
    const th = (a / rays) * 2 * Math.PI;
    const c = Math.cos(th), s = Math.sin(th);
    for (let j = 0; j < steps; j++) {
      const ra = r0 + ((r1 - r0) * j) / steps, rb = r0 + ((r1 - r0) * (j + 1)) / steps;
      seg(cx + c * ra, cy + s * ra, cx + c * rb, cy + s * rb, motionColour(th, speedAt((j + 0.5) / steps), 0, es), 0.014 * S);
    }
  }

  // 2. Acceleration × speed grid (direction: rightwards, and two more hues), columns braking → speeding up.
  const gx0 = 0.6, gx1 = 0.97, cols = 9, rows = 3;
  const dirs = [0, (2 * Math.PI) / 3, (4 * Math.PI) / 3];
  for (let d = 0; d < dirs.length; d++) {
    for (let r = 0; r < rows; r++) {
      const y = 0.1 + d * 0.11 + r * 0.03;
      for (let c = 0; c < cols; c++) {
        const acc = es.accelFullPxPerMs2 * ((c / (cols - 1)) * 2 - 1);
        const xa = gx0 + ((gx1 - gx0) * c) / cols, xb = gx0 + ((gx1 - gx0) * (c + 1)) / cols;
        seg(xa, y, xb - 0.004, y, motionColour(dirs[d], speedAt((r + 0.5) / rows), acc, es), 0.024 * S);
      }
    }
  }

  // 3. Shapes: move vs drag strokes, click discs, right-click ring, other button, wheel marks.
  const steady = motionColour(0, speedAt(0.6), 0, es);
  seg(0.15, 0.7, 0.33, 0.7, steady, wMove);
  seg(0.15, 0.8, 0.33, 0.8, steady, wDrag);
  const disc = (x: number, y: number, r: number, grey: number) => circles.push(x * S, y * S, r, grey, grey, grey);
  [0, CLICK_FULL_MS / 3, (2 * CLICK_FULL_MS) / 3, CLICK_FULL_MS].forEach((ms, i) => disc(0.4 + i * 0.08, 0.73, clickRadiusPx(es.sizePx, ms) * k, 255));
  const rr = clickRadiusPx(es.sizePx, CLICK_FULL_MS / 2) * k;
  disc(0.42, 0.89, rr, 255);
  disc(0.42, 0.89, rr * 0.5, BACKGROUND);
  disc(0.64, 0.89, rr, OTHER_CLICK_GREY);
  const m = wheelMarkPx(es.sizePx) * k;
  marks.push(0.8 * S, 0.89 * S, m, WHEEL_UP_GREY, WHEEL_UP_GREY, WHEEL_UP_GREY);
  marks.push(0.86 * S, 0.89 * S, m, WHEEL_DOWN_GREY, WHEEL_DOWN_GREY, WHEEL_DOWN_GREY);

  return {
    sizePx: S,
    background: BACKGROUND,
    segments: Float32Array.from(segs),
    marks: Float32Array.from(marks),
    circles: Float32Array.from(circles),
  };
}
