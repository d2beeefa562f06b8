import type { AttrType, EventIndex, FunctionCall, In, Variable } from '../ast/nodes';
import type { Value } from '../kernel/event';
import type { Eval } from '../kernel/eval-context';
import type { Aggregator } from './operators';

/**
 * Compiled expressions and the scopes their names resolve in: what the planner's expression
 * compiler produces, and what builtins that compile expressions of their own (the `expression`
 * windows) give it.
 */

/** A compiled expression with its Siddhi type; `type` null means an error was already reported. */
export interface Compiled {
  readonly type: AttrType | null;
  readonly fn: Eval;
  readonly constant?: { readonly value: Value };
  readonly attributeIndex?: number;
  /** Whether the expression contains an aggregate function. */
  readonly hasAggregate?: boolean;
}

export interface ResolvedVariable {
  readonly type: AttrType;
  readonly fn: Eval;
  readonly attributeIndex?: number;
}

/** A user `define function`, compiled. */
export interface UserFunction {
  readonly returnType: AttrType;
  readonly make: (args: readonly Eval[]) => Eval;
}

/** An aggregate function call whose arguments were checked: its type and how to make its state. */
export interface PlannedAggregate {
  readonly type: AttrType;
  create(): Aggregator;
  /** The value outlives a batch window's RESET (minForever, maxForever). */
  readonly survivesReset?: boolean;
}

/** Where names in an expression come from; differs between filters, selects, having, joins... */
export interface Scope {
  /** Returns the resolved attribute, or an error message. */
  resolveVariable(v: Variable): ResolvedVariable | string;
  /** Registers an aggregate and returns the reader of its value; absent where aggregates are not allowed. */
  aggregate?(planned: PlannedAggregate, args: readonly Compiled[], call: FunctionCall): Eval | string;
  readonly userFunctions: ReadonlyMap<string, UserFunction>;
  /**
   * Whether a join side or reference named so is present (`A is null`), or with an index the
   * reference's event at that index (`e1[0] is null`); undefined when there is no such name.
   */
  resolvePresence?(name: string, index?: EventIndex): Eval | undefined;
  /** Plans `x in T`; absent where tables cannot be consulted. */
  resolveIn?(e: In): Compiled | string;
}
