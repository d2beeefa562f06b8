import type { AttrType } from '../ast/nodes';
import type { Value } from '../kernel/event';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import type { Compiled, PlannedAggregate, Scope } from '../plan/expression-scope';
import type { WindowContext, WindowOperator } from '../plan/operators';

/** What the planner knows about one argument of a builtin call. */
export interface ArgInfo {
  readonly type: AttrType;
  /** Set when the argument is a literal; its value. */
  readonly constant?: { readonly value: Value };
  /** Set when the argument is a plain attribute reference: its position in the input row. */
  readonly attributeIndex?: number;
}

export { BuiltinArgError } from '../errors/millrace-error';

/** Documentation every builtin carries (also used to list them). */
export interface BuiltinDoc {
  readonly name: string;
  readonly namespace?: string;
  /** Parameters as written in signatures: `(attr INT|LONG|FLOAT|DOUBLE)`. */
  readonly signature: string;
  readonly returns: string;
  readonly description: string;
  readonly example: string;
}

/** A scalar function such as `coalesce` or `convert`. */
export interface ScalarFunction extends BuiltinDoc {
  /** Checks argument types and builds the implementation; throws BuiltinArgError. */
  plan(args: readonly ArgInfo[]): { type: AttrType; make(args: readonly Eval[]): Eval };
}

/** An aggregate function such as `sum` or `distinctCount`. */
export interface AggregateFunction extends BuiltinDoc {
  /** `survivesReset`: the value outlives a batch window's RESET (minForever, maxForever). */
  plan(args: readonly ArgInfo[]): PlannedAggregate;
}

/** What a window's planning step can ask of the planner. */
export interface WindowPlanEnv {
  /** The attributes of the events entering the window, in order. */
  readonly attributes: readonly { readonly name: string; readonly type: AttrType }[];
  /**
   * Parses and compiles a SiddhiQL expression (such as the text of `expression('count() <= 20')`)
   * with the names and aggregates that `scope` provides. Throws BuiltinArgError on any problem.
   */
  compileExpression(text: string, scope: Scope): Compiled;
}

/** A window such as `length(n)`. */
export interface WindowFunction extends BuiltinDoc {
  /** Batch windows emit whole batches preceded by RESET. */
  readonly batch: boolean;
  plan(args: readonly ArgInfo[], env: WindowPlanEnv): { create(ctx: WindowContext): WindowOperator };
}

/** A stream function or processor such as `#log(...)`: sees every event, may add attributes. */
export interface StreamFunction extends BuiltinDoc {
  plan(args: readonly ArgInfo[]): {
    /** Attributes appended to each event. */
    added: readonly { name: string; type: AttrType }[];
    make(args: readonly Eval[], env: { log(message: string): void }): (ctx: EvalCtx) => Value[] | null;
  };
}
