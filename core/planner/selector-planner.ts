import type { Expression, Selector, Variable } from '../ast/nodes';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import type { Compiled, Scope } from '../plan/expression-scope';
import type { AggregatePlan, SelectorPlan } from '../plan/plan';
import type { AttributeSchema } from '../plan/schema';
import type { PlanContext } from './planning-context';

/** How a selector's query reads and writes. */
export interface SelectorOptions {
  readonly currentOn: boolean;
  readonly expiredOn: boolean;
  /** With aggregates, a chunk of several events yields one row (one per group). */
  readonly collapse: boolean;
  /**
   * `order by` may name an input attribute the select does not output: Siddhi allows it where
   * its events are state events (joins, patterns, on-demand queries), not on a single stream.
   */
  readonly orderByInput: boolean;
}

/** `select ... group by ... having ... order by ... limit ... offset ...`. */
export function planSelector(ctx: PlanContext, sel: Selector, base: Scope, schema: readonly AttributeSchema[], options: SelectorOptions): SelectorPlan | null {
  const { currentOn, expiredOn, collapse } = options;
  const aggregates: AggregatePlan[] = [];
  const selectScope: Scope = {
    ...base,
    aggregate: (planned, args) => {
      const idx = aggregates.length;
      aggregates.push({ create: planned.create, arg: args.length ? args[0].fn : null, survivesReset: planned.survivesReset === true });
      return (ctx: EvalCtx) => ctx.agg[idx];
    },
  };
  const projections: Eval[] = [];
  const outputSchema: AttributeSchema[] = [];
  let ok = true;
  const names = new Set<string>();
  if (sel.star) {
    schema.forEach((a, i) => {
      projections.push(ctx => ctx.event.data[i]);
      outputSchema.push(a);
      names.add(a.name);
    });
  }
  for (const oa of sel.attributes) {
    const c: Compiled = ctx.compiler.compile(oa.expression, selectScope);
    const name = oa.alias ?? (oa.expression.kind === 'Variable' ? oa.expression.attribute : undefined);
    if (name === undefined) {
      ctx.error(oa.pos, "a computed attribute in select needs a name: add 'as <name>'");
      ok = false;
      continue;
    }
    if (names.has(name)) ctx.error(oa.pos, `the select clause has two attributes named '${name}'`, name.length);
    names.add(name);
    if (c.type === null) {
      ok = false;
      continue;
    }
    projections.push(c.fn);
    outputSchema.push({ name, type: c.type });
  }
  const groupBy: Eval[] = [];
  for (const g of sel.groupBy) {
    const c = ctx.compiler.compile(g, base);
    if (c.type !== null) groupBy.push(c.fn);
  }
  const outScope: Scope = {
    ...base,
    resolveVariable: (v: Variable) => {
      const i = v.streamRef === undefined ? outputSchema.findIndex(a => a.name === v.attribute) : -1;
      if (i >= 0) return { type: outputSchema[i].type, fn: (ctx: EvalCtx) => ctx.out[i] };
      return base.resolveVariable(v);
    },
  };
  let having: Eval | undefined;
  if (sel.having) having = ctx.compiler.condition(sel.having, outScope, 'having condition').fn;
  const orderBy: { index: number; desc: boolean }[] = [];
  // An order-by key that is not an output is computed with the row and dropped after ordering.
  const hidden: Eval[] = [];
  for (const o of sel.orderBy) {
    const desc = o.order === 'desc';
    const i = o.variable.streamRef === undefined ? outputSchema.findIndex(a => a.name === o.variable.attribute) : -1;
    if (i >= 0) orderBy.push({ index: i, desc });
    else if (!options.orderByInput)
      ctx.error(o.variable.pos, `order by '${o.variable.attribute}': only attributes of the select clause can be ordered by`, o.variable.attribute.length);
    else {
      const c = ctx.compiler.compile(o.variable, base);
      if (c.type === null) ok = false;
      else orderBy.push({ index: outputSchema.length + hidden.push(c.fn) - 1, desc });
    }
  }
  const limit = constantCount(ctx, sel.limit, 'limit');
  const offset = constantCount(ctx, sel.offset, 'offset');
  if (!ok) return null;
  return {
    projections: [...projections, ...hidden],
    outputSchema,
    aggregates,
    groupBy,
    having,
    orderBy,
    limit,
    offset,
    collapseChunks: collapse && aggregates.length > 0,
    currentOn,
    expiredOn,
  };
}

function constantCount(ctx: PlanContext, e: Expression | undefined, what: string): number | undefined {
  if (!e) return undefined;
  if (e.kind !== 'Constant' || (e.type !== 'INT' && e.type !== 'LONG') || (e.value as number) < 0) {
    ctx.error(e.pos, `${what} must be a non-negative int or long constant`);
    return undefined;
  }
  return e.value as number;
}
