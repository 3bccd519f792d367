/**
 * Settings that change what an image means. A model is only valid for images made with the same
 * settings, so profiles and models store `encodingFingerprint(...)` and refuse a mismatch.
 */

/** How a session is cut into windows (each window becomes one image). */
export interface WindowSettings {
  /** 'events': fixed number of pointer events per window; 'time': fixed time span. */
  mode: 'events' | 'time';
  /** Pointer events per window (mode 'events'). */
  eventsPerWindow: number;
  /** Window length in ms (mode 'time'). */
  spanMs: number;
  /** A gap with no events longer than this ends the current window (idle break). */
  idleGapMs: number;
  /** Windows with fewer move events than this are dropped (with a reason). */
  minMoveEvents: number;
  /** Windows whose path is shorter than this fraction of the space's diagonal are dropped. */
  minPathFraction: number;
}

/** How a window is drawn. */
export interface EncodingSettings {
  /** Square image side in px (e.g. 64, 96, 128). */
  sizePx: number;
  /** Speed (px/ms in the session's space) that maps to full brightness; log-scaled below it. */
  speedFullPxPerMs: number;
  /** |acceleration| (px/ms²) that maps to the extremes of the acceleration scale. */
  accelFullPxPerMs2: number;
  /** Encoding version: bump when the drawing changes so old models are refused. */
  version: number;
  /**
   * How positions map into the image. 'screen' (the default when absent): the session's whole space is
   * fitted into the square, so the image scale depends on the screen size. 'movement': a fixed scale of
   * `framePx` space px across the image, centred on the window's movement, so the image shows the
   * movement's shape and size but not the screen it was made on (issue #8, screen-free images).
   */
  framing?: 'screen' | 'movement';
  /** Space px the image spans with framing 'movement' (default MOVEMENT_FRAME_PX). */
  framePx?: number;
}

/** Default span of a 'movement'-framed image in space px. */
export const MOVEMENT_FRAME_PX = 1024;

export const DEFAULT_WINDOW_SETTINGS: WindowSettings = {
  mode: 'events',
  eventsPerWindow: 1000,
  spanMs: 30_000,
  idleGapMs: 5_000,
  minMoveEvents: 30,
  minPathFraction: 0.05,
};

export const DEFAULT_ENCODING_SETTINGS: EncodingSettings = {
  sizePx: 64,
  speedFullPxPerMs: 4,
  accelFullPxPerMs2: 0.05,
  version: 1,
};

/** The screen-free drawing (issue #8): what the image branch of the verifier uses. */
export const SCREEN_FREE_ENCODING_SETTINGS: EncodingSettings = {
  ...DEFAULT_ENCODING_SETTINGS,
  framing: 'movement',
  framePx: MOVEMENT_FRAME_PX,
};

/**
 * What the app captures and learns with: the settings the benchmark validated (its quick profile:
 * 100-event windows, screen-free 48 px images; docs/benchmark.md). The shipped background set and a
 * person's own recordings are cut and drawn the same way.
 */
export const APP_WINDOW_SETTINGS: WindowSettings = { ...DEFAULT_WINDOW_SETTINGS, eventsPerWindow: 100 };
export const APP_ENCODING_SETTINGS: EncodingSettings = { ...SCREEN_FREE_ENCODING_SETTINGS, sizePx: 48 };

/** A stable string naming the settings a model depends on. */
export function encodingFingerprint(w: WindowSettings, e: EncodingSettings): string {
  const win = w.mode === 'events' ? `ev${w.eventsPerWindow}` : `t${w.spanMs}`;
  const frame = e.framing === 'movement' ? `-fm${e.framePx ?? MOVEMENT_FRAME_PX}` : '';
  return `enc${e.version}-s${e.sizePx}-v${e.speedFullPxPerMs}-a${e.accelFullPxPerMs2}-${win}-idle${w.idleGapMs}${frame}`;
}
