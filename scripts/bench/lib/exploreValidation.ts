/**
 * Shared by the validation-only exploration scripts (scripts/bench/explore-*.ts): the small-enrolment
 * setting rebuilt inside training_files, so choices are made without loading a test session.
 * - a user's own enrolment = the first minutes of their training sessions except the last one;
 * - validation pseudo-sessions come from each user's held-out last training session (and, for the
 *   genuine side, from their other sessions minus the enrolment windows where a script says so).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureBalabit } from '../../lib/balabit-cache';
import { createContext, windowItems, type BenchContext, type Item } from './context';
import { PROFILES } from './profiles';
import { selectBackend } from './tfnode';
import { FEATURE_COUNT, FEATURES_VERSION } from '../../../src/core/features';

/** `--name value` from the command line, or the default. */
export const cliArg = (name: string, dflt: string): string => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };

/** `--seed S --seeds N` → [S, S+1, …]. */
export const cliSeeds = (defaultCount: number): number[] => {
  const seed0 = Number(cliArg('--seed', '42'));
  return Array.from({ length: Number(cliArg('--seeds', String(defaultCount))) }, (_, i) => seed0 + i);
};

/** The quick profile's context on Balabit's training files only (no test session is loaded), on wasm. */
export async function trainingFilesContext(seed: number) {
  const data = ensureBalabit();
  if ('skipReason' in data) throw new Error(data.skipReason);
  const be = await selectBackend('wasm');
  const profile = { ...PROFILES.quick, slice: { maxTestSessionsPerUser: 0 } };
  const ctx = await createContext({ root: data.root, profile, seed, log: () => {} }, be.backend);
  return { ctx, profile };
}

/** A user's last training session with windows (held out: the validation material). */
export function lastTrainingSession(ctx: Pick<BenchContext, 'sessions'>, user: string) {
  const ss = ctx.sessions.filter((s) => s.part === 'train' && s.user === user && s.windows.length > 0);
  return ss[ss.length - 1];
}

/** The user's first `budgetMs` of window time, in file order, from training sessions other than the last. */
export function ownFirstMinutes(ctx: Pick<BenchContext, 'sessions'>, user: string, budgetMs: number, label: number): Item[] {
  const last = lastTrainingSession(ctx, user);
  const own: Item[] = [];
  let ms = 0;
  for (const s of ctx.sessions.filter((x) => x.part === 'train' && x.user === user && x !== last)) {
    for (const it of windowItems(s, label)) { if (ms >= budgetMs) return own; own.push(it); ms += Math.max(0, it.endMs - it.startMs); }
  }
  return own;
}

/** Runs of n consecutive windows (at most `max`, spread over the list): validation pseudo-sessions. */
export function chunksOf(items: readonly Item[], n: number, max: number): Item[][] {
  const all: Item[][] = [];
  for (let at = 0; at + n <= items.length; at += n) all.push(items.slice(at, at + n));
  if (all.length <= max) return all;
  return Array.from({ length: max }, (_, i) => all[Math.floor((i * all.length) / max)]);
}

/** The commit the report was made at (with `+changes` if the tree was not clean), or null outside git. */
function codeVersion(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch { return null; }
}

/** Write an exploration's report (`{ benchmark, date, code, ...fields }`, pretty JSON) and say where. */
export function writeChoices(out: string, benchmark: string, fields: Record<string, unknown>): void {
  mkdirSync(dirname(out), { recursive: true });
  const code = { commit: codeVersion(), featuresVersion: FEATURES_VERSION, featureCount: FEATURE_COUNT };
  writeFileSync(out, JSON.stringify({ benchmark, date: new Date().toISOString(), code, ...fields }, null, 2));
  console.log(`written ${out}`);
}
