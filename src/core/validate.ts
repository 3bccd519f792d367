/**
 * A small hand-written schema validator for files a person imports (profiles, recordings).
 *
 * Why: an imported file is untrusted input. Every field is checked for type, range and size, unknown
 * fields are left out of the result (nothing unchecked reaches storage), and the first problem is
 * reported with its path, e.g. `profile.quality.roc[3].fpr must be a number between 0 and 1`.
 * Pure: no DOM, no storage. A schema is a function `(value, path) => T` that throws a
 * `ValidationError`; the combinators below build them and infer `T`.
 */
import { PointerprintError } from './errors';

export class ValidationError extends PointerprintError {
  constructor(readonly path: string, readonly problem: string) {
    super('import/invalid', `${path} ${problem}`, { path });
    this.name = 'ValidationError';
  }
}

export type Schema<T> = (v: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

const fail = (path: string, problem: string): never => {
  throw new ValidationError(path, problem);
};
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 40) + '…' : s;
};
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Control characters (C0, DEL, C1) have no place in names and ids shown in the UI. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface StringRules {
  min?: number;
  max: number;
  /** A whole-string pattern; `patternText` says in words what it allows. */
  pattern?: RegExp;
  patternText?: string;
}

export function str(rules: StringRules): Schema<string> {
  const min = rules.min ?? 0;
  return (v, path) => {
    if (typeof v !== 'string') return fail(path, `must be text, found ${show(v)}.`);
    if (v.length < min) return fail(path, min === 1 ? 'must not be empty.' : `must be at least ${min} characters long.`);
    if (v.length > rules.max) return fail(path, `is ${v.length} characters long; at most ${rules.max} are allowed.`);
    if (CONTROL.test(v)) return fail(path, 'contains control characters.');
    if (rules.pattern && !rules.pattern.test(v)) return fail(path, `must be ${rules.patternText ?? `of the form ${rules.pattern}`}, found ${show(v)}.`);
    return v;
  };
}

/** An identifier that is also part of a storage key: letters, digits and `_ - . : @` only. */
export const id = (max = 128): Schema<string> => str({ min: 1, max, pattern: /^[A-Za-z0-9_.:@-]+$/, patternText: 'letters, digits, "_", "-", ".", ":" or "@"' });

export interface NumberRules {
  min?: number;
  max?: number;
  integer?: boolean;
  /** JSON has no NaN: exporters write it as null. Accept null and return NaN. */
  nullIsNaN?: boolean;
}

export function num(rules: NumberRules = {}): Schema<number> {
  const { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, integer = false, nullIsNaN = false } = rules;
  return (v, path) => {
    if (v === null && nullIsNaN) return NaN;
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(path, `must be a finite number, found ${show(v)}.`);
    if (integer && !Number.isInteger(v)) return fail(path, `must be a whole number, found ${v}.`);
    if (v < min || v > max) return fail(path, `must be between ${min} and ${max}, found ${v}.`);
    return v;
  };
}

export const bool: Schema<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, `must be true or false, found ${show(v)}.`));

export function literal<const L extends string | number | boolean>(...allowed: L[]): Schema<L> {
  return (v, path) => (allowed.includes(v as L) ? (v as L) : fail(path, `must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}, found ${show(v)}.`));
}

export function arrayOf<T>(item: Schema<T>, rules: { min?: number; max: number }): Schema<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) return fail(path, `must be a list, found ${show(v)}.`);
    if (v.length < (rules.min ?? 0)) return fail(path, `must have at least ${rules.min} entries, found ${v.length}.`);
    if (v.length > rules.max) return fail(path, `has ${v.length} entries; at most ${rules.max} are allowed.`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** Mark a field optional: absent (undefined) stays absent in the result. */
export interface Optional<T> {
  optional: Schema<T>;
}
export const optional = <T>(s: Schema<T>): Optional<T> => ({ optional: s });

type Shape = Record<string, Schema<unknown> | Optional<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type ShapeOut<S extends Shape> = { [K in RequiredKeys<S>]: S[K] extends Schema<infer T> ? T : never } & {
  [K in OptionalKeys<S>]?: S[K] extends Optional<infer T> ? T : never;
};

/**
 * An object with exactly the listed fields checked. Fields not in the shape are dropped from the
 * result: what reaches storage is only what was checked.
 */
export function obj<S extends Shape>(shape: S): Schema<{ [K in keyof ShapeOut<S>]: ShapeOut<S>[K] }> {
  return (v, path) => {
    if (!isPlainObject(v)) return fail(path, `must be an object, found ${show(v)}.`);
    const out: Record<string, unknown> = {};
    const visit = (k: string) => {
      const s = shape[k];
      const p = `${path}.${k}`;
      if (typeof s === 'function') out[k] = s(v[k], p);
      else if (v[k] !== undefined) out[k] = s.optional(v[k], p);
    };
    // The input's key order is kept (an export → import round trip gives the same JSON); then the
    // shape's fields the input lacks, so a missing required field is reported.
    for (const k of Object.keys(v)) if (Object.hasOwn(shape, k)) visit(k);
    for (const k of Object.keys(shape)) if (!Object.hasOwn(v, k)) visit(k);
    return out as { [K in keyof ShapeOut<S>]: ShapeOut<S>[K] };
  };
}

export const nullable = <T>(s: Schema<T>): Schema<T | null> => (v, path) => (v === null ? null : s(v, path));

/** Run a schema, mapping the first problem to a PointerprintError with a lead-in for the UI. */
export function check<T>(schema: Schema<T>, v: unknown, root: string, code: string, lead: string): T {
  try {
    return schema(v, root);
  } catch (e) {
    if (e instanceof ValidationError) throw new PointerprintError(code, `${lead}: ${e.message}`, { path: e.path });
    throw e;
  }
}
