import { defineConfig, type ProxyOptions } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { tfjsWasmThreads } from './scripts/build/tfjsWasmThreads.js';

// Cross-origin isolation gives SharedArrayBuffer and wasm threads (tfjs wasm backend).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Content-Security-Policy of the built app (preview, and what to copy to your own server with the
 * isolation headers). Scripts only from this origin; 'wasm-unsafe-eval' lets tfjs compile its
 * WebAssembly without allowing eval of JavaScript; workers from this origin or blob: (tfjs's wasm
 * threads); images from blob:/data: (rendered windows). Styles allow 'unsafe-inline' because Svelte
 * writes style attributes; style injection is a far smaller risk than script injection, which stays
 * closed.
 *
 * connect-src is the hard part: the Splunk URLs are typed in by the user at run time, and a policy
 * cannot be widened at run time (a <meta> policy built from saved settings would trust settings any
 * script of this origin can write, and needs a reload on every change). So the default allows this
 * origin, any https: origin and loopback http (a local Splunk or the local peer). A deployment that
 * knows its Splunk sets PP_CSP_CONNECT_SRC at build/preview time (e.g. "https://splunk.example.com:8088
 * https://splunk.example.com:8089"), or serves the header itself with those origins: then scores and
 * raw events can go nowhere else, even from an injected script.
 */
export const DEFAULT_CONNECT_SRC = "https: http://127.0.0.1:* http://localhost:*";

export function contentSecurityPolicy(connectSrc = process.env.PP_CSP_CONNECT_SRC?.trim() || DEFAULT_CONNECT_SRC): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src 'self' ${connectSrc}`,
    "img-src 'self' blob: data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Optional Splunk proxy for development: with PP_SPLUNK_HEC_URL (e.g. https://splunk:8088) and/or
 * PP_SPLUNK_MGMT_URL (e.g. https://splunk:8089) set, the dev server forwards /splunk-hec/* and
 * /splunk-mgmt/* there, so the app reaches Splunk same-origin without CORS enabled on Splunk. Enter
 * `/splunk-hec` and `/splunk-mgmt` as the URLs in the Splunk view. `secure: false` accepts Splunk's
 * default self-signed certificate (development only).
 */
function splunkProxy(): Record<string, ProxyOptions> {
  const out: Record<string, ProxyOptions> = {};
  const add = (prefix: string, target: string | undefined) => {
    if (!target) return;
    out[prefix] = { target, changeOrigin: true, secure: false, rewrite: (p) => p.slice(prefix.length) || '/' };
  };
  add('/splunk-hec', process.env.PP_SPLUNK_HEC_URL);
  add('/splunk-mgmt', process.env.PP_SPLUNK_MGMT_URL);
  return out;
}

export default defineConfig({
  plugins: [svelte(), tfjsWasmThreads()],
  server: { headers: isolation, host: '127.0.0.1', port: 5173, strictPort: false, proxy: splunkProxy() },
  // The dev server has no CSP (Vite's hot reload injects inline code); preview serves the built app
  // exactly as a deployment should: isolation headers plus the CSP above.
  preview: { headers: { ...isolation, 'Content-Security-Policy': contentSecurityPolicy() }, proxy: splunkProxy() },
  // The train worker bundles tfjs-backend-wasm, so the threads fix must apply to the worker build.
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  // Pre-bundle what the workers and lazily loaded backends import, so the dev server never discovers a
  // dependency mid-session and reloads the page (which would abort a recording or a training run).
  optimizeDeps: {
    entries: ['index.html', 'src/worker/*.worker.ts'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'idb'],
  },
  build: { target: 'es2022' },
});
