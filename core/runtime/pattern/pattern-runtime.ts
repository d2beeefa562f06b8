import type { MatchView, NfaPlan, ProcessorPlan } from '../../plan/pattern-plan';
import type { PatternPlan } from '../../plan/pattern-plan';
import type { StateCell, StateSpec } from '../../state/state-spec';
import { EventKind, type StreamEvent, type Value } from '../../kernel/event';
import type { EvalCtx } from '../../kernel/eval-context';
import { Nfa } from './nfa';
import { nfaStateSpec, type NfaState, type PartialMatch } from './nfa-state';

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
 * The most partial matches one pattern query holds. When an event leaves more, the oldest
 * (by when they started) are dropped and counted in the query's state (`dropped` in the `nfa`
 * snapshot). Siddhi has no bound; without `within` its partial matches live forever (#1782).
 */
export const MAX_PARTIAL_MATCHES = 10_000;

/** The name of the matcher's state (under the query's prefix), for tests and tools. */
export const NFA_STATE = 'nfa';

/**
 * Builds the matcher of a pattern or sequence. Each complete match goes to `next` as its own
 * chunk of one event: its timestamp is that of the event completing the match (an absent
 * element's deadline when the wait completed it), its data the `select *` row followed by the
 * match (read by the planner's scope).
 *
 * Matches found while a chunk (or a timer) is processed are sent once it is processed, as
 * Siddhi defers them to the end of its receive.
 */
export function buildStateRuntime(plan: PatternPlan, env: StateRuntimeEnv, next: (chunk: StreamEvent[]) => void): StateRuntime {
  const nfaPlan = plan.detail as NfaPlan;
  const cell: StateCell<NfaState> = env.state(NFA_STATE, nfaStateSpec(nfaPlan.processors.length));
  const ctx = env.ctx;
  const mi = nfaPlan.matchIndex;
  const filterData: Value[] = new Array(mi + 1).fill(null);
  const filterEvent: StreamEvent = { timestamp: 0, data: filterData, type: EventKind.CURRENT };
  let found: StreamEvent[] = [];

  const toEvent = (m: PartialMatch): StreamEvent => {
    const view: MatchView = { ts: m.ts, slots: m.slots.map(c => (c === null ? null : c.slice())) };
    const data: Value[] = new Array(mi + 1);
    for (let i = 0; i < mi; i++) data[i] = nfaPlan.star[i](view);
    data[mi] = view;
    return { timestamp: m.ts, data, type: EventKind.CURRENT };
  };

  const nfa = new Nfa(nfaPlan, cell, {
    accepts(p: ProcessorPlan, m: PartialMatch): boolean {
      const cond = p.condition;
      if (cond === null) return true;
      const prev = ctx.event;
      filterData[mi] = m;
      filterEvent.timestamp = m.ts;
      ctx.event = filterEvent;
      try {
        return cond(ctx) === true;
      } finally {
        ctx.event = prev;
        filterData[mi] = null;
      }
    },
    emit: m => found.push(toEvent(m)),
    schedule: due => env.schedule(due),
    now: () => env.clock.now,
  });
  nfa.start();

  /** Bounds the partial matches and keeps a timer for the next `within` expiry; then sends the matches. */
  const settle = () => {
    const state = cell.value;
    if (nfa.heldEntries() > MAX_PARTIAL_MATCHES) {
      const held = nfa.partialMatches();
      if (held.size > MAX_PARTIAL_MATCHES) {
        const victims = new Set([...held].sort((a, b) => a.id - b.id).slice(0, held.size - MAX_PARTIAL_MATCHES));
        nfa.drop(victims);
        state.dropped += victims.size;
      }
    }
    if (nfaPlan.within !== null && state.expiryDue === null) {
      const due = nfa.nextExpiry();
      if (due !== null) {
        state.expiryDue = due;
        env.schedule(due);
      }
    }
    const out = found;
    found = [];
    for (const e of out) next([e]);
  };

  const receivers = nfaPlan.receivers;
  return {
    receive(streamId, chunk) {
      const procs = receivers.get(streamId);
      if (!procs) return;
      for (let i = 0; i < chunk.length; i++) {
        const e = chunk[i];
        if (e.type !== EventKind.CURRENT) continue;
        const ev = { ts: e.timestamp, data: e.data };
        nfa.stabilize(streamId, e.timestamp);
        for (const p of procs) for (const m of nfa.processAndReturn(p, ev)) found.push(toEvent(m));
      }
      settle();
    },
    onTimer(now) {
      nfa.fireTimers(now);
      const state = cell.value;
      if (state.expiryDue !== null && state.expiryDue <= now) {
        state.expiryDue = null;
        nfa.expireQuietly(now);
      }
      settle();
    },
  };
}
