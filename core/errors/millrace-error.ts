import type { Pos } from '../ast/nodes';

/** Every error Millrace raises. `code` is stable and machine-readable. */
export class MillraceError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One problem found in an app or a query, at a position. */
export interface Diagnostic {
  readonly message: string;
  readonly pos: Pos;
  /** Length of the offending text, for the caret line (at least 1). */
  readonly length?: number;
}

/**
 * A SiddhiQL text was rejected. Carries every problem found, not only the first.
 *
 * @example
 *   try { compile(text) } catch (e) { if (e instanceof CompileError) console.error(e.format('app.siddhi')) }
 */
export class CompileError extends MillraceError {
  readonly diagnostics: readonly Diagnostic[];
  readonly source: string;
  constructor(code: 'PARSE' | 'PLAN', source: string, diagnostics: readonly Diagnostic[]) {
    super(code, diagnostics.map(d => `${d.pos.line}:${d.pos.column}: ${d.message}`).join('\n'));
    this.diagnostics = diagnostics;
    this.source = source;
  }

  /** `file:LINE:COL: message`, the offending line and a caret under it, for every diagnostic. */
  format(fileName: string): string {
    return formatDiagnostics(this.source, fileName, this.diagnostics);
  }
}

export class ParseError extends CompileError {
  constructor(source: string, diagnostics: readonly Diagnostic[]) {
    super('PARSE', source, diagnostics);
  }
}

export class PlanError extends CompileError {
  constructor(source: string, diagnostics: readonly Diagnostic[]) {
    super('PLAN', source, diagnostics);
  }
}

/** A commit found the stored version moved on since load. */
export class StateConflictError extends MillraceError {
  readonly key: string;
  readonly expectedVersion: number | null;
  readonly currentVersion: number | null;
  constructor(key: string, expectedVersion: number | null, currentVersion: number | null, options?: { cause?: unknown }) {
    super(
      'STATE_CONFLICT',
      `state unit '${key}' changed since it was loaded (expected version ${expectedVersion ?? 'none'}, found ${currentVersion ?? 'none'})`,
      options,
    );
    this.key = key;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }
}

/** A store failed for a reason other than a conflict. */
export class StoreError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }, code = 'STORE') {
    super(code, message, options);
  }
}

/**
 * A commit exceeds what the backend can write atomically (DynamoDB: 100 items or 4 MB per
 * transaction). Nothing was written. The invocation runner answers it by committing a shorter
 * prefix of the batch and reporting the rest as failed records, which the platform redelivers.
 */
export class CommitTooLargeError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options, 'COMMIT_TOO_LARGE');
  }
}

/** Stored state could not be read back (corrupt, or written by an incompatible version). */
export class StateCodecError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE_CODEC', message, options);
  }
}

/**
 * An event could not be processed by a query (a null where a window needs a value, an aggregation
 * that cannot read an event's time). The stream's `@OnError` decides what happens to the event:
 * it is logged and dropped, or sent to the fault stream.
 */
export class ProcessingError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROCESSING', message, options);
  }
}

/**
 * The engine was called in a way its contract does not allow (an unknown stream, a piece of
 * state registered twice, rows given to a table that does not keep them in a store): a bug of the
 * caller, never of the app or its input.
 */
export class EngineUsageError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENGINE_USAGE', message, options);
  }
}

/**
 * A builtin's arguments do not fit its signature, found while planning. The planner turns it into
 * a positioned compile error at the call.
 */
export class BuiltinArgError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUILTIN_ARG', message, options);
  }
}

/** A cron expression (a trigger's or a cron window's) that cannot be read. */
export class CronError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CRON', message, options);
  }
}

/** An input record could not be turned into an event. */
export class DecodeError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DECODE', message, options);
  }
}

export function formatDiagnostics(source: string, fileName: string, diagnostics: readonly Diagnostic[]): string {
  const lines = source.split(/\r\n|\r|\n/);
  const out: string[] = [];
  for (const d of diagnostics) {
    const text = lines[d.pos.line - 1] ?? '';
    out.push(`${fileName}:${d.pos.line}:${d.pos.column}: ${d.message}`);
    out.push(`  ${text}`);
    const width = Math.max(1, Math.min(d.length ?? 1, Math.max(1, text.length - d.pos.column + 1)));
    out.push(`  ${' '.repeat(Math.max(0, d.pos.column - 1))}${'^'.repeat(width)}`);
  }
  return out.join('\n');
}
