import type { Value } from '../kernel/event';
import type { EvalCtx } from '../kernel/eval-context';

/**
 * The plan of a pattern or sequence query input. Its `detail` (an NfaPlan) is read only by the
 * pattern planner and runtime (core/planner/pattern, core/runtime/pattern); the rest of the
 * engine only passes it on.
 */
export interface PatternPlan {
  readonly kind: 'state';
  /** Every stream the pattern listens to (the runtime subscribes to each). */
  readonly streams: readonly string[];
  /** Planner-private details. */
  readonly detail: unknown;
}

/**
 * The shape of a planned pattern or sequence (`PatternPlan.detail`), shared by the pattern planner
 * and the pattern runtime only.
 *
 * The matcher follows Siddhi's state processors: every stream element of the pattern (`e1=A`,
 * each side of `and`/`or`, a counted element, an absent element) is one *processor* with a
 * position (`stateId`) in the match. A processor holds partial matches waiting for its event in
 * two lists (`pending`, and `newAndEvery` for those added while the current event is processed)
 * and, once its event matched, hands the partial match on through its links: `next` (the
 * following element), `nextEvery` (where `every` restarts), the selector.
 */

/** One matched event: its time and row; `data` null is the placeholder an absent element leaves. */
export interface MatchedEvent {
  readonly ts: number;
  readonly data: Value[] | null;
}

/** What the selector (and a filter) reads: the events of each position; a counted one has several. */
export interface MatchView {
  ts: number;
  slots: (MatchedEvent[] | null)[];
}

/** Reads a value out of a match. */
export type MatchReader = (m: MatchView) => Value;

export type ProcessorKind = 'stream' | 'count' | 'logical' | 'absent' | 'absentLogical';

export interface ProcessorPlan {
  readonly kind: ProcessorKind;
  /** Position of the element's events in a match; also the index in `NfaPlan.processors`. */
  readonly stateId: number;
  /** The stream it listens to. */
  stream: string;
  /** The element's filters; reads the partial match from `ctx.event.data[matchIndex]`. */
  condition: ((ctx: EvalCtx) => Value) | null;
  /** Whether the element can start a match. */
  readonly isStart: boolean;
  /** Links of the element's post processor. */
  next: number | null;
  nextEvery: number | null;
  /** Completed matches leave here (the last element). */
  toSelector: boolean;
  /** A starting zero-minimum counted element of a sequence to restart when this one matches. */
  callback: number | null;
  /** The element whose "match returned" flag this one checks (itself, or the last one for the first element). */
  thisLast: number;
  /** The first element of the `every` group this element is in (restarted when a partial match expires). */
  withinEvery: number | null;
  /** Counted elements. */
  readonly min: number;
  readonly max: number;
  /** Logical elements: the operator and the other side. */
  readonly logical: 'and' | 'or' | null;
  partner: number | null;
  /** Absent elements: the `for` time, -1 without one. */
  readonly waiting: number;
}

/** How the elements nest, for start-up and for the per-event reset of sequences. */
export type RuntimeNode =
  | { readonly kind: 'stream'; readonly first: number }
  | { readonly kind: 'next'; readonly current: RuntimeNode; readonly next: RuntimeNode }
  | { readonly kind: 'logical'; readonly r1: RuntimeNode; readonly r2: RuntimeNode }
  | { readonly kind: 'every'; readonly inner: RuntimeNode; readonly first: number };

export interface NfaPlan {
  readonly type: 'pattern' | 'sequence';
  /** `within` in ms, or null. */
  readonly within: number | null;
  /** Positions of the elements a match starts with (what `within` measures from). */
  readonly startStateIds: readonly number[];
  readonly processors: readonly ProcessorPlan[];
  readonly root: RuntimeNode;
  /** Per stream: its processors in the order they take an event (later elements first). */
  readonly receivers: ReadonlyMap<string, readonly number[]>;
  /** Per stream: its processors in the order their waiting lists are refreshed. */
  readonly refresh: ReadonlyMap<string, readonly number[]>;
  /** Absent elements, in the order Siddhi creates them: timers due at the same time fire in this order. */
  readonly startup: readonly number[];
  /** `select *`: one reader per attribute; the match itself follows them in a match event's data. */
  readonly star: readonly MatchReader[];
  /** Index of the match in `ctx.event.data` (= star.length). */
  readonly matchIndex: number;
}
