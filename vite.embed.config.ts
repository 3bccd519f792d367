/**
 * `npm run build:embed`: the embeddable build, into dist-embed/.
 * - default mode: the capture bundle, src/embed/pointerprint.ts, as a classic script defining only
 *   `window.Pointerprint` (pointerprint-capture.js) and as an ES module (pointerprint-capture.mjs).
 *   No TensorFlow.js (checked by tests/unit/embed-bundle.test.ts, with its size).
 * - `--mode worker`: the optional scoring worker (pointerprint-score-worker.js, a classic worker script
 *   carrying TensorFlow.js), loaded only when a site asks for on-page scoring.
 */
import { defineConfig, type InlineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = 'dist-embed';

/**
 * idb installs its async-iterator support (`for await (const c of store)`) as a side effect, so no
 * bundler can drop it; the HEC queue never iterates that way (it walks cursors with `continue()`).
 * Cut from the capture bundle only; fails the build if a new idb version changes the shape.
 */
function idbWithoutAsyncIterators(): Plugin {
  const start = 'const advanceMethodProps =';
  const end = '\nexport {';
  return {
    name: 'pointerprint:idb-without-async-iterators',
    transform(code, id) {
      if (!/[\\/]idb[\\/]build[\\/]index\.js$/.test(id)) return null;
      const i = code.indexOf(start), j = code.indexOf(end);
      if (i < 0 || j < i || !code.slice(i, j).includes('Symbol.asyncIterator')) throw new Error('idb changed shape: update idbWithoutAsyncIterators in vite.embed.config.ts');
      return { code: code.slice(0, i) + code.slice(j), map: null };
    },
  };
}

export function captureBuild(dir = outDir): InlineConfig {
  return {
    plugins: [idbWithoutAsyncIterators()],
    root,
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir: dir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      // Terser with more passes packs the capture bundle ~2-3 % tighter (gzipped) than the default
      // minifier; every byte counts under the 15 kB limit. No unsafe transforms: behaviour is unchanged.
      minify: 'terser',
      terserOptions: {
        ecma: 2020,
        compress: { passes: 3, pure_getters: true },
        format: { comments: false },
      },
      lib: {
        entry: fileURLToPath(new URL('src/embed/pointerprint.ts', import.meta.url)),
        name: 'Pointerprint',
        formats: ['iife', 'es'],
        fileName: (format) => (format === 'es' ? 'pointerprint-capture.mjs' : 'pointerprint-capture.js'),
      },
    },
  };
}

export function workerBuild(dir = outDir): InlineConfig {
  return {
    root,
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir: dir,
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: false,
      minify: true,
      lib: {
        entry: fileURLToPath(new URL('src/embed/score.worker.ts', import.meta.url)),
        name: 'PointerprintScoreWorker',
        formats: ['iife'],
        fileName: () => 'pointerprint-score-worker.js',
      },
    },
  };
}

export default defineConfig(({ mode }) => (mode === 'worker' ? workerBuild() : captureBuild()));
