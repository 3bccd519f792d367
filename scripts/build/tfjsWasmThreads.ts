/**
 * Vite build plugin: lets tfjs-backend-wasm's threaded build start its pthread workers after
 * minification.
 *
 * tfjs hands each pthread worker the Emscripten glue as `mainScriptUrlOrBlob`, made at run time from
 * `wasmFactoryThreadedSimd.toString()`: only the inner factory function, cut from its closure. The
 * glue guards the one closure variable it reads with `typeof _scriptDir !== "undefined"` (tfjs PR
 * #4528), but a minifier that sees `_scriptDir` declared in scope rewrites that to `e !== void 0`, which
 * throws in the worker ("e is not defined") and the backend never starts.
 *
 * So the build ships the package's own unminified glue as an asset and hands pthread workers its
 * absolute URL instead (a same-origin script, so `script-src 'self'` covers its `importScripts`; a
 * blob: would need `script-src blob:`). The main thread keeps the bundled copy: both copies share the
 * same wasm module and talk to it through string-keyed imports, which minification leaves alone.
 * The dev server does not minify, so it needs no patch. Fails the build if tfjs changes that code.
 */
import type { Plugin } from 'vite';

const BACKEND_MODULE = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/;
const STRINGIFIED_GLUE = /new Blob\(\[\s*`var WasmBackendModuleThreadedSimd = `\s*\+\s*wasmFactoryThreadedSimd\.toString\(\)\s*\],\s*\{\s*type:\s*'text\/javascript'\s*\}\)/;
const GLUE_URL = 'ppThreadedSimdGlueUrl';

export function tfjsWasmThreads(): Plugin {
  return {
    name: 'pointerprint:tfjs-wasm-threads',
    apply: 'build',
    transform(code, id) {
      if (!BACKEND_MODULE.test(id)) return null;
      if (!STRINGIFIED_GLUE.test(code)) this.error('tfjs-backend-wasm changed how it passes its glue to pthread workers: update scripts/build/tfjsWasmThreads.ts');
      return {
        code: `import ${GLUE_URL} from '../wasm-out/tfjs-backend-wasm-threaded-simd.js?url';\n` +
          code.replace(STRINGIFIED_GLUE, `new URL(${GLUE_URL}, self.location.href).href`),
        map: null,
      };
    },
  };
}
