import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import type { OnDemandPlan, SelectorPlan } from '../plan/plan';
import { readAggregation } from './aggregation-units';
import { tableWriter } from './output-runtime';
import type { RuntimeContext } from './runtime-context';
import { groupsSpec, makeSelector } from './selector';

/** Answer of an on-demand query: rows in select order, and the name and type of each column. */
export interface QueryResult {
  readonly records: Value[][];
  readonly details: { readonly name: string; readonly dataType: string }[];
}

type Find = Extract<OnDemandPlan, { kind: 'find' }>;

/**
 * Runs a planned on-demand query at the app's clock: reads answer rows from a table, a named
 * window or an aggregation through the query's selector; writes change tables like any query.
 */
export function runOnDemand(rt: RuntimeContext, p: OnDemandPlan): QueryResult {
  const probe = (data: Value[]): StreamEvent => ({ timestamp: rt.clock.now, data, type: EventKind.CURRENT });
  const details = (sel?: SelectorPlan) => (sel?.outputSchema ?? []).map(a => ({ name: a.name, dataType: a.type }));
  if (p.kind === 'find') return { records: find(rt, p, probe), details: details(p.selector) };
  const rows = p.from ? find(rt, p.from, probe) : p.selector ? select(rt, p.selector, [probe([])]) : [[]];
  const write = tableWriter(rt, p.output);
  for (const r of rows) write(probe(r));
  return { records: [], details: details(p.selector) };
}

function find(rt: RuntimeContext, f: Find, probe: (data: Value[]) => StreamEvent): Value[][] {
  const ctx = rt.newCtx();
  let rows: Value[][];
  if (f.store.kind === 'table') {
    ctx.event = probe([]);
    rows = rt.table(f.store.table).find(ctx, f.store.on);
  } else if (f.store.kind === 'aggregation') {
    ctx.event = probe([]);
    const on = f.store.on;
    rows = readAggregation(rt, f.store.aggregation, f.store.read, ctx).filter(r => {
      ctx.event = probe(r);
      return !on || on(ctx) === true;
    });
  } else {
    const on = f.store.on;
    rows = rt.windows
      .get(f.store.window)!
      .contents()
      .filter(e => {
        ctx.event = e;
        return !on || on(ctx) === true;
      })
      .map(e => e.data);
  }
  return rows.length ? select(rt, f.selector, rows.map(probe)) : [];
}

/** The rows through a selector of their own (fresh aggregates: an on-demand query keeps no state). */
function select(rt: RuntimeContext, sel: SelectorPlan, events: StreamEvent[]): Value[][] {
  const rows: Value[][] = [];
  const groups = { value: groupsSpec(sel).create() };
  makeSelector(sel, rt.newCtx(), groups, chunk => chunk.forEach(e => rows.push(e.data)))(events);
  return rows;
}
