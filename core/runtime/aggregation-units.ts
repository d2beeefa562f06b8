import type { TimeUnit } from '../ast/nodes';
import { ProcessingError } from '../errors/millrace-error';
import { perUnit, withinRange } from '../kernel/calendar';
import type { Value } from '../kernel/event';
import type { EvalCtx } from '../kernel/eval-context';
import type { Aggregator } from '../plan/operators';
import type { AggregationPlan, AggregationReadPlan } from '../plan/plan';
import type { Json } from '../state/json';
import { StateRegistry, type StateCell } from '../state/state-spec';
import { array, dict, json, nullable, num, oneOf, record, refine, str, tuple } from '../state/shape';
import { AggregationRuntime, durationBucketsSpec, type DurationBuckets } from './aggregation';
import { pipeline } from './handler-stages';
import type { Receiver } from './junction';
import type { RuntimeContext } from './runtime-context';

interface Duration {
  readonly registry: StateRegistry;
  readonly cell: StateCell<DurationBuckets>;
  touched: boolean;
  loaded: boolean;
  /** The unit name: `a:<aggregation>:<fingerprint>:<DURATION>`. */
  readonly unit: string;
}

/**
 * `define aggregation A ...`: folds its stream's events (after its filters) into time buckets.
 * Each duration's buckets are a unit of their own, so a reader of one duration (the Store API)
 * loads just that, and an invocation writes only the durations it changed; an `@store`
 * aggregation keeps its buckets as store items instead (see AggregationRuntime).
 */
export function buildAggregation(rt: RuntimeContext, a: AggregationPlan): void {
  const base = `a:${a.id}:${a.fingerprint}`;
  const durations = new Map(
    a.durations.map(unit => {
      const registry = new StateRegistry();
      const cell = registry.register('buckets', durationBucketsSpec);
      const d: Duration = { registry, cell, touched: false, loaded: true, unit: `${base}:${unit}` };
      return [unit, d] as [TimeUnit, Duration];
    }),
  );
  const unitNames = [...durations.values()].map(d => d.unit);
  rt.registry.register(`${base}/durations`, {
    version: 1,
    // As snapshot writes it: split, the units kept apart (all, or none for @store); whole, every duration's buckets.
    shape: oneOf(
      refine(record({ units: array(str()) }), (v: { units: string[] }) => {
        if (!rt.units.split) return 'units kept apart in a whole snapshot';
        return JSON.stringify(v.units) === JSON.stringify(a.store ? [] : unitNames) ? null : `units other than the aggregation's durations (${a.store ? 'none' : unitNames.join(', ')})`;
      }),
      refine(record({ full: dict(json()) }), (v: { full: Record<string, Json> }) => {
        if (JSON.stringify(Object.keys(v.full).sort()) !== JSON.stringify([...durations.keys()].sort())) return `durations other than the aggregation's (${[...durations.keys()].join(', ')})`;
        // Each is a duration's own registry snapshot (checked when restored); anything else would leave it as it was.
        const bad = Object.keys(v.full).find(u => v.full[u] === null || typeof v.full[u] !== 'object' || Array.isArray(v.full[u]));
        return bad ? `the buckets of ${bad} are not a snapshot of named states` : null;
      }),
    ),
    create: () => null,
    snapshot: () =>
      (rt.units.split
        ? { units: a.store ? [] : [...durations.values()].map(d => d.unit) }
        : { full: Object.fromEntries([...durations].map(([u, d]) => [u, d.registry.snapshot()])) }) as Json,
    restore: j => {
      const v = j as { units?: string[]; full?: Record<string, ReturnType<StateRegistry['snapshot']>> };
      for (const [u, d] of durations) {
        d.touched = false;
        if (v.full?.[u]) {
          d.registry.restore(v.full[u]);
          d.loaded = true;
        } else d.loaded = !v.units?.includes(d.unit);
      }
      return null;
    },
  });
  const fresh = () => a.running.map(r => r.create());
  const running: StateCell<Aggregator[]> = a.running.length
    ? rt.registry.register(`${base}/running`, {
        version: 1,
        shape: tuple(...fresh().map(x => x.shape)),
        create: fresh,
        snapshot: aggs => aggs.map(x => x.snapshot()) as Json,
        restore: j => {
          const aggs = fresh();
          aggs.forEach((x, i) => x.restore((j as Json[])[i]));
          return aggs;
        },
      })
    : { value: [] };
  const aggregation = new AggregationRuntime(a, durations, running, unit => rt.units.need(unit));
  const purgeDue = schedulePurges(rt, a, base, aggregation);
  rt.aggregations.set(a.id, aggregation);
  rt.units.aggregations.push({
    has: unit => [...durations.values()].some(d => d.unit === unit),
    load: (unit, json) => {
      const d = [...durations.values()].find(x => x.unit === unit)!;
      d.registry.restore(json as ReturnType<StateRegistry['snapshot']>);
      d.loaded = true;
    },
    unloaded: () => [...durations.values()].filter(d => !d.loaded).map(d => d.unit),
    dirty: () => (aggregation.storedRows ? [] : [...durations.values()].filter(d => d.touched && d.loaded).map(d => [d.unit, d.registry.snapshot()] as [string, Json])),
  });
  const ctx = rt.newCtx();
  const sink: Receiver = chunk => {
    for (const e of chunk) {
      purgeDue();
      const problem = aggregation.add(ctx, e);
      if (problem) throw new ProcessingError(`aggregation '${a.id}': ${problem}`);
    }
  };
  rt.junction(a.inputStream).receivers.push(pipeline(rt, a.handlers, base, ctx, sink, { registry: rt.registry }));
}

/**
 * Siddhi purges on a timer, every purge interval from the app's start; here the timer runs on
 * the app's event clock. Its due time is state, so that an aggregation whose state predates the
 * timer (or that was added to a running app) starts one at its next event: the returned check.
 */
function schedulePurges(rt: RuntimeContext, a: AggregationPlan, base: string, aggregation: AggregationRuntime): () => void {
  const due = rt.registry.register(`${base}/latest`, {
    version: 2,
    shape: nullable(num()),
    create: () => null as number | null,
    snapshot: d => d,
    restore: j => j as number | null,
    // Version 1 kept [latest aggregation time, time of the last purge] and purged as events came.
    older: { 1: { shape: tuple(nullable(num()), nullable(num())), upgrade: () => null } },
  });
  const pg = a.purge;
  if (!pg) return () => {};
  const timerId = `${base}/purge`;
  const schedule = (at: number) => {
    due.value = at;
    rt.scheduler.schedule(timerId, at);
  };
  rt.scheduler.register(timerId, now => {
    aggregation.purge(now);
    schedule(now + pg.intervalMs);
  });
  rt.onStart.push(now => schedule(now + pg.intervalMs));
  return () => {
    if (due.value === null) schedule(rt.clock.now + pg.intervalMs);
  };
}

/** The rows of an aggregation read (`within ... per ...`), evaluated against `ctx`. */
export function readAggregation(rt: RuntimeContext, id: string, read: AggregationReadPlan, ctx: EvalCtx): Value[][] {
  const w = read.within.map(f => f(ctx));
  const range = withinRange(w[0], w.length > 1 ? w[1] : undefined);
  if (typeof range === 'string') throw new ProcessingError(range);
  const perValue = read.per(ctx);
  const unit = perUnit(perValue);
  const agg = rt.aggregations.get(id)!;
  if (!unit || !agg.plan.durations.includes(unit))
    throw new ProcessingError(`${String(perValue)} cannot be provided since aggregation definition ${id} does not contain ${unit ?? String(perValue)} duration`);
  return agg.read(unit, range[0], range[1]);
}
