/**
 * The Balabit data set, unpacked once into `.cache/balabit/` (git-ignored) for tests and benchmarks.
 *
 * Idempotent and safe when several test workers call it at once: unpacks into a temporary folder
 * and renames it into place, then writes a marker file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is scripts/lib/balabit-cache.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Where the archive is expected: ../shared/data relative to the repo root. Overridable with the
 * environment variables POINTERPRINT_BALABIT_ARCHIVE and POINTERPRINT_BALABIT_CACHE (e.g. to check
 * the skip path, or to point CI at another copy).
 */
export const BALABIT_ARCHIVE = process.env.POINTERPRINT_BALABIT_ARCHIVE
  ?? resolve(REPO_ROOT, '..', 'shared', 'data', 'balabit-mouse-dynamics-challenge.tar.gz');
export const BALABIT_CACHE = process.env.POINTERPRINT_BALABIT_CACHE ?? join(REPO_ROOT, '.cache', 'balabit');
const MARKER = '.unpacked';

function looksComplete(root: string): boolean {
  return ['training_files', 'test_files', 'public_labels.csv'].every((p) => existsSync(join(root, p)));
}

/**
 * Ensure the data set is unpacked; returns the folder holding `training_files`, `test_files` and
 * `public_labels.csv`, or a reason to skip (archive absent, tar failed).
 */
export function ensureBalabit(): { root: string } | { skipReason: string } {
  if (existsSync(join(BALABIT_CACHE, MARKER)) && looksComplete(BALABIT_CACHE)) return { root: BALABIT_CACHE };
  if (!existsSync(BALABIT_ARCHIVE)) {
    if (looksComplete(BALABIT_CACHE)) return { root: BALABIT_CACHE };
    return { skipReason: `Balabit data set not found at ${BALABIT_ARCHIVE} (see ../shared/data/README.md)` };
  }
  if (looksComplete(BALABIT_CACHE)) {
    // Unpacked by hand (as the data README suggests) or by an older run: trust it, mark it.
    try { writeFileSync(join(BALABIT_CACHE, MARKER), new Date().toISOString()); } catch { /* read-only is fine */ }
    return { root: BALABIT_CACHE };
  }
  const parent = dirname(BALABIT_CACHE);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, 'balabit-unpack-'));
  try {
    execFileSync('tar', ['xzf', BALABIT_ARCHIVE, '-C', tmp], { stdio: 'pipe' });
    if (!looksComplete(tmp)) return { skipReason: `the archive ${BALABIT_ARCHIVE} does not hold training_files, test_files and public_labels.csv` };
    writeFileSync(join(tmp, MARKER), new Date().toISOString());
    try {
      if (looksComplete(BALABIT_CACHE)) return { root: BALABIT_CACHE }; // another worker finished first
      rmSync(BALABIT_CACHE, { recursive: true, force: true }); // a stale, partial folder
      renameSync(tmp, BALABIT_CACHE);
    } catch (e) {
      // Another process won the race: use theirs if it is complete.
      if (!looksComplete(BALABIT_CACHE)) throw e;
    }
    return { root: BALABIT_CACHE };
  } catch (e) {
    return { skipReason: `could not unpack ${BALABIT_ARCHIVE}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}
