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
  /** The event clock of the app. */
  readonly clock: { now: number };
}

/** A compiled expression. */
export type Eval = (ctx: EvalCtx) => Value;

export function newEvalCtx(clock: { now: number }): EvalCtx {
  const empty: StreamEvent = { timestamp: 0, data: [], type: 0 };
  return { event: empty, events: [], agg: [], out: [], clock };
}
