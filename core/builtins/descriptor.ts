import type { AttrType } from '../ast/nodes';
import type { Value } from '../runtime/event';
import type { Eval } from '../runtime/eval-context';
import type { Json } from '../state/json';

/** What the planner knows about one argument of a builtin call. */
export interface ArgInfo {
  readonly type: AttrType;
  /** Set when the argument is a literal; its value. */
  readonly constant?: { readonly value: Value };
  /** Set when the argument is a plain attribute reference: its position in the input row. */
  readonly attributeIndex?: number;
}

/**
 * A problem with a builtin's arguments, found while planning. The planner turns it into a
 * positioned compile error at the call.
 */
export class BuiltinArgError extends Error {}

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

/** One aggregate's running state for one group. */
export interface Aggregator {
  add(v: Value): void;
  remove(v: Value): void;
  reset(): void;
  value(): Value;
  snapshot(): Json;
  restore(j: Json): void;
}

/** An aggregate function such as `sum` or `distinctCount`. */
export interface AggregateFunction extends BuiltinDoc {
  /** `survivesReset`: the value outlives a batch window's RESET (minForever, maxForever). */
  plan(args: readonly ArgInfo[]): { type: AttrType; create(): Aggregator; survivesReset?: boolean };
}

/** What a window operator gets from the runtime. */
export interface WindowContext {
  /** Declare a piece of state; the name is scoped to this window. */
  state<S>(name: string, spec: import('../state/state-spec').StateSpec<S>): import('../state/state-spec').StateCell<S>;
  /** Ask for `onTimer` at event time `due`. */
  schedule(due: number): void;
  readonly clock: { readonly now: number };
  /** Whether anything downstream uses EXPIRED events (else batch windows need not keep them). */
  readonly expiredNeeded: boolean;
}

export type Emit = (chunk: import('../runtime/event').StreamEvent[]) => void;

export interface WindowOperator {
  /** Takes a chunk of CURRENT events and emits CURRENT, EXPIRED and RESET events downstream. */
  process(chunk: import('../runtime/event').StreamEvent[], emit: Emit): void;
  /**
   * Called when a time asked for with `schedule` is reached. `now` is the event clock (it may be
   * past `due` when the clock jumped); events the window releases carry `now` as their time.
   */
  onTimer?(now: number, emit: Emit, due: number): void;
  /** The events held now, for joins and on-demand queries. */
  contents(): import('../runtime/event').StreamEvent[];
}

/** What a window's planning step can ask of the planner. */
export interface WindowPlanEnv {
  /** The attributes of the events entering the window, in order. */
  readonly attributes: readonly { readonly name: string; readonly type: AttrType }[];
  /**
   * Parses and compiles a SiddhiQL expression (such as the text of `expression('count() <= 20')`)
   * with the names and aggregates that `scope` provides. Throws BuiltinArgError on any problem.
   */
  compileExpression(text: string, scope: import('../planner/expression-compiler').Scope): import('../planner/expression-compiler').Compiled;
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
    make(args: readonly Eval[], env: { log(message: string): void }): (ctx: import('../runtime/eval-context').EvalCtx) => Value[] | null;
  };
}
