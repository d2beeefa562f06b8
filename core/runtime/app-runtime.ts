import { EngineUsageError } from '../errors/millrace-error';
import { silentLogger, type Logger } from '../io/logger';
import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import type { AppPlan } from '../plan/plan';
import type { Json } from '../state/json';
import type { RowWrite, StoredRow } from '../state/state-store';
import type { RestoreReport } from '../state/state-spec';
import { buildAggregation } from './aggregation-units';
import { buildNamedWindow } from './named-window';
import { runOnDemand, type QueryResult } from './on-demand-runtime';
import type { PartialRows } from './partial-rows';
import { buildPartition } from './partition-runtime';
import type { Host } from './host';
import { buildQuery } from './query-runtime';
import { RuntimeContext } from './runtime-context';
import type { RuntimeSnapshot, SplitSnapshot } from './runtime-snapshot';
import type { MissingState, RoutedRecord } from './state-units';
import { rowFromStored, TableRuntime, tableSpec } from './table';
import { buildTrigger } from './trigger-runtime';
import { jsonText } from '../state/value-codec';

export type { QueryResult } from './on-demand-runtime';
export type { RuntimeSnapshot, SplitSnapshot } from './runtime-snapshot';
export type { MissingState } from './state-units';

/** Called with every chunk of events that arrives on a stream. */
export type StreamListener = (streamId: string, events: readonly StreamEvent[]) => void;

export interface RuntimeOptions {
  readonly logger?: Logger;
}

/**
 * One running instance of an app plan (Siddhi's SiddhiAppRuntime). Holds nothing that its
 * snapshot does not carry: build a new runtime, `restore` the last snapshot, and it continues
 * exactly where the other stopped. The invocation runner restores it from split units instead
 * (`restoreUnits`): the global unit plus the units of the partition keys and aggregation
 * durations a batch touches.
 *
 * @example
 *   const rt = new AppRuntime(plan);
 *   rt.subscribe('Out', (s, es) => console.log(es));
 *   rt.send('In', 1000, ['a', 1]);
 *   const snap = rt.snapshot();
 */
export class AppRuntime {
  readonly plan: AppPlan;
  private readonly rt: RuntimeContext;

  constructor(plan: AppPlan, options: RuntimeOptions = {}) {
    this.plan = plan;
    const rt = (this.rt = new RuntimeContext(plan, options.logger ?? silentLogger));
    rt.scheduler.observer = target => rt.units.timerFired(target);
    for (const t of plan.tables) rt.tables.push(new TableRuntime(t, rt.registry.register(`t:${t.id}:${t.fingerprint}`, tableSpec(t)), rt.logger, plan.name));
    for (const w of plan.windows) buildNamedWindow(rt, w);
    for (const a of plan.aggregations) buildAggregation(rt, a);
    const appHost: Host = { registry: rt.registry, input: id => rt.junction(id), output: id => rt.junction(id), prefix: '' };
    for (const q of plan.queries) buildQuery(rt, q, appHost);
    for (const p of plan.partitions) buildPartition(rt, p);
    rt.registerStart();
    for (const t of plan.triggers) buildTrigger(rt, t);
    for (const [stream, sinks] of plan.sinks)
      for (const sink of sinks)
        if (sink.type.toLowerCase() === 'log') {
          const prefix = sink.options.get('prefix') ?? `${plan.name} : ${stream}`;
          this.subscribe(stream, (_s, es) => {
            for (const e of es) rt.logger.info(`${prefix} : Event{timestamp=${e.timestamp}, data=${jsonText(e.data)}}`);
          });
        }
  }

  /** The event clock: the largest event time seen or moved to. */
  get now(): number {
    return this.rt.clock.now;
  }

  /** Listen to every chunk arriving on a stream (after the app's own queries). */
  subscribe(streamId: string, listener: StreamListener): void {
    this.rt.junction(streamId).receivers.push(chunk => listener(streamId, chunk));
  }

  /** Moves the clock to `time` (never back), then fires every timer due by then, in due order, at that time. */
  advanceTime(time: number): void {
    this.rt.advanceTime(time);
  }

  /** Sends one event into a stream at event time `timestamp`. */
  send(streamId: string, timestamp: number, data: Value[]): void {
    this.sendChunk(streamId, [{ timestamp, data, type: EventKind.CURRENT }]);
  }

  /** Sends events that arrived together (one record of several events) as one chunk. */
  sendChunk(streamId: string, events: StreamEvent[]): void {
    if (!events.length) return;
    const j = this.rt.junction(streamId);
    this.rt.advanceTime(events[events.length - 1].timestamp);
    j.send(events);
  }

  /** The earliest pending timer, or null: when this unit next needs a tick without traffic. */
  nextDue(): number | null {
    return this.rt.scheduler.nextDue();
  }

  snapshot(): RuntimeSnapshot {
    return this.rt.registry.snapshot();
  }

  restore(snapshot: RuntimeSnapshot): RestoreReport {
    const report = this.rt.registry.restore(snapshot);
    if (report.unknown.length || report.versionChanged.length) {
      const parts = [];
      if (report.unknown.length) parts.push(`dropped state of queries that changed or were removed: ${report.unknown.join(', ')}`);
      if (report.versionChanged.length) parts.push(`state layout changed, started fresh: ${report.versionChanged.join(', ')}`);
      this.rt.logger.warn(`app '${this.plan.name}': ${parts.join('; ')}`);
    }
    return report;
  }

  /**
   * Runs an on-demand query on the tables, named windows and aggregations: reads answer rows,
   * writes change the state like any query would (commit the runtime afterwards). Throws
   * CompileError for a query with errors, with positions in the query text.
   *
   * @example
   *   rt.query('from Stock on Stock.qty < 5 select sku order by sku').records
   */
  query(text: string): QueryResult {
    return runOnDemand(this.rt, this.plan.planQuery(text));
  }

  // -------------------------------------------------------------------------------------------
  // State units (the invocation runner's side of the runtime)

  /**
   * Restores the global unit and the given units of partition keys and aggregation durations;
   * the others stay unloaded until `loadUnits`. What a run reaches without having it is told by
   * `missingState`.
   */
  restoreUnits(global: RuntimeSnapshot | null, units: ReadonlyMap<string, Json> = new Map()): RestoreReport {
    this.rt.units.split = true;
    const report = global ? this.restore(global) : { unknown: [], versionChanged: [] };
    for (const t of this.rt.tables) if (t.plan.store) t.data.beginPartial(t.plan.store.table);
    for (const a of this.rt.aggregations.values()) if (a.plan.store) a.beginStored(a.plan.store.table);
    this.loadUnits(units);
    return report;
  }

  /**
   * After `restoreUnits`: the clock as a source's unit left it, when that is later than the
   * global unit's (only time moved there: nothing fired). Fires nothing.
   */
  resumeClock(time: number): void {
    this.rt.resumeClock(time);
  }

  /** More units, after `restoreUnits` and before anything runs. */
  loadUnits(units: ReadonlyMap<string, Json>): void {
    this.rt.units.load(units);
  }

  /**
   * The units a batch will touch that are not loaded, as far as can be told before running it
   * (keys of its events on partitioned streams, keys with timers due by its last time,
   * aggregation durations). Anything else a run reaches shows in `missingState`.
   */
  unitsFor(records: readonly RoutedRecord[]): string[] {
    return this.rt.units.unitsFor(records, this.rt.scheduler, this.now);
  }

  /**
   * Gives a `@store` table (holder `t:<id>`) or aggregation (`a:<id>`) rows loaded from the
   * store, after `restoreUnits`; a null row means the store has no row under that key.
   * `complete`: these are all its rows.
   */
  provideRows(holder: string, rows: ReadonlyMap<string, StoredRow | null>, complete: boolean): void {
    const id = holder.slice(2);
    if (holder.startsWith('a:')) {
      const a = this.rt.aggregations.get(id);
      if (!a?.storedRows) throw new EngineUsageError(`aggregation '${id}' does not keep its buckets in a store`);
      return a.provideRows(rows, complete);
    }
    const t = this.rt.tables.find(x => x.plan.id === id);
    if (!holder.startsWith('t:') || !t?.data.partial) throw new EngineUsageError(`table '${id}' does not keep its rows in a store`);
    const attrs = t.plan.attributes;
    t.data.provide(new Map([...rows].map(([k, r]) => [k, r && rowFromStored(r, attrs)])), complete);
  }

  /**
   * What this run needed and was not given (units, `@store` rows), or null when it had all it
   * used. A run with missing state answered from incomplete state: load what is listed, then run
   * the batch again on a fresh runtime.
   */
  missingState(): MissingState | null {
    const units = this.rt.units.missingUnits();
    const rows = this.storedHolders().flatMap(([holder, partial]) => {
      const keys = partial.wanted();
      return keys === undefined ? [] : [{ holder, table: partial.table, keys }];
    });
    return units.length || rows.length ? { units, rows } : null;
  }

  /** The `@store` table rows and aggregation buckets this run changed, for the commit. */
  rowWrites(): RowWrite[] {
    return [...this.rt.tables.flatMap(t => t.data.rowWrites(t.plan.attributes)), ...[...this.rt.aggregations.values()].flatMap(a => a.rowWrites())];
  }

  /**
   * The state split into units: the global one (with each partition's key directory) and one
   * per partition key and aggregation duration touched since the restore.
   */
  snapshotUnits(): SplitSnapshot {
    const units = this.rt.units;
    const was = units.split;
    units.split = true;
    try {
      return { global: this.rt.registry.snapshot(), units: units.dirty(), removed: [...units.removed] };
    } finally {
      units.split = was;
    }
  }

  /** The `@store` tables and aggregations of this run, by holder name (see provideRows). */
  private storedHolders(): [string, PartialRows<unknown>][] {
    const out: [string, PartialRows<unknown>][] = [];
    for (const t of this.rt.tables) if (t.data.partial) out.push([`t:${t.plan.id}`, t.data.partial]);
    for (const [id, a] of this.rt.aggregations) if (a.storedRows) out.push([`a:${id}`, a.storedRows]);
    return out;
  }
}
