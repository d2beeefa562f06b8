import type { Expression } from '../../ast/nodes';
import { someExpression } from '../../ast/walk';
import type { Scope } from '../../plan/expression-scope';
import type { StreamEvent, Value } from '../../kernel/event';
import { newEvalCtx, type Eval, type EvalCtx } from '../../kernel/eval-context';
import { BuiltinArgError, ProcessingError } from '../../errors/millrace-error';
import type { WindowPlanEnv } from '../descriptor';
import type { Aggregator } from '../../plan/operators';

/**
 * The condition of `expression(...)` and `expressionBatch(...)` windows, compiled from its text.
 *
 * Names in the text: a plain attribute is the event being considered (the arriving one, or the
 * one being expired); `first.x` is the oldest event held and `last.x` the newest (the arriving
 * event); `eventTimestamp(first)`, `eventTimestamp(last)` and `eventTimestamp()` are their
 * timestamps. Aggregates such as `count()` and `sum(price)` run over the events the window holds:
 * the window adds and removes each event's contribution itself (see `add`, `remove`, `reset`).
 */
export interface WindowCondition {
  readonly text: string;
  /** Fresh aggregators, one per aggregate in the text (none when it has no aggregate). */
  createAggregators(): Aggregator[];
  /** Adds the contribution of the bound event (`ctx.event`) to the aggregators. */
  add(aggs: readonly Aggregator[], ctx: EvalCtx): void;
  /** Removes the contribution of the bound event. */
  remove(aggs: readonly Aggregator[], ctx: EvalCtx): void;
  /** Whether the condition holds for the bound events and the aggregators' current values. */
  holds(aggs: readonly Aggregator[], ctx: EvalCtx): boolean;
}

/** An evaluation context for window conditions (scratch space; reused for every evaluation). */
export function newConditionCtx(clock: { readonly now: number }): EvalCtx {
  const ctx = newEvalCtx(clock as { now: number });
  ctx.events = [ctx.event, ctx.event, ctx.event];
  return ctx;
}

/** Binds the event being considered and the window's oldest and newest events. */
export function bindEvents(ctx: EvalCtx, event: StreamEvent, first: StreamEvent, last: StreamEvent): void {
  ctx.event = event;
  ctx.events[0] = event;
  ctx.events[1] = first;
  ctx.events[2] = last;
}

/** The hidden attribute name `eventTimestamp(first)` is rewritten to, so the planner's compiler can resolve it. */
const TS_ATTR = '__millrace_event_timestamp__';
const REFS = ['first', 'last'] as const;

/** `eventTimestamp(first)` → `first.<TS_ATTR>`, leaving string literals alone. */
function rewriteTimestamps(text: string): string {
  return text.replace(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|\beventTimestamp\s*\(\s*(first|last)\s*\)/g, (_m, str: string | undefined, ref: string | undefined) =>
    str !== undefined ? str : `${ref}.${TS_ATTR}`,
  );
}

function unrewrite(message: string): string {
  let m = message;
  for (const r of REFS) m = m.split(`${r}.${TS_ATTR}`).join(`eventTimestamp(${r})`);
  return m;
}

/** Whether an expression reads `first` or `last` (aggregate arguments may not: see compileWindowCondition). */
function readsFirstOrLast(e: Expression, plainNames: ReadonlySet<string>): boolean {
  return someExpression(
    e,
    x =>
      x.kind === 'Variable' &&
      (x.streamRef !== undefined ? x.streamRef === 'first' || x.streamRef === 'last' : !plainNames.has(x.attribute) && (x.attribute === 'first' || x.attribute === 'last')),
  );
}

/**
 * Compiles a window condition; throws BuiltinArgError (with the window's name) on any problem,
 * including a condition that is not BOOL.
 */
export function compileWindowCondition(window: string, text: string, env: WindowPlanEnv): WindowCondition {
  const attrs = env.attributes;
  const plainNames = new Set(attrs.map(a => a.name));
  const aggregates: { create: () => Aggregator; arg: Eval | null }[] = [];
  const scope: Scope = {
    userFunctions: new Map(),
    resolveVariable: v => {
      if (v.index !== undefined) return `'${v.streamRef}[...]' indexes a pattern reference; a window expression has none`;
      if (v.isInner || v.isFault) return `'${v.streamRef}' cannot be referred to in a window expression`;
      let slot = 0;
      if (v.streamRef !== undefined) {
        if (v.streamRef !== 'first' && v.streamRef !== 'last')
          return `'${v.streamRef}.${v.attribute}': in a window expression an attribute is a plain name (the event being considered), first.<name> (the oldest event held) or last.<name> (the newest)`;
        slot = v.streamRef === 'first' ? 1 : 2;
        if (v.attribute === TS_ATTR) return { type: 'LONG', fn: (c: EvalCtx) => c.events[slot]!.timestamp };
      }
      const i = attrs.findIndex(a => a.name === v.attribute);
      if (i < 0) {
        if (slot === 0 && (v.attribute === 'first' || v.attribute === 'last'))
          return `'${v.attribute}' stands for the ${v.attribute === 'first' ? 'oldest' : 'newest'} event of the window: use ${v.attribute}.<attribute> or eventTimestamp(${v.attribute})`;
        return `Cannot find attribute '${v.attribute}' in the window's events (${attrs.map(a => `${a.name} ${a.type.toLowerCase()}`).join(', ')})`;
      }
      const type = attrs[i].type;
      if (slot === 0) return { type, fn: (c: EvalCtx) => c.event.data[i], attributeIndex: i };
      return { type, fn: (c: EvalCtx) => c.events[slot]!.data[i] };
    },
    aggregate: (planned, args, call) => {
      // The aggregators are rebuilt on restore by adding the held events again, each as the event
      // being considered; an argument that also read first/last could not be replayed.
      if (call.args.some(a => readsFirstOrLast(a, plainNames)))
        return `the argument of '${call.name}' in a window expression can only use the attributes of the event being considered, not first or last`;
      const idx = aggregates.length;
      aggregates.push({ create: planned.create, arg: args.length ? args[0].fn : null });
      return (c: EvalCtx) => c.agg[idx];
    },
  };
  const rewritten = rewriteTimestamps(text);
  let compiled;
  try {
    compiled = env.compileExpression(rewritten, scope);
  } catch (e) {
    if (e instanceof BuiltinArgError) throw new BuiltinArgError(`${window} window: ${unrewrite(e.message)}`);
    throw e;
  }
  if (compiled.type !== 'BOOL') throw new BuiltinArgError(`${window} window: the expression '${text}' must return bool, found ${String(compiled.type).toLowerCase()}`);
  const cond = compiled.fn;
  const n = aggregates.length;
  const args = aggregates.map(a => a.arg);
  return {
    text,
    createAggregators: () => aggregates.map(a => a.create()),
    add(aggs, ctx) {
      for (let k = 0; k < n; k++) {
        const arg = args[k];
        aggs[k].add(arg === null ? null : arg(ctx));
      }
    },
    remove(aggs, ctx) {
      for (let k = 0; k < n; k++) {
        const arg = args[k];
        aggs[k].remove(arg === null ? null : arg(ctx));
      }
    },
    holds(aggs, ctx) {
      const values: Value[] = ctx.agg;
      for (let k = 0; k < n; k++) values[k] = aggs[k].value();
      return cond(ctx) === true;
    },
  };
}

/** The condition of a BOOL attribute used as the expression: it holds while the attribute is true. */
export function attributeCondition(name: string, index: number): WindowCondition {
  return {
    text: name,
    createAggregators: () => [],
    add() {},
    remove() {},
    holds: (_aggs, ctx) => ctx.event.data[index] === true,
  };
}

/**
 * Compiles expression texts that arrive in events (a STRING attribute as the expression), keeping
 * the most recent ones compiled. The cache is derived from the texts alone, so it is not state.
 * A text that does not compile is a ProcessingError: the event carrying it cannot be processed.
 */
export function conditionCache(window: string, env: WindowPlanEnv): (text: string) => WindowCondition {
  const cache = new Map<string, WindowCondition>();
  return text => {
    let c = cache.get(text);
    if (!c) {
      try {
        c = compileWindowCondition(window, text, env);
      } catch (e) {
        if (e instanceof BuiltinArgError) throw new ProcessingError(e.message, { cause: e });
        throw e;
      }
      if (cache.size >= 32) cache.delete(cache.keys().next().value!);
      cache.set(text, c);
    }
    return c;
  };
}

/**
 * What is wrong with a stored expression text, or null: a window with a constant expression
 * stores none, and a stored text compiled when it was stored.
 */
export function storedExpressionProblem(text: string | null, fixed: boolean, compile: ((text: string) => unknown) | null): string | null {
  if (text === null) return null;
  if (fixed || !compile) return 'an expression text where the window has a constant expression';
  try {
    compile(text);
    return null;
  } catch {
    return 'an expression text that does not compile';
  }
}
