/**
 * `node --import tsx scripts/bench/explore-image-model.ts [--seed 42] [--seeds 1] [--variants baseline,batchNorm,lr3e-3,vggBatchNorm] [--out bench-results/image-model-choices.json] [--append]`
 *
 * The image branch's CNN and optimiser, chosen on validation only (the architecture was fixed a priori
 * until stop 21; docs/benchmark.md, "Not tuned"). In the quick profile the CNN's best epoch is its last
 * (it is still learning when its epochs or its time budget end), so the candidates are ways to learn more
 * per epoch: batch normalisation, a larger learning rate, and two 3×3 convolutions per block with batch
 * normalisation (the VGG pattern; the app's verification spec already uses it). Each is trained as the
 * quick profile trains the challenge's CNN (500 windows per user, its epochs and patience) with no time
 * budget, and scored on each user's held-out last training session (scripts/bench/lib/exploreImage.ts).
 *
 * The rule, written before the first run (stop 21, 11:55 UTC): a candidate passes on a seed if its
 * validation window AUC beats the baseline's by at least 0.01 and its seconds per epoch are at most 1.25×
 * the baseline's (so it gets about as many epochs in the quick profile's time budget). Seed 42 first;
 * seed 43 only for candidates that pass on 42. Adopt the one with the highest mean AUC over the two seeds
 * among those that pass on both; otherwise keep the baseline. Added at 12:01 UTC, when batch normalisation's
 * first epoch took 52 s against the baseline's 18: a candidate whose first two epochs average more than
 * 1.25× the baseline's seconds per epoch (same seed, same run) fails the rule's time condition, so it is
 * stopped there and reported without an AUC (`stoppedTooSlow`). Rows are written as they come.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliArg, cliSeeds, trainingFilesContext, writeChoices } from './lib/exploreValidation';
import { trainValItems } from './lib/context';
import { cnnOnValidation } from './lib/exploreImage';
import { defaultSpec, type ModelSpec } from '../../src/ml/model';

const VARIANTS: Record<string, { spec: Partial<ModelSpec>; learningRate?: number }> = {
  baseline: { spec: {} },
  batchNorm: { spec: { batchNorm: true } },
  'lr3e-3': { spec: {}, learningRate: 3e-3 },
  vggBatchNorm: { spec: { convsPerBlock: 2, batchNorm: true } },
};

async function main() {
  const out = resolve(cliArg('--out', 'bench-results/image-model-choices.json'));
  const names = cliArg('--variants', Object.keys(VARIANTS).join(',')).split(',');
  for (const n of names) if (!VARIANTS[n]) throw new Error(`unknown variant ${n}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const rows: Record<string, unknown>[] = process.argv.includes('--append') && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).rows : [];
  const write = () => writeChoices(out, 'image-model-choices', {
    how: "the quick profile's CNN (screen-free 48 px images, 1,024 px frame) per variant and seed on training_files windows, no time budget; validation = each user's last training session; test sessions not loaded",
    rule: 'written before the first run (11:55 UTC): a candidate passes on a seed if its validation window AUC beats the baseline by >= 0.01 and its seconds per epoch are <= 1.25x the baseline; seed 42 first, seed 43 only for candidates passing on 42; adopt the highest mean over both among those passing on both, else keep the baseline. 12:01 UTC: a candidate whose first two epochs average > 1.25x the baseline seconds per epoch is stopped there (fails the time condition), reported without an AUC',
    rows,
  });
  for (const seed of cliSeeds(1)) {
    const { ctx, profile } = await trainingFilesContext(seed);
    const k = ctx.users.length;
    const idx = new Map(ctx.users.map((u, i) => [u, i]));
    const { train, val } = trainValItems(ctx.sessions, ctx.users, (u) => idx.get(u)!, profile);
    let baselineSecondsPerEpoch: number | undefined;
    for (const variant of names) {
      const v = VARIANTS[variant];
      const spec: ModelSpec = { ...defaultSpec('group', ctx.es.sizePx, k), ...profile.model, ...v.spec, numClasses: k };
      const learningRate = v.learningRate ?? profile.learningRate;
      console.log(`seed ${seed}, ${variant}`);
      const maxSecondsPerEpoch = variant === 'baseline' || baselineSecondsPerEpoch === undefined ? undefined : 1.25 * baselineSecondsPerEpoch;
      const row = { seed, variant, spec: v.spec, learningRate, ...(await cnnOnValidation(profile, train, val, { es: ctx.es, spec, learningRate, maxSecondsPerEpoch }, seed, console.log)) };
      if (variant === 'baseline') baselineSecondsPerEpoch = row.secondsPerEpoch;
      console.log(JSON.stringify(row));
      rows.push(row);
      write();
    }
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
