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

/**
 * A type a parameter accepts: an attribute type, or TIME, a time value such as `1 sec` (which
 * arrives as a LONG constant of milliseconds; TIME says the parameter is a duration).
 */
export type ParamType = AttrType | 'TIME';

/**
 * One way of giving a parameter: a `constant` (a literal), an `attribute` (a plain reference to an
 * attribute of the input) or any `value` (an expression), of one of `types` ('ANY': of any type).
 */
export interface ArgForm {
  readonly source: 'constant' | 'attribute' | 'value';
  readonly types: readonly ParamType[] | 'ANY';
}

/** One parameter of a builtin's signature. */
export interface ParamSpec {
  /** The name Siddhi's documentation gives it (`window.length`), used in messages. */
  readonly name: string;
  /** The ways it may be given; an argument must fit one. */
  readonly forms: readonly ArgForm[];
  /** Present when the parameter may be left out (only from the end): what it then is. */
  readonly default?: string;
  /** The last parameter only: it may be given any number of times (none, unless it has no default). */
  readonly repeated?: boolean;
  /**
   * When overloads differ at this parameter's place: how messages name it (`the session key`),
   * followed by what it takes in full. Without it a message names it by its quoted name and types.
   */
  readonly role?: string;
  /** Messages name it with its place too (`3rd parameter 'x'`): its place differs between overloads. */
  readonly citeByPosition?: boolean;
  /** What the value is, after what it takes in messages: `a constant string (a Quartz cron expression)`. */
  readonly note?: string;
  /** Added to the message when an attribute is given where this parameter does not take one. */
  readonly attributeHint?: string;
}

/** The parameters of one way of calling a builtin, in order. */
export type Signature = readonly ParamSpec[];

/** Which family a builtin belongs to: decides how messages name it (`length window`, `sum()`, `#log()`). */
export type BuiltinKind = 'function' | 'aggregate' | 'window' | 'stream function';

/** Documentation and signatures every builtin carries (also used to list them). */
export interface BuiltinDoc {
  readonly kind: BuiltinKind;
  readonly name: string;
  readonly namespace?: string;
  /** Its overloads, tried in order (most builtins have one). Usage text is generated from them. */
  readonly signatures: readonly Signature[];
  readonly returns: string;
  readonly description: string;
  readonly example: string;
}

/**
 * A call's arguments, checked against the builtin's signatures by `checkArgs` (arg-checker.ts):
 * every argument fits its parameter's forms, so a builtin reads them by parameter name.
 */
export interface BoundArgs {
  /** The arguments as given, in order. */
  readonly all: readonly ArgInfo[];
  /** The index in `signatures` of the overload the arguments matched. */
  readonly signature: number;
  /** The argument given for `param` (the first, for a repeated one); undefined when left out. */
  arg(param: string): ArgInfo | undefined;
  /** Every argument given for `param` (a repeated parameter), in order. */
  args(param: string): readonly ArgInfo[];
  /** The place in the call of the argument given for `param`. */
  position(param: string): number | undefined;
  /** The value of the constant given for `param`; undefined when left out or not a constant. */
  constant(param: string): Value | undefined;
  /** The attribute index given for `param`; undefined when left out or not an attribute. */
  attribute(param: string): number | undefined;
}

/** A scalar function such as `coalesce` or `convert`. */
export interface ScalarFunction extends BuiltinDoc {
  readonly kind: 'function';
  /** Infers the type and builds the implementation from checked arguments; throws BuiltinArgError. */
  plan(args: BoundArgs): { type: AttrType; make(args: readonly Eval[]): Eval };
}

/** An aggregate function such as `sum` or `distinctCount`. */
export interface AggregateFunction extends BuiltinDoc {
  readonly kind: 'aggregate';
  /** `survivesReset`: the value outlives a batch window's RESET (minForever, maxForever). */
  plan(args: BoundArgs): PlannedAggregate;
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
  readonly kind: 'window';
  /** Batch windows emit whole batches preceded by RESET. */
  readonly batch: boolean;
  plan(args: BoundArgs, env: WindowPlanEnv): { create(ctx: WindowContext): WindowOperator };
}

/** A stream function or processor such as `#log(...)`: sees every event, may add attributes. */
export interface StreamFunction extends BuiltinDoc {
  readonly kind: 'stream function';
  plan(args: BoundArgs): {
    /** Attributes appended to each event. */
    added: readonly { name: string; type: AttrType }[];
    make(args: readonly Eval[], env: { log(message: string): void }): (ctx: EvalCtx) => Value[] | null;
  };
}

/** A form taking a constant of one of `types`. */
export const constant = (...types: ParamType[]): ArgForm => ({ source: 'constant', types });
/** A form taking a plain attribute of one of `types` (of any type when none is given). */
export const attribute = (...types: ParamType[]): ArgForm => ({ source: 'attribute', types: types.length ? types : 'ANY' });
/** A form taking any expression of one of `types` (of any type when none is given). */
export const value = (...types: ParamType[]): ArgForm => ({ source: 'value', types: types.length ? types : 'ANY' });

/** The numeric types, in messages `a number`. */
export const NUMERIC: readonly AttrType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE'];
/** A duration: a constant int or long of milliseconds, or a time value (`1 sec`). */
export const PERIOD: ArgForm = constant('INT', 'LONG', 'TIME');

/** A required parameter. */
export function param(name: string, ...forms: ArgForm[]): ParamSpec {
  return { name, forms };
}

/** A parameter that may be left out; `dflt` says what it then is. */
export function optional(name: string, dflt: string, ...forms: ArgForm[]): ParamSpec {
  return { name, forms, default: dflt };
}
