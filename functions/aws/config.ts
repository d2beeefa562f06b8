import { MillraceError } from '../../core';

/** A function's configuration is wrong: it stops at cold start, naming the key. */
export class ConfigError extends MillraceError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** One environment variable a function reads: what it is for, how it is parsed, its default. */
export interface ConfigKey<T> {
  readonly description: string;
  /** Returns the value, or throws (or returns an Error) saying what is wrong with `raw`. */
  readonly parse: (raw: string) => T;
  /** Absent means required. */
  readonly default?: T;
}

export type ConfigSpec = Readonly<Record<string, ConfigKey<unknown>>>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K] extends ConfigKey<infer T> ? T : never };

/**
 * Reads a function's `MILLRACE_*` environment variables at cold start: every key of the spec
 * (parsed, or its default), and none other: a `MILLRACE_` key the function does not know is a
 * mistake (a typo, or a setting meant for another function) and stops it with the keys it knows.
 *
 * @example
 *   const config = readConfig(process.env, { MILLRACE_STATE_TABLE: { description: 'state table', parse: nonEmpty } });
 */
export function readConfig<S extends ConfigSpec>(env: Readonly<Record<string, string | undefined>>, spec: S): ConfigOf<S> {
  const problems: string[] = [];
  const known = Object.keys(spec);
  for (const k of Object.keys(env))
    if (k.startsWith('MILLRACE_') && !(k in spec)) problems.push(`${k} is not a setting of this function (it takes ${known.join(', ')})`);
  const out: Record<string, unknown> = {};
  for (const [k, key] of Object.entries(spec)) {
    const raw = env[k];
    if (raw === undefined || raw === '') {
      if ('default' in key) out[k] = key.default;
      else problems.push(`${k} is required: ${key.description}`);
      continue;
    }
    try {
      const v = key.parse(raw);
      if (v instanceof Error) throw v;
      out[k] = v;
    } catch (e) {
      problems.push(`${k}=${JSON.stringify(raw)} is not valid: ${(e as Error).message} (${key.description})`);
    }
  }
  if (problems.length) throw new ConfigError(`configuration: ${problems.join('; ')}`);
  return out as ConfigOf<S>;
}

/** Parsers for the usual shapes of a setting. */
export const parse = {
  text: (raw: string): string => raw,
  positiveInt: (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) throw new Error('expected a positive whole number');
    return n;
  },
  bool: (raw: string): boolean => {
    const v = raw.toLowerCase();
    if (v !== 'true' && v !== 'false') throw new Error("expected 'true' or 'false'");
    return v === 'true';
  },
  oneOf:
    <T extends string>(...values: readonly T[]) =>
    (raw: string): T => {
      if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}`);
      return raw as T;
    },
};
