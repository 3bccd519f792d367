#!/usr/bin/env node
// `npm run bench -- <what> [options]`: dispatches to one benchmark.
//   encoding           Node: import, windowing, encoding and rendering speed on Balabit
//   enrol              a fresh-install enrolment in Chromium against the shipped background set (time, verdicts)
//   capture            main-thread capture cost per pointer event, render-worker throughput (Chromium)
//   kernels            Node: the app's wasm kernels against tfjs' shipped ones (matrix products, training steps)
//   --dataset <folder> the Balabit protocol + group + bot tasks, per-stage speed (defaults to `balabit`)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const benches = { capture: 'bench/capture.ts', encoding: 'bench/encoding.ts', balabit: 'bench/balabit.ts', enrol: 'bench/enrol.ts', kernels: 'bench/kernels.ts' };
let which = args[0] && !args[0].startsWith('-') ? args.shift() : 'balabit';
if (!(which in benches)) {
  console.error(`bench: unknown benchmark '${which}'. Choose one of: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, benches[which]), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
