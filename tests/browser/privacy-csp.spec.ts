/**
 * Issue #10 item 6: the built app under its Content-Security-Policy. Builds into a temporary folder,
 * serves it with `vite preview` (which sends the CSP and the isolation headers from vite.config.ts) on
 * a free port, and checks that the app loads, the render worker draws a session's windows, the tfjs
 * wasm backend initialises in the train worker, and no CSP violation is reported anywhere.
 */
import { test, expect } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columnsFromSamples, EventKind, PointerKind } from '../../src/core/events';
import { serializeSession } from '../../src/core/importers/sessionJson';

test.describe.configure({ timeout: 600_000 });

let outDir = '';
let server: ChildProcess | null = null;
let origin = '';

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port')))); });
});

test.beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'pp-preview-'));
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit', timeout: 480_000 });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = spawn('npx', ['vite', 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'pipe', detached: true });
  for (let i = 0; i < 120; i++) {
    try { if ((await fetch(origin)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('vite preview did not start');
});

test.afterAll(() => {
  if (server?.pid) { try { process.kill(-server.pid); } catch { /* already gone */ } }
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** A small session file to import (a few windows of plausible movement). */
function sessionFile(): string {
  const samples = Array.from({ length: 1200 }, (_, i) => ({
    tMs: i * 8, kind: EventKind.Move, x: 200 + 150 * Math.cos(i / 40) + i / 4, y: 300 + 120 * Math.sin(i / 27),
    button: -1, buttons: 0, pointerKind: PointerKind.Mouse, dx: 0, dy: 0,
  }));
  return serializeSession({ id: 'csp-session', profileId: 'csp', source: 'capture', startedAtEpochMs: Date.now(), space: { width: 1280, height: 800 }, eventCount: 0, durationMs: 9600 }, columnsFromSamples(samples));
}

test('the preview build runs under its CSP: app, render worker and tfjs wasm, no violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => violations.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('browser', m.type(), m.text()); });
  page.on('worker', (w) => w.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`worker: ${m.text()}`); }));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });

  const res = await page.goto(origin + '/#sessions');
  const headers = res!.headers();
  const csp = headers['content-security-policy'] ?? '';
  console.log('CSP:', csp);
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  await expect(page.getByTestId('sessions-view')).toBeVisible();

  // Render worker: import a session and draw its windows.
  await page.getByTestId('sessions-import-json').setInputFiles({ name: 'csp-session.json', mimeType: 'application/json', buffer: Buffer.from(sessionFile()) });
  await expect(page.getByTestId('import-ok')).toContainText('imported 1 session');
  await page.getByTestId('session-view').click();
  await expect(page.getByTestId('session-window-image').first()).toBeVisible({ timeout: 60_000 });
  const drawn = await page.getByTestId('session-window-image').count();
  expect(drawn).toBeGreaterThan(0);

  // tfjs wasm in the train worker.
  await page.click('nav a[data-tab="enrol"]');
  await expect(page.getByTestId('backend-name')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('backend-select').selectOption('wasm');
  await expect(page.getByTestId('backend-name')).toHaveText('wasm', { timeout: 120_000 });

  const fromDocument = await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations);
  console.log(`windows drawn: ${drawn}; violations: ${JSON.stringify([...fromDocument, ...violations])}`);
  expect(fromDocument).toEqual([]);
  expect(violations).toEqual([]);
});
