import type { Aggregator, WindowContext, WindowOperator } from '../builtins/descriptor';
import type { Value } from '../runtime/event';
import type { Eval, EvalCtx } from '../runtime/eval-context';
import type { AttributeSchema, StreamSchema } from './schema';

/** The executable form of an app: immutable, built once, instantiated by every runtime. */
export interface AppPlan {
  readonly name: string;
  readonly source: string;
  readonly streams: ReadonlyMap<string, StreamSchema>;
  readonly queries: readonly QueryPlan[];
  /** Streams written by no query: where events enter the app. */
  readonly inputStreams: readonly string[];
  /** `@sink` annotations per stream, for adapters. */
  readonly sinks: ReadonlyMap<string, readonly SinkPlan[]>;
  /** `@source` annotations per stream, for adapters. */
  readonly sources: ReadonlyMap<string, readonly SinkPlan[]>;
}

export interface SinkPlan {
  readonly type: string;
  readonly options: ReadonlyMap<string, string>;
  readonly map?: { readonly type: string; readonly options: ReadonlyMap<string, string> };
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

export type OutputPlan = { readonly kind: 'insert'; readonly target: string } | { readonly kind: 'return' };

/** Output rate limiting; `grouped` when the query has `group by`. */
export type RatePlan =
  | { readonly kind: 'events'; readonly type: 'ALL' | 'FIRST' | 'LAST'; readonly count: number; readonly grouped: boolean }
  | { readonly kind: 'time'; readonly type: 'ALL' | 'FIRST' | 'LAST'; readonly millis: number; readonly grouped: boolean }
  | { readonly kind: 'snapshot'; readonly millis: number; readonly grouped: boolean; readonly windowed: boolean; readonly aggregated: boolean };

export interface QueryPlan {
  readonly name: string;
  /** Changes whenever the query's text changes (positions aside); scopes its state. */
  readonly fingerprint: string;
  readonly inputStream: string;
  readonly handlers: readonly HandlerPlan[];
  readonly selector: SelectorPlan;
  readonly rate?: RatePlan;
  readonly output: OutputPlan;
}
