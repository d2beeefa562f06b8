import type { StreamEvent, Value } from './event';

/**
 * What compiled expressions read. One context object per query is reused for every event, so
 * evaluation allocates nothing.
 */
export interface EvalCtx {
  /** The event being evaluated (single-stream queries). */
  event: StreamEvent;
  /** One slot per input position (join sides, pattern references), null when absent. */
  events: (StreamEvent | null)[];
  /** Values of the query's aggregates for the event being selected. */
  agg: Value[];
  /** The output row being filtered by `having` or sorted by `order by`. */
  out: Value[];
  /** The stored row (table or window) a condition is being tried on. */
  row: Value[];
  /** The runtime's tables, by the index the planner gave them (for `in` and look-ups). */
  tables: readonly TableAccess[];
  /** The event clock of the app. */
  readonly clock: { now: number };
}

/** What expressions may ask of a table. */
export interface TableAccess {
  /** Whether any row satisfies `matches` (reading `ctx.row`), using the look-up when given. */
  exists(ctx: EvalCtx, cond: { matches: Eval; lookup?: { kind: 'primaryKey' | 'index'; attributes: readonly number[]; keys: readonly Eval[] } }): boolean;
}

/** A compiled expression. */
export type Eval = (ctx: EvalCtx) => Value;

export function newEvalCtx(clock: { now: number }): EvalCtx {
  const empty: StreamEvent = { timestamp: 0, data: [], type: 0 };
  return { event: empty, events: [], agg: [], out: [], row: [], tables: [], clock };
}
