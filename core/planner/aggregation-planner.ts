import type { AggregationDefinition, AttrType, Expression, Pos, TimeUnit, WithinRange } from '../ast/nodes';
import { perUnit } from '../kernel/calendar';
import { parseDuration } from '../kernel/duration';
import { aggregateFunctions } from '../builtins/aggregates/aggregate-functions';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import type { Scope } from '../plan/expression-scope';
import type { AggregatePlan, AggregationPlan, AggregationReadPlan } from '../plan/plan';
import type { AttributeSchema } from '../plan/schema';
import { annotationValue, planStoreOptions } from './annotations';
import { fingerprint } from './fingerprint';
import { planHandlers } from './input-planner';
import type { PlanContext } from './planning-context';
import { eventSource } from './scope';

/**
 * `define aggregation A from S select ... group by ... aggregate [by ts] every ...`: outputs are
 * group-by attributes, sum, count, avg, min, max and distinctCount of an attribute, and any other
 * expression (its value at each bucket's latest event).
 */
export function planAggregationDefinition(ctx: PlanContext, d: AggregationDefinition): void {
  const src = ctx.resolveSource(d.input);
  if (!src) return;
  if (src.kind !== 'stream') {
    ctx.error(d.input.pos, `an aggregation reads a stream; '${src.id}' is a ${src.kind}`, src.id.length);
    return;
  }
  const planned = planHandlers(ctx, d.input, src.id, [src.id, ...(d.input.alias ? [d.input.alias] : [])], src.attributes, false, false);
  if (planned.windowed) ctx.error(d.input.pos, 'an aggregation cannot have a window; it keeps its own time buckets');
  const scope = ctx.scopeOf([eventSource(src.id, [src.id, ...(d.input.alias ? [d.input.alias] : [])], planned.attributes)]);
  const sel = d.selector;
  if (sel.star) ctx.error(sel.pos, "an aggregation's select names its outputs; 'select *' is not allowed");
  for (const [clause, e] of [['having', sel.having], ['limit', sel.limit], ['offset', sel.offset]] as const)
    if (e) ctx.error(e.pos, `'${clause}' cannot be used in an aggregation definition; use it when reading the aggregation`);
  if (sel.orderBy.length) ctx.error(sel.orderBy[0].pos, "'order by' cannot be used in an aggregation definition; use it when reading the aggregation");
  const groupBy: Eval[] = [];
  for (const g of sel.groupBy) {
    const c = ctx.compiler.compile(g, scope);
    if (c.type !== null) groupBy.push(c.fn);
  }
  const { outputs, attributes, running } = planAggregationOutputs(ctx, d, scope, src.id);
  const dup = attributes.map(a => a.name).find((n, i, all) => all.indexOf(n) !== i);
  if (dup) ctx.error(sel.pos, `the aggregation has two outputs named '${dup}'`);
  let timestampOf: Eval | undefined;
  if (d.aggregateBy) {
    const c = ctx.compiler.compile(d.aggregateBy, scope);
    if (c.type !== null && c.type !== 'LONG' && c.type !== 'STRING')
      ctx.error(d.aggregateBy.pos, `'aggregate by' needs a long (epoch milliseconds) or a string ('yyyy-MM-dd HH:mm:ss'), found ${c.type.toLowerCase()}`);
    timestampOf = c.fn;
  }
  const ORDER = ['SECONDS', 'MINUTES', 'HOURS', 'DAYS', 'WEEKS', 'MONTHS', 'YEARS'] as const;
  let durations: TimeUnit[];
  const per = d.periods;
  if (per.kind === 'range') {
    const [a, b] = [ORDER.indexOf(per.from), ORDER.indexOf(per.to)];
    if (a > b) ctx.error(d.periodsPos, `the aggregation periods run from the shorter to the longer: '${per.from.toLowerCase()} ... ${per.to.toLowerCase()}' is backwards`);
    if (per.from === 'WEEKS' || per.to === 'WEEKS') ctx.error(d.periodsPos, 'week is not a valid aggregation period; use sec, min, hour, day, month or year');
    durations = ORDER.slice(a, b + 1).filter(u => u !== 'WEEKS');
  } else {
    if (per.units.includes('WEEKS')) ctx.error(d.periodsPos, 'week is not a valid aggregation period; use sec, min, hour, day, month or year');
    durations = [...new Set(per.units)].filter(u => u !== 'WEEKS').sort((x, y) => ORDER.indexOf(x) - ORDER.indexOf(y));
  }
  const purge = planAggregationPurge(ctx, d);
  const storeAnnotation = d.annotations.find(x => x.name.toLowerCase() === 'store');
  const store = storeAnnotation ? planStoreOptions(ctx, d.id, 'aggregation', storeAnnotation) : undefined;
  ctx.aggregations.set(d.id, {
    id: d.id,
    fingerprint: fingerprint(d),
    inputStream: src.id,
    handlers: planned.handlers,
    timestampOf,
    groupBy,
    durations,
    outputs,
    running,
    attributes,
    purge,
    ...(store ? { store } : {}),
  });
}

const INCREMENTAL = ['sum', 'count', 'avg', 'min', 'max', 'distinctCount'] as const;

/**
 * The outputs of an aggregation, Siddhi's way (AggregationParser): a group-by attribute; a call of
 * an incremental aggregator, whose argument must be an attribute; or any other expression, kept
 * per bucket from its latest event. Aggregates nested in such an expression are running
 * aggregates over every event of the aggregation.
 */
function planAggregationOutputs(ctx: PlanContext, d: AggregationDefinition, scope: Scope, streamId: string) {
  const sel = d.selector;
  const outputs: AggregationPlan['outputs'][number][] = [];
  const attributes: AttributeSchema[] = [{ name: 'AGG_TIMESTAMP', type: 'LONG' }];
  const running: AggregatePlan[] = [];
  const lastScope: Scope = {
    ...scope,
    aggregate: (planned, args) => {
      running.push({ create: planned.create, arg: args.length ? args[0].fn : null, survivesReset: true });
      const i = running.length - 1;
      return (c: EvalCtx) => c.agg[i];
    },
  };
  for (const oa of sel.attributes) {
    const e = oa.expression;
    const name = oa.alias ?? (e.kind === 'Variable' ? e.attribute : undefined);
    if (!name) {
      ctx.error(oa.pos, "a computed attribute in select needs a name: add 'as <name>'");
      continue;
    }
    const gi = e.kind === 'Variable' ? sel.groupBy.findIndex(g => g.attribute === e.attribute && (g.streamRef ?? streamId) === (e.streamRef ?? streamId)) : -1;
    const call = e.kind === 'FunctionCall' && !e.namespace ? e : undefined;
    const kind = call && INCREMENTAL.find(k => k === call.name);
    if (call && !kind && aggregateFunctions.has(call.name)) {
      ctx.error(call.pos, `'${call.name}' is neither an incremental aggregator (sum, count, avg, min, max, distinctCount) nor a function, so an aggregation cannot keep it`, call.name.length);
      continue;
    }
    if (!kind || !call) {
      const c = ctx.compiler.compile(e, gi >= 0 ? scope : lastScope);
      if (c.type === null) continue;
      outputs.push(gi >= 0 ? { name, kind: 'group', integral: false, groupIndex: gi } : { name, kind: 'last', arg: c.fn, integral: false });
      attributes.push({ name, type: c.type });
      continue;
    }
    if (call.args.length > 1 || (kind !== 'count' && call.args.length !== 1)) {
      ctx.error(call.pos, `${kind}() takes ${kind === 'count' ? 'at most one argument' : 'one argument'}`);
      continue;
    }
    const a = call.args[0];
    if (a && a.kind !== 'Variable') {
      ctx.error(a.pos, `${kind}() in an aggregation takes an attribute (Incremental aggregator expected a variable); compute '${kind}(...)' of an expression in a query that feeds the aggregation`);
      continue;
    }
    const arg = a ? ctx.compiler.compile(a, scope) : undefined;
    if (arg && arg.type === null) continue;
    const t = arg?.type ?? 'LONG';
    const numeric = t === 'INT' || t === 'LONG' || t === 'FLOAT' || t === 'DOUBLE';
    if ((kind === 'sum' || kind === 'avg' || kind === 'min' || kind === 'max') && !numeric) {
      ctx.error(call.pos, `${kind[0].toUpperCase()}${kind.slice(1)} not supported for ${t}`);
      continue;
    }
    const type: AttrType = kind === 'count' || kind === 'distinctCount' ? 'LONG' : kind === 'avg' ? 'DOUBLE' : kind === 'sum' ? (t === 'INT' || t === 'LONG' ? 'LONG' : 'DOUBLE') : t;
    outputs.push({ name, kind, arg: arg?.fn, integral: kind === 'sum' && (t === 'INT' || t === 'LONG') });
    attributes.push({ name, type });
  }
  return { outputs, attributes, running };
}

/** Siddhi's purging: on by default, every 15 min, keeping sec 120 s, min 24 h, hour 30 d, day 1 y, month and year all. */
function planAggregationPurge(ctx: PlanContext, d: AggregationDefinition): AggregationPlan['purge'] {
  const a = d.annotations.find(x => x.name.toLowerCase() === 'purge');
  if (a && (annotationValue(a, 'enable') ?? 'true').toLowerCase() === 'false') return undefined;
  const retention = new Map<TimeUnit, number>([
    ['SECONDS', 120_000],
    ['MINUTES', 86_400_000],
    ['HOURS', 30 * 86_400_000],
    ['DAYS', 365 * 86_400_000],
  ]);
  const minimum: Partial<Record<TimeUnit, number>> = { SECONDS: 120_000, MINUTES: 7_200_000, HOURS: 25 * 3_600_000, DAYS: 32 * 86_400_000, MONTHS: 13 * 30 * 86_400_000 };
  let intervalMs = 15 * 60_000;
  if (a) {
    const iv = annotationValue(a, 'interval');
    if (iv !== undefined) {
      const ms = parseDuration(iv);
      if (ms === undefined || ms <= 0) ctx.error(a.pos, `@purge interval '${iv}' is not a duration such as '10 sec'`);
      else intervalMs = ms;
    }
    for (const rp of a.annotations.filter(x => x.name.toLowerCase() === 'retentionperiod'))
      for (const el of rp.elements) {
        const unit = perUnit(el.key ?? '');
        if (!unit) {
          ctx.error(el.pos, `@retentionPeriod: '${el.key}' is not a period (sec, min, hour, day, month, year)`);
          continue;
        }
        if (el.value.trim().toLowerCase() === 'all') {
          retention.delete(unit);
          continue;
        }
        const ms = parseDuration(el.value);
        if (ms === undefined) ctx.error(el.pos, `@retentionPeriod ${el.key}='${el.value}' is not a duration such as '120 sec' or 'all'`);
        else if (ms < (minimum[unit] ?? 0)) ctx.error(el.pos, `@retentionPeriod ${el.key} must be at least ${minimum[unit]! / 1000} seconds`);
        else retention.set(unit, ms);
      }
  }
  return { intervalMs, retention };
}

/** `within a[, b] per g` of an aggregation read, compiled against the probe. */
export function planAggregationRead(ctx: PlanContext, within: WithinRange | undefined, per: Expression | undefined, probe: Scope, pos: Pos, id: string): AggregationReadPlan | null {
  if (!within || !per) {
    ctx.error(pos, `Aggregation read query must contain a 'within' and a 'per' for '${id}'`);
    return null;
  }
  const w = [within.start, ...(within.end ? [within.end] : [])].map(e => ctx.compiler.compile(e, probe));
  const p = ctx.compiler.compile(per, probe);
  if (w.some(c => c.type === null) || p.type === null) return null;
  for (const [c, e] of w.map((c, i) => [c, i === 0 ? within.start : within.end!] as const))
    if (c.type !== 'LONG' && c.type !== 'INT' && c.type !== 'STRING') ctx.error(e.pos, `within takes long milliseconds or time strings, found ${c.type!.toLowerCase()}`);
  if (p.type !== 'STRING') ctx.error(per.pos, `per takes a string such as 'minutes', found ${p.type.toLowerCase()}`);
  const agg = ctx.aggregations.get(id)!;
  if (p.constant) {
    const unit = perUnit(p.constant.value);
    if (!unit) ctx.error(per.pos, `per '${String(p.constant.value)}' is not a granularity (seconds, minutes, hours, days, months, years)`);
    else if (!agg.durations.includes(unit))
      ctx.error(per.pos, `${String(p.constant.value)} cannot be provided since aggregation definition ${id} does not contain ${unit} duration`);
  }
  return { within: w.map(c => c.fn), per: p.fn };
}
