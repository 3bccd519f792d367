/**
 * The production build for browser tests: `vite build` into a temporary folder, served by
 * `vite preview` (the CSP and cross-origin isolation headers of vite.config.ts) on a free port.
 * The build takes seconds here; call from `test.beforeAll` and `close()` in `test.afterAll`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PreviewBuild {
  origin: string;
  outDir: string;
  /** URL path of a built asset whose name starts with `prefix` (hashed names), e.g. 'train.worker-'. */
  asset(prefix: string): string;
  close(): void;
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port')))); });
});

export async function buildAndPreview(): Promise<PreviewBuild> {
  const outDir = mkdtempSync(join(tmpdir(), 'pp-preview-'));
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit', timeout: 480_000 });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn('npx', ['vite', 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'pipe', detached: true });
  const close = () => {
    if (server.pid) { try { process.kill(-server.pid); } catch { /* already gone */ } }
    rmSync(outDir, { recursive: true, force: true });
  };
  const asset = (prefix: string) => {
    const f = readdirSync(join(outDir, 'assets')).find((n) => n.startsWith(prefix) && n.endsWith('.js'));
    if (!f) throw new Error(`no built asset ${prefix}*.js`);
    return `/assets/${f}`;
  };
  for (let i = 0; i < 120; i++) {
    try { if ((await fetch(origin)).ok) return { origin, outDir, asset, close }; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  close();
  throw new Error('vite preview did not start');
}
