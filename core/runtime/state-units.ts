import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import type { Json } from '../state/json';
import type { Scheduler } from './scheduler';

/**
 * What a run needed of the state and was not given: the invocation runner loads it and runs the
 * batch again from the loaded state (nothing was committed). The one protocol for missing state,
 * returned as a value: a run never stops because of it, it answers from what it has.
 */
export interface MissingState {
  /** State units (partition keys, aggregation durations) to load, by unit name. */
  readonly units: readonly string[];
  /** `@store` table rows and aggregation buckets to load: per holder (`t:<table>`, `a:<aggregation>`), row keys, or null for all. */
  readonly rows: readonly { readonly holder: string; readonly table: string; readonly keys: string[] | null }[];
}

/** One partition's keys as units of their own (see PartitionRuntime). */
export interface PartitionUnits {
  /** The prefix of the partition's unit names and timer ids (`p:<partition>:<fingerprint>`). */
  readonly base: string;
  /** Units of existing keys that an event on `stream` touches. */
  unitsFor(stream: string, e: StreamEvent): string[];
  /** Whether the unit names an existing key whose unit is not loaded. */
  isUnloaded(unit: string): boolean;
  /** A timer of the unit fires: the key is touched (or needed when not loaded). */
  touchedByTimer(unit: string): void;
  load(unit: string, json: Json): void;
  dirty(): [string, Json][];
}

/** One aggregation's durations as units of their own. */
export interface AggregationUnits {
  has(unit: string): boolean;
  load(unit: string, json: Json): void;
  unloaded(): string[];
  dirty(): [string, Json][];
}

/** A record as far as routing needs it: its stream, time and values. */
export interface RoutedRecord {
  readonly stream?: string;
  readonly time: number;
  readonly data?: Value[];
  /** Several events at once (see InputRecord). */
  readonly chunk?: readonly Value[][];
}

/**
 * The state of one run kept outside the app's global unit: a unit per partition key and per
 * aggregation duration. Routes a batch to the units it needs before the run, takes the loaded
 * units, notes units a run reached without having them, and gives the units it changed.
 */
export class StateUnits {
  /** Restored from split units: partition keys and durations live in units of their own. */
  split = false;
  readonly partitions: PartitionUnits[] = [];
  readonly aggregations: AggregationUnits[] = [];
  /** Units of partition keys purged in this run. */
  readonly removed = new Set<string>();
  private readonly missing = new Set<string>();

  /** A unit the run reached without having it loaded. */
  need(unit: string): void {
    this.missing.add(unit);
  }

  missingUnits(): string[] {
    return [...this.missing];
  }

  /** A timer of a partition key marks the key touched, or notes its unit as needed. */
  timerFired(target: string): void {
    for (const pu of this.partitions) {
      if (!target.startsWith(`${pu.base}:`)) continue;
      pu.touchedByTimer(target.slice(0, target.indexOf('/', pu.base.length + 1)));
      return;
    }
  }

  /**
   * The units a batch will touch that are not loaded, as far as can be told before running it:
   * every aggregation duration, keys of its events on partitioned input streams, and keys with
   * timers due by its last time.
   */
  unitsFor(records: readonly RoutedRecord[], scheduler: Scheduler, now: number): string[] {
    const out = new Set<string>(this.aggregations.flatMap(au => au.unloaded()));
    if (!this.partitions.length) return [...out];
    let until = now;
    for (const r of records) {
      until = Math.max(until, r.time);
      if (r.stream === undefined) continue;
      for (const data of r.chunk ?? [r.data ?? []]) {
        const e: StreamEvent = { timestamp: r.time, data: [...data], type: EventKind.CURRENT };
        for (const pu of this.partitions) for (const u of pu.unitsFor(r.stream, e)) out.add(u);
      }
    }
    for (const target of scheduler.dueTargets(until))
      for (const pu of this.partitions)
        if (target.startsWith(`${pu.base}:`)) out.add(target.slice(0, target.indexOf('/', pu.base.length + 1)));
    return [...out].filter(u => this.aggregations.some(au => au.has(u)) || this.partitions.some(pu => pu.isUnloaded(u)));
  }

  load(units: ReadonlyMap<string, Json>): void {
    for (const [unit, json] of units) {
      for (const pu of this.partitions) pu.load(unit, json);
      for (const au of this.aggregations) if (au.has(unit)) au.load(unit, json);
    }
  }

  /** The units touched since the restore, with their snapshots. */
  dirty(): Map<string, Json> {
    return new Map([...this.partitions.flatMap(pu => pu.dirty()), ...this.aggregations.flatMap(au => au.dirty())]);
  }
}
