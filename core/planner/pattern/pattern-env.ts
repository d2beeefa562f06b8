import type { Diagnostic } from '../../errors/millrace-error';
import type { ExpressionCompiler } from '../expression-compiler';
import type { Scope, UserFunction } from '../../plan/expression-scope';
import type { AttributeSchema } from '../../plan/schema';
import type { PatternPlan } from '../../plan/pattern-plan';
import type { Pos, StreamId } from '../../ast/nodes';

/** What the pattern planner may ask of the app planner. */
export interface PatternPlannerEnv {
  readonly compiler: ExpressionCompiler;
  readonly diagnostics: Diagnostic[];
  readonly userFunctions: ReadonlyMap<string, UserFunction>;
  /** The attributes of a stream (incl. inner streams inside partitions), or null after reporting an error. */
  resolveStream(s: StreamId): { id: string; attributes: readonly AttributeSchema[] } | null;
  error(pos: Pos, message: string, length?: number): void;
  notSupported(pos: Pos, what: string, length?: number): void;
  /** Adds `x in T` support to a scope built by the pattern planner. */
  withTables(scope: Scope): Scope;
}

/** The planned input: how the selector's expressions read a match, and what `select *` gives. */
export interface PlannedPatternInput {
  readonly plan: PatternPlan;
  /** The scope for select, group by and having; it reads the match from `ctx.event`. */
  readonly scope: Scope;
  readonly starAttributes: readonly AttributeSchema[];
  /**
   * Set when `select *` would give two attributes the same name (Siddhi rejects such a query with
   * "Duplicate attribute exist in streams ..."); the app planner reports it when the select is `*`.
   */
  readonly starClash?: string;
}

