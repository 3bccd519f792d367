/**
 * `node --import tsx scripts/bench/explore-image-data.ts [--seed 42] [--seeds 1] [--per-user 250,500,1000] [--epochs 30] [--out bench-results/image-data-limit.json] [--append]`
 *
 * What limits the image branch: training images per user and epochs, on validation only. The quick
 * profile's CNN (its spec, 1,024 px frame, learning rate, patience and shifts) is trained on N training_files
 * windows per user for up to `--epochs` epochs (early stopping on the validation loss, no time budget)
 * and scored on each user's held-out last training session, as explore-image-model.ts scores its
 * candidates. Test sessions are never loaded.
 *
 * A measurement, not a choice (written before the first run, stop 22, 14:22 UTC): nothing is adopted
 * from it. The quick profile trains its CNN on 500 windows per user for at most 10 epochs because that is
 * what fits its 15 minutes; this asks how far the same network gets with more epochs and more images, so
 * the docs can say which of the two the unmet image target lacks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliArg, cliSeeds, trainingFilesContext, writeChoices } from './lib/exploreValidation';
import { trainValItems } from './lib/context';
import { cnnOnValidation } from './lib/exploreImage';
import { defaultSpec, type ModelSpec } from '../../src/ml/model';

async function main() {
  const out = resolve(cliArg('--out', 'bench-results/image-data-limit.json'));
  const perUser = cliArg('--per-user', '250,500,1000').split(',').map(Number);
  const epochs = Number(cliArg('--epochs', '30'));
  if (perUser.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(epochs) || epochs < 1) throw new Error('--per-user takes whole numbers ≥ 1, --epochs one whole number ≥ 1');
  const rows: Record<string, unknown>[] = process.argv.includes('--append') && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).rows : [];
  const write = () => writeChoices(out, 'image-data-limit', {
    how: "the quick profile's CNN (screen-free 48 px images, 1,024 px frame, its spec and optimiser) per training size and seed on training_files windows, up to the given epochs with early stopping on validation loss, no time budget; validation = each user's last training session (60 windows per user); test sessions not loaded",
    rule: 'a measurement, written before the first run (14:22 UTC): nothing is adopted from it',
    rows,
  });
  for (const seed of cliSeeds(1)) {
    const { ctx, profile } = await trainingFilesContext(seed);
    const k = ctx.users.length;
    const idx = new Map(ctx.users.map((u, i) => [u, i]));
    const spec: ModelSpec = { ...defaultSpec('group', ctx.es.sizePx, k), ...profile.model, numClasses: k };
    for (const n of perUser) {
      const { train, val } = trainValItems(ctx.sessions, ctx.users, (u) => idx.get(u)!, profile, n);
      console.log(`seed ${seed}, ${n} windows per user (${train.length} in all), up to ${epochs} epochs`);
      const row = { seed, windowsPerUser: n, maxEpochs: epochs, ...(await cnnOnValidation(profile, train, val, { es: ctx.es, spec, learningRate: profile.learningRate, epochs }, seed, console.log)) };
      console.log(JSON.stringify(row));
      rows.push(row);
      write();
    }
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
