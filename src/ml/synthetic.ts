/**
 * Tiny synthetic image sets with a known answer, for tests and backend probes: class 0 draws
 * horizontal strokes, class 1 vertical strokes (different colours too), at seeded random positions on
 * the encoding's grey background. A model that cannot separate these is broken.
 */
import { mulberry32, randInt } from '../core/random';
import type { ImageSet } from './train';

export function syntheticImageSet(count: number, sizePx: number, seed = 1, numClasses = 2, background = 32): ImageSet {
  const rng = mulberry32(seed);
  const per = sizePx * sizePx * 3;
  const pixels = new Uint8Array(count * per).fill(background);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % numClasses;
    labels[n] = label;
    const strokes = randInt(rng, 1, 3);
    for (let s = 0; s < strokes; s++) {
      const fixed = randInt(rng, 1, sizePx - 2);
      const a = randInt(rng, 0, sizePx >> 1);
      const len = randInt(rng, sizePx >> 2, sizePx >> 1);
      for (let t = a; t < Math.min(sizePx, a + len); t++) {
        // label 0: horizontal; 1: vertical; 2+: diagonal.
        const [x, y] = label === 0 ? [t, fixed] : label === 1 ? [fixed, t] : [t, Math.min(sizePx - 1, (t + fixed) % sizePx)];
        const o = n * per + (y * sizePx + x) * 3;
        pixels[o] = label === 0 ? 230 : 60;
        pixels[o + 1] = 120 + 40 * label;
        pixels[o + 2] = label === 1 ? 230 : 60;
      }
    }
  }
  return { sizePx, count, pixels, labels, background };
}
