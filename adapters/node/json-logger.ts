import type { Logger } from '../../core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger whose lines carry fields; `with` adds more for a part of the work (an invocation). */
export interface FieldLogger extends Logger {
  with(fields: Readonly<Record<string, unknown>>): FieldLogger;
}

export interface JsonLoggerOptions {
  /** Lowest level written (default info). */
  readonly level?: LogLevel;
  /** The name of the level field: `level` (Lambda's JSON log format) or `severity` (Cloud Logging). */
  readonly levelField?: 'level' | 'severity';
  /** Fields on every line (app, function, ...). */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly write?: (line: string) => void;
}

/**
 * A logger writing one JSON object per line: the level, the message and the fixed fields, plus
 * those of `with` (an invocation id, a unit, counts). Platforms index these fields.
 *
 * @example
 *   const log = jsonLogger({ fields: { app: 'Orders' } }).with({ invocation: context.awsRequestId });
 *   log.info('committed'); // {"level":"INFO","message":"committed","app":"Orders","invocation":"..."}
 */
export function jsonLogger(options: JsonLoggerOptions = {}): FieldLogger {
  const min = RANK[options.level ?? 'info'];
  const field = options.levelField ?? 'level';
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const make = (fields: Readonly<Record<string, unknown>>): FieldLogger => {
    const at = (level: LogLevel) => (message: string) => {
      if (RANK[level] < min) return;
      write(JSON.stringify({ [field]: level.toUpperCase(), message, ...fields }));
    };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      with: (more: Readonly<Record<string, unknown>>) => make({ ...fields, ...more }),
    };
  };
  return make(options.fields ?? {});
}
