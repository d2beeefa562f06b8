import type { Expression, Selector, Variable } from '../ast/nodes';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import type { Compiled, Scope } from '../plan/expression-scope';
import type { AggregatePlan, SelectorPlan } from '../plan/plan';
import type { AttributeSchema } from '../plan/schema';
import type { PlanContext } from './planning-context';

/** `select ... group by ... having ... order by ... limit ... offset ...`. */

export function planSelector(
  ctx: PlanContext,
  sel: Selector,
  base: Scope,
  schema: readonly AttributeSchema[],
  currentOn: boolean,
  expiredOn: boolean,
  collapse: boolean,
): SelectorPlan | null {
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
  for (const o of sel.orderBy) {
    const i = o.variable.streamRef === undefined ? outputSchema.findIndex(a => a.name === o.variable.attribute) : -1;
    if (i < 0) ctx.error(o.variable.pos, `order by '${o.variable.attribute}': only attributes of the select clause can be ordered by`, o.variable.attribute.length);
    else orderBy.push({ index: i, desc: o.order === 'desc' });
  }
  const limit = constantCount(ctx, sel.limit, 'limit');
  const offset = constantCount(ctx, sel.offset, 'offset');
  if (!ok) return null;
  return {
    projections,
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
