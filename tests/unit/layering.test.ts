/**
 * Layering: nothing outside src/ui imports src/ui (DESIGN.md). Reads every source file of the
 * non-UI layers, resolves each relative import (static, dynamic, re-export) and fails on any that lands
 * in src/ui.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAYERS = ['core', 'ml', 'capture', 'splunk', 'store', 'worker', 'app', 'embed'];
const UI = join(root, 'src', 'ui') + sep;

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(sourceFiles(p));
    else if (/\.(ts|js|mjs|svelte)$/.test(n)) out.push(p);
  }
  return out;
}

/** Module specifiers of `import … from`, `export … from`, `import('…')`, `import '…'`, `new URL('…', import.meta.url)`. */
export function importSpecifiers(code: string): string[] {
  const out: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g, /new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

function uiImports(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return importSpecifiers(code)
    .filter((s) => s.startsWith('.') || s.startsWith('/src/'))
    .filter((s) => {
      const target = s.startsWith('/src/') ? join(root, s) : resolve(dirname(file), s);
      return (target + sep).startsWith(UI) || target.startsWith(UI);
    })
    .map((s) => `${relative(root, file)} imports ${s}`);
}

describe('layering', () => {
  it('finds the import forms it checks for (the checker itself can fail)', () => {
    const code = `import a from '../ui/x';\nexport { b } from "../../ui/y";\nconst c = await import('../ui/z');\nimport '../ui/w.css';\nnew URL('../ui/v.ts', import.meta.url)`;
    expect(importSpecifiers(code)).toEqual(expect.arrayContaining(['../ui/x', '../../ui/y', '../ui/z', '../ui/w.css', '../ui/v.ts']));
    const fake = join(root, 'src', 'splunk', 'fake.ts');
    const hits = importSpecifiers(code).map((s) => resolve(dirname(fake), s)).filter((t) => t.startsWith(UI));
    expect(hits.length).toBe(4); // all but ../../ui/y, which from src/splunk resolves outside src
  });

  for (const layer of LAYERS) {
    it(`src/${layer} does not import src/ui`, () => {
      const files = sourceFiles(join(root, 'src', layer));
      const bad = files.flatMap(uiImports);
      expect(bad).toEqual([]);
    });
  }
});
