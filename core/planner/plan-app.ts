import type { App, OnDemandQuery } from '../ast/nodes';
import { PlanError } from '../errors/millrace-error';
import { parseOnDemandQuery } from '../parser';
import type { AppPlan, OnDemandPlan, PartitionPlan, QueryPlan } from '../plan/plan';
import { planAppAnnotations } from './annotations';
import { planDefinition } from './definition-planner';
import { planOnDemandQuery } from './on-demand-planner';
import { planPartition } from './partition-planner';
import { PlanContext } from './planning-context';
import { planQuery } from './query-planner';

/**
 * Turns a parsed app into an executable plan, or throws PlanError listing every problem found.
 * Definitions first (they make the catalog), then queries and partitions in order (an
 * `insert into` defines its stream for the queries after it).
 *
 * @example
 *   const plan = planApp(parseApp(text), text);
 */
export function planApp(app: App, source: string): AppPlan {
  const ctx = new PlanContext(source);
  const name = planAppAnnotations(ctx, app);
  for (const d of app.definitions) planDefinition(ctx, d);
  const queries: QueryPlan[] = [];
  const partitions: PartitionPlan[] = [];
  let n = 0;
  for (const el of app.elements) {
    if (el.kind === 'Partition') {
      const p = planPartition(ctx, el, partitions.length + 1);
      if (p) partitions.push(p);
      continue;
    }
    n++;
    const q = planQuery(ctx, el, n);
    if (q) queries.push(q);
  }
  if (ctx.diagnostics.length) throw new PlanError(source, ctx.sortedDiagnostics());
  const written = new Set([...queries, ...partitions.flatMap(p => p.queries)].flatMap(q => (q.output.kind === 'insert' ? [q.output.target] : [])));
  const inputStreams = [...ctx.streams.values()].filter(s => s.origin === 'defined' && !written.has(s.id)).map(s => s.id);
  const planned = new Map<string, OnDemandPlan>();
  const plan: AppPlan = {
    name,
    source,
    streams: ctx.streams,
    queries,
    inputStreams,
    partitions,
    triggers: ctx.triggers,
    aggregations: [...ctx.aggregations.values()],
    tables: [...ctx.tables.values()].map(t => t.plan),
    windows: [...ctx.windows.values()],
    functions: ctx.userFunctions,
    sinks: ctx.sinks,
    sources: ctx.sources,
    planQuery: text => {
      let q = planned.get(text);
      if (!q) planned.set(text, (q = planOnDemand(plan, parseOnDemandQuery(text), text)));
      return q;
    },
  };
  return plan;
}

/**
 * Plans an on-demand query (`from T on ... select ...`, `select ... insert into T`, `delete T on
 * ...`, `update T set ... on ...`, `update or insert into T ...`) against an app's tables and
 * named windows. Throws PlanError with positions in the query text.
 *
 * @example
 *   const q = planOnDemand(plan, parseOnDemandQuery(text), text);
 */
export function planOnDemand(plan: AppPlan, query: OnDemandQuery, text: string): OnDemandPlan {
  const ctx = new PlanContext(text, plan);
  const result = planOnDemandQuery(ctx, query);
  if (ctx.diagnostics.length || !result) throw new PlanError(text, ctx.sortedDiagnostics());
  return result;
}
