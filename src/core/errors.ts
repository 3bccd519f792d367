/**
 * Errors are values the UI can show: a code for programs, a message for people.
 */
export class PointerprintError extends Error {
  constructor(
    /** Machine-readable, e.g. 'import/bad-header', 'store/quota', 'hec/invalid-token'. */
    readonly code: string,
    /** A sentence a person understands, saying what went wrong and, where possible, what to do. */
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'PointerprintError';
  }
}

export type Result<T, E = PointerprintError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** A person-readable message from anything thrown. */
export function describeError(e: unknown): string {
  if (e instanceof PointerprintError) return e.message;
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
