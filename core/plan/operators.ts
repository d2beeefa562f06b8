import type { StreamEvent, Value } from '../kernel/event';
import type { Json } from '../state/json';
import type { StateCell, StateSpec } from '../state/state-spec';
import type { Shape } from '../state/shape';

/**
 * The contracts between planned operators and the runtime that drives them: builtins implement
 * them (core/builtins), plans carry their factories, the runtime calls them.
 */

/** One aggregate's running state for one group. */
export interface Aggregator {
  add(v: Value): void;
  remove(v: Value): void;
  reset(): void;
  value(): Value;
  /** What `snapshot` writes (checked before `restore` gets a stored one). */
  readonly shape: Shape;
  snapshot(): Json;
  restore(j: Json): void;
}

/** What a window operator gets from the runtime. */
export interface WindowContext {
  /** Declare a piece of state; the name is scoped to this window. */
  state<S>(name: string, spec: StateSpec<S>): StateCell<S>;
  /** Ask for `onTimer` at event time `due`. */
  schedule(due: number): void;
  readonly clock: { readonly now: number };
  /** Whether anything downstream uses EXPIRED events (else batch windows need not keep them). */
  readonly expiredNeeded: boolean;
}

/** Where an operator sends the chunk it produces. */
export type Emit = (chunk: StreamEvent[]) => void;

export interface WindowOperator {
  /** Takes a chunk of CURRENT events and emits CURRENT, EXPIRED and RESET events downstream. */
  process(chunk: StreamEvent[], emit: Emit): void;
  /**
   * Called when a time asked for with `schedule` is reached. `now` is the event clock (it may be
   * past `due` when the clock jumped); events the window releases carry `now` as their time.
   */
  onTimer?(now: number, emit: Emit, due: number): void;
  /** The events held now, for joins and on-demand queries. */
  contents(): StreamEvent[];
}
