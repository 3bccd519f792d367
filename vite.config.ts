import { defineConfig, type ProxyOptions } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Cross-origin isolation gives SharedArrayBuffer and wasm threads (tfjs wasm backend).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

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
  plugins: [svelte()],
  server: { headers: isolation, host: '127.0.0.1', port: 5173, strictPort: false, proxy: splunkProxy() },
  preview: { headers: isolation, proxy: splunkProxy() },
  worker: { format: 'es' },
  // Pre-bundle what the workers and lazily loaded backends import, so the dev server never discovers a
  // dependency mid-session and reloads the page (which would abort a recording or a training run).
  optimizeDeps: {
    entries: ['index.html', 'src/worker/*.worker.ts'],
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'idb'],
  },
  build: { target: 'es2022' },
});
