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

/** A comma-separated list of non-empty entries (`a,b`); whitespace around entries is dropped. */
const list = (raw: string): string[] => {
  const items = raw.split(',').map(s => s.trim());
  if (items.some(s => !s)) throw new Error('expected a comma-separated list of non-empty entries');
  return items;
};

/** Settings every function of an app reads: which app, where its state is, how much it logs. */
export const appKeys = {
  MILLRACE_APP_FILE: { description: 'the path of the SiddhiQL app in the deployment package (relative to the function root)', parse: parse.text },
  MILLRACE_STATE_TABLE: { description: 'the DynamoDB table holding the state units', parse: parse.text },
  MILLRACE_LOG_LEVEL: { description: 'the lowest level logged: debug, info, warn or error', parse: parse.oneOf('debug', 'info', 'warn', 'error'), default: 'info' as const },
} satisfies ConfigSpec;

/** The HTTP ingest function (`@source(type='http')` through API Gateway) and its http sinks. */
export const httpIngestKeys = {
  ...appKeys,
  MILLRACE_HTTP_BASIC_AUTH: {
    description: "user:password pairs, comma-separated, accepted by sources with basic.auth.enabled='true' (take them from a secret store)",
    parse: (raw: string) => {
      const pairs = list(raw);
      if (pairs.some(p => p.indexOf(':') <= 0)) throw new Error('expected user:password pairs');
      return pairs;
    },
    default: [] as string[],
  },
  MILLRACE_HTTP_MAX_BODY_BYTES: { description: 'the largest request body accepted; larger ones are answered 413', parse: parse.positiveInt, default: 1024 * 1024 },
  MILLRACE_HTTP_BASE_PATH: { description: 'a path prefix to ignore in front of receiver.url paths (an API Gateway stage such as /prod)', parse: parse.text, default: '' },
  MILLRACE_HTTP_SINK_TIMEOUT_MS: { description: 'how long an http or http-call sink waits for an answer', parse: parse.positiveInt, default: 10_000 },
} satisfies ConfigSpec;

/** The Store API function (`POST /stores/query`). */
export const storeApiKeys = {
  ...appKeys,
  MILLRACE_STORE_API_AUTH: { description: "'api-key' (the x-api-key header) or 'iam' (the route is authorised by IAM, no key checked here)", parse: parse.oneOf('api-key', 'iam'), default: 'api-key' as const },
  MILLRACE_STORE_API_KEYS: { description: "API keys accepted in x-api-key, comma-separated (take them from a secret store); required with MILLRACE_STORE_API_AUTH='api-key'", parse: list, default: [] as string[] },
  MILLRACE_STORE_API_WRITES: { description: 'whether on-demand insert, update and delete queries may run', parse: parse.bool, default: false },
  MILLRACE_STORE_API_ROW_LIMIT: { description: 'the most rows a query may answer; larger answers are refused with 400', parse: parse.positiveInt, default: 1000 },
  MILLRACE_STORE_API_MAX_BODY_BYTES: { description: 'the largest request body accepted', parse: parse.positiveInt, default: 64 * 1024 },
  MILLRACE_HTTP_BASE_PATH: httpIngestKeys.MILLRACE_HTTP_BASE_PATH,
} satisfies ConfigSpec;
