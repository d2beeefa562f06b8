import type { OnDemandQuery } from '../ast/nodes';
import type { OnDemandPlan, SelectorPlan } from '../plan/plan';
import type { AttributeSchema } from '../plan/schema';
import { planAggregationRead } from './aggregation-planner';
import { planOutput } from './output-planner';
import type { PlanContext } from './planning-context';
import { eventSource, rowSource } from './scope';
import { planSelector } from './selector-planner';
import { planStoreCondition } from './store-condition';

const ON_DEMAND = { currentOn: true, expiredOn: false, collapse: true, orderByInput: true };

/** On-demand (store) queries against a planned app: reads of tables, named windows and aggregations, and table writes. */

export function planOnDemandQuery(ctx: PlanContext, q: OnDemandQuery): OnDemandPlan | null {
  let find: Extract<OnDemandPlan, { kind: 'find' }> | undefined;
  const sel = q.selector ?? { kind: 'Selector', pos: q.pos, star: true, attributes: [], groupBy: [], orderBy: [] };
  if (q.input) {
    const i = q.input;
    const aggregation = ctx.aggregations.get(i.store);
    if (aggregation) {
      const names = [i.store, ...(i.alias ? [i.alias] : [])];
      const rowScope = ctx.scopeOf([eventSource(i.store, names, aggregation.attributes)]);
      const read = planAggregationRead(ctx, i.within, i.per, ctx.scopeOf([]), i.pos, i.store);
      const on = i.on ? ctx.compiler.condition(i.on, rowScope, 'condition') : undefined;
      const selector = planSelector(ctx, sel, rowScope, aggregation.attributes, ON_DEMAND);
      if (!read || !selector || on?.type === null) return null;
      find = { kind: 'find', store: { kind: 'aggregation', aggregation: aggregation.id, read, on: on?.fn }, selector };
      if (!q.output) return find;
    }
    if (!aggregation && (i.within || i.per)) {
      ctx.error((i.within ?? i.per)!.pos, `'within' and 'per' read aggregations; '${i.store}' is not one`);
      return null;
    }
    const table = ctx.tables.get(i.store);
    const window = ctx.windows.get(i.store);
    if (aggregation) {
      // planned above
    } else if (!table && !window) {
      ctx.error(i.pos, `'${i.store}' is not a table or named window of this app`, i.store.length);
      return null;
    }
    const names = [i.store, ...(i.alias ? [i.alias] : [])];
    const attributes = (table ?? window)!.attributes;
    const rowScope = ctx.scopeOf([eventSource(i.store, names, attributes)]);
    let store: Extract<OnDemandPlan, { kind: 'find' }>['store'];
    if (table) {
      const on = planStoreCondition(ctx.compiler, i.on, { ...ctx.storeTarget(table, i.alias), source: rowSource(i.store, names, attributes) }, ctx.scopeOf([]), false);
      if (!on) return null;
      store = { kind: 'table', table: table.id, on };
    } else {
      const on = i.on ? ctx.compiler.condition(i.on, rowScope, 'condition').fn : undefined;
      store = { kind: 'window', window: window!.id, on };
    }
    const selector = planSelector(ctx, sel, rowScope, attributes, ON_DEMAND);
    if (!selector) return null;
    find = { kind: 'find', store, selector };
    if (!q.output) return find;
  }
  if (!q.output) {
    ctx.error(q.pos, 'an on-demand query needs a from clause or a write (insert into, delete, update)');
    return null;
  }
  const selector = find?.selector ?? (q.selector ? planSelector(ctx, q.selector, ctx.scopeOf([]), [], ON_DEMAND) : undefined);
  if (q.selector && !selector) return null;
  const schema = selector ?? { outputSchema: [] as AttributeSchema[] };
  const output = planOutput(ctx, q.output, schema as SelectorPlan);
  if (!output) return null;
  if (output.kind === 'insert' || output.kind === 'return') {
    ctx.error(q.output.pos, 'on-demand queries write into tables only');
    return null;
  }
  return { kind: 'write', from: find, selector: selector ?? undefined, output };
}
