import type { Aggregator, WindowContext, WindowOperator } from './operators';
import type { Value } from '../kernel/event';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import type { AttributeSchema, StreamSchema } from './schema';
import type { TimeUnit, TriggerAt } from '../ast/nodes';
import type { UserFunction } from './expression-scope';
import type { PatternPlan } from './pattern-plan';
import type { MapSpec, SinkMapper, SourceMapper } from './mapper';

/** The executable form of an app: immutable, built once, instantiated by every runtime. */
export interface AppPlan {
  readonly name: string;
  readonly source: string;
  readonly streams: ReadonlyMap<string, StreamSchema>;
  readonly queries: readonly QueryPlan[];
  /** Streams written by no query: where events enter the app. */
  readonly inputStreams: readonly string[];
  readonly partitions: readonly PartitionPlan[];
  readonly triggers: readonly TriggerPlan[];
  readonly aggregations: readonly AggregationPlan[];
  readonly tables: readonly TablePlan[];
  readonly windows: readonly NamedWindowPlan[];
  /** `define function` implementations, for on-demand queries planned later. */
  readonly functions: ReadonlyMap<string, UserFunction>;
  /** `@sink` annotations per stream, for adapters. */
  readonly sinks: ReadonlyMap<string, readonly SinkPlan[]>;
  /** `@source` annotations per stream, for adapters. */
  readonly sources: ReadonlyMap<string, readonly SinkPlan[]>;
  /**
   * Plans an on-demand query (the Store API's `from T select ...`) against this app, once per
   * text; throws CompileError with positions in the query text. The runtime answers queries
   * through it, so it never calls the planner itself.
   */
  readonly planQuery: (text: string) => OnDemandPlan;
}

/** A `@source` or `@sink` annotation: the transport, its options and its `@map`. */
export interface SinkPlan {
  readonly type: string;
  readonly options: ReadonlyMap<string, string>;
  readonly map?: { readonly type: string; readonly options: ReadonlyMap<string, string> };
  /** The checked `@map(type='json'|'text'|'csv'|'keyvalue')`; absent without one (or for passThrough). */
  readonly mapSpec?: MapSpec;
  /** On a `@source`: the mapper that turns its payloads into events. */
  readonly decoder?: SourceMapper;
  /** On a `@sink`: the mapper that turns events into its payloads. */
  readonly encoder?: SinkMapper;
  /** On a `@source`: the LONG attribute whose value is the event time (`@map(..., timestamp.attribute='ts')`). */
  readonly timestampAttribute?: number;
}

export type HandlerPlan =
  | { readonly kind: 'filter'; readonly condition: Eval }
  | {
      readonly kind: 'function';
      readonly name: string;
      /** Appends values to each event (may append none, e.g. `#log`). */
      readonly create: (env: { log(message: string): void }) => (ctx: EvalCtx) => Value[] | null;
    }
  | {
      readonly kind: 'window';
      readonly name: string;
      readonly batch: boolean;
      readonly expiredNeeded: boolean;
      readonly create: (ctx: WindowContext) => WindowOperator;
    };

export interface AggregatePlan {
  readonly create: () => Aggregator;
  /** The argument, or null for `count()`. */
  readonly arg: Eval | null;
  readonly survivesReset: boolean;
}

export interface SelectorPlan {
  /** The output attributes, then any `order by` keys that are not outputs (dropped after ordering). */
  readonly projections: readonly Eval[];
  readonly outputSchema: readonly AttributeSchema[];
  readonly aggregates: readonly AggregatePlan[];
  readonly groupBy: readonly Eval[];
  readonly having?: Eval;
  readonly orderBy: readonly { readonly index: number; readonly desc: boolean }[];
  readonly limit?: number;
  readonly offset?: number;
  /** With aggregates, a chunk of several events yields one row (one per group). */
  readonly collapseChunks: boolean;
  readonly currentOn: boolean;
  readonly expiredOn: boolean;
}

/**
 * A condition between a probe (a stream event or an output row, in `ctx.event`, or for joins in
 * `ctx.events`) and a stored row (`ctx.row`), with the look-up it allows.
 */
export interface StoreConditionPlan {
  readonly matches: Eval;
  /** Equality on all primary-key attributes, or on one indexed attribute: a look-up, not a scan. */
  readonly lookup?: {
    readonly kind: 'primaryKey' | 'index';
    readonly attributes: readonly number[];
    readonly keys: readonly Eval[];
    /** The condition is nothing but the primary key's equalities. */
    readonly keyOnly?: boolean;
  };
}

export type OutputPlan =
  | { readonly kind: 'insert'; readonly target: string }
  | { readonly kind: 'return' }
  | { readonly kind: 'insertTable'; readonly table: string }
  | { readonly kind: 'delete'; readonly table: string; readonly on: StoreConditionPlan }
  | {
      readonly kind: 'update' | 'upsert';
      readonly table: string;
      readonly on: StoreConditionPlan;
      /** Table attribute index and its new value (reads `ctx.event` and `ctx.row`). */
      readonly set: readonly { readonly index: number; readonly value: Eval }[];
      /** For upsert: the row inserted when nothing matched, from the output row. */
      readonly insertRow?: (out: readonly Value[]) => Value[];
    };

export interface TablePlan {
  readonly id: string;
  readonly attributes: readonly AttributeSchema[];
  /** Attribute indexes of the primary key, empty without one. */
  readonly primaryKey: readonly number[];
  /** Attribute indexes with a secondary index. */
  readonly indexes: readonly number[];
  readonly fingerprint: string;
  /**
   * `@store(type=..., table.name=...)`: the rows live one item per row in the state store's
   * backend, in this table (collection), not in the app's global unit.
   */
  readonly store?: { readonly type: 'dynamodb' | 'firestore'; readonly table: string };
}

export interface NamedWindowPlan {
  readonly id: string;
  readonly attributes: readonly AttributeSchema[];
  readonly window: Extract<HandlerPlan, { kind: 'window' }>;
  readonly currentOn: boolean;
  readonly expiredOn: boolean;
  readonly fingerprint: string;
}

/** Where a join side's events come from and how the other side finds them. */
export type JoinSourcePlan =
  | { readonly kind: 'stream'; readonly stream: string; readonly handlers: readonly HandlerPlan[] }
  | { readonly kind: 'window'; readonly window: string; readonly handlers: readonly HandlerPlan[] }
  | { readonly kind: 'table'; readonly table: string }
  | { readonly kind: 'aggregation'; readonly aggregation: string; readonly read: AggregationReadPlan };

export interface JoinPlan {
  readonly left: JoinSourcePlan;
  readonly right: JoinSourcePlan;
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly leftTriggers: boolean;
  readonly rightTriggers: boolean;
  readonly leftOuter: boolean;
  readonly rightOuter: boolean;
  /** Reads `ctx.events[0]` (left) and `ctx.events[1]` (right); absent means every pair. */
  readonly on?: Eval;
  /** A look-up into a table side, keyed from the other side. */
  readonly tableLookup?: StoreConditionPlan;
}

/** Output rate limiting; `grouped` when the query has `group by`. */
export type RatePlan =
  | { readonly kind: 'events'; readonly type: 'ALL' | 'FIRST' | 'LAST'; readonly count: number; readonly grouped: boolean }
  | { readonly kind: 'time'; readonly type: 'ALL' | 'FIRST' | 'LAST'; readonly millis: number; readonly grouped: boolean }
  | { readonly kind: 'snapshot'; readonly millis: number; readonly grouped: boolean; readonly windowed: boolean; readonly aggregated: boolean };

export interface QueryPlan {
  readonly name: string;
  /** Changes whenever the query's text changes (positions aside); scopes its state. */
  readonly fingerprint: string;
  /** The stream or named window the query reads (single input); unset for joins. */
  readonly inputStream: string;
  readonly handlers: readonly HandlerPlan[];
  readonly join?: JoinPlan;
  /** A pattern or sequence input. */
  readonly state?: PatternPlan;
  readonly selector: SelectorPlan;
  readonly rate?: RatePlan;
  readonly output: OutputPlan;
}

/** An on-demand (store) query, planned against an app. */
export type OnDemandPlan =
  | {
      readonly kind: 'find';
      readonly store:
        | { readonly kind: 'table'; readonly table: string; readonly on: StoreConditionPlan }
        | { readonly kind: 'window'; readonly window: string; readonly on?: Eval }
        | { readonly kind: 'aggregation'; readonly aggregation: string; readonly read: AggregationReadPlan; readonly on?: Eval };
      readonly selector: SelectorPlan;
    }
  | {
      readonly kind: 'write';
      /** The rows to write from: found rows when the query has `from`, else one empty probe. */
      readonly from?: Extract<OnDemandPlan, { kind: 'find' }>;
      readonly selector?: SelectorPlan;
      readonly output: Exclude<OutputPlan, { kind: 'insert' } | { kind: 'return' }>;
    };

/** How a partitioned stream's events find their keys. */
export type PartitionKeyPlan =
  | { readonly kind: 'value'; readonly stream: string; readonly key: Eval }
  | { readonly kind: 'range'; readonly stream: string; readonly ranges: readonly { readonly label: string; readonly condition: Eval }[] };

export interface PartitionPlan {
  readonly id: string;
  readonly fingerprint: string;
  readonly keys: readonly PartitionKeyPlan[];
  /** Planned once; every key gets its own instance (own state, own inner streams). */
  readonly queries: readonly QueryPlan[];
  readonly innerStreams: readonly StreamSchema[];
  /** Streams the queries read that are not partitioned: every existing instance gets their events. */
  readonly broadcast: readonly string[];
  /** `@purge`: instances idle for `idleMs` are removed, checked every `intervalMs`. */
  readonly purge?: { readonly intervalMs: number; readonly idleMs: number };
}

/** `define trigger T at 'start' | every <time> | '<cron>'`. */
export interface TriggerPlan {
  readonly id: string;
  readonly at: TriggerAt;
  readonly fingerprint: string;
}

/** `within a[, b] per g` on an aggregation: evaluated against the probe (constants on demand). */
export interface AggregationReadPlan {
  readonly within: readonly Eval[];
  readonly per: Eval;
}

/** `define aggregation`: per duration and group, partial aggregates of the select's outputs. */
export interface AggregationPlan {
  readonly id: string;
  readonly fingerprint: string;
  readonly inputStream: string;
  readonly handlers: readonly HandlerPlan[];
  /** `aggregate by ts`; absent means the event time. */
  readonly timestampOf?: Eval;
  readonly groupBy: readonly Eval[];
  readonly durations: readonly TimeUnit[];
  readonly outputs: readonly {
    readonly name: string;
    /** 'last': any other expression, whose value each bucket keeps from its latest event. */
    readonly kind: 'group' | 'last' | 'count' | 'sum' | 'avg' | 'min' | 'max' | 'distinctCount';
    readonly arg?: Eval;
    /** For sum: Java long arithmetic. */
    readonly integral: boolean;
    readonly groupIndex?: number;
  }[];
  /**
   * Aggregates nested in 'last' expressions (`sum(price) * 2`): as in Siddhi, each is a running
   * aggregate over every event of the aggregation (no group, no bucket, never reset), which the
   * expressions read as `ctx.agg[i]`.
   */
  readonly running: readonly AggregatePlan[];
  /** What reads see: AGG_TIMESTAMP then the outputs. */
  readonly attributes: readonly AttributeSchema[];
  readonly purge?: { readonly intervalMs: number; readonly retention: ReadonlyMap<TimeUnit, number> };
  /**
   * `@store(type=..., table.name=...)`: one store item per (duration, bucket start, group key),
   * in this table (collection), instead of a state unit per duration (DESIGN.md section 4).
   */
  readonly store?: { readonly type: 'dynamodb' | 'firestore'; readonly table: string };
}
