/**
 * The embeddable capture bundle (`npm run build:embed`): built here into a temporary folder, then
 * checked for size (≤ 15 kB gzipped, each format), for the absence of TensorFlow.js and eval, and for
 * defining no global but `Pointerprint`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runInNewContext } from 'node:vm';
import { captureBuild } from '../../vite.embed.config';

const LIMIT_BYTES = 15_000;
let dir = '';
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pp-embed-'));
  await build(captureBuild(dir));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embed bundle', () => {
  for (const file of ['pointerprint-capture.js', 'pointerprint-capture.mjs']) {
    it(`${file} is at most 15 kB gzipped and carries no TensorFlow.js`, () => {
      const code = read(file);
      const gz = gzipSync(code, { level: 9 }).length;
      console.log(`${file}: ${code.length} bytes, ${gz} bytes gzipped (limit ${LIMIT_BYTES})`);
      expect(gz).toBeLessThanOrEqual(LIMIT_BYTES);
      expect(code).not.toMatch(/tensorflow|tfjs|loadLayersModel/i);
      // CSP without 'unsafe-eval'.
      expect(code).not.toMatch(/\beval\(|new Function\(/);
    });
  }

  it('the classic script defines only the global Pointerprint, with start()', () => {
    // A fresh global scope, as a page gives a classic script: whatever it defines shows up as a key.
    const scope: Record<string, unknown> = {};
    runInNewContext(read('pointerprint-capture.js'), scope);
    expect(Object.keys(scope)).toEqual(['Pointerprint']);
    const api = scope.Pointerprint as { start?: unknown; version?: unknown };
    expect(typeof api.start).toBe('function');
    expect(typeof api.version).toBe('string');
  });

  it('the ES module exports start', () => {
    expect(read('pointerprint-capture.mjs')).toMatch(/export\s*\{[^}]*\bstart\b/);
  });
});
