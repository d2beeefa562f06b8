import type { StatePlan } from '../../planner/state/state-plan';
import type { StateCell, StateSpec } from '../../state/state-spec';
import type { StreamEvent } from '../event';
import type { EvalCtx } from '../eval-context';

/** What the pattern runtime gets from the app runtime. */
export interface StateRuntimeEnv {
  /** Declare a piece of state (names are scoped to this query). */
  state<S>(name: string, spec: StateSpec<S>): StateCell<S>;
  /** Ask for `onTimer` at event time `due` (for `within` and `not ... for`). */
  schedule(due: number): void;
  readonly clock: { readonly now: number };
  /** The query's evaluation context (its `tables` are set). */
  readonly ctx: EvalCtx;
}

export interface StateRuntime {
  /** Called with each chunk arriving on one of `plan.streams`. */
  receive(streamId: string, chunk: StreamEvent[]): void;
  onTimer(now: number): void;
}

/**
 * Builds the matcher of a pattern or sequence; matches go to `next` as events the selector's
 * scope (from the planner) can read.
 */
export function buildStateRuntime(plan: StatePlan, _env: StateRuntimeEnv, _next: (chunk: StreamEvent[]) => void): StateRuntime {
  throw new Error(`pattern runtime for ${plan.streams.join(', ')} is not built`);
}
