/**
 * The app's own modules in headless Chromium, for benchmarks that must measure in a browser: starts a
 * Vite dev server on a free port and Debian's /usr/bin/chromium (CHROMIUM_PATH overrides), opens the
 * app and hands the page to `fn`. The page is cross-origin isolated like the app (vite.config.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { createServer } from 'vite';
import { REPO_ROOT } from '../../lib/balabit-cache';
import { chromiumArgs } from '../../../playwright.config';

/** A served copy of the app: its URL and how to stop serving it. */
export interface ServedApp { url: string; close(): Promise<void> }

/** The app from a Vite dev server on a free port (from `port` up). */
export async function serveDevApp(port = 5291): Promise<ServedApp> {
  const server = await createServer({ root: REPO_ROOT, configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'silent', server: { host: '127.0.0.1', port, strictPort: false } });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) { await server.close(); throw new Error('the Vite dev server did not report a URL'); }
  return { url, close: () => server.close() };
}

/** Debian's Chromium (or CHROMIUM_PATH), or why there is none. */
export function chromiumExecutable(): { exe: string } | { skipped: string } {
  const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(exe) ? { exe } : { skipped: `no Chromium at ${exe} (set CHROMIUM_PATH)` };
}

/** Headless Chromium on a fresh profile, `url` open, handed to `fn`; everything closed after. */
export async function withChromiumPage<T>(exe: string, url: string, fn: (page: Page, chromiumVersion: string) => Promise<T>): Promise<T> {
  const userDir = mkdtempSync(join(tmpdir(), 'pp-chromium-'));
  try {
    const ctx = await chromium.launchPersistentContext(userDir, { executablePath: exe, headless: true, args: chromiumArgs }); // the browser tests' flags: WebGPU and WebGL on SwiftShader without a GPU
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      return await fn(page, ctx.browser()?.version() ?? 'unknown');
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(userDir, { recursive: true, force: true });
  }
}

export async function withAppPage<T>(fn: (page: Page, chromiumVersion: string) => Promise<T>): Promise<T | { skipped: string }> {
  const c = chromiumExecutable();
  if ('skipped' in c) return c;
  const served = await serveDevApp();
  try {
    return await withChromiumPage(c.exe, served.url, fn);
  } finally {
    await served.close();
  }
}

/**
 * Evaluate plain-JS `code` (an async arrow function as a string: tsx's transform would inject helpers
 * the page does not have) with `arg`, retrying when Vite reloads the page after optimising a newly seen
 * dependency.
 */
export async function evaluateSettled<R>(page: Page, code: string, arg: unknown): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      await page.waitForLoadState('networkidle');
      return (await page.evaluate(`(${code})(${JSON.stringify(arg)})`)) as R;
    } catch (e) {
      if (!/context was destroyed|navigation/i.test(String((e as Error).message)) || attempt >= 2) throw e;
      await page.waitForTimeout(2000);
    }
  }
}
