import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Cross-origin isolation gives SharedArrayBuffer and wasm threads (tfjs wasm backend).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte()],
  server: { headers: isolation, host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { headers: isolation },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
