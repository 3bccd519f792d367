/**
 * `node --import tsx scripts/bench/explore-image-frame.ts [--seed 42] [--seeds 2] [--frames 256,512,1024] [--out bench-results/image-frame-choices.json] [--append | --extent-only]`
 *
 * The screen-free image's frame (`EncodingSettings.framePx`: space px across the image, centred on the
 * window's movement), chosen on validation only. Until stop 21 it was fixed a priori at 1,024 px: at 48 px
 * a 200 px stroke is then ~9 px long, and most of the image is background. A smaller frame shows the
 * movement larger but drops the segments that leave it (movements wider than the frame).
 *
 * Per frame and seed: the quick profile's CNN (its spec, 500 training windows per user, its epochs and
 * patience, no time budget so every frame gets the same epochs) trained on training_files windows, scored
 * on the validation windows (each user's held-out last training session): single windows and
 * pseudo-sessions of 20, each claimed as every account. Test sessions are never loaded.
 *
 * The rule, written before the first run (stop 21, 11:29 UTC): adopt the frame with the highest mean
 * validation window AUC over seeds 42 and 43 if it beats 1,024 px by at least 0.01 on both seeds;
 * otherwise keep 1,024. Added at 11:42 UTC, after seed 42's first three rows showed the AUC rising with the
 * frame (256 < 512 < 1,024): a 2,048 px frame (`--frames 2048 --append`), under the same rule against 1,024.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliArg, cliSeeds, trainingFilesContext, writeChoices } from './lib/exploreValidation';
import { round, trainValItems } from './lib/context';
import { cnnOnValidation } from './lib/exploreImage';
import { defaultSpec, type ModelSpec } from '../../src/ml/model';
import { isPositional } from '../../src/core/events';
import { isValidPosition } from '../../src/core/kinematics';
import type { Item } from './lib/context';

/**
 * 10th / 50th / 90th percentile of each window's movement extent (max of bounding-box width and height,
 * space px), over the rows the movement framing centres on (encode.movementToImage: positional rows
 * inside the space; off-screen overflow rows are not movement).
 */
function extentPercentiles(items: readonly Item[]) {
  const ext = items.map(({ ref }) => {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = ref.start; i < ref.end; i++) {
      if (!isPositional(ref.cols.kind[i])) continue;
      const x = ref.cols.x[i], y = ref.cols.y[i];
      if (!isValidPosition(x, y, ref.space)) continue;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    return x0 <= x1 ? Math.max(x1 - x0, y1 - y0) : 0;
  }).sort((a, b) => a - b);
  const q = (f: number) => ext[Math.min(ext.length - 1, Math.floor(f * ext.length))];
  return { p10: round(q(0.1), 0), p50: round(q(0.5), 0), p90: round(q(0.9), 0) };
}

async function main() {
  const out = resolve(cliArg('--out', 'bench-results/image-frame-choices.json'));
  const frames = cliArg('--frames', '256,512,1024').split(',').map(Number);
  // `--append`: keep the rows of an earlier run in the same file (a frame added after the first run).
  const extentOnly = process.argv.includes('--extent-only');
  const rows: Record<string, unknown>[] = (extentOnly || process.argv.includes('--append')) && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).rows : [];
  for (const seed of cliSeeds(2)) {
    const { ctx, profile } = await trainingFilesContext(seed);
    const k = ctx.users.length;
    const idx = new Map(ctx.users.map((u, i) => [u, i]));
    const { train, val } = trainValItems(ctx.sessions, ctx.users, (u) => idx.get(u)!, profile);
    const extent = extentPercentiles(train);
    console.log(`seed ${seed}: ${train.length} training, ${val.length} validation windows; movement extent ${JSON.stringify(extent)}`);
    // `--extent-only`: refresh the extent of this seed's rows already in the file, without training.
    if (extentOnly) { for (const r of rows) if (r.seed === seed) r.movementExtentPx = extent; continue; }
    for (const framePx of frames) {
      const es = { ...ctx.es, framePx };
      const spec: ModelSpec = { ...defaultSpec('group', es.sizePx, k), ...profile.model, numClasses: k };
      const row = { seed, framePx, ...(await cnnOnValidation(profile, train, val, { es, spec, learningRate: profile.learningRate }, seed, console.log)), movementExtentPx: extent };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  writeChoices(out, 'image-frame-choices', {
    how: "the quick profile's CNN per frame and seed on training_files windows, no time budget; validation = each user's last training session; test sessions not loaded",
    rule: 'written before the first run: adopt the frame with the highest mean validation window AUC over seeds 42 and 43 if it beats 1,024 px by >= 0.01 on both seeds; otherwise keep 1,024; 2,048 px added at 11:42 UTC after seed 42 showed 256 < 512 < 1,024, same rule',
    rows,
  });
}
main().catch((e) => { console.error(e); process.exit(1); });
