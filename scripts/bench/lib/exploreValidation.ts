/**
 * Shared by the validation-only exploration scripts (scripts/bench/explore-*.ts): the small-enrolment
 * setting rebuilt inside training_files, so choices are made without loading a test session.
 * - a user's own enrolment = the first minutes of their training sessions except the last one;
 * - validation pseudo-sessions come from each user's held-out last training session (and, for the
 *   genuine side, from their other sessions minus the enrolment windows where a script says so).
 */
import { windowItems, type BenchContext, type Item } from './context';

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
